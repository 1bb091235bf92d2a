//! The ingestion suite: `GET /health` against `POST /api/events` with realistic SDK payloads on
//! one fresh server, the same events on a second fresh server with `durability = "machine"`
//! (an fsync per commit), the database's bytes per event once it holds a million events, and a
//! crash test: `kill -9` during a load run, a restart, and a check that every event that got a
//! 200 is in the database.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use datafast_ports::store::EventStore;
use datafast_sqlite::SqliteStore;

use crate::client::{Connection, Outcome};
use crate::report::PhaseResult;
use crate::server::{RunningServer, process_cpu_nanos};

/// Distinct visitors the load draws from; sessions are a few per visitor.
const VISITORS: u64 = 200_000;
/// Distinct request bodies rendered before the load starts, then sent in turn: rendering JSON
/// during the load would spend the CPU the server under test shares with the load generator.
const RENDERED_EVENTS: u64 = VISITORS;
const PATHS: [&str; 12] = [
    "/",
    "/pricing",
    "/features",
    "/blog",
    "/blog/launch-week",
    "/blog/analytics-without-cookies",
    "/docs",
    "/docs/getting-started",
    "/docs/api",
    "/signup",
    "/login",
    "/changelog",
];
const REFERRERS: [Option<&str>; 6] = [
    None,
    Some("https://www.google.com/"),
    Some("https://news.ycombinator.com/item?id=1"),
    Some("https://x.com/someone/status/1"),
    Some("https://www.reddit.com/r/selfhosted/"),
    Some("https://duckduckgo.com/"),
];
const GOALS: [&str; 4] = [
    "signup",
    "newsletter_signup",
    "checkout_started",
    "demo_booked",
];

/// Goal name of the crash test's events, which nothing else sends.
const PROBE_GOAL: &str = "crash_probe";

/// A UUID v4 shaped id derived from `n`, as the SDK's ids look.
pub(crate) fn uuid(n: u64, salt: u64) -> String {
    let mixed = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (mixed >> 32) as u32,
        (mixed >> 16) as u16,
        (n >> 12) & 0xfff,
        n & 0xfff,
        mixed & 0xffff_ffff_ffff
    )
}

/// The `n`-th event of the load: the SDK's full payload, mostly pageviews with some goals.
pub(crate) fn sdk_event(tracking_id: &str, n: u64) -> serde_json::Value {
    let visitor = (n * 7919) % VISITORS;
    let session = visitor * 4 + (n / VISITORS) % 4;
    let path = PATHS[(n % PATHS.len() as u64) as usize];
    let campaign = if n.is_multiple_of(5) {
        "?utm_source=newsletter&utm_medium=email&utm_campaign=autumn"
    } else {
        ""
    };
    let is_goal = n.is_multiple_of(8);
    let mut event = serde_json::json!({
        "websiteId": tracking_id,
        "domain": "bench.example",
        "visitorId": uuid(visitor, 0x5eed),
        "sessionId": format!("s{}", uuid(session, 0xc0ffee)),
        "visitorFirstSeenAt": "2026-11-01T10:00:00.000Z",
        "visitorSessionNumber": 1 + (n / VISITORS) % 4,
        "href": format!("https://bench.example{path}{campaign}"),
        "referrer": REFERRERS[(visitor % REFERRERS.len() as u64) as usize],
        "type": if is_goal { "custom" } else { "pageview" },
        "viewport": { "width": 1280, "height": 800 },
        "language": "en-US",
        "timezone": "Europe/Paris",
        "screenWidth": 1920,
        "screenHeight": 1080,
        "device": {
            "platform": "web",
            "osVersion": crate::client::BROWSER_AGENT,
            "model": "Browser"
        }
    });
    if is_goal {
        event["extraData"] = serde_json::json!({
            "eventName": GOALS[((n / 8) % GOALS.len() as u64) as usize],
            "plan": "pro"
        });
    }
    event
}

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

/// What a load loop sends.
#[derive(Clone, Copy)]
enum Load {
    Health,
    Events,
}

/// What one load loop saw and cost.
struct LoadRun {
    outcome: Outcome,
    elapsed: Duration,
    peak_rss_kib: u64,
    server_cpu_nanos: u64,
    generator_cpu_nanos: u64,
}

impl LoadRun {
    fn into_phase(self, label: &'static str) -> PhaseResult {
        PhaseResult::new(label, self.outcome, self.elapsed, self.peak_rss_kib)
            .with_cpu(self.server_cpu_nanos, self.generator_cpu_nanos)
    }
}

/// Runs `load` on `connections` connections until `deadline` or until `budget` events were
/// acknowledged, sampling the server's memory and measuring the CPU time spent by the server
/// and by this process; event numbers come from `counter`.
async fn run_load(
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
        let mut connection = Connection::open_as_browser(server.address()).await?;
        let bodies = Arc::clone(&bodies);
        let counter = Arc::clone(counter);
        workers.push(tokio::spawn(async move {
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
        }));
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
                .filter(|s| s.event.goal_name.as_deref() == Some(PROBE_GOAL))
                .map(|s| s.event.visitor_id),
        );
    }
    Ok((count, probes))
}

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

    eprintln!("GET /health for {seconds} s on {connections} connections");
    let health = run_load(
        &server,
        Load::Health,
        &tracking_id,
        &counter,
        u64::MAX,
        connections,
        phase,
    )
    .await?
    .into_phase("GET /health");

    eprintln!("POST /api/events for {seconds} s on {connections} connections");
    let events = run_load(
        &server,
        Load::Events,
        &tracking_id,
        &counter,
        u64::MAX,
        connections,
        phase,
    )
    .await?
    .into_phase("POST /api/events (SDK payloads), durability process");

    eprintln!("POST /api/events for {seconds} s on a second server, durability machine");
    let events_machine = machine_durability_phase(binary, connections, phase).await?;

    let sent = counter.load(Ordering::Relaxed);
    eprintln!("filling the database to {fill_to} events ({sent} so far)");
    let fill_started = Instant::now();
    let fill = run_load(
        &server,
        Load::Events,
        &tracking_id,
        &counter,
        fill_to,
        connections,
        Duration::from_secs(3600),
    )
    .await?;
    let fill_events_per_second = fill.outcome.latencies_us.len() as f64
        / fill_started.elapsed().as_secs_f64().max(f64::EPSILON);
    let database = server.database();
    let folder = server.stop_keeping_files().await?;
    let (stored, _) = stored_events(&database).await?;
    let bytes = folder_bytes(folder.path()).saturating_sub(empty_bytes);
    let bytes_per_event = bytes as f64 / stored.max(1) as f64;
    drop(folder);

    let (crash_acknowledged, crash_lost) = crash_test(binary, connections).await?;
    Ok(IngestReport {
        connections,
        seconds,
        health,
        events,
        events_machine,
        idle_rss_kib,
        stored_events: stored,
        bytes_per_event,
        fill_events_per_second,
        crash_acknowledged,
        crash_lost,
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
        let mut connection = Connection::open_as_browser(server.address()).await?;
        let counter = Arc::clone(&counter);
        let tracking_id = tracking_id.clone();
        workers.push(tokio::spawn(async move {
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
        }));
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
