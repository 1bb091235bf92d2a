-- Revenue import: each connection keeps how far its import has got, so a restart resumes with
-- no gap, and what the integrations status shows (last sync, last error, payments imported).
-- The pass under way is its window (`sync_from`, `sync_to`) and the provider's cursor for its
-- next page; `synced_through` is where the last finished pass ended.
ALTER TABLE connections ADD COLUMN synced_through    INTEGER;
ALTER TABLE connections ADD COLUMN sync_from         INTEGER;
ALTER TABLE connections ADD COLUMN sync_to           INTEGER;
ALTER TABLE connections ADD COLUMN sync_page         TEXT;
ALTER TABLE connections ADD COLUMN last_sync_at      INTEGER;
ALTER TABLE connections ADD COLUMN last_error        TEXT;
ALTER TABLE connections ADD COLUMN imported_payments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE connections ADD COLUMN halted            INTEGER NOT NULL DEFAULT 0;
