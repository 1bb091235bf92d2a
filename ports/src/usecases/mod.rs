//! The use cases. [`Services`] holds the driven ports; each submodule adds the methods of one
//! area of the API. Every method takes the calling [`Principal`] first and checks it with
//! `datafast_domain::access::authorize` before touching anything.
//!
//! [`Principal`]: datafast_domain::access::Principal

mod account;
mod alert_delivery;
mod alerts;
mod analytics;
mod apikeys;
mod auth;
mod funnels;
mod goals;
mod ingest;
mod integrations;
mod team;
mod tokens;
mod website_writes;
mod websites;

use std::sync::Arc;

use datafast_domain::access::{Principal, Target, authorize};
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::Permission;
use datafast_domain::role::Role;
use datafast_domain::website::Website;

use crate::error::{ServiceError, ServiceResult};
use crate::geo::{GeoLocator, NoLocation};
use crate::notify::GoalListener;
use crate::secrets::{CredentialHasher, CredentialVault};
use crate::store::Storage;
use crate::system::{Clock, RandomSource};

pub use account::{AccountView, NewAccount};
pub use alert_delivery::{
    AlertDeliveryPorts, AlertDispatcher, AlertWorker, Pause, PauseFuture, Refused,
    send_with_retries,
};
pub use alerts::{AlertChanges, AlertHistory, NewAlert};
pub use analytics::{AnalyticsCache, AnalyticsView, FunnelView};
pub use apikeys::IssuedApiKey;
pub use auth::{CredentialCache, UsageRecorder};
pub use funnels::{FunnelChanges, NewFunnel};
pub use goals::GoalCustomizationsView;
pub use ingest::{CookielessSessions, IngestOutcome, IngestRequest, SessionSources};
pub use integrations::{IntegrationStatus, ProviderState};
pub use team::{TeamEntry, TeamListing};
pub use tokens::{IssuedToken, NewToken};
pub use website_writes::{GoalCreated, PaymentOutcome, ProfileSaved, Removed};
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
    geo: Arc<dyn GeoLocator>,
    goal_listener: Option<Arc<dyn GoalListener>>,
    cookieless_sessions: Arc<CookielessSessions>,
    session_sources: Arc<SessionSources>,
    agents: Arc<ingest::AgentCache>,
    analytics: Arc<AnalyticsCache>,
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
            geo: Arc::new(NoLocation),
            goal_listener: None,
            cookieless_sessions: Arc::new(CookielessSessions::default()),
            session_sources: Arc::new(SessionSources::default()),
            agents: Arc::new(ingest::AgentCache::default()),
            analytics: Arc::new(AnalyticsCache::default()),
        }
    }

    /// Locates ingested events' client addresses with `geo` (by default, nothing is located).
    #[must_use]
    pub fn with_geo_locator(mut self, geo: Arc<dyn GeoLocator>) -> Self {
        self.geo = geo;
        self
    }

    /// Tells `listener` of every goal completion once it is stored (alert delivery).
    #[must_use]
    pub fn with_goal_listener(mut self, listener: Arc<dyn GoalListener>) -> Self {
        self.goal_listener = Some(listener);
        self
    }

    /// Hands stored goal events to the listener, if one is set.
    fn announce_goals(&self, events: &[datafast_domain::event::Event]) {
        let Some(listener) = &self.goal_listener else {
            return;
        };
        for event in events.iter().filter(|e| e.goal_name.is_some()) {
            listener.goal_completed(event);
        }
    }

    /// Tells the listener, if one is set, that `website`'s alerts changed.
    fn announce_alerts_changed(&self, website: datafast_domain::id::WebsiteId) {
        if let Some(listener) = &self.goal_listener {
            listener.alerts_changed(website);
        }
    }

    /// The current time at the precision the API shows and storage keeps (milliseconds), so
    /// that what a use case returns equals what a later read returns.
    fn now(&self) -> jiff::Timestamp {
        let now = self.clock.now();
        jiff::Timestamp::from_millisecond(now.as_millisecond()).unwrap_or(now)
    }

    /// Whether `principal` may exercise `permission` on `website` (`owner_only`: an operation
    /// only the owner may perform): exactly the check every website use case makes first. For
    /// callers that decide what to offer rather than act, and for tests of the policy.
    ///
    /// # Errors
    /// The refusal the use case would give: `NotFound`, `Denied`, or a storage failure.
    pub async fn access(
        &self,
        principal: &Principal,
        website: WebsiteId,
        permission: Permission,
        owner_only: bool,
    ) -> ServiceResult<()> {
        self.authorized_website(principal, website, permission, owner_only)
            .await
            .map(|_| ())
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
        // A website the account holds no role on answers like one that does not exist, so
        // ids of other accounts' websites do not leak.
        let role = self
            .store
            .role_of(website_id, principal.account_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Website"))?;
        authorize(
            principal,
            permission,
            Target::Website {
                id: website_id,
                role: Some(role),
                owner_only,
            },
        )?;
        Ok((website, role))
    }
}

/// The permission half of the policy alone, for refusing early.
fn authorize_permission(principal: &Principal, permission: Permission) -> ServiceResult<()> {
    authorize(principal, permission, Target::Profile).map_err(ServiceError::from)
}
