-- The email each tracker `payment` event carried, and the visitor who sent it: a provider's
-- payment whose checkout named no visitor is attributed by its customer's email to the visitor
-- who last checked out with it. Emails are kept lowercased and trimmed.
CREATE TABLE checkout_emails (
    website_id TEXT    NOT NULL,
    email      TEXT    NOT NULL,
    visitor_id TEXT    NOT NULL,
    seen_at    INTEGER NOT NULL,
    PRIMARY KEY (website_id, email)
) WITHOUT ROWID;
