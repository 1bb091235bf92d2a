//! Website API keys (`df_`), each kept beside its keyed hash, at most a given number per website.

use async_trait::async_trait;
use jiff::Timestamp;

use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::id::{ApiKeyId, WebsiteId};
use datafast_ports::CredentialHash;
use datafast_ports::store::{ApiKeyStore, StoreError, StoreResult};

use crate::MemoryStore;
use crate::state::{Hashed, duplicate_id, to_millis};

#[async_trait]
impl ApiKeyStore for MemoryStore {
    async fn insert_api_key(
        &self,
        key: &ApiKey,
        hash: &CredentialHash,
        max_per_website: usize,
    ) -> StoreResult<()> {
        let key = ApiKey {
            created_at: to_millis(key.created_at),
            last_used_at: key.last_used_at.map(to_millis),
            ..key.clone()
        };
        self.write(|state| {
            let held = state
                .api_keys
                .values()
                .filter(|stored| stored.row.website_id == key.website_id)
                .count();
            if held >= max_per_website {
                return Err(StoreError::LimitReached);
            }
            if state.api_keys.contains_key(&key.id) {
                return Err(duplicate_id("key"));
            }
            if state.api_keys.values().any(|stored| stored.hash == *hash) {
                return Err(StoreError::Conflict("key"));
            }
            let hash = hash.clone();
            state.api_keys.insert(key.id, Hashed { row: key, hash });
            Ok(())
        })
    }

    async fn api_key_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<ApiKey>> {
        self.read(|state| {
            state
                .api_keys
                .values()
                .find(|stored| stored.hash == *hash)
                .map(|stored| stored.row.clone())
        })
    }

    async fn api_keys_of(&self, website: WebsiteId) -> StoreResult<Vec<ApiKey>> {
        self.read(|state| {
            let mut keys: Vec<ApiKey> = state
                .api_keys
                .values()
                .filter(|stored| stored.row.website_id == website)
                .map(|stored| stored.row.clone())
                .collect();
            keys.sort_by_key(|key| (key.created_at, key.id));
            keys
        })
    }

    async fn roll_api_key(
        &self,
        website: WebsiteId,
        id: ApiKeyId,
        hash: &CredentialHash,
        display_key: &str,
        issuer: &KeyIssuer,
    ) -> StoreResult<ApiKey> {
        self.write(|state| {
            match state.api_keys.get(&id) {
                Some(stored) if stored.row.website_id == website => {}
                _ => return Err(StoreError::NotFound),
            }
            // Two keys never share a hash, or one raw key would resolve to either.
            let taken = state
                .api_keys
                .iter()
                .any(|(other, stored)| *other != id && stored.hash == *hash);
            if taken {
                return Err(StoreError::Conflict("key"));
            }
            let stored = state.api_keys.get_mut(&id).ok_or(StoreError::NotFound)?;
            stored.hash = hash.clone();
            display_key.clone_into(&mut stored.row.display_key);
            stored.row.issued_by = issuer.clone();
            Ok(stored.row.clone())
        })
    }

    async fn delete_api_key(&self, website: WebsiteId, id: ApiKeyId) -> StoreResult<()> {
        self.write(|state| {
            match state.api_keys.get(&id) {
                Some(stored) if stored.row.website_id == website => {}
                _ => return Err(StoreError::NotFound),
            }
            state.api_keys.remove(&id);
            Ok(())
        })
    }

    async fn touch_api_keys(&self, uses: &[(ApiKeyId, Timestamp)]) -> StoreResult<()> {
        self.write(|state| {
            for (id, at) in uses {
                if let Some(stored) = state.api_keys.get_mut(id) {
                    stored.row.last_used_at = Some(to_millis(*at));
                }
            }
            Ok(())
        })
    }
}
