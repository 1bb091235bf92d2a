//! Checkpoints off the write path: a thread with a connection of its own copies the
//! write-ahead log back into the database file, so that commits never wait for that copy or
//! for its fsync. Left to SQLite's automatic checkpoints, every megabyte of log stalled the
//! event writer (and every acknowledgement queued behind it) on a checkpoint and two fsyncs.

use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::visitors::Visitors;

/// How often the log is copied back while writes continue.
const INTERVAL: Duration = Duration::from_millis(250);
/// Log frames (pages) past which the checkpointer also waits for a moment between writes, so
/// the log starts over from its beginning: bounds the log file under sustained load, when
/// passive checkpoints never catch up with the last frame.
pub(crate) const RESTART_FRAMES: i64 = 65_536;
/// How long a restarting checkpoint waits for the writer between two of its transactions.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The running checkpointer; dropping it stops the thread after one last checkpoint.
pub(crate) struct Checkpointer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` every [`INTERVAL`], and bringing
    /// `visitors` up to date as often, so that their readers find little left to read.
    pub(crate) fn start(path: &Path, visitors: Arc<Visitors>) -> Result<Self, String> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(path, flags).map_err(|e| e.to_string())?;
        connection
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| e.to_string())?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name("datafast-sqlite-checkpoint".to_owned())
            .spawn(move || {
                // Ends when the store drops the sender (or, never, sends).
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    checkpoint(&connection);
                    // A failure is logged by the memory, and its next reader tries again.
                    let _ = visitors.follow(&connection);
                }
                checkpoint(&connection);
            })
            .map_err(|e| format!("checkpoint thread: {e}"))?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        // Dropping the sender disconnects the channel, which ends the loop.
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One passive checkpoint (never waits for the writer), then a restarting one when the log
/// has grown past [`RESTART_FRAMES`].
fn checkpoint(connection: &Connection) {
    match run(connection, "PASSIVE") {
        Ok(frames) if frames >= RESTART_FRAMES => {
            if let Err(error) = run(connection, "RESTART") {
                tracing::warn!(%error, "restarting the write-ahead log failed");
            }
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "checkpoint failed"),
    }
}

/// Runs `PRAGMA wal_checkpoint(mode)` and returns the log's size in frames.
fn run(connection: &Connection, mode: &str) -> rusqlite::Result<i64> {
    connection.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |row| {
        row.get::<_, i64>(1)
    })
}
