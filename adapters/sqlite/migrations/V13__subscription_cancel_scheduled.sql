-- A subscription canceled to end with its paid period: still paying until then. Its change
-- fires `subscription_cancel_scheduled`, and undoing it `subscription_reactivated`.
ALTER TABLE subscriptions ADD COLUMN cancel_scheduled INTEGER NOT NULL DEFAULT 0;
