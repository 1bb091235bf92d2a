//! The Website API's reads: analytics, funnel results and visitors. They are answered by the
//! analytics engine (`datafast-analytics`), an in-memory index derived from the event store:
//! before each query the index catches up with the events stored since, loads the website's
//! payments and profiles the first time it is asked about it, and is rebuilt from the store
//! after anything is deleted. Clients never see it; the store stays the truth.
//!
//! The queries take typed requests and answer typed results. The HTTP adapter reads a query
//! string into a request with the view's [`AnalyticsView::request_context`] (the website's
//! defaults and "now"), so that what the website decides stays decided here.

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use jiff::Timestamp;
use tokio::sync::Mutex;

use datafast_analytics::{
    AnalyticsIndex, BreakdownPage, BreakdownRequest, FunnelResult, Overview, OverviewRequest,
    Realtime, RealtimeMap, RequestContext, Scope, Timeseries, TimeseriesRequest, VisitorDetail,
    VisitorsList, VisitorsRequest,
};
use datafast_domain::access::Principal;
use datafast_domain::funnel::Funnel;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::payment::Payment;
use datafast_domain::permission::Permission;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::provider_subscription::monthly_recurring_revenue;
use datafast_domain::website::RevenueMetric;
use datafast_domain::website::Website;

use crate::error::{ServiceError, ServiceResult};
use crate::services::{Services, authorize_permission};
use datafast_ports::store::Storage;

/// Events read from the store per page while catching up or rebuilding. A page is held whole
/// while it is applied, and an event can carry up to about 9 KB (a 500-character path, campaign
/// tags, thirteen parameters of 255): 4,096 of the largest are under 40 MB, where 50,000 made
/// a catch-up after a flood of such events hold a quarter of a gigabyte and more. Each page is
/// one query by sequence number, so smaller pages cost little.
const PAGE: usize = 4_096;

/// The engine's index and what it has seen of the store.
#[derive(Default)]
pub struct AnalyticsCache {
    index: RwLock<AnalyticsIndex>,
    /// Held while the index is brought up to date, so two requests never apply the same
    /// events twice; queries themselves only take the index's read lock.
    sync: Mutex<SyncState>,
}

impl std::fmt::Debug for AnalyticsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AnalyticsCache { .. }")
    }
}

#[derive(Default)]
struct SyncState {
    /// The last event sequence number applied.
    synced: u64,
    /// Websites whose payments and profiles are in the index.
    loaded: HashSet<WebsiteId>,
    /// Set by deletes: the index holds rows the store no longer has.
    stale: bool,
}

impl AnalyticsCache {
    fn read(&self) -> RwLockReadGuard<'_, AnalyticsIndex> {
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_index<T>(&self, change: impl FnOnce(&mut AnalyticsIndex) -> T) -> T {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        change(&mut index)
    }

    /// Brings the index up to date with the store, for `website` in particular.
    async fn refresh(&self, store: &dyn Storage, website: WebsiteId) -> ServiceResult<()> {
        let mut state = self.sync.lock().await;
        if state.stale {
            // Rebuilt aside and swapped in whole, so queries keep answering meanwhile.
            let mut fresh = AnalyticsIndex::new();
            let mut synced = 0;
            loop {
                let page = store.events_after(synced, PAGE).await?;
                let Some(last) = page.last() else { break };
                synced = last.seq;
                for stored in &page {
                    fresh.apply_event(stored.seq, &stored.event);
                }
            }
            // Orders the rows by day so that a range query reads only its own days.
            fresh.compact();
            self.with_index(|index| *index = fresh);
            *state = SyncState {
                synced,
                loaded: HashSet::new(),
                stale: false,
            };
        }
        loop {
            let page = store.events_after(state.synced, PAGE).await?;
            let Some(last) = page.last() else { break };
            state.synced = last.seq;
            self.with_index(|index| {
                for stored in &page {
                    index.apply_event(stored.seq, &stored.event);
                }
            });
        }
        if !state.loaded.contains(&website) {
            let payments = store.payments(website).await?;
            let profiles = store.profiles(website).await?;
            self.with_index(|index| {
                payments.iter().for_each(|p| index.apply_payment(p));
                profiles.iter().for_each(|p| index.apply_profile(p));
            });
            state.loaded.insert(website);
        }
        Ok(())
    }

