-- A visitor's latest pageview and a website's distinct visitors are answered from a memory the
-- store derives from the event log (`visitors.rs`). The index that answered them cost every
-- event an insert at a random place of a B-tree, the largest single cost of ingestion.
DROP INDEX IF EXISTS events_by_visitor;
