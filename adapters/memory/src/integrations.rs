//! Payment-provider connections: one per website and provider, the credentials kept exactly as
//! the vault sealed them.

use async_trait::async_trait;

use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::provider_payment::{SyncState, SyncWindow};
use datafast_ports::store::{IntegrationStore, StoreError, StoreResult};

use crate::MemoryStore;
use crate::state::to_millis;

#[async_trait]
impl IntegrationStore for MemoryStore {
    /// Listed in the providers' declared order, the order the API shows them in (the map's
    /// keys sort that way).
    async fn connections(&self, website: WebsiteId) -> StoreResult<Vec<Connection>> {
        self.read(|state| {
            state
                .connections
                .iter()
                .filter(|((owner, _), _)| *owner == website)
                .map(|(_, connection)| connection.clone())
                .collect()
        })
    }

    async fn save_connection(
        &self,
        website: WebsiteId,
        connection: &Connection,
    ) -> StoreResult<()> {
        let connection = Connection {
            connected_at: to_millis(connection.connected_at),
            key_expires_at: connection.key_expires_at.map(to_millis),
            sync: sync_to_millis(&connection.sync),
            ..connection.clone()
        };
        self.write(|state| {
            state
                .connections
                .insert((website, connection.provider), connection);
            Ok(())
        })
    }

    async fn delete_connection(&self, website: WebsiteId, provider: Provider) -> StoreResult<bool> {
        self.write(|state| Ok(state.connections.remove(&(website, provider)).is_some()))
    }

    async fn all_connections(&self) -> StoreResult<Vec<(WebsiteId, Connection)>> {
        self.read(|state| {
            state
                .connections
                .iter()
                .map(|((website, _), connection)| (*website, connection.clone()))
                .collect()
        })
    }

    async fn save_sync_state(
        &self,
        website: WebsiteId,
        provider: Provider,
        sync: &SyncState,
    ) -> StoreResult<()> {
        self.write(|state| {
            let connection = state
                .connections
                .get_mut(&(website, provider))
                .ok_or(StoreError::NotFound)?;
            connection.sync = sync_to_millis(sync);
            Ok(())
        })
    }
}

/// The state with its instants kept to the millisecond, as every backend keeps them.
fn sync_to_millis(sync: &SyncState) -> SyncState {
    SyncState {
        synced_through: sync.synced_through.map(to_millis),
        window: sync.window.map(|window| SyncWindow {
            from: to_millis(window.from),
            to: to_millis(window.to),
        }),
        last_sync_at: sync.last_sync_at.map(to_millis),
        ..sync.clone()
    }
}
