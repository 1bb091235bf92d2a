//! The store handle: opening and migrating the file, the writer connection and the reader pool,
//! and running each unit of database work on tokio's blocking pool.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use datafast_ports::store::{StoreError, StoreResult};
use rusqlite::{Connection, ErrorCode, MAIN_DB, OpenFlags, Transaction, TransactionBehavior};

use crate::batch::Appender;
use crate::checkpoint::{Checkpointer, RESTART_FRAMES};
use crate::checks::count_open;
use crate::directory::Directory;
use crate::durability::Durability;
use crate::error::{Failure, SqliteError};
use crate::visitors::{Known, Visitors};

pub(crate) mod embedded {
    refinery::embed_migrations!("migrations");
}

/// How long a connection waits for another process's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle reader connections kept for reuse; a burst beyond this opens (and then closes) extras.
const IDLE_READERS: usize = 4;
/// The page size of new database files.
const PAGE_SIZE: i64 = 1024;
/// The writer's page cache, in KiB (negative, as SQLite's pragma takes it): 4 MiB.
const WRITER_CACHE_KIB: i64 = -4_096;
/// Prepared statements cached per connection: more than the crate has distinct statements.
const STATEMENT_CACHE: usize = 128;

/// Every storage port over one SQLite file. Cloning is cheap and shares the connections.
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
    appender: Arc<Appender>,
    // Held for its thread, which stops when the last clone of the store is dropped.
    _checkpointer: Arc<Checkpointer>,
}

