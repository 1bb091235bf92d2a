//! The JSON answer of `GET /analytics/timeseries`: the fields asked for, each bucket named and
//! stamped in the request's zone.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use datafast_analytics::{BucketMetrics, Interval, RevenueBreakdown, Timeseries};

use crate::wire::analytics_answer::PaginationBody;

#[derive(Debug, Serialize)]
pub(crate) struct RevenueBreakdownBody {
    new: f64,
    renewal: f64,
    refund: f64,
}

impl From<&RevenueBreakdown> for RevenueBreakdownBody {
    fn from(revenue: &RevenueBreakdown) -> Self {
        Self {
            new: revenue.new,
            renewal: revenue.renewal,
            refund: revenue.refund,
        }
    }
}

/// One bucket, or the totals (which have neither `name` nor `timestamp`).
#[derive(Debug, Serialize)]
pub(crate) struct TimeseriesRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visitors: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue: Option<f64>,
    #[serde(rename = "revenueBreakdown", skip_serializing_if = "Option::is_none")]
    revenue_breakdown: Option<RevenueBreakdownBody>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payments: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TimeseriesBody {
    fields: Vec<&'static str>,
    interval: &'static str,
    timezone: String,
    currency: Option<String>,
    totals: TimeseriesRow,
    data: Vec<TimeseriesRow>,
    pagination: PaginationBody,
}

fn interval_name(interval: Interval) -> &'static str {
    match interval {
        Interval::Hour => "hour",
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
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
fn local_timestamp(ms: i64, zone: &TimeZone) -> String {
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

/// A row of the fields asked for: `revenue` brings its breakdown and the payments.
fn row(metrics: &BucketMetrics, fields: &[&str]) -> TimeseriesRow {
    let wants = |f: &str| fields.contains(&f);
    let wants_revenue = wants("revenue");
    TimeseriesRow {
        name: None,
        visitors: wants("visitors").then_some(metrics.visitors),
        sessions: wants("sessions").then_some(metrics.sessions),
        revenue: wants_revenue.then_some(metrics.revenue),
        revenue_breakdown: wants_revenue.then(|| (&metrics.revenue_breakdown).into()),
        payments: (wants_revenue || wants("payments")).then_some(metrics.payments),
        conversion_rate: wants("conversion_rate").then_some(metrics.conversion_rate),
        timestamp: None,
    }
}

/// `GET /analytics/timeseries`, with the `fields` asked for in their request order.
pub(crate) fn timeseries_body(series: &Timeseries, fields: &[&'static str]) -> TimeseriesBody {
    let zone = series.timezone.zone();
    let data = series
        .buckets
        .iter()
        .map(|bucket| {
            let mut row = row(&bucket.metrics, fields);
            if let Ok(instant) = Timestamp::from_millisecond(bucket.start_ms) {
                row.name = Some(bucket_label(
                    &instant.to_zoned(zone.clone()),
                    series.interval,
                ));
            }
            row.timestamp = Some(local_timestamp(bucket.start_ms, &zone));
            row
        })
        .collect();
    let wants_money = fields.contains(&"revenue") || fields.contains(&"payments");
    TimeseriesBody {
        fields: fields.to_vec(),
        interval: interval_name(series.interval),
        timezone: series.timezone.as_str().to_owned(),
        currency: wants_money.then(|| series.currency.symbol()),
        totals: row(&series.totals, fields),
        data,
        pagination: (&series.pagination).into(),
    }
}
