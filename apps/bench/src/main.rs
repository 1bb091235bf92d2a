//! `datafast-bench`: starts the release server on a fresh database, fills it with realistic
//! data through the API, and measures throughput, latency and memory of several request mixes
//! in one run, against the same server. Figures are medians and ratios within the run, because
//! a shared machine is too noisy for absolute numbers to travel.

mod analytics;
mod client;
mod hostile_connections;
mod hostile_events;
mod ingest;
mod report;
mod seed;
mod server;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;

use client::{Connection, Outcome};
use report::{PhaseResult, Report};
use server::RunningServer;

#[derive(Debug, Parser)]
#[command(about = "Benchmark the release datafast-server on a fresh database")]
struct Args {
    /// The server binary to measure (build it with `cargo build --release -p datafast-server`).
    #[arg(long, default_value = "target/release/datafast-server", global = true)]
    server: PathBuf,
    /// Concurrent keep-alive connections per phase.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Seconds each phase runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Websites to create before measuring.
    #[arg(long, default_value_t = 100)]
    websites: usize,
    /// How many of those websites a second account owns; its list is the typical-size phase.
    #[arg(long, default_value_t = 5)]
    small_account_websites: usize,
    /// Funnels to create on each website before measuring.
    #[arg(long, default_value_t = 10)]
    funnels_per_website: usize,
    /// Also write the figures as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Which measurements to run: `account` (the Account API mixes), `ingest` (event
    /// ingestion, bytes per event, and the kill -9 test) or `analytics` (query latency on a
    /// database the demo generator fills).
    #[arg(long, default_value = "account")]
    suite: Suite,
    /// For the ingest suite: how many events the database holds when its size is measured.
    #[arg(long, default_value_t = 1_000_000)]
    fill_to: u64,
    /// For the analytics suite: how many events the generator writes.
    #[arg(long, default_value_t = 10_000_000)]
    events: u64,
    /// For the analytics suite: over how many days before now.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// For the analytics suite: timed requests per query.
    #[arg(long, default_value_t = 40)]
    samples: usize,
    /// For the analytics suite: the generator's seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// Open many stalled `POST /api/events` connections against the release server with its
    /// default settings; report connections held, resident memory before, during and after,
    /// time to close them, and how long SIGTERM takes with them open.
    HostileConnections {
        /// Stalled connections to open (loopback).
        #[arg(long, default_value_t = 6000)]
        connections: usize,
        /// Seconds to hold them at most (past the server's body timeout, 10 s by default).
        #[arg(long, default_value_t = 15)]
        hold_seconds: u64,
    },
    /// Write realistic demo events and payments for one website into a server's database
    /// (stop the server first; start it again afterwards).
    SeedDemo {
        /// The server's database file.
        #[arg(long)]
        database: PathBuf,
        /// The website to fill (its 24-hex id, as the Account API shows it).
        #[arg(long)]
        website_id: String,
        /// How many events to write.
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// Over how many days before now.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// The generator's seed: the same seed writes the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Measure what events made to grow memory cost (long unique paths, referrers, goal
    /// names, parameters and user agents) against ordinary ones: the index's heap per event
    /// in-process, then the release server's memory and pages query over HTTP.
    HostileEvents {
        /// How many events of each kind.
        #[arg(long, default_value_t = 40_000)]
        events: u64,
        /// Concurrent connections sending them.
        #[arg(long, default_value_t = 8)]
        connections: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Suite {
    Account,
    Ingest,
    Analytics,
}

/// One kind of request loop a phase runs on every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Health,
    ListFewWebsites,
    ListManyWebsites,
    FunnelCreateDelete,
}

impl Phase {
    fn label(self) -> &'static str {
        match self {
            Phase::Health => "GET /health",
            Phase::ListFewWebsites => "GET /api/v1/admin/websites, account with few websites",
            Phase::ListManyWebsites => "GET /api/v1/admin/websites, account with many websites",
            Phase::FunnelCreateDelete => "POST+DELETE funnel loop",
        }
    }
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => {}
        Err(message) => {
            eprintln!("datafast-bench: {message}");
            std::process::exit(1);
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    if let Some(Command::SeedDemo {
        database,
        website_id,
        events,
        days,
        seed,
    }) = &args.command
    {
        let summary = seed::seed_demo(database, website_id, *events, *days, *seed).await?;
        println!(
            "wrote {} events ({} visitors, {} sessions) and {} payments over {days} days in \
             {:.1} s ({:.0} events/s); the database grew by {:.1} MiB ({:.0} bytes per event)",
            summary.events,
            summary.visitors,
            summary.sessions,
            summary.payments,
            summary.seconds,
            summary.events as f64 / summary.seconds.max(f64::EPSILON),
            summary.added_bytes as f64 / (1024.0 * 1024.0),
            summary.added_bytes as f64 / summary.events.max(1) as f64
        );
        return Ok(());
    }
    if let Some(Command::HostileConnections {
        connections,
        hold_seconds,
    }) = &args.command
    {
        let hold = Duration::from_secs(*hold_seconds);
        let report = hostile_connections::run(&args.server, *connections, hold).await?;
        println!("{}", report.to_markdown());
        return Ok(());
    }
    if let Some(Command::HostileEvents {
        events,
        connections,
    }) = &args.command
    {
        let report = hostile_events::run(&args.server, *events, (*connections).max(1)).await?;
        println!("{report}");
        return Ok(());
    }
    if args.suite == Suite::Ingest {
        let report =
            ingest::run(&args.server, args.connections, args.seconds, args.fill_to).await?;
        println!("{}", report.to_markdown());
        return Ok(());
    }
    if args.suite == Suite::Analytics {
        let options = analytics::AnalyticsOptions {
            events: args.events,
            days: args.days,
            samples: args.samples,
            seed: args.seed,
        };
        println!("{}", analytics::run(&args.server, options).await?);
        return Ok(());
    }
    let server = RunningServer::start(&args.server).await?;
    eprintln!("server pid {} on {}", server.pid(), server.address());
    let seeded = seed(
        &server,
        args.websites,
        args.small_account_websites,
        args.funnels_per_website,
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kib = server.rss_kib()?;

    let mut phases = Vec::new();
    for phase in [
        Phase::Health,
        Phase::ListFewWebsites,
        Phase::ListManyWebsites,
        Phase::FunnelCreateDelete,
    ] {
        eprintln!(
            "running {} for {} s on {} connections",
            phase.label(),
            args.seconds,
            args.connections
        );
        let result = measure(
            &server,
            phase,
            &seeded,
            args.connections,
            Duration::from_secs(args.seconds),
        )
        .await?;
        phases.push(result);
    }
    let report = Report {
        connections: args.connections,
        seconds: args.seconds,
        websites: args.websites,
        small_account_websites: args.small_account_websites.min(args.websites),
        funnels: args.websites * args.funnels_per_website,
        idle_rss_kib,
        phases,
    };
    println!("{}", report.to_markdown());
    if let Some(path) = args.json {
        std::fs::write(&path, report.to_json())
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    server.stop().await
}

/// What the seeding created, for the phases to use.
struct Seeded {
    token: String,
    second_token: String,
    website_ids: Vec<String>,
}

/// Creates `websites` websites with funnels: the first `small_account_websites` owned by the
/// second account, the rest by the main one.
async fn seed(
    server: &RunningServer,
    websites: usize,
    small_account_websites: usize,
    funnels_per_website: usize,
) -> Result<Seeded, String> {
    let token = server.token().to_owned();
    let second_token = server.second_token().to_owned();
    let mut connection = Connection::open(server.address()).await?;
    let mut website_ids = Vec::with_capacity(websites);
    let started = Instant::now();
    for n in 0..websites {
        let body = serde_json::json!({
            "domain": format!("site{n}.bench.example"),
            "timezone": "America/New_York",
            "name": format!("Bench site {n}"),
        });
        let owner = if n < small_account_websites {
            &second_token
        } else {
            &token
        };
        let response = connection
            .request("POST", "/api/v1/admin/websites", Some(owner), Some(body))
            .await?;
        let id = response
            .json
            .as_ref()
            .and_then(|j| j["data"][0]["websiteId"].as_str())
            .ok_or_else(|| {
                format!(
                    "website creation failed: {} {:?}",
                    response.status, response.json
                )
            })?
            .to_owned();
        for f in 0..funnels_per_website {
            let path = format!("/api/v1/admin/websites/{id}/funnels");
            let response = connection
                .request(
                    "POST",
                    &path,
                    Some(owner),
                    Some(funnel_body(&format!("Seed funnel {f}"))),
                )
                .await?;
            if response.status != 200 {
                return Err(format!(
                    "funnel creation failed: {} {:?}",
                    response.status, response.json
                ));
            }
        }
        if n >= small_account_websites {
            website_ids.push(id);
        }
    }
    eprintln!(
        "seeded {websites} websites and {} funnels in {:.1} s",
        websites * funnels_per_website,
        started.elapsed().as_secs_f64()
    );
    Ok(Seeded {
        token,
        second_token,
        website_ids,
    })
}

fn funnel_body(name: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "steps": [
            { "name": "Landing page", "type": "pageview", "url": "/" },
            { "name": "Pricing", "type": "pageview", "url": "/pricing" },
            { "name": "Signup page", "type": "pageview", "url": "/signup" },
            { "name": "Signed up", "type": "goal", "goalName": "signup" }
        ]
    })
}

async fn measure(
    server: &RunningServer,
    phase: Phase,
    seeded: &Seeded,
    connections: usize,
    duration: Duration,
) -> Result<PhaseResult, String> {
    let deadline = Instant::now() + duration;
    let token = Arc::new(seeded.token.clone());
    let second_token = Arc::new(seeded.second_token.clone());
    let sites = Arc::new(seeded.website_ids.clone());
    let started = Instant::now();
    let mut workers = Vec::with_capacity(connections);
    for worker in 0..connections {
        let mut connection = Connection::open(server.address()).await?;
        let token = Arc::clone(&token);
        let second_token = Arc::clone(&second_token);
        let sites = Arc::clone(&sites);
        workers.push(tokio::spawn(async move {
            let mut outcome = Outcome::default();
            let mut iteration = 0usize;
            while Instant::now() < deadline {
                let step = match phase {
                    Phase::Health => {
                        connection
                            .timed(&mut outcome, "GET", "/health", None, None)
                            .await
                    }
                    Phase::ListFewWebsites => {
                        connection
                            .timed(
                                &mut outcome,
                                "GET",
                                "/api/v1/admin/websites",
                                Some(&second_token),
                                None,
                            )
                            .await
                    }
                    Phase::ListManyWebsites => {
                        connection
                            .timed(
                                &mut outcome,
                                "GET",
                                "/api/v1/admin/websites",
                                Some(&token),
                                None,
                            )
                            .await
                    }
                    Phase::FunnelCreateDelete => {
                        let site = &sites[worker % sites.len().max(1)];
                        let path = format!("/api/v1/admin/websites/{site}/funnels");
                        let name = format!("Bench {worker}-{iteration}");
                        match connection
                            .timed(
                                &mut outcome,
                                "POST",
                                &path,
                                Some(&token),
                                Some(funnel_body(&name)),
                            )
                            .await
                        {
                            Ok(Some(json)) => match json["data"][0]["_id"].as_str() {
                                Some(id) => connection
                                    .timed(
                                        &mut outcome,
                                        "DELETE",
                                        &format!("{path}/{id}"),
                                        Some(&token),
                                        None,
                                    )
                                    .await
                                    .map(|_| None),
                                None => Ok(None),
                            },
                            other => other,
                        }
                    }
                };
                if step.is_err() {
                    outcome.errors += 1;
                    break;
                }
                iteration += 1;
            }
            outcome
        }));
    }
    let mut peak_rss_kib = 0;
    while Instant::now() < deadline {
        peak_rss_kib = peak_rss_kib.max(server.rss_kib()?);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut total = Outcome::default();
    for worker in workers {
        let outcome = worker.await.map_err(|e| format!("worker failed: {e}"))?;
        total.merge(outcome);
    }
    Ok(PhaseResult::new(
        phase.label(),
        total,
        started.elapsed(),
        peak_rss_kib,
    ))
}
