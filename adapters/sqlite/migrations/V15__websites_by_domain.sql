-- Public dashboards are found by domain alone (`/share/{domain}`), across owners.
CREATE INDEX websites_by_domain ON websites (domain, created_at);
