//! The checks made when the database is opened (the `server_checks` table): that it takes
//! writes at all, and that the server's keys are the ones it was first used with.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use datafast_ports::store::StoreResult;

use crate::SqliteStore;

/// The row holding the key check value.
const KEY_CHECK: &str = "key_check";
/// The row counting the opens.
const OPENS: &str = "opens";

/// What comparing the server's key check value with the database's found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyCheck {
    /// The database held none (a new database, or one from before the check): it holds this
    /// one now.
    Recorded,
    /// The database holds the same value: the keys are the ones it was first used with.
    Matched,
    /// The database holds another value: the keys belong to another database.
    Mismatched,
}

/// Commits one real write (counting this open), in a `BEGIN IMMEDIATE` transaction: it fails
/// when the file, the folder that holds its log, or the filesystem refuses writes, which a
/// read alone would not reveal.
pub(crate) fn count_open(connection: &mut Connection) -> rusqlite::Result<()> {
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    transaction.execute(
        "INSERT INTO server_checks (name, value) VALUES (?1, '1')
         ON CONFLICT (name) DO UPDATE SET value = CAST(value AS INTEGER) + 1",
        [OPENS],
    )?;
    transaction.commit()
}

impl SqliteStore {
    /// The key check value the database holds: `None` until a server first opened it with a
    /// key file.
    ///
    /// # Errors
    /// The database failing.
    pub async fn key_check(&self) -> StoreResult<Option<String>> {
        self.read(|db| {
            let value = db
                .prepare_cached("SELECT value FROM server_checks WHERE name = ?1")?
                .query_row([KEY_CHECK], |row| row.get(0))
                .optional()?;
            Ok(value)
        })
        .await
    }

    /// Compares `value` with the database's key check value, recording it when the database
    /// holds none, in one transaction.
    ///
    /// # Errors
    /// The database failing.
    pub async fn check_keys(&self, value: &str) -> StoreResult<KeyCheck> {
        let value = value.to_owned();
        self.write(move |tx| {
            let held: Option<String> = tx
                .prepare_cached("SELECT value FROM server_checks WHERE name = ?1")?
                .query_row([KEY_CHECK], |row| row.get(0))
                .optional()?;
            Ok(match held {
                None => {
                    tx.prepare_cached("INSERT INTO server_checks (name, value) VALUES (?1, ?2)")?
                        .execute([KEY_CHECK, value.as_str()])?;
                    KeyCheck::Recorded
                }
                Some(held) if held == value => KeyCheck::Matched,
                Some(_) => KeyCheck::Mismatched,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_value_is_recorded_then_compared() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.db");
        let store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.key_check().await.unwrap(), None);
        assert_eq!(store.check_keys("aa").await.unwrap(), KeyCheck::Recorded);
        drop(store);

        let reopened = SqliteStore::open(&path).unwrap();
        assert_eq!(reopened.key_check().await.unwrap().as_deref(), Some("aa"));
        assert_eq!(reopened.check_keys("aa").await.unwrap(), KeyCheck::Matched);
        assert_eq!(
            reopened.check_keys("bb").await.unwrap(),
            KeyCheck::Mismatched
        );
        assert_eq!(
            reopened.key_check().await.unwrap().as_deref(),
            Some("aa"),
            "a mismatch changes nothing"
        );
    }
}
