//! Funnels and their soft deletion: a deleted funnel stays stored, leaves every read, and frees
//! its name. Names are unique per website among funnels that are not deleted, compared by the
//! domain's [`FunnelNameKey`](datafast_domain::funnel::FunnelNameKey).

use async_trait::async_trait;
use jiff::Timestamp;

use datafast_domain::funnel::Funnel;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_ports::store::{FunnelStore, StoreError, StoreResult};

use crate::MemoryStore;
use crate::state::{State, StoredFunnel, duplicate_id, to_millis};

fn kept_to_the_millisecond(funnel: &Funnel) -> Funnel {
    Funnel {
        created_at: to_millis(funnel.created_at),
        updated_at: to_millis(funnel.updated_at),
        ..funnel.clone()
    }
}

/// Whether a live funnel of `funnel`'s website other than `funnel` itself has its name.
fn name_taken(state: &State, funnel: &Funnel) -> bool {
    let wanted = funnel.name_key();
    state.funnels.values().any(|stored| {
        stored.is_live()
            && stored.funnel.website_id == funnel.website_id
            && stored.funnel.id != funnel.id
            && stored.funnel.name_key() == wanted
    })
}

/// The live funnel `id` of `website`.
fn live(state: &State, website: WebsiteId, id: FunnelId) -> Option<&Funnel> {
    state
        .funnels
        .get(&id)
        .filter(|stored| stored.is_live() && stored.funnel.website_id == website)
        .map(|stored| &stored.funnel)
}

#[async_trait]
impl FunnelStore for MemoryStore {
    async fn insert_funnel(&self, funnel: &Funnel) -> StoreResult<()> {
        let funnel = kept_to_the_millisecond(funnel);
        self.write(|state| {
            if state.funnels.contains_key(&funnel.id) {
                return Err(duplicate_id("funnel"));
            }
            if name_taken(state, &funnel) {
                return Err(StoreError::Conflict("name"));
            }
            state.funnels.insert(
                funnel.id,
                StoredFunnel {
                    funnel,
                    deleted_at: None,
                },
            );
            Ok(())
        })
    }

    async fn funnels(
        &self,
        website: WebsiteId,
        include_inactive: bool,
    ) -> StoreResult<Vec<Funnel>> {
        self.read(|state| {
            let mut funnels: Vec<Funnel> = state
                .funnels
                .values()
                .filter(|stored| stored.is_live() && stored.funnel.website_id == website)
                .filter(|stored| include_inactive || stored.funnel.is_active)
                .map(|stored| stored.funnel.clone())
                .collect();
            funnels.sort_by_key(|funnel| (funnel.created_at, funnel.id));
            funnels
        })
    }

    async fn funnel(&self, website: WebsiteId, id: FunnelId) -> StoreResult<Option<Funnel>> {
        self.read(|state| live(state, website, id).cloned())
    }

    async fn update_funnel(&self, funnel: &Funnel) -> StoreResult<()> {
        let funnel = kept_to_the_millisecond(funnel);
        self.write(|state| {
            if live(state, funnel.website_id, funnel.id).is_none() {
                return Err(StoreError::NotFound);
            }
            if name_taken(state, &funnel) {
                return Err(StoreError::Conflict("name"));
            }
            let stored = state
                .funnels
                .get_mut(&funnel.id)
                .ok_or(StoreError::NotFound)?;
            stored.funnel = funnel;
            Ok(())
        })
    }

    async fn delete_funnel(
        &self,
        website: WebsiteId,
        id: FunnelId,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.write(|state| {
            if live(state, website, id).is_none() {
                return Err(StoreError::NotFound);
            }
            let stored = state.funnels.get_mut(&id).ok_or(StoreError::NotFound)?;
            stored.deleted_at = Some(to_millis(at));
            Ok(())
        })
    }
}
