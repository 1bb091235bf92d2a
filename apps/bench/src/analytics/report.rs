//! The analytics suite's figures: each query's latencies summed up, and the whole run as
//! Markdown.

use std::time::Duration;

use super::{AnalyticsOptions, WARM_UP_REQUESTS};
use crate::client::Outcome;
use crate::report::percentile_ms;
use crate::seed::SeedSummary;

/// Targets from the analytics issue, in milliseconds at p95.
const TARGET_MS: f64 = 100.0;
const FILTERED_TARGET_MS: f64 = 300.0;

pub(super) struct QueryResult {
    label: String,
    filtered: bool,
    /// Size of the JSON answer, to show each query returned real data.
    answer_bytes: usize,
    p50_ms: f64,
    p95_ms: f64,
    max_ms: f64,
}

impl QueryResult {
    /// The figures of one query's timed requests; at least one must have been timed.
    pub(super) fn new(
        label: &str,
        filtered: bool,
        answer_bytes: usize,
        mut outcome: Outcome,
    ) -> Result<Self, String> {
        outcome.latencies_us.sort_unstable();
        let max = outcome
            .latencies_us
            .last()
            .copied()
            .ok_or("no request was timed")?;
        Ok(Self {
            label: label.to_owned(),
            filtered,
            answer_bytes,
            p50_ms: percentile_ms(&outcome.latencies_us, 0.50),
            p95_ms: percentile_ms(&outcome.latencies_us, 0.95),
            max_ms: f64::from(max) / 1000.0,
        })
    }

    /// The query's row of the report's table.
    fn to_row(&self) -> String {
        let target = if self.filtered {
            FILTERED_TARGET_MS
        } else {
            TARGET_MS
        };
        format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {target:.0} | {} |\n",
            self.label,
            if self.filtered {
                "country is US"
            } else {
                "none"
            },
            self.answer_bytes,
            self.p50_ms,
            self.p95_ms,
            self.max_ms,
            if self.p95_ms < target { "yes" } else { "NO" },
        )
    }
}

/// One run's separate measurements.
pub(super) struct AnalyticsReport {
    pub(super) options: AnalyticsOptions,
    pub(super) summary: SeedSummary,
    pub(super) database_size: u64,
    pub(super) healthy_after: Duration,
    pub(super) ready_after: Duration,
    pub(super) visitors_30d: u64,
    pub(super) rss_kib: u64,
    pub(super) results: Vec<QueryResult>,
}

impl AnalyticsReport {
    pub(super) fn to_markdown(&self) -> String {
        let mut out = self.preamble();
        for result in &self.results {
            out.push_str(&result.to_row());
        }
        out
    }

    /// The title, what was measured and how, and the table's header.
    fn preamble(&self) -> String {
        let (options, summary) = (&self.options, &self.summary);
        let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
        format!(
            "## Analytics benchmark\n\n\
             - Data: {} events, {} visitors, {} sessions, {} payments over {} days (seed {}).\n\
             - Generator: {:.1} s, {:.0} events/s, written straight into the SQLite file.\n\
             - Database size: {:.1} MiB ({:.0} bytes per event).\n\
             - Server restart: healthy after {:.1} s, first analytics answer (index built from \
             the stored events) after {:.1} s; RSS once warm {:.0} MiB.\n\
             - Overview, last 30 days: {} visitors.\n\
             - Each query: {} untimed requests, then {} timed ones, one at a time on one \
             keep-alive connection.\n\n\
             | query | filter | answer bytes | p50 ms | p95 ms | max ms | target p95 | met |\n\
             |---|---|---:|---:|---:|---:|---:|---|\n",
            summary.events,
            summary.visitors,
            summary.sessions,
            summary.payments,
            options.days,
            options.seed,
            summary.seconds,
            summary.events as f64 / summary.seconds.max(f64::EPSILON),
            mib(self.database_size),
            self.database_size as f64 / summary.events.max(1) as f64,
            self.healthy_after.as_secs_f64(),
            self.ready_after.as_secs_f64(),
            self.rss_kib as f64 / 1024.0,
            self.visitors_30d,
            WARM_UP_REQUESTS,
            options.samples,
        )
    }
}
