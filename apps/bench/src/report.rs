//! Turning latencies into the figures the issue asks for, as Markdown and as JSON.

use std::time::Duration;

use crate::client::Outcome;

pub struct PhaseResult {
    pub label: &'static str,
    pub requests: u64,
    pub errors: u64,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub peak_rss_kib: u64,
    /// Server CPU time per answered request, in microseconds, when it was measured.
    pub server_cpu_us: Option<f64>,
    /// The load generator's own CPU time per answered request, in microseconds.
    pub generator_cpu_us: Option<f64>,
}

impl PhaseResult {
    pub fn new(
        label: &'static str,
        mut outcome: Outcome,
        elapsed: Duration,
        peak_rss_kib: u64,
    ) -> Self {
        outcome.latencies_us.sort_unstable();
        let requests = outcome.latencies_us.len() as u64;
        Self {
            label,
            requests,
            errors: outcome.errors,
            requests_per_second: requests as f64 / elapsed.as_secs_f64().max(f64::EPSILON),
            p50_ms: percentile_ms(&outcome.latencies_us, 0.50),
            p99_ms: percentile_ms(&outcome.latencies_us, 0.99),
            peak_rss_kib,
            server_cpu_us: None,
            generator_cpu_us: None,
        }
    }

    /// Records the CPU time, in nanoseconds, that the server and the load generator spent on
    /// this phase.
    #[must_use]
    pub fn with_cpu(mut self, server_nanos: u64, generator_nanos: u64) -> Self {
        let per_request = |nanos: u64| nanos as f64 / 1000.0 / self.requests.max(1) as f64;
        self.server_cpu_us = Some(per_request(server_nanos));
        self.generator_cpu_us = Some(per_request(generator_nanos));
        self
    }
}

/// The nearest-rank percentile of sorted microsecond latencies, in milliseconds.
pub fn percentile_ms(sorted: &[u32], quantile: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((quantile * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    f64::from(sorted[rank - 1]) / 1000.0
}

pub struct Report {
    pub connections: usize,
    pub seconds: u64,
    pub websites: usize,
    pub small_account_websites: usize,
    pub funnels: usize,
    pub idle_rss_kib: u64,
    pub phases: Vec<PhaseResult>,
}

impl Report {
    /// Throughput of phase `index` relative to `/health` (phase 0).
    fn ratio_to_health(&self, index: usize) -> Option<f64> {
        let health = self.phases.first()?.requests_per_second;
        let other = self.phases.get(index)?.requests_per_second;
        (health > 0.0).then(|| other / health)
    }

    pub fn to_markdown(&self) -> String {
        let mut out = format!(
            "Fresh database with {} websites ({} owned by the few-websites account, {} by the other) \
             and {} funnels; {} connections, {} s per phase.\n\n",
            self.websites,
            self.small_account_websites,
            self.websites - self.small_account_websites,
            self.funnels,
            self.connections,
            self.seconds
        );
        out.push_str("| phase | requests | errors | req/s | p50 ms | p99 ms | peak RSS MiB |\n");
        out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
        for phase in &self.phases {
            out.push_str(&format!(
                "| {} | {} | {} | {:.0} | {:.2} | {:.2} | {:.1} |\n",
                phase.label,
                phase.requests,
                phase.errors,
                phase.requests_per_second,
                phase.p50_ms,
                phase.p99_ms,
                phase.peak_rss_kib as f64 / 1024.0
            ));
        }
        out.push_str(&format!(
            "\nIdle RSS after seeding: {:.1} MiB\n",
            self.idle_rss_kib as f64 / 1024.0
        ));
        for (index, label) in [(1, "few websites"), (2, "many websites")] {
            if let Some(ratio) = self.ratio_to_health(index) {
                out.push_str(&format!(
                    "Authenticated list ({label}) / health throughput: {ratio:.2}\n"
                ));
            }
        }
        out
    }

    pub fn to_json(&self) -> String {
        let phases: Vec<serde_json::Value> = self
            .phases
            .iter()
            .map(|p| {
                serde_json::json!({
                    "phase": p.label,
                    "requests": p.requests,
                    "errors": p.errors,
                    "requestsPerSecond": p.requests_per_second,
                    "p50Ms": p.p50_ms,
                    "p99Ms": p.p99_ms,
                    "peakRssKib": p.peak_rss_kib,
                })
            })
            .collect();
        serde_json::json!({
            "connections": self.connections,
            "secondsPerPhase": self.seconds,
            "websites": self.websites,
            "smallAccountWebsites": self.small_account_websites,
            "funnels": self.funnels,
            "idleRssKib": self.idle_rss_kib,
            "fewWebsitesListToHealthRatio": self.ratio_to_health(1),
            "manyWebsitesListToHealthRatio": self.ratio_to_health(2),
            "phases": phases,
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let sorted: Vec<u32> = (1..=100).map(|n| n * 1000).collect();
        assert_eq!(percentile_ms(&sorted, 0.50), 50.0);
        assert_eq!(percentile_ms(&sorted, 0.99), 99.0);
        assert!(percentile_ms(&[], 0.5).is_nan());
    }
}
