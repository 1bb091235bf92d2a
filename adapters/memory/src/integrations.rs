//! Payment-provider connections: one per website and provider, the credentials kept exactly as
//! the vault sealed them.

use async_trait::async_trait;

use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider};
use datafast_ports::store::{IntegrationStore, StoreResult};

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
}
