//! The answers of overview, timeseries and breakdowns as typed results, and their assembly
//! from aggregates. The engine and the reference model both compute aggregates and share this
//! assembly; the HTTP adapter gives the results their JSON shape.

use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;

use crate::request::{
    Breakdown, BreakdownRequest, CampaignTag, Interval, OverviewRequest, TimeseriesRequest,
};

/// Rounds to 2 decimals, as every ratio and amount in answers.
pub(crate) fn round2(value: f64) -> f64 {
    if value.is_finite() {
        (value * 100.0).round() / 100.0
    } else {
        0.0
    }
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// Payment sums in major units.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Revenue {
    pub new: f64,
    pub renewal: f64,
    pub refund: f64,
    /// Payments that add to revenue.
    pub payments: u64,
}

impl Revenue {
    pub(crate) fn revenue(&self, include_renewal: bool) -> f64 {
        if include_renewal {
            self.new + self.renewal
        } else {
            self.new
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct OverviewAggregate {
    pub visitors: u64,
    pub sessions: u64,
    /// Sessions with exactly one pageview.
    pub bounces: u64,
    /// Sum of whole-session durations, in milliseconds.
    pub duration_ms: i64,
    pub revenue: Revenue,
    /// Selected visitors with a payment that adds to revenue.
    pub paying_visitors: u64,
}

/// `GET /analytics/overview`: every metric, ratios and amounts rounded to 2 decimals.
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub visitors: u64,
    pub sessions: u64,
    /// Percent of sessions with exactly one pageview.
    pub bounce_rate: f64,
    /// Milliseconds.
    pub avg_session_duration: f64,
    pub currency: Currency,
    pub revenue: f64,
    pub payments: u64,
    pub revenue_per_visitor: f64,
    /// Percent of visitors with a payment that adds to revenue.
    pub conversion_rate: f64,
}

pub(crate) fn overview_response(request: &OverviewRequest, agg: &OverviewAggregate) -> Overview {
    let revenue = agg.revenue.revenue(request.scope.include_renewal_revenue);
    let visitors = agg.visitors as f64;
    Overview {
        visitors: agg.visitors,
        sessions: agg.sessions,
        bounce_rate: round2(100.0 * ratio(agg.bounces as f64, agg.sessions as f64)),
        avg_session_duration: round2(ratio(agg.duration_ms as f64, agg.sessions as f64)),
        currency: request.scope.currency.clone(),
        revenue: round2(revenue),
        payments: agg.revenue.payments,
        revenue_per_visitor: round2(ratio(revenue, visitors)),
        conversion_rate: round2(100.0 * ratio(agg.paying_visitors as f64, visitors)),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BucketAggregate {
    pub visitors: u64,
    pub sessions: u64,
    pub revenue: Revenue,
}

/// Revenue split by kind of payment, in major units, rounded to 2 decimals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RevenueBreakdown {
    pub new: f64,
    pub renewal: f64,
    pub refund: f64,
}

/// The metrics of one bucket, or of the whole range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketMetrics {
    pub visitors: u64,
    pub sessions: u64,
    pub revenue: f64,
    pub revenue_breakdown: RevenueBreakdown,
    pub payments: u64,
    /// Revenue per visitor, as the timeseries docs define it.
    pub conversion_rate: f64,
}

/// One bucket: its start (Unix milliseconds, a boundary in the request's zone) and metrics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub start_ms: i64,
    pub metrics: BucketMetrics,
}

/// Where a page of rows sits among all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    pub limit: usize,
    pub offset: usize,
    pub total: usize,
}

/// `GET /analytics/timeseries`: the page of buckets asked for, and the totals of the range.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeseries {
    pub interval: Interval,
    pub timezone: TimeZoneName,
    pub currency: Currency,
    pub totals: BucketMetrics,
    pub buckets: Vec<Bucket>,
    /// `total` counts every bucket of the range.
    pub pagination: Pagination,
}

fn bucket_metrics(request: &TimeseriesRequest, agg: &BucketAggregate) -> BucketMetrics {
    let revenue = agg.revenue.revenue(request.scope.include_renewal_revenue);
    BucketMetrics {
        visitors: agg.visitors,
        sessions: agg.sessions,
        revenue: round2(revenue),
        revenue_breakdown: RevenueBreakdown {
            new: round2(agg.revenue.new),
            renewal: round2(agg.revenue.renewal),
            refund: round2(agg.revenue.refund),
        },
        payments: agg.revenue.payments,
        conversion_rate: round2(ratio(revenue, agg.visitors as f64)),
    }
}

