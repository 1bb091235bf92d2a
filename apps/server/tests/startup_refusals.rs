//! Starts that must not happen: a key file that belongs to another database, and a database
//! the server cannot write. Each is refused with one line on stderr and exit status 1, instead
//! of a server that reports healthy and then answers 401 or 500 to everything.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use datafast_server::{StartError, open_services};

const BINARY: &str = env!("CARGO_BIN_EXE_datafast-server");
/// The user and group `nobody`, which need not exist in /etc/passwd to be switched to.
const NOBODY: u32 = 65_534;

/// Runs a command that is expected to exit on its own; a server that starts instead is stopped
/// after a while, so a regression fails the test rather than hanging it.
fn output_within_seconds(command: &mut Command, seconds: u64) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn bootstrap(database: &Path) {
    let output = Command::new(BINARY)
        .args(["bootstrap", "--email", "ops@example.com", "--database"])
        .arg(database)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Asserts a refused start: exit status 1 (not a server killed at the deadline) and exactly
/// one line on stderr, which contains `needle`.
fn assert_refused(output: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains(needle), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_key_file_of_another_database_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db.sqlite");
    bootstrap(&database);
    let elsewhere = folder.path().join("other.sqlite");
    bootstrap(&elsewhere);
    // A valid key file, with the right mode, that simply belongs to the other database.
    std::fs::copy(
        folder.path().join("other.key"),
        folder.path().join("db.key"),
    )
    .unwrap();

    let output = output_within_seconds(
        Command::new(BINARY)
            .args(["serve", "--bind", "127.0.0.1:0", "--database"])
            .arg(&database)
            .env("DATAFAST_LOG", "warn"),
        10,
    );
    assert_refused(&output, "does not belong to the database");
}

#[tokio::test]
async fn a_database_from_before_the_key_check_learns_its_keys_at_the_first_open() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db.sqlite");
    // `migrate` opens the database without keys, as every version before the check did.
    let migrated = Command::new(BINARY)
        .args(["migrate", "--database"])
        .arg(&database)
        .output()
        .unwrap();
    assert!(migrated.status.success());

    let own = folder.path().join("own.key");
    drop(open_services(&database, &own).await.unwrap());
    drop(open_services(&database, &own).await.unwrap());
    // A valid key file that another database made.
    let foreign = folder.path().join("foreign.key");
    drop(
        open_services(&folder.path().join("other.sqlite"), &foreign)
            .await
            .unwrap(),
    );
    let refused = open_services(&database, &foreign)
        .await
        .err()
        .map(|e: StartError| e.to_string());
    assert!(
        refused
            .as_deref()
            .is_some_and(|m| m.contains("does not belong to the database")),
        "{refused:?}"
    );
}

/// Whether this process runs as root, told by the owner of a folder it just created.
fn running_as_root(folder: &Path) -> bool {
    std::fs::metadata(folder).unwrap().uid() == 0
}

/// Whether a user other than the owner may run `path`: the file and every folder above it
/// executable by others.
fn runnable_by_others(path: &Path) -> bool {
    path.ancestors().all(|part| {
        part.as_os_str().is_empty()
            || std::fs::metadata(part).is_ok_and(|m| m.permissions().mode() & 0o001 != 0)
    })
}

/// The server binary where the unprivileged user can run it: in place when it can, else a copy.
fn binary_for_others(folder: &Path) -> PathBuf {
    let binary = PathBuf::from(BINARY);
    if runnable_by_others(&binary) {
        return binary;
    }
    let copy = folder.join("datafast-server");
    std::fs::copy(&binary, &copy).unwrap();
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).unwrap();
    copy
}

/// Starts the server on `database` as a user that file permissions apply to: `nobody` when the
/// tests run as root (root writes through any mode bits, so a read-only file would not be
/// read-only to it), this user otherwise.
fn serve_unprivileged(folder: &Path, database: &Path) -> Output {
    let root = running_as_root(folder);
    let binary = if root {
        binary_for_others(folder)
    } else {
        PathBuf::from(BINARY)
    };
    let mut command = Command::new(binary);
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--database"])
        .arg(database)
        .env("DATAFAST_LOG", "warn");
    if root {
        command.uid(NOBODY).gid(NOBODY);
    }
    output_within_seconds(&mut command, 10)
}

/// A bootstrapped database in a fresh folder, with the key file handed to the user
/// [`serve_unprivileged`] runs as (its mode stays 0600).
fn database_for_unprivileged_user() -> (tempfile::TempDir, PathBuf) {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db.sqlite");
    bootstrap(&database);
    if running_as_root(folder.path()) {
        std::os::unix::fs::chown(folder.path().join("db.key"), Some(NOBODY), Some(NOBODY)).unwrap();
    }
    (folder, database)
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_read_only_database_file_is_refused() {
    let (folder, database) = database_for_unprivileged_user();
    // The folder takes new files (the write-ahead log could be made), the database file does
    // not take writes.
    set_mode(folder.path(), 0o777);
    set_mode(&database, 0o444);

    let output = serve_unprivileged(folder.path(), &database);
    assert_refused(&output, "does not take writes");
}

#[test]
fn a_database_in_a_read_only_folder_is_refused() {
    let (folder, database) = database_for_unprivileged_user();
    // The database file is writable, but the files SQLite keeps beside it cannot be made.
    if running_as_root(folder.path()) {
        std::os::unix::fs::chown(&database, Some(NOBODY), Some(NOBODY)).unwrap();
    }
    set_mode(folder.path(), 0o555);

    let output = serve_unprivileged(folder.path(), &database);
    set_mode(folder.path(), 0o755);
    assert_refused(&output, "does not take writes");
}
