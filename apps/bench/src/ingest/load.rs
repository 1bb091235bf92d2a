//! The ingestion suite's load loops: many connections sending `GET /health` or rendered SDK
//! events until a deadline or an event budget, while the server's memory and both processes'
//! CPU time are measured.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;

use super::payload::{VISITORS, sdk_event};
use crate::client::{Connection, Outcome};
use crate::report::PhaseResult;
use crate::server::{RunningServer, process_cpu_nanos};

/// Distinct request bodies rendered before the load starts, then sent in turn: rendering JSON
/// during the load would spend the CPU the server under test shares with the load generator.
const RENDERED_EVENTS: u64 = VISITORS;

/// What a load loop sends.
#[derive(Clone, Copy)]
pub(super) enum Load {
    Health,
    Events,
}

/// What one load loop saw and cost.
pub(super) struct LoadRun {
    pub(super) outcome: Outcome,
    elapsed: Duration,
    peak_rss_kib: u64,
    server_cpu_nanos: u64,
    generator_cpu_nanos: u64,
}

impl LoadRun {
    pub(super) fn into_phase(self, label: &'static str) -> PhaseResult {
        PhaseResult::new(label, self.outcome, self.elapsed, self.peak_rss_kib)
            .with_cpu(self.server_cpu_nanos, self.generator_cpu_nanos)
    }
}

/// Runs `load` on `connections` connections until `deadline` or until `budget` events were
/// acknowledged, sampling the server's memory and measuring the CPU time spent by the server
/// and by this process; event numbers come from `counter`.
pub(super) async fn run_load(
    server: &RunningServer,
    load: Load,
    tracking_id: &Arc<String>,
    counter: &Arc<AtomicU64>,
    budget: u64,
    connections: usize,
    duration: Duration,
) -> Result<LoadRun, String> {
    let bodies: Arc<Vec<Bytes>> = Arc::new(match load {
        Load::Health => Vec::new(),
        Load::Events => (0..RENDERED_EVENTS)
            .map(|n| Bytes::from(sdk_event(tracking_id, n).to_string()))
            .collect(),
    });
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let cpu_before = (server.cpu_nanos()?, process_cpu_nanos("self")?);
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let connection = Connection::open_as_browser(server.address()).await?;
        let worker = work(
            connection,
            load,
            Arc::clone(&bodies),
            Arc::clone(counter),
            budget,
            deadline,
        );
        workers.push(tokio::spawn(worker));
    }
    let mut peak_rss_kib = 0;
    while Instant::now() < deadline && workers.iter().any(|w| !w.is_finished()) {
        peak_rss_kib = peak_rss_kib.max(server.rss_kib()?);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut total = Outcome::default();
    for worker in workers {
        total.merge(worker.await.map_err(|e| format!("worker failed: {e}"))?);
    }
    Ok(LoadRun {
        outcome: total,
        elapsed: started.elapsed(),
        peak_rss_kib,
        server_cpu_nanos: server.cpu_nanos()?.saturating_sub(cpu_before.0),
        generator_cpu_nanos: process_cpu_nanos("self")?.saturating_sub(cpu_before.1),
    })
}

/// One connection's loop: `load`'s requests until `deadline`, the event budget, or the first
/// failure.
async fn work(
    mut connection: Connection,
    load: Load,
    bodies: Arc<Vec<Bytes>>,
    counter: Arc<AtomicU64>,
    budget: u64,
    deadline: Instant,
) -> Outcome {
    let mut outcome = Outcome::default();
    while Instant::now() < deadline {
        let step = match load {
            Load::Health => {
                connection
                    .timed_raw(&mut outcome, "GET", "/health", None)
                    .await
            }
            Load::Events => {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                if n >= budget {
                    break;
                }
                let body = bodies[(n % RENDERED_EVENTS) as usize].clone();
                connection
                    .timed_raw(&mut outcome, "POST", "/api/events", Some(body))
                    .await
            }
        };
        if step.is_err() {
            outcome.errors += 1;
            break;
        }
    }
    outcome
}
