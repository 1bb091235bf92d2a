-- Events get their visit context, their origin and optional details, and a sequence number
-- that is never reused (AUTOINCREMENT), so readers that keep derived data can resume from it.
-- Visitor and session ids move into the event row (16-byte blobs for UUID-shaped ids, text
-- otherwise): interning them cost as many bytes and, worse, an insert at a random place of a
-- text index for every new visitor and session, which dominated ingestion's writes.
-- Revenue (payments) and identities (visitor profiles) get tables of their own.

-- One row per distinct visit context (source, campaign, software, location). `digest` is the
-- first 8 bytes of a SHA-256 over the context's canonical encoding, so looking one up is one
-- integer index probe.
CREATE TABLE event_contexts (
    id           INTEGER PRIMARY KEY,
    digest       INTEGER NOT NULL UNIQUE,
    referrer     TEXT,
    source       TEXT    NOT NULL,
    utm_source   TEXT,
    utm_medium   TEXT,
    utm_campaign TEXT,
    utm_term     TEXT,
    utm_content  TEXT,
    ref_param    TEXT,
    source_param TEXT,
    via          TEXT,
    browser      TEXT    NOT NULL,
    os           TEXT    NOT NULL,
    device       TEXT    NOT NULL,
    country      TEXT,
    region       TEXT,
    city         TEXT
);

CREATE TABLE events_v2 (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    website     INTEGER NOT NULL,
    -- 0 pageview, 1 custom, 2 payment, 3 identify, 4 external_link.
    kind        INTEGER NOT NULL,
    occurred_at INTEGER NOT NULL,
    -- A UUID as 16 bytes, `s` + UUID as 17 bytes (the session ids the tracker makes), or any
    -- other id as text.
    visitor     BLOB    NOT NULL,
    session     BLOB    NOT NULL,
    hostname    INTEGER NOT NULL,
    path        INTEGER NOT NULL,
    goal        INTEGER,
    -- NULL for events stored before contexts existed: an unknown context.
    context     INTEGER,
    -- Bit 0: sent by a backend through the Website API. Bit 1: has a row in event_details.
    flags       INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_v2 (website, kind, occurred_at, visitor, session, hostname, path, goal)
    SELECT e.website, e.kind, e.occurred_at, v.value, s.value, e.hostname, e.path, e.goal
    FROM events e
    JOIN event_visitors v ON v.id = e.visitor
    JOIN event_sessions s ON s.id = e.session
    ORDER BY e.rowid;
DROP TABLE events;
DROP TABLE event_visitors;
DROP TABLE event_sessions;
ALTER TABLE events_v2 RENAME TO events;
-- Distinct visitors per website, answered from the index alone; also a visitor's events.
CREATE INDEX events_by_visitor ON events (website, visitor);
-- Goal completions and their visitors; only goal events are indexed.
CREATE INDEX events_by_goal ON events (website, goal, kind, visitor) WHERE goal IS NOT NULL;

-- Parameters (JSON object of strings) and a server-side goal's description; only events that
-- have either get a row.
CREATE TABLE event_details (
    event       INTEGER PRIMARY KEY,
    params      TEXT    NOT NULL,
    description TEXT
);

CREATE TABLE payments (
    id             INTEGER PRIMARY KEY,
    website_id     TEXT    NOT NULL,
    transaction_id TEXT    NOT NULL,
    amount_minor   INTEGER NOT NULL,
    currency       TEXT    NOT NULL,
    visitor_id     TEXT,
    email          TEXT,
    name           TEXT,
    customer_id    TEXT,
    renewal        INTEGER NOT NULL,
    refunded       INTEGER NOT NULL,
    free_trial     INTEGER NOT NULL,
    occurred_at    INTEGER NOT NULL,
    -- The payment's goal event (events.seq), removed with it.
    event          INTEGER,
    UNIQUE (website_id, transaction_id)
);
CREATE INDEX payments_by_visitor ON payments (website_id, visitor_id);

CREATE TABLE visitor_profiles (
    website_id    TEXT    NOT NULL,
    visitor_id    TEXT    NOT NULL,
    profile_id    TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    metadata      TEXT    NOT NULL,
    identified_at INTEGER NOT NULL,
    PRIMARY KEY (website_id, visitor_id)
) WITHOUT ROWID;
