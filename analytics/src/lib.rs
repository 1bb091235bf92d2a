//! The analytics engine: an in-memory, columnar index of stored events, payments and visitor
//! profiles ([`AnalyticsIndex`]) and every analytics, funnel and visitors query over it, from
//! typed requests ([`request`]) to typed results. Pure computation: the server feeds the index,
//! and its HTTP adapter reads the queries and writes the answers.
//!
//! The metric definitions every query follows are in `docs/analytics.md`.
//!
//! How the server uses it:
//!
//! - Build: `AnalyticsIndex::new()`, then `apply_event(seq, &event)` for every stored event in
//!   increasing `seq` (websites mixed), `apply_payment` for every payment and `apply_profile`
//!   for every profile (any order), then `compact()`. Afterwards keep applying new events,
//!   payments and profiles as they are stored. After any delete (goal events, payments,
//!   retention), build a new index from scratch and swap it in.
//! - Caps: each website keeps at most a set number of distinct values of each client-chosen
//!   field (paths, referrers, campaign tags, ...; [`Limits`]); later new values are stored as
//!   `(other)` ([`OTHER`]), so what one event can add to memory is bounded. `new()` takes
//!   [`Limits::DEFAULT`], `with_limits` others; [`AnalyticsIndex::heap_bytes`] estimates the
//!   memory held.
//! - Share: `RwLock<AnalyticsIndex>`; every query takes `&self`.
//! - Query: typed requests in, typed results out. A [`RequestContext`] holds the website's
//!   defaults (time zone, currency, renewal setting) and the current time; [`Scope`] and the
//!   requests are built from it and from what the client asked, [`resolve_range`] turns
//!   range bounds into instants and [`TimeseriesRequest::new`] completes a timeseries. The
//!   results carry no wire format: the HTTP adapter reads query strings into requests and
//!   gives results their JSON shape.
//!
//! | Route | Request | Query |
//! |---|---|---|
//! | `analytics/overview` | [`OverviewRequest`] | [`AnalyticsIndex::overview`] |
//! | `analytics/timeseries` | [`TimeseriesRequest`] | [`AnalyticsIndex::timeseries`] |
//! | `analytics/realtime` | (now) | [`AnalyticsIndex::realtime`] |
//! | `analytics/realtime/map` | (now) | [`AnalyticsIndex::realtime_map`] |
//! | `analytics/{pages, entry-pages, exit-pages, referrers, ...}` | [`BreakdownRequest`] | [`AnalyticsIndex::breakdown`] |
//! | `analytics/funnels/{id}` | [`Scope`] | [`AnalyticsIndex::funnel`] |
//! | `visitors` | [`VisitorsRequest`] | [`AnalyticsIndex::visitors`] |
//! | `visitors/{id}` | (the id, now) | [`AnalyticsIndex::visitor`] (`None` is the 404) |

mod countries;
mod engine;
pub mod filter;
mod footprint;
mod funnel;
mod index;
mod limits;
mod range;
mod realtime_map;
pub mod request;
mod response;
mod scan;
pub mod software;
mod timeseries;
mod visitor;
mod visitors;

#[cfg(any(test, feature = "reference"))]
pub mod reference;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use countries::country_name;
pub use engine::LIFECYCLE_GOALS;
pub use funnel::{FunnelResult, FunnelStepResult, path_matches};
pub use index::AnalyticsIndex;
pub use limits::{Field, Limits, OTHER};
pub use range::{Bound, RuleError, resolve_range};
pub use realtime_map::{MapEvent, MapPayment, MapVisitor, RECENT_LIMIT, RealtimeMap};
pub use request::{
    Breakdown, BreakdownRequest, CampaignTag, Interval, OverviewRequest, RequestContext, Scope,
    TimeRange, TimeseriesRequest, VisitorsRequest,
};
pub use response::{
    BreakdownKey, BreakdownPage, BreakdownRow, Bucket, BucketMetrics, Overview, Pagination,
    RevenueBreakdown, Timeseries,
};
pub use timeseries::MAX_BUCKETS;
pub use visitor::{
    CompletedGoal, ProfileView, Versioned, VisitedPage, VisitorActivity, VisitorDetail,
    VisitorIdentity,
};
pub use visitors::{
    Acquisition, CampaignParams, ListIdentity, VisitorListRow, VisitorsList, VisitorsPagination,
};

/// `GET /analytics/realtime`: the visitors with an event in the 10 minutes up to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Realtime {
    pub visitors: u64,
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_index_can_sit_behind_a_rwlock() {
        assert_send_sync::<crate::AnalyticsIndex>();
    }
}
