//! The ingestion suite: `GET /health` against `POST /api/events` with realistic SDK payloads on
//! one fresh server, the same events on a second fresh server with `durability = "machine"`
//! (an fsync per commit), the database's bytes per event once it holds a million events, and a
//! crash test: `kill -9` during a load run, a restart, and a check that every event that got a
//! 200 is in the database.

mod load;
mod payload;
mod report;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use datafast_domain::goal::GoalName;
use datafast_ports::store::EventStore;
use datafast_sqlite::SqliteStore;

use crate::client::Connection;
use crate::report::PhaseResult;
use crate::server::RunningServer;
use load::{Load, run_load};
pub(crate) use payload::{sdk_event, uuid};
pub use report::IngestReport;

/// Goal name of the crash test's events, which nothing else sends.
const PROBE_GOAL: &str = "crash_probe";

/// Creates the benchmark's website and returns its tracking id.
async fn create_website(server: &RunningServer) -> Result<String, String> {
    let mut connection = Connection::open(server.address()).await?;
    let reply = connection
        .request(
            "POST",
            "/api/v1/admin/websites",
            Some(server.token()),
            Some(serde_json::json!({"domain": "bench.example", "name": "Ingestion bench"})),
        )
        .await?;
    reply
        .json
        .as_ref()
        .and_then(|j| j["data"][0]["trackingId"].as_str())
        .map(str::to_owned)
        .ok_or_else(|| format!("website creation failed: {} {:?}", reply.status, reply.json))
}

fn folder_bytes(folder: &Path) -> u64 {
    std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with("bench.db"))
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Every event in the database, counted, and the visitor ids of crash-probe goals.
async fn stored_events(database: &Path) -> Result<(u64, HashSet<String>), String> {
    let store = SqliteStore::open(database).map_err(|e| e.to_string())?;
    let mut after = 0;
    let mut count = 0;
    let mut probes = HashSet::new();
    loop {
        let page = store
            .events_after(after, 50_000)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        count += page.len() as u64;
        probes.extend(
            page.into_iter()
                .filter(|s| s.event.goal_name.as_ref().map(GoalName::as_str) == Some(PROBE_GOAL))
                .map(|s| s.event.visitor_id),
        );
    }
    Ok((count, probes))
}

/// Runs the whole suite.
pub async fn run(
    binary: &Path,
    connections: usize,
    seconds: u64,
    fill_to: u64,
) -> Result<IngestReport, String> {
    let server = RunningServer::start(binary).await?;
    eprintln!("server pid {} on {}", server.pid(), server.address());
    let tracking_id = Arc::new(create_website(&server).await?);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kib = server.rss_kib()?;
    let empty_bytes = folder_bytes(server.folder());
    let counter = Arc::new(AtomicU64::new(0));
    let phase = Duration::from_secs(seconds);

    let (health, events) =
        health_and_events_phases(&server, &tracking_id, &counter, connections, phase).await?;

    eprintln!("POST /api/events for {seconds} s on a second server, durability machine");
    let events_machine = machine_durability_phase(binary, connections, phase).await?;

    let fill = fill_database(server, &tracking_id, &counter, fill_to, connections).await?;
    let bytes_per_event =
        fill.folder_bytes.saturating_sub(empty_bytes) as f64 / fill.stored_events.max(1) as f64;

    let (crash_acknowledged, crash_lost) = crash_test(binary, connections).await?;
    Ok(IngestReport {
        connections,
        seconds,
        health,
        events,
        events_machine,
        idle_rss_kib,
        stored_events: fill.stored_events,
        bytes_per_event,
        fill_events_per_second: fill.events_per_second,
        crash_acknowledged,
        crash_lost,
    })
}

/// `GET /health`, then `POST /api/events`, each for `phase` on `connections` connections.
async fn health_and_events_phases(
    server: &RunningServer,
    tracking_id: &Arc<String>,
    counter: &Arc<AtomicU64>,
    connections: usize,
    phase: Duration,
) -> Result<(PhaseResult, PhaseResult), String> {
    let seconds = phase.as_secs();
    eprintln!("GET /health for {seconds} s on {connections} connections");
    let health = run_load(
        server,
        Load::Health,
        tracking_id,
        counter,
        u64::MAX,
        connections,
        phase,
    )
    .await?
    .into_phase("GET /health");

    eprintln!("POST /api/events for {seconds} s on {connections} connections");
    let events = run_load(
        server,
        Load::Events,
        tracking_id,
        counter,
        u64::MAX,
        connections,
        phase,
    )
    .await?
    .into_phase("POST /api/events (SDK payloads), durability process");
    Ok((health, events))
}

