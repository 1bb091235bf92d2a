-- Goal counts (tracked goals) and the candidates of a goal deletion are answered from the
-- memory the store derives from the event log (`visitors.rs`), like the visitors before them.
-- The index that answered them cost each goal event an insert at a random place of a B-tree,
-- and its page splits a scan of the writer's page cache at the next commit.
DROP INDEX IF EXISTS events_by_goal;