pub(crate) struct Shared {
    path: PathBuf,
    writer: Mutex<Connection>,
    idle_readers: Mutex<Vec<Connection>>,
    directory: Directory,
    visitors: Arc<Visitors>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.shared.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` with [`Durability::Process`]; see
    /// [`SqliteStore::open_with`].
    ///
    /// # Errors
    /// As [`SqliteStore::open_with`].
    pub fn open(path: &Path) -> Result<SqliteStore, SqliteError> {
        Self::open_with(path, Durability::default())
    }

    /// Opens (creating if needed) the database at `path`, switches it to WAL with the
    /// `synchronous` setting `durability` asks for, applies every pending migration, and
    /// commits one write to prove the database takes writes. Opening an up-to-date file again
    /// changes nothing but the count of opens.
    ///
    /// # Errors
    /// [`SqliteError`] when the file cannot be opened or configured, the migrations fail, or
    /// the database does not take writes ([`SqliteError::ReadOnly`]).
    pub fn open_with(path: &Path, durability: Durability) -> Result<SqliteStore, SqliteError> {
        let mut writer = open_writer(path, durability)?;
        let report = embedded::migrations::runner()
            .run(&mut writer)
            .map_err(|e| SqliteError::Migrate {
                path: path.to_owned(),
                reason: e.to_string(),
            })?;
        for migration in report.applied_migrations() {
            tracing::info!(migration = %migration, "applied database migration");
        }
        // A read-only file or mount shows at the latest here, a folder that cannot hold the
        // log or a full disk only when a commit writes.
        count_open(&mut writer).map_err(|e| read_only(path, &e))?;
        // Opening one reader now proves the file is readable before anyone depends on it.
        let reader = open_reader(path).map_err(|e| SqliteError::Open {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::start(path, writer, reader)
    }

    /// Starts the event writer and the checkpointer over the opened connections.
    fn start(
        path: &Path,
        writer: Connection,
        reader: Connection,
    ) -> Result<SqliteStore, SqliteError> {
        let visitors = Arc::new(Visitors::default());
        let shared = Arc::new(Shared {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            idle_readers: Mutex::new(vec![reader]),
            directory: Directory::default(),
            visitors: Arc::clone(&visitors),
        });
        let appender =
            Appender::start(Arc::clone(&shared)).map_err(|e| SqliteError::Configure {
                path: path.to_owned(),
                reason: format!("cannot start the event writer: {e}"),
            })?;
        let checkpointer =
            Checkpointer::start(path, visitors).map_err(|e| SqliteError::Configure {
                path: path.to_owned(),
                reason: format!("cannot start the checkpointer: {e}"),
            })?;
        Ok(SqliteStore {
            shared,
            appender: Arc::new(appender),
            _checkpointer: Arc::new(checkpointer),
        })
    }

    /// The database file this store uses.
    pub fn path(&self) -> &Path {
        &self.shared.path
    }

    /// Copies the write-ahead log back into the database file and empties the log, so that a
    /// stopped server leaves everything in one file of its true size. Call once writes have
    /// stopped (at shutdown): it waits for readers and for the event writer.
    ///
    /// # Errors
    /// The checkpoint failing, or not finishing while other connections keep reading.
    pub async fn fold_log(&self) -> StoreResult<()> {
        let shared = Arc::clone(&self.shared);
        blocking(move || {
            let writer = lock(&shared.writer);
            let (busy, _, _): (i64, i64, i64) =
                writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?))
                })?;
            if busy != 0 {
                return Err(Failure::Store(StoreError::Backend(
                    "the write-ahead log is still in use; it is folded at the next start"
                        .to_owned(),
                )));
            }
            Ok(())
        })
        .await
    }

    /// The cache of websites and memberships.
    pub(crate) fn directory(&self) -> &Directory {
        &self.shared.directory
    }

    /// Appends events through the group-commit writer; returns once they are committed.
    pub(crate) async fn append(
        &self,
        events: Vec<datafast_domain::event::Event>,
    ) -> StoreResult<Vec<u64>> {
        self.appender.append(events).await
    }

    /// Runs `work` on a reader connection, off the async executor.
    pub(crate) async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, Failure> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        blocking(move || shared.with_reader(work)).await
    }

    /// Like [`SqliteStore::read`], with the visitor memory brought up to date with what the
    /// reader connection sees.
    pub(crate) async fn read_visitors<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Known) -> Result<T, Failure> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        blocking(move || {
            shared.with_reader(|db| shared.visitors.current(db, |known| work(db, known)))
        })
        .await
    }

    /// Like [`SqliteStore::write`], with the visitor memory brought up to date with what the
    /// transaction sees before `work` runs.
    pub(crate) async fn write_visitors<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>, &Known) -> Result<T, Failure> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        blocking(move || {
            shared.with_writer(|tx| shared.visitors.current(tx, |known| work(tx, known)))
        })
        .await
    }

    /// Call once deleted events are committed: the visitor memory reads the log again.
    pub(crate) fn forget_visitors(&self) {
        self.shared.visitors.forget();
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction on the writer connection, off the async
    /// executor; it commits when `work` succeeds and rolls back otherwise.
    pub(crate) async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, Failure> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        blocking(move || shared.with_writer(work)).await
    }
}

impl SqliteStore {
    /// Like [`SqliteStore::write`], for changes to websites or memberships: the directory
    /// cache is invalidated once the transaction is over, committed or not.
    pub(crate) async fn write_directory<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T, Failure> + Send + 'static,
    {
        let result = self.write(work).await;
        self.shared.directory.invalidate();
        result
    }
}

impl Shared {
    pub(crate) fn with_writer<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut connection = lock(&self.writer);
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // On an error the transaction is dropped, which rolls it back.
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    fn with_reader<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let idle = lock(&self.idle_readers).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => open_reader(&self.path)?,
        };
        let result = work(&connection);
        let mut idle = lock(&self.idle_readers);
        if idle.len() < IDLE_READERS {
            idle.push(connection);
        }
        result
    }
}

/// Opens and configures the writer connection, refusing a database SQLite could open only
/// for reading (a read-only file or mount): it falls back to reading without a word.
fn open_writer(path: &Path, durability: Durability) -> Result<Connection, SqliteError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let writer = Connection::open_with_flags(path, flags).map_err(|e| SqliteError::Open {
        path: path.to_owned(),
        reason: e.to_string(),
    })?;
    configure_writer(&writer, durability).map_err(|e| match e.sqlite_error_code() {
        // Switching to WAL needs the -shm and -wal files beside the database.
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen) => read_only(path, &e),
        _ => SqliteError::Configure {
            path: path.to_owned(),
            reason: e.to_string(),
        },
    })?;
    if writer.is_readonly(MAIN_DB).unwrap_or(false) {
        return Err(SqliteError::ReadOnly {
            path: path.to_owned(),
            reason: "SQLite could open it for reading only".to_owned(),
        });
    }
    Ok(writer)
}

fn read_only(path: &Path, error: &rusqlite::Error) -> SqliteError {
    SqliteError::ReadOnly {
        path: path.to_owned(),
        reason: error.to_string(),
    }
}

/// A panic while a lock was held leaves nothing half-done here (the transaction rolls back when
/// dropped), so a poisoned lock is still safe to use.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn configure_writer(connection: &Connection, durability: Durability) -> rusqlite::Result<()> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // Only takes effect on a new, empty file. Every page a commit changes is written to the log
    // whole, and a commit of a few events changes a few pages: small pages keep that small.
    connection.pragma_update(None, "page_size", PAGE_SIZE)?;
    let mode: String = connection.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode = %mode, "the database did not switch to WAL mode");
    }
    // In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit. A committed
    // transaction is in the log before the commit returns, so it survives a crash of this
    // process; only a power loss or kernel crash can undo the last few commits. FULL also
    // fsyncs the log at every commit (one per group of events), for operators who need a
    // commit to survive the machine. The event writer commits on this same connection.
    connection.pragma_update(None, "synchronous", durability.synchronous())?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    // Small on purpose. When a B-tree split hands out page numbers out of order, SQLite swaps
    // them through a temporary number past the 1 GiB mark, and every commit after that scans
    // the page cache's whole hash table (the cache believes it may hold pages past the end of
    // the file). That scan's cost grows with the cache: at 16 MiB of 1 KiB pages it was a tenth
    // of the server's CPU under ingestion load, when the events' visitor and goal indexes (since
    // replaced by `visitors.rs`) split a page at most commits. Other indexes still split now and
    // then (payments, dictionaries). The pages missed instead come from the operating system's
    // cache, and the ingestion benchmark's sustained fill got faster.
    connection.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
    // Checkpoints are the checkpointer thread's job; the writer takes one itself only if that
    // thread has fallen far behind, as a bound on the log's size.
    connection.pragma_update(None, "wal_autocheckpoint", 2 * RESTART_FRAMES)?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(())
}

fn open_reader(path: &Path) -> rusqlite::Result<Connection> {
    // Paths are taken literally (no `file:` URIs), as for the writer.
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // Opened read-write so it can join the WAL's shared memory, but it must never write.
    connection.pragma_update(None, "query_only", "ON")?;
    connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(connection)
}

/// Runs blocking database work on tokio's blocking pool; without a runtime (a plain thread),
/// runs it in place.
async fn blocking<T, F>(work: F) -> StoreResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, Failure> + Send + 'static,
{
    let result = match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime
            .spawn_blocking(work)
            .await
            .map_err(|e| StoreError::Backend(format!("database task failed: {e}")))?,
        Err(_) => work(),
    };
    result.map_err(StoreError::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `PRAGMA synchronous` as the writer connection (which the event writer commits on too)
    /// reports it: 1 is NORMAL, 2 is FULL.
    fn writer_synchronous(store: &SqliteStore) -> i64 {
        lock(&store.shared.writer)
            .query_row("PRAGMA synchronous", [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn each_durability_sets_its_synchronous_level_on_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.db");
        assert_eq!(writer_synchronous(&SqliteStore::open(&path).unwrap()), 1);
        let process = SqliteStore::open_with(&path, Durability::Process).unwrap();
        assert_eq!(writer_synchronous(&process), 1);
        drop(process);
        let machine = SqliteStore::open_with(&path, Durability::Machine).unwrap();
        assert_eq!(writer_synchronous(&machine), 2);
    }

    #[test]
    fn every_open_commits_a_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.db");
        let opens = |store: &SqliteStore| -> String {
            lock(&store.shared.writer)
                .query_row(
                    "SELECT value FROM server_checks WHERE name = 'opens'",
                    [],
                    |row| row.get(0),
                )
                .unwrap()
        };
        let first = SqliteStore::open(&path).unwrap();
        assert_eq!(opens(&first), "1");
        drop(first);
        assert_eq!(opens(&SqliteStore::open(&path).unwrap()), "2");
    }
}
