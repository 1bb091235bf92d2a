//! The dictionary tables event rows point into: websites (`event_websites`) and labels
//! (`event_labels`: host names, paths, goal names). Rows are never deleted or renumbered.

use rusqlite::{Connection, OptionalExtension};

use crate::error::Failure;

/// One dictionary table: its lookup and its insert.
#[derive(Clone, Copy)]
pub(super) struct Dictionary {
    /// Its place in the writer's memory of ids ([`KnownIds`](super::interner::KnownIds)).
    pub(super) slot: usize,
    pub(super) find: &'static str,
    pub(super) add: &'static str,
}

pub(super) const WEBSITES: Dictionary = Dictionary {
    slot: 0,
    find: "SELECT id FROM event_websites WHERE website_id = ?1",
    add: "INSERT INTO event_websites (website_id) VALUES (?1)",
};
pub(super) const LABELS: Dictionary = Dictionary {
    slot: 1,
    find: "SELECT id FROM event_labels WHERE value = ?1",
    add: "INSERT INTO event_labels (value) VALUES (?1)",
};
/// How many dictionaries there are: the number of slots.
pub(super) const DICTIONARIES: usize = 2;

/// The text stored under `id` in one of the event dictionaries (`table`, its `column`).
pub(super) fn dictionary_value(
    db: &Connection,
    table: &str,
    column: &str,
    id: i64,
) -> Result<String, Failure> {
    db.prepare_cached(&format!("SELECT {column} FROM {table} WHERE id = ?1"))?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Failure::Corrupt(format!("no row {id} in {table}")))
}

/// The dictionary id of a value, if it was ever stored.
pub(super) fn existing_id(
    db: &Connection,
    dictionary: Dictionary,
    value: &str,
) -> Result<Option<i64>, Failure> {
    Ok(db
        .prepare_cached(dictionary.find)?
        .query_row([value], |row| row.get(0))
        .optional()?)
}
