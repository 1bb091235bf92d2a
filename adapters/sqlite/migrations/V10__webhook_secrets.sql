-- Provider webhooks: the signing secret the user set for a connection, sealed by the vault as
-- the credentials are. NULL when no webhook is set up; removed with its connection.
ALTER TABLE connections ADD COLUMN sealed_webhook_secret BLOB;
