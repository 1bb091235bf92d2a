-- Dashboard sign-in. A password is kept as the PHC string of its argon2id hash; a session and a
-- one-time link code are kept as the keyed hash of the value the browser or the link holds.
CREATE TABLE passwords (
    account_id TEXT NOT NULL PRIMARY KEY,
    hash       TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sessions (
    id         TEXT    NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL,
    hash       TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_account ON sessions (account_id);

-- purpose: 'set_password' (subject: an account id) or 'join' (subject: an invitation id).
CREATE TABLE link_codes (
    hash       TEXT    NOT NULL PRIMARY KEY,
    purpose    TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
