//! The backends under test: the in-memory store as it is, and SQLite on a fresh database file
//! that goes away with the value.

use tempfile::TempDir;

use datafast_memory::MemoryStore;
use datafast_ports::store::Storage;
use datafast_sqlite::SqliteStore;

/// A store under test, with whatever must live as long as it does.
pub trait Backend {
    fn store(&self) -> &dyn Storage;
}

impl Backend for MemoryStore {
    fn store(&self) -> &dyn Storage {
        self
    }
}

/// A SQLite store in a fresh database file, removed with the value.
#[derive(Debug)]
pub struct TempSqlite {
    // Declared before the directory so the connections close before the files go.
    store: SqliteStore,
    _dir: TempDir,
}

impl TempSqlite {
    /// Opens a fresh, migrated database in a new temporary directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("contract.db")).unwrap();
        Self { store, _dir: dir }
    }
}

impl Default for TempSqlite {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend for TempSqlite {
    fn store(&self) -> &dyn Storage {
        &self.store
    }
}
