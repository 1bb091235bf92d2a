//! How far a committed write is promised to survive, and the SQLite setting that keeps the
//! promise.

/// What a commit that has returned survives. In WAL mode a commit writes its pages to the log
/// before it returns either way; the setting decides whether it also waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous=NORMAL`: a committed write survives a crash of the process (`kill -9`,
    /// a panic, the OOM killer), since the log is in the operating system's cache; a power
    /// loss or a kernel crash can undo the last commits since the latest checkpoint's fsync.
    #[default]
    Process,
    /// `synchronous=FULL`: every commit also waits for an fsync of the log, so a committed
    /// write survives a power loss or a kernel crash too, on a disk that honours fsync. Events
    /// are group-committed, so that is one fsync per group, not per event.
    Machine,
}

impl Durability {
    /// The value of `PRAGMA synchronous` that keeps the promise.
    pub(crate) fn synchronous(self) -> &'static str {
        match self {
            Durability::Process => "NORMAL",
            Durability::Machine => "FULL",
        }
    }
}
