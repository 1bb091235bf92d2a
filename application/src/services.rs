//! [`Services`]: the driven ports the use cases run on, the website access check every
//! website use case makes first, and the hooks that tell listeners what changed.

use std::sync::Arc;

use datafast_domain::access::{Principal, Target, authorize};
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::Permission;
use datafast_domain::role::Role;
use datafast_domain::website::Website;

use crate::Pause;
use crate::error::{ServiceError, ServiceResult};
use crate::ingestion::AgentCache;
use crate::payment_lookups::{LookupQueue, LookupWorker, RecentReferences};
use crate::revenue_import::{ImportRuntime, ImportSettings};
use crate::{AnalyticsCache, CookielessSessions, CredentialCache, SessionSources, UsageRecorder};
use datafast_ports::geo::{GeoLocator, NoLocation};
use datafast_ports::notify::GoalListener;
use datafast_ports::providers::{NoProviders, PaymentProviders};
use datafast_ports::secrets::{CredentialHasher, CredentialVault, PasswordHasher};
use datafast_ports::store::Storage;
use datafast_ports::system::{Clock, RandomSource};

/// The driven ports the use cases run on. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub(crate) store: Arc<dyn Storage>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) random: Arc<dyn RandomSource>,
    pub(crate) hasher: Arc<dyn CredentialHasher>,
    pub(crate) vault: Arc<dyn CredentialVault>,
    pub(crate) credentials: Arc<CredentialCache>,
    pub(crate) usage: Arc<UsageRecorder>,
    pub(crate) geo: Arc<dyn GeoLocator>,
    pub(crate) goal_listener: Option<Arc<dyn GoalListener>>,
    pub(crate) cookieless_sessions: Arc<CookielessSessions>,
    pub(crate) session_sources: Arc<SessionSources>,
    pub(crate) agents: Arc<AgentCache>,
    pub(crate) analytics: Arc<AnalyticsCache>,
    pub(crate) providers: Arc<dyn PaymentProviders>,
    /// Whether test-mode and sandbox provider credentials may be connected.
    pub(crate) allow_test_keys: bool,
    pub(crate) import: Arc<ImportRuntime>,
    /// Where ingestion queues tracker payment lookups; `None` until a worker is made.
    pub(crate) lookups: Option<Arc<LookupQueue>>,
    pub(crate) recent_lookups: Arc<RecentReferences>,
    /// `None` until set: nobody can then sign in to the dashboard.
    pub(crate) passwords: Option<Arc<dyn PasswordHasher>>,
    pub(crate) sign_in_failures: Arc<crate::SignInThrottle>,
    /// Sends invitation links by email; `None` when no SMTP server is configured.
    pub(crate) mailer: Option<Arc<dyn datafast_ports::notify::Mailer>>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Services { .. }")
    }
}

