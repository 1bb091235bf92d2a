-- Values the server checks when it opens the database, one row per name:
--   key_check  a keyed hash of a fixed label under the server's keys (never the keys), written
--              at the first open with a key file; a key file that gives another value belongs
--              to another database, and the start is refused.
--   opens      how many times the database was opened; written at every open, so that a
--              database that does not take writes is refused at the start, not at the first
--              write.
CREATE TABLE server_checks (
    name  TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
