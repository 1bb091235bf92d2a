//! Payment-provider connections: one per website and provider, the credentials kept exactly as
//! the vault sealed them.

use async_trait::async_trait;

use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::Payment;
use datafast_domain::provider_payment::{SyncState, SyncWindow};
use datafast_domain::provider_subscription::{ProviderSubscription, goal_events};
use datafast_ports::store::{
    ImportRecord, ImportedPayment, IntegrationStore, StoreError, StoreResult,
};
use jiff::Timestamp;

use crate::MemoryStore;
use crate::state::{State, StoredPayment, to_millis};

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
        self.write(|state| {
            state
                .subscriptions
                .retain(|(owner, by, _), _| (*owner, *by) != (website, provider));
            Ok(state.connections.remove(&(website, provider)).is_some())
        })
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
            connection.sync = SyncState {
                imported_payments: connection.sync.imported_payments,
                ..sync_to_millis(sync)
            };
            Ok(())
        })
    }

    async fn store_import_page(
        &self,
        website: WebsiteId,
        provider: Provider,
        payments: Vec<ImportedPayment>,
        sync: Option<SyncState>,
    ) -> StoreResult<Vec<ImportRecord>> {
        self.write(|state| {
            // Checked first: a write that fails must change nothing.
            if !state.connections.contains_key(&(website, provider)) {
                return Err(StoreError::NotFound);
            }
            let records: Vec<ImportRecord> = payments
                .into_iter()
                .map(|imported| import_one(state, imported))
                .collect();
            let new = records.iter().filter(|r| **r == ImportRecord::New).count();
            if let Some(connection) = state.connections.get_mut(&(website, provider)) {
                let imported = connection.sync.imported_payments + new as u64;
                if let Some(sync) = sync {
                    connection.sync = sync_to_millis(&sync);
                }
                connection.sync.imported_payments = imported;
            }
            Ok(records)
        })
    }

    async fn save_subscriptions(
        &self,
        website: WebsiteId,
        provider: Provider,
        subscriptions: Vec<(ProviderSubscription, Option<Event>)>,
        seen_at: Timestamp,
    ) -> StoreResult<Vec<Event>> {
        self.write(|state| {
            if !state.connections.contains_key(&(website, provider)) {
                return Err(StoreError::NotFound);
            }
            let mut fired = Vec::new();
            for (subscription, visit) in subscriptions {
                let subscription = subscription_to_millis(subscription);
                let key = (website, subscription.provider, subscription.id.clone());
                let before = state.subscriptions.get(&key);
                if let Some(visit) = visit {
                    fired.extend(goal_events(before, &subscription, &visit, seen_at));
                }
                state.subscriptions.insert(key, subscription);
            }
            for event in &fired {
                state.append_event(event.clone());
            }
            Ok(fired)
        })
    }

    async fn subscriptions(&self, website: WebsiteId) -> StoreResult<Vec<ProviderSubscription>> {
        self.read(|state| {
            state
                .subscriptions
                .iter()
                .filter(|((owner, _, _), _)| *owner == website)
                .map(|(_, subscription)| subscription.clone())
                .collect()
        })
    }

    async fn save_webhook_secret(
        &self,
        website: WebsiteId,
        provider: Provider,
        sealed: Option<Vec<u8>>,
    ) -> StoreResult<()> {
        self.write(|state| {
            let connection = state
                .connections
                .get_mut(&(website, provider))
                .ok_or(StoreError::NotFound)?;
            connection.sealed_webhook_secret = sealed;
            Ok(())
        })
    }
}

/// Records a payment the website lacks, or settles the one it has.
fn import_one(state: &mut State, imported: ImportedPayment) -> ImportRecord {
    let payment = Payment {
        occurred_at: to_millis(imported.payment.occurred_at),
        ..imported.payment
    };
    let key = (payment.website_id, payment.transaction_id.clone());
    if let Some(stored) = state.payments.get_mut(&key) {
        let known = &mut stored.payment;
        if (known.amount_minor, known.refunded) == (payment.amount_minor, payment.refunded) {
            return ImportRecord::Unchanged;
        }
        known.amount_minor = payment.amount_minor;
        known.refunded = payment.refunded;
        return ImportRecord::Settled;
    }
    let goal_event = imported.goal_event.map(|event| state.append_event(event));
    state.payments.insert(
        key,
        StoredPayment {
            payment,
            goal_event,
        },
    );
    ImportRecord::New
}

/// The subscription with its instants kept to the millisecond, as every backend keeps them.
fn subscription_to_millis(subscription: ProviderSubscription) -> ProviderSubscription {
    ProviderSubscription {
        started_at: to_millis(subscription.started_at),
        ended_at: subscription.ended_at.map(to_millis),
        ..subscription
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
