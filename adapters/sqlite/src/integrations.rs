//! Payment-provider connections: one per website and provider, the credentials kept exactly as
//! the vault sealed them, next to how far the connection's revenue import has got.

use async_trait::async_trait;
use rusqlite::{Row, Transaction, params};

use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::provider_payment::{SyncState, SyncWindow};
use datafast_domain::provider_subscription::ProviderSubscription;
use datafast_ports::store::{
    ImportRecord, ImportedPayment, IntegrationStore, StoreError, StoreResult,
};
use jiff::Timestamp;

use crate::SqliteStore;
use crate::codec::{RowExt, all, count_of, decoded, millis};
use crate::error::Failure;
use crate::payments::{insert_payment, is_known, settle};
use crate::subscriptions;

const CONNECTION_COLUMNS: &str = "provider, sealed_credentials, connected_at, key_expires_at,
     synced_through, sync_from, sync_to, sync_page, last_sync_at, last_error,
     imported_payments, halted, sealed_webhook_secret, website_id";

fn decode_connection(row: &Row<'_>) -> Result<Connection, Failure> {
    let provider = row.text(0)?;
    Ok(Connection {
        provider: decoded(Provider::from_slug(&provider), "provider", &provider)?,
        sealed_credentials: row.get(1)?,
        connected_at: row.instant(2)?,
        key_expires_at: row.optional_instant(3)?,
        sync: decode_sync(row)?,
        sealed_webhook_secret: row.get(12)?,
    })
}

fn decode_sync(row: &Row<'_>) -> Result<SyncState, Failure> {
    let window = match (row.optional_instant(5)?, row.optional_instant(6)?) {
        (Some(from), Some(to)) => Some(SyncWindow { from, to }),
        _ => None,
    };
    Ok(SyncState {
        synced_through: row.optional_instant(4)?,
        window,
        page: row.optional_text(7)?,
        last_sync_at: row.optional_instant(8)?,
        last_error: row.optional_text(9)?,
        imported_payments: count_of(row.get(10)?)?,
        halted: row.flag(11)?,
    })
}

/// Writes `state` onto the connection, but for the count of imported payments, which only
/// [`count_imported`] changes; false when there is no such connection.
fn write_sync(
    tx: &Transaction<'_>,
    website: WebsiteId,
    provider: Provider,
    state: &SyncState,
) -> Result<bool, Failure> {
    let changed = tx
        .prepare_cached(
            "UPDATE connections SET synced_through = ?3, sync_from = ?4, sync_to = ?5,
                 sync_page = ?6, last_sync_at = ?7, last_error = ?8, halted = ?9
             WHERE website_id = ?1 AND provider = ?2",
        )?
        .execute(params![
            website.to_string(),
            provider.slug(),
            state.synced_through.map(millis),
            state.window.map(|w| millis(w.from)),
            state.window.map(|w| millis(w.to)),
            state.page,
            state.last_sync_at.map(millis),
            state.last_error,
            state.halted,
        ])?;
    Ok(changed > 0)
}

/// Raises the connection's count of imported payments by `new`, in SQL, so that writers that
/// read the count at different times (a pass, a webhook) all add to it; false when there is
/// no such connection.
fn count_imported(
    tx: &Transaction<'_>,
    website: WebsiteId,
    provider: Provider,
    new: usize,
) -> Result<bool, Failure> {
    let changed = tx
        .prepare_cached(
            "UPDATE connections SET imported_payments = imported_payments + ?3
             WHERE website_id = ?1 AND provider = ?2",
        )?
        .execute(params![
            website.to_string(),
            provider.slug(),
            i64::try_from(new).unwrap_or(i64::MAX),
        ])?;
    Ok(changed > 0)
}

#[async_trait]
impl IntegrationStore for SqliteStore {
    /// Listed in the providers' declared order, the order the API shows them in.
    async fn connections(&self, website: WebsiteId) -> StoreResult<Vec<Connection>> {
        self.read(move |db| {
            let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE website_id = ?1");
            let mut statement = db.prepare_cached(&sql)?;
            let mut connections = all(statement.query([website.to_string()])?, decode_connection)?;
            connections.sort_by_key(|connection| connection.provider);
            Ok(connections)
        })
        .await
    }

