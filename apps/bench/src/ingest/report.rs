//! The ingestion suite's figures, as Markdown.

use crate::report::PhaseResult;

/// The figures of one ingestion run.
pub struct IngestReport {
    pub connections: usize,
    pub seconds: u64,
    pub health: PhaseResult,
    pub events: PhaseResult,
    /// The events phase on a server with `durability = "machine"`.
    pub events_machine: PhaseResult,
    pub idle_rss_kib: u64,
    pub stored_events: u64,
    pub bytes_per_event: f64,
    pub fill_events_per_second: f64,
    pub crash_acknowledged: u64,
    pub crash_lost: u64,
}

impl IngestReport {
    pub fn to_markdown(&self) -> String {
        let micros = |us: Option<f64>| us.map_or_else(|| "-".to_owned(), |us| format!("{us:.1}"));
        let ratio = self.events.requests_per_second / self.health.requests_per_second.max(1.0);
        let row = |p: &PhaseResult| {
            format!(
                "| {} | {:.0} | {:.2} | {:.2} | {} | {:.1} MiB | {} | {} |\n",
                p.label,
                p.requests_per_second,
                p.p50_ms,
                p.p99_ms,
                p.errors,
                p.peak_rss_kib as f64 / 1024.0,
                micros(p.server_cpu_us),
                micros(p.generator_cpu_us),
            )
        };
        let mut out = format!(
            "{} connections, {} s per phase, one server process\n\n\
             | phase | req/s | p50 ms | p99 ms | errors | peak RSS | server CPU µs/req | load generator CPU µs/req |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|\n",
            self.connections, self.seconds
        );
        out.push_str(&row(&self.health));
        out.push_str(&row(&self.events));
        out.push_str(&row(&self.events_machine));
        let machine_ratio =
            self.events_machine.requests_per_second / self.events.requests_per_second.max(1.0);
        // A `--fill-to` below what the events phase already sent leaves nothing to fill.
        let fill = if self.fill_events_per_second > 0.0 {
            format!("{:.0} events/s", self.fill_events_per_second)
        } else {
            "not measured (the events phase had already reached --fill-to)".to_owned()
        };
        out.push_str(&format!(
            "\n- events / health throughput: {ratio:.2}\n\
             - events throughput, durability machine / process: {machine_ratio:.2}\n\
             - idle RSS before load: {:.1} MiB\n\
             - database after {} events (indexes, dictionaries and WAL included): {:.1} bytes per event\n\
             - sustained ingestion while filling: {fill}\n\
             - kill -9 during load: {} events acknowledged with 200, {} of them missing after restart\n",
            self.idle_rss_kib as f64 / 1024.0,
            self.stored_events,
            self.bytes_per_event,
            self.crash_acknowledged,
            self.crash_lost,
        ));
        out
    }
}
