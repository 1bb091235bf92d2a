// Where analytics come from: the Website API for a signed-in account, or a public share's read-only routes.

import { get, ADMIN } from "./api.js";

/** A signed-in website: /api/v1/<path>?websiteId=… with the session cookie. */
export function websiteSource(site) {
  return {
    kind: "site",
    site,
    name: site.name || site.domain,
    domain: site.domain,
    timezone: site.timezone || "UTC",
    currency: site.currency || "USD",
    since: site.createdAt ? site.createdAt.slice(0, 10) : null,
    base: `/websites/${site.id}`,
    get: (path, query, opts) => get(`/api/v1/${path}`, { websiteId: site.id, ...query }, opts),
    admin: (path, query, opts) => get(`${ADMIN}/websites/${site.id}${path}`, query, opts),
  };
}

/** A public share: /api/share/<domain>/<path>, no session; metadata gives its zone and currency. */
export function shareSource(domain, meta) {
  const prefix = `/api/share/${encodeURIComponent(domain)}/`;
  return {
    kind: "share",
    site: null,
    name: meta?.name || domain,
    domain,
    timezone: meta?.timezone || "UTC",
    currency: meta?.currency || "USD",
    since: null,
    base: `/share/${encodeURIComponent(domain)}`,
    get: (path, query, opts) => get(prefix + path, query, { ...opts, quiet401: true }),
  };
}
