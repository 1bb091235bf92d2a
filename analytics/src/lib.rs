//! The analytics engine: an in-memory, columnar index of stored events, payments and visitor
//! profiles ([`AnalyticsIndex`]) and every analytics, funnel and visitors query over it, from
//! the raw query pairs ([`request`]) to the serializable response bodies. Pure computation:
//! the server feeds the index and wraps the answers in `{"status": "success", ...}`.
//!
//! The metric definitions every query follows are in `docs/analytics.md`.

mod countries;
mod engine;
pub mod filter;
mod funnel;
mod index;
pub mod request;
mod response;
mod scan;
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
