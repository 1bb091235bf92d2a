//! SQLite persistence for every storage port of `datafast-ports`, in one database file, with its
//! schema kept by refinery migrations embedded in the binary (`migrations/`).
//!
//! It owns the schema, the connections and the translation between rows and domain types; it
//! owns no business rule beyond what the port contracts demand (uniqueness, per-website limits,
//! soft deletes). No rusqlite type leaves the crate: failures become
//! [`StoreError`](datafast_ports::StoreError) at the seam.
//!
//! # Concurrency
//!
//! SQLite calls block, so every call runs on tokio's blocking pool, never on an executor thread.
//! All writes go through one writer connection behind a mutex, each in its own
//! `BEGIN IMMEDIATE` transaction: writes are serialized, so check-then-insert rules (the
//! per-website key and alert limits) hold under concurrent requests, and `IMMEDIATE` takes the
//! file's write lock up front so even another process cannot interleave. Reads use a small pool
//! of read-only connections; in WAL mode they see the last committed state and never wait for
//! the writer.
//!
//! Event appends are group-committed (`batch.rs`): one thread takes every append waiting when
//! the writer is free and commits them in one transaction, then answers each caller. An append
//! returns only after its commit, so every acknowledged event survives a crash of the process.
//! Checkpoints (copying the write-ahead log back into the file, with its fsyncs) run on a
//! thread of their own (`checkpoint.rs`), so no commit waits for them.
//!
//! Websites and memberships, which nearly every request reads to authorize itself, are also
//! cached in memory (`directory.rs`), invalidated by this store's own writes. Each website's
//! visitors (who has events, and each one's latest pageview) and goals (completions, the
//! visitors who completed each, the custom goal events) are kept in memory too
//! (`visitors.rs`), derived from the event log by sequence number, in place of two indexes
//! that cost events random B-tree inserts: the event log has no index but its key.
//!
//! # Storage layout
//!
//! Ids are 24-hex text and instants integer milliseconds since the epoch, so an instant with
//! sub-millisecond digits reads back truncated to the millisecond (the precision the API shows).
//! Website settings, permission sets, token scopes and funnel steps are JSON text columns. The
//! event log interns websites, visitors, sessions and labels in dictionary tables so each event
//! row holds only small integers; each distinct visit context (source, campaign, software,
//! location) is stored once and referenced. Event sequence numbers come from an
//! `AUTOINCREMENT` key, so they are never reused after deletes. Parent rows are referenced
//! without `FOREIGN KEY` clauses: the port contracts never ask a backend to refuse an orphan,
//! and every backend must answer alike.

mod accounts;
mod alerts;
mod apikeys;
mod batch;
mod checkpoint;
mod checks;
mod codec;
mod directory;
mod durability;
mod error;
mod events;
mod funnels;
mod goals;
mod integrations;
mod payments;
mod profiles;
mod sessions;
mod store;
mod subscriptions;
mod team;
mod visitors;
mod websites;

pub use checks::KeyCheck;
pub use durability::Durability;
pub use error::SqliteError;
pub use store::SqliteStore;
