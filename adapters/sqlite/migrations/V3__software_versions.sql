-- Browser and operating-system versions, as the user agent (or the SDK) gives them. Contexts
-- stored before this have none: they read as unknown versions.
ALTER TABLE event_contexts ADD COLUMN browser_version TEXT;
ALTER TABLE event_contexts ADD COLUMN os_version TEXT;