/// What filling the database measured.
struct Fill {
    events_per_second: f64,
    stored_events: u64,
    /// The database folder's files once the server stopped.
    folder_bytes: u64,
}

/// Sends events until `fill_to` were sent in all (counting what `counter` says went before),
/// then stops the server and measures its database.
async fn fill_database(
    server: RunningServer,
    tracking_id: &Arc<String>,
    counter: &Arc<AtomicU64>,
    fill_to: u64,
    connections: usize,
) -> Result<Fill, String> {
    let sent = counter.load(Ordering::Relaxed);
    eprintln!("filling the database to {fill_to} events ({sent} so far)");
    let fill_started = Instant::now();
    let fill = run_load(
        &server,
        Load::Events,
        tracking_id,
        counter,
        fill_to,
        connections,
        Duration::from_secs(3600),
    )
    .await?;
    let events_per_second = fill.outcome.latencies_us.len() as f64
        / fill_started.elapsed().as_secs_f64().max(f64::EPSILON);
    let database = server.database();
    let folder = server.stop_keeping_files().await?;
    let (stored, _) = stored_events(&database).await?;
    let bytes = folder_bytes(folder.path());
    drop(folder);
    Ok(Fill {
        events_per_second,
        stored_events: stored,
        folder_bytes: bytes,
    })
}

/// The events phase on a fresh server of its own with `durability = "machine"`, so that both
/// settings are measured in one run on the same machine.
async fn machine_durability_phase(
    binary: &Path,
    connections: usize,
    phase: Duration,
) -> Result<PhaseResult, String> {
    let server = RunningServer::start_with(binary, &[("DATAFAST_DURABILITY", "machine")]).await?;
    let tracking_id = Arc::new(create_website(&server).await?);
    let counter = Arc::new(AtomicU64::new(0));
    let run = run_load(
        &server,
        Load::Events,
        &tracking_id,
        &counter,
        u64::MAX,
        connections,
        phase,
    )
    .await?;
    server.stop().await?;
    Ok(run.into_phase("POST /api/events (SDK payloads), durability machine"))
}

/// Sends crash-probe goals, each from its own visitor, kills the server with SIGKILL in the
/// middle of the load, restarts it, and returns how many events got a 200 and how many of
/// those are missing from the database.
async fn crash_test(binary: &Path, connections: usize) -> Result<(u64, u64), String> {
    let server = RunningServer::start(binary).await?;
    let tracking_id = create_website(&server).await?;
    eprintln!("kill -9 test: loading, then SIGKILL after 3 s");
    let counter = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::with_capacity(connections);
    for _ in 0..connections {
        let connection = Connection::open_as_browser(server.address()).await?;
        let probes = send_probes(connection, Arc::clone(&counter), tracking_id.clone());
        workers.push(tokio::spawn(probes));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let killed = server.kill_hard().await?;
    let mut acknowledged = Vec::new();
    for worker in workers {
        acknowledged.extend(worker.await.map_err(|e| format!("worker failed: {e}"))?);
    }
    let restarted = killed.restart(binary).await?;
    eprintln!("restarted after kill -9 on {}", restarted.address());
    let database = restarted.database();
    let folder = restarted.stop_keeping_files().await?;
    let (_, stored) = stored_events(&database).await?;
    drop(folder);
    let lost = acknowledged.iter().filter(|v| !stored.contains(*v)).count() as u64;
    Ok((acknowledged.len() as u64, lost))
}

/// One connection of the crash test: crash-probe goals, each from a new visitor, until the
/// connection fails; returns the visitors whose event got a 200.
async fn send_probes(
    mut connection: Connection,
    counter: Arc<AtomicU64>,
    tracking_id: String,
) -> Vec<String> {
    let mut acknowledged = Vec::new();
    loop {
        let n = counter.fetch_add(1, Ordering::Relaxed);
        let visitor = uuid(n, 0xdead);
        let mut event = sdk_event(&tracking_id, n * 8);
        event["visitorId"] = serde_json::Value::String(visitor.clone());
        event["extraData"] = serde_json::json!({"eventName": PROBE_GOAL});
        match connection
            .request("POST", "/api/events", None, Some(event))
            .await
        {
            Ok(reply) if reply.status == 200 => acknowledged.push(visitor),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    acknowledged
}