    async fn save_connection(
        &self,
        website: WebsiteId,
        connection: &Connection,
    ) -> StoreResult<()> {
        let connection = connection.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO connections
                     (website_id, provider, sealed_credentials, connected_at, key_expires_at,
                      sealed_webhook_secret, imported_payments)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (website_id, provider) DO UPDATE SET
                     sealed_credentials = excluded.sealed_credentials,
                     connected_at = excluded.connected_at,
                     key_expires_at = excluded.key_expires_at,
                     sealed_webhook_secret = excluded.sealed_webhook_secret,
                     imported_payments = excluded.imported_payments",
            )?
            .execute(params![
                website.to_string(),
                connection.provider.slug(),
                connection.sealed_credentials,
                millis(connection.connected_at),
                connection.key_expires_at.map(millis),
                connection.sealed_webhook_secret,
                i64::try_from(connection.sync.imported_payments).unwrap_or(i64::MAX),
            ])?;
            write_sync(tx, website, connection.provider, &connection.sync)?;
            Ok(())
        })
        .await
    }

    async fn delete_connection(&self, website: WebsiteId, provider: Provider) -> StoreResult<bool> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM connections WHERE website_id = ?1 AND provider = ?2")?
                .execute([website.to_string(), provider.slug().to_owned()])?;
            subscriptions::delete_of(tx, website, provider)?;
            Ok(deleted > 0)
        })
        .await
    }

    async fn all_connections(&self) -> StoreResult<Vec<(WebsiteId, Connection)>> {
        self.read(move |db| {
            let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections");
            let mut statement = db.prepare_cached(&sql)?;
            let mut connections = all(statement.query([])?, |row| {
                Ok((row.parsed(13)?, decode_connection(row)?))
            })?;
            connections.sort_by_key(|(website, connection)| (*website, connection.provider));
            Ok(connections)
        })
        .await
    }

    async fn save_sync_state(
        &self,
        website: WebsiteId,
        provider: Provider,
        state: &SyncState,
    ) -> StoreResult<()> {
        let state = state.clone();
        self.write(move |tx| {
            if write_sync(tx, website, provider, &state)? {
                Ok(())
            } else {
                Err(StoreError::NotFound.into())
            }
        })
        .await
    }

    async fn store_import_page(
        &self,
        website: WebsiteId,
        provider: Provider,
        payments: Vec<ImportedPayment>,
        state: Option<SyncState>,
    ) -> StoreResult<Vec<ImportRecord>> {
        self.write(move |tx| {
            let mut records = Vec::with_capacity(payments.len());
            for ImportedPayment {
                payment,
                goal_event,
            } in payments
            {
                let record = if !is_known(tx, &payment)? {
                    insert_payment(tx, &payment, goal_event)?;
                    ImportRecord::New
                } else if settle(tx, &payment)? {
                    ImportRecord::Settled
                } else {
                    ImportRecord::Unchanged
                };
                records.push(record);
            }
            let new = records.iter().filter(|r| **r == ImportRecord::New).count();
            // Failing here rolls the page back with the connection gone.
            let mut connected = count_imported(tx, website, provider, new)?;
            if let Some(state) = &state {
                connected &= write_sync(tx, website, provider, state)?;
            }
            if connected {
                Ok(records)
            } else {
                Err(StoreError::NotFound.into())
            }
        })
        .await
    }

    async fn save_subscriptions(
        &self,
        website: WebsiteId,
        provider: Provider,
        subscriptions: Vec<(ProviderSubscription, Option<Event>)>,
        seen_at: Timestamp,
    ) -> StoreResult<Vec<Event>> {
        self.write(move |tx| {
            // Checked first, so that a removed connection's listing stores nothing.
            if !count_imported(tx, website, provider, 0)? {
                return Err(StoreError::NotFound.into());
            }
            subscriptions::save(tx, website, &subscriptions, seen_at)
        })
        .await
    }

    async fn subscriptions(&self, website: WebsiteId) -> StoreResult<Vec<ProviderSubscription>> {
        self.read(move |db| subscriptions::read_all(db, website))
            .await
    }

    async fn save_webhook_secret(
        &self,
        website: WebsiteId,
        provider: Provider,
        sealed: Option<Vec<u8>>,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            let changed = tx
                .prepare_cached(
                    "UPDATE connections SET sealed_webhook_secret = ?3
                     WHERE website_id = ?1 AND provider = ?2",
                )?
                .execute(params![website.to_string(), provider.slug(), sealed])?;
            if changed > 0 {
                Ok(())
            } else {
                Err(StoreError::NotFound.into())
            }
        })
        .await
    }
}
