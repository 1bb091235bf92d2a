-- Domains are unique per owning account, no longer across the server: the server-wide rule
-- told every account which domains other accounts track (a 409) and let it claim a domain
-- before its owner did. Nothing finds a website by its domain (ingestion goes by tracking id).
--
-- SQLite cannot drop a column's UNIQUE constraint, so the table is rebuilt as its manual
-- describes (https://www.sqlite.org/lang_altertable.html#otheralter): a new table, every row
-- copied, the old one dropped and the new one renamed. The websites table has no index,
-- trigger or view of its own to recreate, and no FOREIGN KEY refers to it. The migration
-- runs in one transaction: it applies whole or not at all.
CREATE TABLE websites_per_account (
    id          TEXT    NOT NULL PRIMARY KEY,
    owner_id    TEXT    NOT NULL,
    domain      TEXT    NOT NULL,
    tracking_id TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    -- WebsiteSettings as JSON: the settings grow with the product, the columns need not.
    settings    TEXT    NOT NULL,
    UNIQUE (owner_id, domain)
);
INSERT INTO websites_per_account (id, owner_id, domain, tracking_id, created_at, settings)
    SELECT id, owner_id, domain, tracking_id, created_at, settings FROM websites;
DROP TABLE websites;
ALTER TABLE websites_per_account RENAME TO websites;
