//! The use cases. [`Services`] holds the driven ports; each submodule adds the methods of one
//! area of the API. Every method takes the calling [`Principal`] first and checks it with
//! `datafast_domain::access::authorize` before touching anything.
//!
//! [`Principal`]: datafast_domain::access::Principal

mod account;
mod alerts;
mod apikeys;
mod auth;
mod funnels;
mod goals;
mod ingest;
mod integrations;
mod team;
mod tokens;
mod websites;

use std::sync::Arc;

use datafast_domain::access::{Principal, Target, authorize};
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::Permission;
use datafast_domain::role::Role;
use datafast_domain::website::Website;

use crate::error::{ServiceError, ServiceResult};
use crate::secrets::{CredentialHasher, CredentialVault};
use crate::store::Storage;
use crate::system::{Clock, RandomSource};

pub use account::{AccountView, NewAccount};
pub use alerts::{AlertChanges, AlertHistory, NewAlert};
pub use apikeys::IssuedApiKey;
pub use auth::{CredentialCache, UsageRecorder};
pub use funnels::{FunnelChanges, NewFunnel};
pub use goals::GoalCustomizationsView;
pub use ingest::{IngestOutcome, IngestRequest};
pub use integrations::{IntegrationStatus, ProviderState};
pub use team::{TeamEntry, TeamListing};
pub use tokens::{IssuedToken, NewToken};
pub use websites::{NewWebsite, WebsiteWithRole};

/// The driven ports the use cases run on. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    store: Arc<dyn Storage>,
    clock: Arc<dyn Clock>,
    random: Arc<dyn RandomSource>,
    hasher: Arc<dyn CredentialHasher>,
    vault: Arc<dyn CredentialVault>,
    credentials: Arc<CredentialCache>,
    usage: Arc<UsageRecorder>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services { .. }")
    }
}

impl Services {
    pub fn new(
        store: Arc<dyn Storage>,
        clock: Arc<dyn Clock>,
        random: Arc<dyn RandomSource>,
        hasher: Arc<dyn CredentialHasher>,
        vault: Arc<dyn CredentialVault>,
    ) -> Self {
        Self {
            store,
            clock,
            random,
            hasher,
            vault,
            credentials: Arc::new(CredentialCache::default()),
            usage: Arc::new(UsageRecorder::default()),
        }
    }

    /// The current time at the precision the API shows and storage keeps (milliseconds), so
    /// that what a use case returns equals what a later read returns.
    fn now(&self) -> jiff::Timestamp {
        let now = self.clock.now();
        jiff::Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now)
    }

    /// Loads a website and checks that `principal` may exercise `permission` on it. This is
    /// the only way website-scoped use cases reach a website.
    async fn authorized_website(
        &self,
        principal: &Principal,
        website_id: WebsiteId,
        permission: Permission,
        owner_only: bool,
    ) -> ServiceResult<(Website, Role)> {
        // Refuse a missing permission before revealing whether the website exists.
        authorize_permission(principal, permission)?;
        let website = self
            .store
            .website(website_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Website"))?;
        let role = self.store.role_of(website_id, principal.account_id).await?;
        authorize(
            principal,
            permission,
            Target::Website {
                id: website_id,
                role,
                owner_only,
            },
        )?;
        // `authorize` succeeded, so a role exists.
        Ok((website, role.unwrap_or(Role::Viewer)))
    }
}

/// The permission half of the policy alone, for refusing early.
fn authorize_permission(principal: &Principal, permission: Permission) -> ServiceResult<()> {
    authorize(principal, permission, Target::Profile).map_err(ServiceError::from)
}