impl Services {
    /// The account use cases.
    pub fn accounts(&self) -> crate::Accounts<'_> {
        crate::Accounts { services: self }
    }

    /// The alert use cases.
    pub fn alerts(&self) -> crate::Alerts<'_> {
        crate::Alerts { services: self }
    }

    /// The analytics use cases.
    pub fn analytics(&self) -> crate::Analytics<'_> {
        crate::Analytics { services: self }
    }

    /// The website key use cases.
    pub fn api_keys(&self) -> crate::ApiKeys<'_> {
        crate::ApiKeys { services: self }
    }

    /// The authentication use cases.
    pub fn auth(&self) -> crate::Authentication<'_> {
        crate::Authentication { services: self }
    }

    /// The funnel use cases.
    pub fn funnels(&self) -> crate::Funnels<'_> {
        crate::Funnels { services: self }
    }

    /// The goal use cases.
    pub fn goals(&self) -> crate::Goals<'_> {
        crate::Goals { services: self }
    }

    /// The ingestion use cases.
    pub fn ingestion(&self) -> crate::Ingestion<'_> {
        crate::Ingestion { services: self }
    }

    /// The payment-provider integration use cases.
    pub fn integrations(&self) -> crate::Integrations<'_> {
        crate::Integrations { services: self }
    }

    /// The public dashboard use cases (`/share/{domain}`).
    pub fn public_dashboards(&self) -> crate::PublicDashboards<'_> {
        crate::PublicDashboards { services: self }
    }

    /// The revenue import use cases.
    pub fn revenue_import(&self) -> crate::RevenueImport<'_> {
        crate::RevenueImport { services: self }
    }

    /// The payment webhook and lookup use cases.
    pub fn payment_lookups(&self) -> crate::PaymentLookups<'_> {
        crate::PaymentLookups { services: self }
    }

    /// The one-time link use cases (setup and invitation links).
    pub fn links(&self) -> crate::Links<'_> {
        crate::Links { services: self }
    }

    /// The dashboard sign-in use cases.
    pub fn sign_in(&self) -> crate::SignIn<'_> {
        crate::SignIn { services: self }
    }

    /// The team use cases.
    pub fn team(&self) -> crate::Team<'_> {
        crate::Team { services: self }
    }

    /// The access token use cases.
    pub fn tokens(&self) -> crate::Tokens<'_> {
        crate::Tokens { services: self }
    }

    /// The Website API write use cases.
    pub fn website_data(&self) -> crate::WebsiteData<'_> {
        crate::WebsiteData { services: self }
    }

    /// The website use cases.
    pub fn websites(&self) -> crate::Websites<'_> {
        crate::Websites { services: self }
    }

    /// Forgets every cached principal; called after any credential or ownership change.
    pub(crate) fn forget_credentials(&self) {
        self.credentials.clear();
    }

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
            agents: Arc::new(AgentCache::default()),
            analytics: Arc::new(AnalyticsCache::default()),
            providers: Arc::new(NoProviders),
            allow_test_keys: false,
            import: Arc::new(ImportRuntime::default()),
            lookups: None,
            recent_lookups: Arc::new(RecentReferences::default()),
            passwords: None,
            sign_in_failures: Arc::new(crate::SignInThrottle::default()),
            mailer: None,
        }
    }

    /// Looks up the checkout a tracker `payment` event names through the connected provider,
    /// on the returned worker, which the caller runs on a task of its own (by default such
    /// events are stored as visits' records of a checkout, and nothing is asked).
    #[must_use]
    pub fn with_payment_lookups(mut self, capacity: usize) -> (Self, LookupWorker) {
        let (queue, receiver) = LookupQueue::new(capacity);
        self.lookups = Some(Arc::new(queue));
        let worker = LookupWorker::new(self.clone(), receiver);
        (self, worker)
    }

    /// Imports revenue with `settings`, waiting between retries with `pause` (by default, the
    /// default settings with no wait between retries).
    #[must_use]
    pub fn with_revenue_import(mut self, settings: ImportSettings, pause: Pause) -> Self {
        self.import = Arc::new(ImportRuntime::new(settings, pause));
        self
    }

    /// Hashes and checks dashboard passwords with `hasher` (by default there is none, and
    /// every sign-in fails as an internal error).
    #[must_use]
    pub fn with_password_hasher(mut self, hasher: Arc<dyn PasswordHasher>) -> Self {
        self.passwords = Some(hasher);
        self
    }

    /// Emails invitation links through `mailer` (by default none is sent, and the owner hands
    /// the link on).
    #[must_use]
    pub fn with_mailer(mut self, mailer: Arc<dyn datafast_ports::notify::Mailer>) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Reaches payment providers through `providers` (by default, none is reachable, so no
    /// provider can be connected).
    #[must_use]
    pub fn with_payment_providers(mut self, providers: Arc<dyn PaymentProviders>) -> Self {
        self.providers = providers;
        self
    }

    /// Lets test-mode and sandbox provider credentials be connected (by default they are
    /// refused, as DataFast refuses them in production).
    #[must_use]
    pub fn allowing_test_keys(mut self, allow: bool) -> Self {
        self.allow_test_keys = allow;
        self
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
    pub(crate) fn announce_goals(&self, events: &[datafast_domain::event::Event]) {
        let Some(listener) = &self.goal_listener else {
            return;
        };
        for event in events.iter().filter(|e| e.goal_name.is_some()) {
            listener.goal_completed(event);
        }
    }

    /// Tells the website's owner of something to act on, through the listener if one is set.
    pub(crate) fn notify_owner(&self, notice: datafast_ports::notify::OwnerNotice) {
        if let Some(listener) = &self.goal_listener {
            listener.owner_notice(notice);
        }
    }

    /// Tells the listener, if one is set, that `website`'s alerts changed.
    pub(crate) fn announce_alerts_changed(&self, website: datafast_domain::id::WebsiteId) {
        if let Some(listener) = &self.goal_listener {
            listener.alerts_changed(website);
        }
    }

    /// The current time at the precision the API shows and storage keeps (milliseconds), so
    /// that what a use case returns equals what a later read returns.
    pub(crate) fn now(&self) -> jiff::Timestamp {
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
    pub(crate) async fn authorized_website(
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
pub(crate) fn authorize_permission(
    principal: &Principal,
    permission: Permission,
) -> ServiceResult<()> {
    authorize(principal, permission, Target::Profile).map_err(ServiceError::from)
}
