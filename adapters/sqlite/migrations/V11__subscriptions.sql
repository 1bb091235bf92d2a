-- Subscriptions as each connected provider last listed them: what MRR is computed from, and
-- the state a change is compared with to fire the automatic subscription goals. Removed with
-- their connection: they are the provider's current state, not history.
CREATE TABLE subscriptions (
    website_id      TEXT    NOT NULL,
    provider        TEXT    NOT NULL,
    subscription_id TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    amount_minor    INTEGER NOT NULL,
    currency        TEXT    NOT NULL,
    interval_unit   TEXT    NOT NULL,
    interval_count  INTEGER NOT NULL,
    started_at      INTEGER NOT NULL,
    ended_at        INTEGER,
    customer_id     TEXT,
    email           TEXT,
    name            TEXT,
    visitor_id      TEXT,
    PRIMARY KEY (website_id, provider, subscription_id)
) WITHOUT ROWID;
