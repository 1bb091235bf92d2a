//! Response bodies, as the reference shows them (without the `status` key, which the HTTP
//! layer adds), and the assembly of every response from aggregates. The engine and the
//! reference model both compute aggregates and share this assembly.

use datafast_domain::time::TimeZoneName;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use crate::countries::{country_name, flag_url};
use crate::request::{
    BreakdownRequest, CAMPAIGN_FIELDS, Interval, OverviewRequest, TimeseriesRequest,
};

/// Rounds to 2 decimals, as every ratio and amount in responses.
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

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OverviewRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitors: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bounce_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avg_session_duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue_per_visitor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_rate: Option<f64>,
}

/// `GET /analytics/overview`: `{"data": [row]}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OverviewResponse {
    pub data: Vec<OverviewRow>,
}

pub(crate) fn overview_response(
    request: &OverviewRequest,
    agg: &OverviewAggregate,
) -> OverviewResponse {
    let wants = |f: &str| request.fields.contains(&f);
    let pick = |f: &str, value: f64| wants(f).then_some(round2(value));
    let include_renewal = request.scope.include_renewal_revenue;
    let revenue = agg.revenue.revenue(include_renewal);
    let visitors = agg.visitors as f64;
    OverviewResponse {
        data: vec![OverviewRow {
            visitors: wants("visitors").then_some(agg.visitors),
            sessions: wants("sessions").then_some(agg.sessions),
            bounce_rate: pick(
                "bounce_rate",
                100.0 * ratio(agg.bounces as f64, agg.sessions as f64),
            ),
            avg_session_duration: pick(
                "avg_session_duration",
                ratio(agg.duration_ms as f64, agg.sessions as f64),
            ),
            currency: wants("currency").then(|| request.scope.currency.symbol()),
            revenue: pick("revenue", revenue),
            payments: wants("payments").then_some(agg.revenue.payments),
            revenue_per_visitor: pick("revenue_per_visitor", ratio(revenue, visitors)),
            conversion_rate: pick(
                "conversion_rate",
                100.0 * ratio(agg.paying_visitors as f64, visitors),
            ),
        }],
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BucketAggregate {
    pub visitors: u64,
    pub sessions: u64,
    pub revenue: Revenue,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RevenueBreakdown {
    pub new: f64,
    pub renewal: f64,
    pub refund: f64,
}

/// One bucket, or the totals (which have neither `name` nor `timestamp`).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeseriesRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitors: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sessions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    #[serde(rename = "revenueBreakdown", skip_serializing_if = "Option::is_none")]
    pub revenue_breakdown: Option<RevenueBreakdown>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversion_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Pagination {
    pub limit: usize,
    pub offset: usize,
    pub total: usize,
}

/// `GET /analytics/timeseries`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TimeseriesResponse {
    pub fields: Vec<&'static str>,
    pub interval: &'static str,
    pub timezone: String,
    pub currency: Option<String>,
    pub totals: TimeseriesRow,
    pub data: Vec<TimeseriesRow>,
    pub pagination: Pagination,
}

fn timeseries_row(request: &TimeseriesRequest, agg: &BucketAggregate) -> TimeseriesRow {
    let include_renewal = request.scope.include_renewal_revenue;
    let revenue = agg.revenue.revenue(include_renewal);
    let wants_revenue = request.wants("revenue");
    TimeseriesRow {
        name: None,
        visitors: request.wants("visitors").then_some(agg.visitors),
        sessions: request.wants("sessions").then_some(agg.sessions),
        revenue: wants_revenue.then_some(round2(revenue)),
        revenue_breakdown: wants_revenue.then(|| RevenueBreakdown {
            new: round2(agg.revenue.new),
            renewal: round2(agg.revenue.renewal),
            refund: round2(agg.revenue.refund),
        }),
        payments: (wants_revenue || request.wants("payments")).then_some(agg.revenue.payments),
        conversion_rate: request
            .wants("conversion_rate")
            .then(|| round2(ratio(revenue, agg.visitors as f64))),
        timestamp: None,
    }
}

/// The bucket label: `14 Mar 02:00` by hour, `14 Mar` by day and week, `Mar 2026` by month.
fn bucket_label(local: &jiff::Zoned, interval: Interval) -> String {
    let format = match interval {
        Interval::Hour => "%d %b %H:%M",
        Interval::Day | Interval::Week => "%d %b",
        Interval::Month => "%b %Y",
    };
    local.strftime(format).to_string()
}

/// The bucket start in the request's zone with its offset; `Z` in UTC.
pub(crate) fn local_timestamp(ms: i64, zone: &TimeZone) -> String {
    let Ok(instant) = Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let local = instant.to_zoned(zone.clone());
    if local.offset().seconds() == 0 {
        local.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

pub(crate) fn timeseries_response(
    request: &TimeseriesRequest,
    buckets: &[(i64, BucketAggregate)],
    totals: &BucketAggregate,
) -> TimeseriesResponse {
    let zone: TimeZone = request.scope.timezone.zone();
    let data = buckets
        .iter()
        .skip(request.offset)
        .take(request.limit)
        .map(|(start, agg)| {
            let mut row = timeseries_row(request, agg);
            if let Ok(instant) = Timestamp::from_millisecond(*start) {
                row.name = Some(bucket_label(
                    &instant.to_zoned(zone.clone()),
                    request.interval,
                ));
            }
            row.timestamp = Some(local_timestamp(*start, &zone));
            row
        })
        .collect();
    let wants_money = request.wants("revenue") || request.wants("payments");
    TimeseriesResponse {
        fields: request.fields.clone(),
        interval: request.interval.as_str(),
        timezone: TimeZoneName::as_str(&request.scope.timezone).to_owned(),
        currency: wants_money.then(|| request.scope.currency.symbol()),
        totals: timeseries_row(request, totals),
        data,
        pagination: Pagination {
            limit: request.limit,
            offset: request.offset,
            total: buckets.len(),
        },
    }
}

/// What one breakdown row groups by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum BreakdownKey {
    Page {
        host: String,
        path: String,
    },
    Label(String),
    /// In the order of [`CAMPAIGN_FIELDS`]; unselected fields are `None`.
    Campaign([Option<String>; 8]),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BreakdownItem {
    pub key: BreakdownKey,
    pub visitors: u64,
    pub completions: u64,
    pub revenue: f64,
    pub payments: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Campaign {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_medium: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub utm_content: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub ref_param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
}

/// One breakdown row; only the endpoint's selected keys are present.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BreakdownRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<Campaign>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visitors: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payments: Option<u64>,
}

/// Every breakdown route: `{"data": [...], "pagination": {...}}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct BreakdownResponse {
    pub data: Vec<BreakdownRow>,
    pub pagination: Pagination,
}

pub(crate) fn breakdown_response(
    request: &BreakdownRequest,
    mut items: Vec<BreakdownItem>,
) -> BreakdownResponse {
    use crate::request::Breakdown as B;
    // Visitors descending, then completions, then the key, so that pages never shuffle.
    items.sort_by(|a, b| {
        b.visitors
            .cmp(&a.visitors)
            .then(b.completions.cmp(&a.completions))
            .then_with(|| a.key.cmp(&b.key))
    });
    let total = items.len();
    let wants = |f: &str| request.wants(f);
    let data = items
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .map(|item| {
            let mut row = BreakdownRow {
                hostname: None,
                path: None,
                referrer: None,
                campaign: None,
                goal: None,
                country: None,
                image: None,
                region: None,
                city: None,
                device: None,
                browser: None,
                operating_system: None,
                completions: (request.breakdown == B::Goals && wants("completions"))
                    .then_some(item.completions),
                visitors: wants("visitors").then_some(item.visitors),
                revenue: wants("revenue").then_some(round2(item.revenue)),
                payments: wants("payments").then_some(item.payments),
            };
            match item.key {
                BreakdownKey::Page { host, path } => {
                    row.hostname = wants("hostname").then_some(host);
                    row.path = wants("path").then_some(path);
                }
                BreakdownKey::Campaign(values) => {
                    let [a, b, c, d, e, f, g, h] = values;
                    row.campaign = Some(Campaign {
                        utm_source: a,
                        utm_medium: b,
                        utm_campaign: c,
                        utm_term: d,
                        utm_content: e,
                        ref_param: f,
                        source: g,
                        via: h,
                    });
                }
                BreakdownKey::Label(label) => {
                    let label = Some(label);
                    match request.breakdown {
                        B::Referrers => row.referrer = label.filter(|_| wants("referrer")),
                        B::Goals => row.goal = label.filter(|_| wants("goal")),
                        B::Countries => {
                            if let Some(code) = &label {
                                row.image = wants("image").then(|| flag_url(code));
                            }
                            row.country = label
                                .filter(|_| wants("country"))
                                .map(|code| country_name(&code).to_owned());
                        }
                        B::Regions => row.region = label.filter(|_| wants("region")),
                        B::Cities => row.city = label.filter(|_| wants("city")),
                        B::Devices => row.device = label.filter(|_| wants("device")),
                        B::Browsers => row.browser = label.filter(|_| wants("browser")),
                        B::OperatingSystems => {
                            row.operating_system = label.filter(|_| wants("operating_system"));
                        }
                        B::Hostnames => row.hostname = label.filter(|_| wants("hostname")),
                        B::Pages | B::Campaigns => {}
                    }
                }
            }
            row
        })
        .collect();
    BreakdownResponse {
        data,
        pagination: Pagination {
            limit: request.limit,
            offset: request.offset,
            total,
        },
    }
}

/// The campaign key of a context: selected fields as strings (`""` when absent), others
/// `None`; `None` overall when every selected field is absent (no campaign).
pub(crate) fn campaign_key(
    selected: &[&str],
    values: [Option<&str>; 8],
) -> Option<[Option<String>; 8]> {
    let mut any = false;
    let mut key: [Option<String>; 8] = Default::default();
    for (slot, (name, value)) in key.iter_mut().zip(CAMPAIGN_FIELDS.iter().zip(values)) {
        if selected.contains(name) {
            any |= value.is_some();
            *slot = Some(value.unwrap_or("").to_owned());
        }
    }
    any.then_some(key)
}
