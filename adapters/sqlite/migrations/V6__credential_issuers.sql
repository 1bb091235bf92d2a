-- Every credential and invitation records who issued it, so that it can never act beyond its
-- issuer and dies with it: a token's parent token, a key's issuing token and that token's
-- permissions, an invitation's sending token. Rows from before have no issuing token: keys
-- keep acting for the account that created them, with every permission but capped at member,
-- as they did.
ALTER TABLE tokens ADD COLUMN created_by TEXT;
CREATE INDEX tokens_by_parent ON tokens (created_by) WHERE created_by IS NOT NULL;

ALTER TABLE api_keys ADD COLUMN issued_by_token TEXT;
-- JSON array of permission strings (["*"] for all), as on tokens.
ALTER TABLE api_keys ADD COLUMN permissions TEXT NOT NULL DEFAULT '["*"]';
CREATE INDEX api_keys_by_issuing_token ON api_keys (issued_by_token)
    WHERE issued_by_token IS NOT NULL;

ALTER TABLE invitations ADD COLUMN invited_by_token TEXT;
CREATE INDEX invitations_by_sending_token ON invitations (invited_by_token)
    WHERE invited_by_token IS NOT NULL;
