-- The Account API's data and the raw event log.
--
-- Ids are 24-hex text; timestamps are integer milliseconds since the epoch. Rows point at
-- their parents by id without FOREIGN KEY clauses on purpose: the storage contract does not
-- ask a backend to refuse a row whose parent is missing, and every backend must answer alike.

CREATE TABLE accounts (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    email      TEXT    NOT NULL UNIQUE,
    image      TEXT,
    created_at INTEGER NOT NULL
);

CREATE TABLE tokens (
    id           TEXT    NOT NULL PRIMARY KEY,
    account_id   TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    name         TEXT,
    display_key  TEXT    NOT NULL,
    -- JSON array of permission strings (["*"] for all).
    permissions  TEXT    NOT NULL,
    -- JSON array of website ids; empty means every website.
    websites     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX tokens_by_account ON tokens (account_id, created_at);

CREATE TABLE websites (
    id          TEXT    NOT NULL PRIMARY KEY,
    owner_id    TEXT    NOT NULL,
    domain      TEXT    NOT NULL UNIQUE,
    tracking_id TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    -- WebsiteSettings as JSON: the settings grow with the product, the columns need not.
    settings    TEXT    NOT NULL
);

CREATE TABLE memberships (
    website_id TEXT    NOT NULL,
    account_id TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (website_id, account_id)
) WITHOUT ROWID;
CREATE INDEX memberships_by_account ON memberships (account_id);

CREATE TABLE invitations (
    id         TEXT    NOT NULL PRIMARY KEY,
    website_id TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    invited_by TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (website_id, email)
);
CREATE INDEX invitations_by_email ON invitations (email);

CREATE TABLE api_keys (
    id           TEXT    NOT NULL PRIMARY KEY,
    website_id   TEXT    NOT NULL,
    hash         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    display_key  TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX api_keys_by_website ON api_keys (website_id, created_at);

CREATE TABLE funnels (
    id         TEXT    NOT NULL PRIMARY KEY,
    website_id TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    -- The name case-folded by the adapter (Unicode-aware, unlike SQLite's lower()).
    name_key   TEXT    NOT NULL,
    slug       TEXT    NOT NULL,
    -- JSON array of {"id","name","type":"pageview","url"} or {"id","name","type":"goal","goalName"}.
    steps      TEXT    NOT NULL,
    is_active  INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    deleted_at INTEGER
);
CREATE UNIQUE INDEX funnels_live_name ON funnels (website_id, name_key) WHERE deleted_at IS NULL;
CREATE INDEX funnels_by_website ON funnels (website_id, created_at);

CREATE TABLE alerts (
    id          TEXT    NOT NULL PRIMARY KEY,
    website_id  TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    goal_name   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    webhook_url TEXT,
    is_enabled  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX alerts_by_website ON alerts (website_id, created_at);

-- Delivery history outlives its alert, so it copies the alert's name.
CREATE TABLE alert_logs (
    id           TEXT    NOT NULL PRIMARY KEY,
    alert_id     TEXT    NOT NULL,
    website_id   TEXT    NOT NULL,
    alert_name   TEXT    NOT NULL,
    goal_name    TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    error        TEXT,
    visitor_id   TEXT,
    triggered_at INTEGER NOT NULL
);
CREATE INDEX alert_logs_by_website ON alert_logs (website_id, triggered_at);
CREATE INDEX alert_logs_by_alert ON alert_logs (alert_id, triggered_at);

CREATE TABLE goal_customizations (
    website_id   TEXT    NOT NULL,
    goal_name    TEXT    NOT NULL,
    display_name TEXT,
    color        TEXT,
    description  TEXT,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (website_id, goal_name)
) WITHOUT ROWID;

CREATE TABLE connections (
    website_id         TEXT    NOT NULL,
    provider           TEXT    NOT NULL,
    sealed_credentials BLOB    NOT NULL,
    connected_at       INTEGER NOT NULL,
    key_expires_at     INTEGER,
    PRIMARY KEY (website_id, provider)
) WITHOUT ROWID;

-- The event log is the largest table by far, so every repeated string is interned once in a
-- dictionary and each event row holds only small integers (a few bytes each as varints).
CREATE TABLE event_websites (
    id         INTEGER PRIMARY KEY,
    website_id TEXT    NOT NULL UNIQUE
);
-- Host names, paths and goal names: few distinct values, so their ids stay one or two bytes.
CREATE TABLE event_labels (
    id    INTEGER PRIMARY KEY,
    value TEXT    NOT NULL UNIQUE
);
CREATE TABLE event_visitors (
    id    INTEGER PRIMARY KEY,
    value TEXT    NOT NULL UNIQUE
);
CREATE TABLE event_sessions (
    id    INTEGER PRIMARY KEY,
    value TEXT    NOT NULL UNIQUE
);

CREATE TABLE events (
    website     INTEGER NOT NULL,
    -- 0 pageview, 1 custom, 2 payment, 3 identify, 4 external_link.
    kind        INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    visitor     INTEGER NOT NULL,
    session     INTEGER NOT NULL,
    hostname    INTEGER NOT NULL,
    path        INTEGER NOT NULL,
    goal        INTEGER
);
-- Distinct visitors per website, answered from the index alone.
CREATE INDEX events_by_visitor ON events (website, visitor);
-- Goal completions and their visitors; only goal events are indexed.
CREATE INDEX events_by_goal ON events (website, goal, kind, visitor) WHERE goal IS NOT NULL;