    /// Reads every stored event into the index ahead of the first query.
    async fn warm(&self, store: &dyn Storage) -> ServiceResult<usize> {
        let mut state = self.sync.lock().await;
        loop {
            let page = store.events_after(state.synced, PAGE).await?;
            let Some(last) = page.last() else { break };
            state.synced = last.seq;
            self.with_index(|index| {
                for stored in &page {
                    index.apply_event(stored.seq, &stored.event);
                }
            });
        }
        self.with_index(AnalyticsIndex::compact);
        Ok(self.read().event_count())
    }

    /// A payment was recorded: the index learns it now if it holds the website's payments
    /// (otherwise it reads them all on the website's next query).
    async fn payment_recorded(&self, payment: &Payment) {
        let state = self.sync.lock().await;
        if state.loaded.contains(&payment.website_id) {
            self.with_index(|index| index.apply_payment(payment));
        }
    }

    async fn profile_saved(&self, profile: &VisitorProfile) {
        let state = self.sync.lock().await;
        if state.loaded.contains(&profile.website_id) {
            self.with_index(|index| index.apply_profile(profile));
        }
    }

    /// Something was deleted from the store: rebuild before the next query.
    async fn invalidate(&self) {
        self.sync.lock().await.stale = true;
    }
}

/// One authorized, up-to-date view of a website's analytics. Its queries are plain CPU work
/// on the in-memory index: callers on an async executor run them on a blocking thread.
#[derive(Clone)]
pub struct AnalyticsView {
    cache: Arc<AnalyticsCache>,
    website: Website,
    now: Timestamp,
}

impl std::fmt::Debug for AnalyticsView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyticsView")
            .field("website", &self.website.id)
            .finish_non_exhaustive()
    }
}

/// A funnel result view: the funnel itself and the analytics view to compute it on.
#[derive(Debug, Clone)]
pub struct FunnelView {
    pub view: AnalyticsView,
    pub funnel: Funnel,
}

impl AnalyticsView {
    /// The website's defaults and the view's "now", which complete every request about it.
    pub fn request_context(&self) -> RequestContext {
        RequestContext {
            timezone: self.website.settings.timezone.clone(),
            currency: self.website.settings.currency.clone(),
            include_renewal_revenue: self.website.settings.include_renewal_revenue,
            now: self.now,
        }
    }

    /// Whether the website leads with MRR (`revenueMetric: "mrr"`), so that its overview
    /// shows it unasked.
    pub fn leads_with_mrr(&self) -> bool {
        self.website.settings.revenue_metric == RevenueMetric::Mrr
    }

    /// `GET /analytics/overview`.
    pub fn overview(&self, request: &OverviewRequest) -> Overview {
        self.cache.read().overview(self.website.id, request)
    }

    /// `GET /analytics/timeseries`.
    pub fn timeseries(&self, request: &TimeseriesRequest) -> Timeseries {
        self.cache.read().timeseries(self.website.id, request)
    }

    /// `GET /analytics/<breakdown>`.
    pub fn breakdown(&self, request: &BreakdownRequest) -> BreakdownPage {
        self.cache.read().breakdown(self.website.id, request)
    }

    /// `GET /analytics/realtime`.
    pub fn realtime(&self) -> Realtime {
        self.cache.read().realtime(self.website.id, self.now)
    }

    /// `GET /analytics/realtime/map`.
    pub fn realtime_map(&self) -> RealtimeMap {
        self.cache.read().realtime_map(self.website.id, self.now)
    }

    /// `GET /visitors`.
    pub fn visitors(&self, request: &VisitorsRequest) -> VisitorsList {
        self.cache.read().visitors(self.website.id, request)
    }

