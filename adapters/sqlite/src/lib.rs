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
//! Websites and memberships, which nearly every request reads to authorize itself, are also
//! cached in memory (`directory.rs`), invalidated by this store's own writes.
//!
//! # Storage layout
//!
//! Ids are 24-hex text and instants integer milliseconds since the epoch, so an instant with
//! sub-millisecond digits reads back truncated to the millisecond (the precision the API shows).
//! Website settings, permission sets, token scopes and funnel steps are JSON text columns. The
//! event log interns websites, visitors, sessions and labels in dictionary tables so each event
//! row holds only small integers. Parent rows are referenced without `FOREIGN KEY` clauses: the
//! port contracts never ask a backend to refuse an orphan, and every backend must answer alike.

mod accounts;
mod alerts;
mod apikeys;
mod codec;
mod directory;
mod error;
mod events;
mod funnels;
mod goals;
mod integrations;
mod store;
mod team;
mod websites;

pub use error::SqliteError;
pub use store::SqliteStore;
