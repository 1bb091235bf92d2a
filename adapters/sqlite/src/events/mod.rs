//! The raw event log. Each event row holds small integers and two compact ids: the website,
//! every label (host name, path, goal name) and the whole visit context are interned in
//! dictionary tables, and visitor and session ids are stored as 16-byte blobs when they are
//! UUID-shaped (nearly always), so a million events stay within a small footprint on disk.
//! Appends arrive through the group-commit writer (`batch.rs`).
//!
//! One concern per module: the row's stored codes (`codes`), its compact ids (`compact_id`),
//! visit contexts stored once by digest (`contexts`), the dictionary tables (`dictionary`), the
//! writer's memory of dictionary ids (`interner`), writing rows (`insert`), reading them back
//! (`read`), removing them (`delete`), and the [`EventStore`](datafast_ports::store::EventStore)
//! port over all of them (`port`).

mod codes;
mod compact_id;
mod contexts;
mod delete;
mod dictionary;
mod insert;
mod interner;
mod port;
mod read;

pub(crate) use codes::kind_code;
pub(crate) use delete::delete_events;
pub(crate) use insert::{insert_appends, insert_events};
pub(crate) use interner::{Interner, KnownIds};
