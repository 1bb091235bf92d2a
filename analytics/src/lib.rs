//! The analytics engine: an in-memory, columnar index of stored events, payments and visitor
//! profiles ([`AnalyticsIndex`]) and every analytics, funnel and visitors query over it, from
//! the raw query pairs ([`request`]) to the serializable response bodies. Pure computation:
//! the server feeds the index and wraps the answers in `{"status": "success", ...}`.
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
//! - Query: a [`RequestContext`] from the website (time zone, currency, renewal setting) and
//!   the current time; `parse_*` turns the raw query pairs into a request or a
//!   `ValidationError` (a 400 naming `error.field`); the matching method answers. Each answer
//!   serializes to the body without `status`: add `"status": "success"` at the top level.
//!
//! | Route | Parse | Query |
//! |---|---|---|
//! | `analytics/overview` | [`parse_overview`] | [`AnalyticsIndex::overview`] |
//! | `analytics/timeseries` | [`parse_timeseries`] | [`AnalyticsIndex::timeseries`] |
//! | `analytics/realtime` | [`parse_realtime`] | [`AnalyticsIndex::realtime`] |
//! | `analytics/realtime/map` | [`parse_realtime`] | [`AnalyticsIndex::realtime_map`] |
//! | `analytics/{pages, referrers, ...}` | [`Breakdown::from_path`], [`parse_breakdown`] | [`AnalyticsIndex::breakdown`] |
//! | `analytics/funnels/{id}` | [`parse_funnel`] | [`AnalyticsIndex::funnel`] |
//! | `visitors` | [`parse_visitors`] | [`AnalyticsIndex::visitors`] |
//! | `visitors/{id}` | (the id) | [`AnalyticsIndex::visitor`] (`None` is the 404) |

mod countries;
mod engine;
pub mod filter;
mod footprint;
mod funnel;
mod index;
mod limits;
pub mod request;
mod response;
mod scan;
pub mod software;
mod timeseries;
mod visitors;

#[cfg(any(test, feature = "reference"))]
pub mod reference;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use countries::{country_name, flag_url};
pub use engine::LIFECYCLE_GOALS;
pub use funnel::{
    FunnelDefinition, FunnelResponse, FunnelResult, FunnelStepDefinition, FunnelStepResult,
    path_matches,
};
pub use index::AnalyticsIndex;
pub use limits::{Field, Limits, OTHER};
pub use request::{
    Breakdown, BreakdownRequest, Interval, OverviewRequest, RequestContext, Scope, TimeRange,
    TimeseriesRequest, VisitorsRequest, parse_breakdown, parse_funnel, parse_overview,
    parse_realtime, parse_timeseries, parse_visitors,
};
pub use response::{
    BreakdownResponse, BreakdownRow, Campaign, OverviewResponse, OverviewRow, Pagination,
    RevenueBreakdown, TimeseriesResponse, TimeseriesRow,
};
pub use visitors::{
    RealtimeMap, RealtimeMapResponse, VisitorDetail, VisitorListRow, VisitorResponse,
    VisitorsPagination, VisitorsResponse,
};

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct RealtimeRow {
    pub visitors: u64,
}

/// `GET /analytics/realtime`: `{"data": [{"visitors": n}]}`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RealtimeResponse {
    pub data: Vec<RealtimeRow>,
}

#[cfg(test)]
mod send_sync {
    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn the_index_can_sit_behind_a_rwlock() {
        assert_send_sync::<crate::AnalyticsIndex>();
    }
}
