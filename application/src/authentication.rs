//! Authentication: from a bearer value to a [`Principal`], with a cache so that a request costs
//! one HMAC and no database read, and a usage recorder so that `lastUsedAt` costs no write per
//! request. Every credential change goes through these use cases and clears the cache, so a
//! revocation takes effect on the next request.

use std::collections::HashMap;
use std::sync::{Mutex, RwLock};

use jiff::Timestamp;

use datafast_domain::access::{Credential, Principal};
use datafast_domain::credential::CredentialKind;
use datafast_domain::id::{ApiKeyId, TokenId};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use datafast_ports::secrets::CredentialHash;

/// Resolved principals by credential hash. Cleared whenever any credential changes.
#[derive(Debug, Default)]
pub struct CredentialCache {
    principals: RwLock<HashMap<CredentialHash, Principal>>,
}

/// Beyond this many entries the cache starts over, which bounds its memory.
const CACHE_CAPACITY: usize = 10_000;

impl CredentialCache {
    fn get(&self, hash: &CredentialHash) -> Option<Principal> {
        self.principals.read().ok()?.get(hash).cloned()
    }

    fn put(&self, hash: CredentialHash, principal: Principal) {
        if let Ok(mut map) = self.principals.write() {
            if map.len() >= CACHE_CAPACITY {
                map.clear();
            }
            map.insert(hash, principal);
        }
    }

    pub(crate) fn clear(&self) {
        if let Ok(mut map) = self.principals.write() {
            map.clear();
        }
    }
}

/// Drained last-use times: tokens, then website keys.
type PendingUses = (Vec<(TokenId, Timestamp)>, Vec<(ApiKeyId, Timestamp)>);

/// Last-use times waiting to be written in one batch.
#[derive(Debug, Default)]
pub struct UsageRecorder {
    tokens: Mutex<HashMap<TokenId, Timestamp>>,
    keys: Mutex<HashMap<ApiKeyId, Timestamp>>,
}

impl UsageRecorder {
    fn record(&self, credential: &Credential, at: Timestamp) {
        match credential {
            Credential::AccountToken { token_id, .. } => {
                if let Ok(mut map) = self.tokens.lock() {
                    map.insert(*token_id, at);
                }
            }
            Credential::WebsiteKey { key_id, .. } => {
                if let Ok(mut map) = self.keys.lock() {
                    map.insert(*key_id, at);
                }
            }
            // A session's or a public dashboard's use is not listed anywhere, so it is not
            // recorded.
            Credential::Session { .. } | Credential::PublicShare { .. } => {}
        }
    }

    pub(crate) fn pending_token(&self, id: TokenId) -> Option<Timestamp> {
        self.tokens.lock().ok()?.get(&id).copied()
    }

    pub(crate) fn pending_key(&self, id: ApiKeyId) -> Option<Timestamp> {
        self.keys.lock().ok()?.get(&id).copied()
    }

    fn take(&self) -> PendingUses {
        let tokens = self
            .tokens
            .lock()
            .map(|mut map| map.drain().collect())
            .unwrap_or_default();
        let keys = self
            .keys
            .lock()
            .map(|mut map| map.drain().collect())
            .unwrap_or_default();
        (tokens, keys)
    }
}

/// The authentication use cases, reached through [`Services::auth`].
#[derive(Debug, Clone, Copy)]
pub struct Authentication<'a> {
    pub(crate) services: &'a Services,
}

impl Authentication<'_> {
    /// Resolves the value of an `Authorization: Bearer` header.
    ///
    /// # Errors
    /// [`ServiceError::Unauthenticated`] for a missing, malformed, unknown or revoked credential.
    pub async fn authenticate(&self, bearer: Option<&str>) -> ServiceResult<Principal> {
        let raw = bearer.map(str::trim).filter(|b| !b.is_empty());
        let Some(raw) = raw else {
            return Err(ServiceError::Unauthenticated);
        };
        let Some(kind) = CredentialKind::of(raw) else {
            return Err(ServiceError::Unauthenticated);
        };
        let hash = self.services.hasher.hash(raw);
        let principal = match self.services.credentials.get(&hash) {
            Some(principal) => principal,
            None => {
                let principal = self.resolve(kind, &hash).await?;
                self.services.credentials.put(hash, principal.clone());
                principal
            }
        };
        self.services
            .usage
            .record(&principal.credential, self.services.now());
        Ok(principal)
    }

    async fn resolve(
        &self,
        kind: CredentialKind,
        hash: &CredentialHash,
    ) -> ServiceResult<Principal> {
        match kind {
            CredentialKind::AccountToken => {
                let token = self
                    .services
                    .store
                    .token_by_hash(hash)
                    .await?
                    .ok_or(ServiceError::Unauthenticated)?;
                Ok(Principal {
                    account_id: token.account_id,
                    credential: Credential::AccountToken {
                        token_id: token.id,
                        permissions: token.permissions,
                        websites: token.websites,
                    },
                })
            }
            CredentialKind::WebsiteKey => {
                let key = self
                    .services
                    .store
                    .api_key_by_hash(hash)
                    .await?
                    .ok_or(ServiceError::Unauthenticated)?;
                // A website key acts for its issuer, with the issuing token's permissions and
                // the issuer's role at the time of each request, capped at member by the policy.
                Ok(Principal {
                    account_id: key.issued_by.account,
                    credential: Credential::WebsiteKey {
                        key_id: key.id,
                        website_id: key.website_id,
                        permissions: key.issued_by.permissions,
                    },
                })
            }
        }
    }

    /// Writes pending last-use times in one batch. The server calls it periodically and at
    /// shutdown.
    ///
    /// # Errors
    /// Storage failures; the pending times are then dropped, which only loses precision.
    pub async fn flush_usage(&self) -> ServiceResult<()> {
        let (tokens, keys) = self.services.usage.take();
        if !tokens.is_empty() {
            self.services.store.touch_tokens(&tokens).await?;
        }
        if !keys.is_empty() {
            self.services.store.touch_api_keys(&keys).await?;
        }
        Ok(())
    }
}