    /// `GET /visitors/{id}`: `None` when the visitor has no pageview on the website.
    pub fn visitor(&self, visitor_id: &str) -> Option<VisitorDetail> {
        self.cache
            .read()
            .visitor(self.website.id, visitor_id, self.now)
    }

    /// The website the view is about (the metadata endpoint shows its configuration).
    pub fn website(&self) -> &Website {
        &self.website
    }
}

impl FunnelView {
    /// `GET /analytics/funnels/{id}`: the funnel's steps over `scope`.
    pub fn results(&self, scope: &Scope) -> FunnelResult {
        self.view
            .cache
            .read()
            .funnel(self.view.website.id, &self.funnel, scope)
    }
}

/// The analytics use cases, reached through [`Services::analytics`].
#[derive(Debug, Clone, Copy)]
pub struct Analytics<'a> {
    pub(crate) services: &'a Services,
}

impl Analytics<'_> {
    /// The website's monthly recurring revenue now, from the subscriptions its connected
    /// providers last listed.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn mrr(&self, view: &AnalyticsView) -> ServiceResult<f64> {
        let subscriptions = self.services.store.subscriptions(view.website.id).await?;
        Ok(monthly_recurring_revenue(&subscriptions))
    }

    /// Authorizes an analytics read and brings the index up to date for the website.
    ///
    /// # Errors
    /// The Website API's target errors (missing `websiteId`, another website's key), policy
    /// refusals, storage failures.
    pub async fn view(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
    ) -> ServiceResult<AnalyticsView> {
        self.analytics_with(principal, website_id, Permission::AnalyticsRead)
            .await
    }

    /// Like [`Services::analytics`] for the visitors routes, which take `visitors:read` or
    /// `analytics:read` (DataFast documents no permission of their own for them).
    ///
    /// # Errors
    /// As [`Services::analytics`].
    pub async fn visitors(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
    ) -> ServiceResult<AnalyticsView> {
        // A public dashboard shows aggregates only: a visitor's journey and profile stay
        // private, whatever the website's settings.
        let permission = if !principal.is_public_share()
            && authorize_permission(principal, Permission::AnalyticsRead).is_ok()
        {
            Permission::AnalyticsRead
        } else {
            Permission::VisitorsRead
        };
        self.analytics_with(principal, website_id, permission).await
    }

    async fn analytics_with(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        permission: Permission,
    ) -> ServiceResult<AnalyticsView> {
        let website = self
            .services
            .website_data()
            .website_api_target(principal, website_id, permission)
            .await?;
        self.services
            .analytics
            .refresh(self.services.store.as_ref(), website.id)
            .await?;
        Ok(AnalyticsView {
            cache: Arc::clone(&self.services.analytics),
            website,
            now: self.services.now(),
        })
    }

    /// Authorizes a funnel result read: 404 for a missing or soft-deleted funnel.
    ///
    /// # Errors
    /// As [`Services::analytics`], and `NotFound` for the funnel.
    pub async fn funnel(
        &self,
        principal: &Principal,
        website_id: Option<WebsiteId>,
        funnel_id: FunnelId,
    ) -> ServiceResult<FunnelView> {
        let view = self.view(principal, website_id).await?;
        let funnel = self
            .services
            .store
            .funnel(view.website.id, funnel_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Funnel"))?;
        Ok(FunnelView { view, funnel })
    }

    /// Reads every stored event into the analytics index, so that the first query after a
    /// start does not pay for it. Returns how many events the index holds.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn warm(&self) -> ServiceResult<usize> {
        self.services
            .analytics
            .warm(self.services.store.as_ref())
            .await
    }

    pub(crate) async fn analytics_payment_recorded(&self, payment: &Payment) {
        self.services.analytics.payment_recorded(payment).await;
    }

    pub(crate) async fn analytics_profile_saved(&self, profile: &VisitorProfile) {
        self.services.analytics.profile_saved(profile).await;
    }

    pub(crate) async fn analytics_invalidate(&self) {
        self.services.analytics.invalidate().await;
    }
}
