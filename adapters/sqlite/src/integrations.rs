//! Payment-provider connections: one per website and provider, the credentials kept exactly as
//! the vault sealed them.

use async_trait::async_trait;
use rusqlite::{Row, params};

use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider};
use datafast_ports::store::{IntegrationStore, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, decoded, millis};
use crate::error::Failure;

fn decode_connection(row: &Row<'_>) -> Result<Connection, Failure> {
    let provider = row.text(0)?;
    Ok(Connection {
        provider: decoded(Provider::from_slug(&provider), "provider", &provider)?,
        sealed_credentials: row.get(1)?,
        connected_at: row.instant(2)?,
        key_expires_at: row.optional_instant(3)?,
    })
}

#[async_trait]
impl IntegrationStore for SqliteStore {
    /// Listed in the providers' declared order, the order the API shows them in.
    async fn connections(&self, website: WebsiteId) -> StoreResult<Vec<Connection>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(
                "SELECT provider, sealed_credentials, connected_at, key_expires_at
                 FROM connections WHERE website_id = ?1",
            )?;
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
                     (website_id, provider, sealed_credentials, connected_at, key_expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (website_id, provider) DO UPDATE SET
                     sealed_credentials = excluded.sealed_credentials,
                     connected_at = excluded.connected_at,
                     key_expires_at = excluded.key_expires_at",
            )?
            .execute(params![
                website.to_string(),
                connection.provider.slug(),
                connection.sealed_credentials,
                millis(connection.connected_at),
                connection.key_expires_at.map(millis),
            ])?;
            Ok(())
        })
        .await
    }

    async fn delete_connection(&self, website: WebsiteId, provider: Provider) -> StoreResult<bool> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM connections WHERE website_id = ?1 AND provider = ?2")?
                .execute([website.to_string(), provider.slug().to_owned()])?;
            Ok(deleted > 0)
        })
        .await
    }
}