pub(crate) fn timeseries_response(
    request: &TimeseriesRequest,
    buckets: &[(i64, BucketAggregate)],
    totals: &BucketAggregate,
) -> Timeseries {
    let page = buckets
        .iter()
        .skip(request.offset)
        .take(request.limit)
        .map(|(start_ms, agg)| Bucket {
            start_ms: *start_ms,
            metrics: bucket_metrics(request, agg),
        })
        .collect();
    Timeseries {
        interval: request.interval,
        timezone: request.scope.timezone.clone(),
        currency: request.scope.currency.clone(),
        totals: bucket_metrics(request, totals),
        buckets: page,
        pagination: Pagination {
            limit: request.limit,
            offset: request.offset,
            total: buckets.len(),
        },
    }
}

/// What one breakdown row groups by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BreakdownKey {
    /// The pages, entry pages and exit pages breakdowns: a page is its host and path.
    Page { host: String, path: String },
    /// Every breakdown but pages and campaigns: the referrer's source, the country code, the
    /// region, city, device, browser or system name, the goal name or the hostname.
    Label(String),
    /// Tag values in the order of [`CampaignTag::ALL`]: the grouped tags as strings (`""`
    /// when the visit had none), the others `None`.
    Campaign([Option<String>; 8]),
}

/// One breakdown row.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownRow {
    pub key: BreakdownKey,
    /// Distinct visitors with a selected event under the key.
    pub visitors: u64,
    /// Selected events under the key (goal completions for the goals breakdown); on entry
    /// and exit pages, the sessions entering or leaving there (entries, exits).
    pub completions: u64,
    /// Revenue attributed to the key by first touch, in major units (0 on exit pages); on
    /// goals, the revenue of the visitors who completed the goal, each payment counting once
    /// per goal its visitor completed.
    pub revenue: f64,
    pub payments: u64,
    /// On exit pages, the selected pageviews of the page, the exit rate's denominator; 0 on
    /// every other breakdown.
    pub pageviews: u64,
}

impl BreakdownRow {
    /// Exit pages: exits ÷ pageviews of the page × 100, rounded to 2 decimals (0 without
    /// pageviews).
    pub fn exit_rate(&self) -> f64 {
        round2(100.0 * ratio(self.completions as f64, self.pageviews as f64))
    }
}

/// Every breakdown route: the page of rows asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct BreakdownPage {
    pub breakdown: Breakdown,
    pub rows: Vec<BreakdownRow>,
    /// `total` counts every row.
    pub pagination: Pagination,
}

/// Orders the rows, visitors descending, then completions, then the key, so that pages never
/// shuffle, and keeps the page asked for, its amounts rounded to 2 decimals.
pub(crate) fn breakdown_response(
    request: &BreakdownRequest,
    mut rows: Vec<BreakdownRow>,
) -> BreakdownPage {
    rows.sort_by(|a, b| {
        b.visitors
            .cmp(&a.visitors)
            .then(b.completions.cmp(&a.completions))
            .then_with(|| a.key.cmp(&b.key))
    });
    let total = rows.len();
    let page = rows
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .map(|row| BreakdownRow {
            revenue: round2(row.revenue),
            ..row
        })
        .collect();
    BreakdownPage {
        breakdown: request.breakdown,
        rows: page,
        pagination: Pagination {
            limit: request.limit,
            offset: request.offset,
            total,
        },
    }
}

/// The campaign key of a context: the grouped tags as strings (`""` when absent), others
/// `None`; `None` overall when every grouped tag is absent (no campaign).
pub(crate) fn campaign_key(
    selected: &[CampaignTag],
    values: [Option<&str>; 8],
) -> Option<[Option<String>; 8]> {
    let mut any = false;
    let mut key: [Option<String>; 8] = Default::default();
    for (slot, (tag, value)) in key.iter_mut().zip(CampaignTag::ALL.iter().zip(values)) {
        if selected.contains(tag) {
            any |= value.is_some();
            *slot = Some(value.unwrap_or("").to_owned());
        }
    }
    any.then_some(key)
}
