//! The errors of opening a database, and the translation of SQLite failures into the storage
//! port's [`StoreError`] at the crate's edge.

use std::path::PathBuf;

use datafast_ports::store::StoreError;
use rusqlite::ErrorCode;

/// Why the database could not be made ready. Messages are meant for the operator.
#[derive(Debug, thiserror::Error)]
pub enum SqliteError {
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error("cannot configure the database at {path}: {reason}")]
    Configure { path: PathBuf, reason: String },
    #[error("cannot bring the database schema at {path} up to date: {reason}")]
    Migrate { path: PathBuf, reason: String },
    #[error(
        "the database {path} does not take writes ({reason}); the server's user must be able \
         to write the file and the folder holding it (SQLite keeps its -wal and -shm files \
         there), on a filesystem mounted read-write"
    )]
    ReadOnly { path: PathBuf, reason: String },
}

/// A failure inside one unit of database work, before it is reported as a [`StoreError`].
#[derive(Debug)]
pub(crate) enum Failure {
    /// An outcome the contract names (`NotFound`, `Conflict`, `LimitReached`).
    Store(StoreError),
    Sql(rusqlite::Error),
    /// A stored value no longer decodes into its domain type.
    Corrupt(String),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Store(error)
    }
}

impl From<rusqlite::Error> for Failure {
    fn from(error: rusqlite::Error) -> Self {
        Failure::Sql(error)
    }
}

impl From<serde_json::Error> for Failure {
    fn from(error: serde_json::Error) -> Self {
        Failure::Corrupt(format!("stored JSON does not decode: {error}"))
    }
}

impl From<Failure> for StoreError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Store(error) => error,
            Failure::Sql(error) => StoreError::Backend(format!("sqlite: {error}")),
            Failure::Corrupt(message) => StoreError::Backend(format!("corrupt row: {message}")),
        }
    }
}

/// Maps a unique-constraint failure to the `Conflict` its contract names. `rules` pairs a piece
/// of SQLite's message (`"accounts.email"`, from `UNIQUE constraint failed: accounts.email`)
/// with the payload; any other failure stays a backend failure.
pub(crate) fn conflict_on(error: rusqlite::Error, rules: &[(&str, &'static str)]) -> Failure {
    if let rusqlite::Error::SqliteFailure(cause, Some(message)) = &error
        && cause.code == ErrorCode::ConstraintViolation
        && let Some((_, payload)) = rules.iter().find(|(needle, _)| message.contains(needle))
    {
        return Failure::Store(StoreError::Conflict(payload));
    }
    Failure::Sql(error)
}
