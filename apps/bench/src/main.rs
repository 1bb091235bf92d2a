//! `datafast-bench`: starts the release server on a fresh database, fills it with realistic
//! data through the API, and measures throughput, latency and memory of several request mixes
//! in one run, against the same server. Figures are medians and ratios within the run, because
//! a shared machine is too noisy for absolute numbers to travel.

mod account;
mod analytics;
mod client;
mod hostile_connections;
mod hostile_events;
mod import;
mod ingest;
mod report;
mod seed;
mod server;

use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

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
    /// ingestion, bytes per event, and the kill -9 test), `analytics` (query latency on a
    /// database the demo generator fills) or `import` (payments per second from a fake
    /// Stripe, memory while importing, and a kill -9 during an import).
    #[arg(long, default_value = "account")]
    suite: Suite,
    /// For the ingest suite: how many events the database holds when its size is measured.
    #[arg(long, default_value_t = 1_000_000)]
    fill_to: u64,
    /// For the import suite: how many payments the fake Stripe holds.
    #[arg(long, default_value_t = 100_000)]
    payments: u64,
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
    Import,
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
    match &args.command {
        Some(Command::SeedDemo {
            database,
            website_id,
            events,
            days,
            seed,
        }) => seed_demo(database, website_id, *events, *days, *seed).await,
        Some(Command::HostileConnections {
            connections,
            hold_seconds,
        }) => {
            let hold = Duration::from_secs(*hold_seconds);
            let report = hostile_connections::run(&args.server, *connections, hold).await?;
            println!("{}", report.to_markdown());
            Ok(())
        }
        Some(Command::HostileEvents {
            events,
            connections,
        }) => {
            let report = hostile_events::run(&args.server, *events, (*connections).max(1)).await?;
            println!("{report}");
            Ok(())
        }
        None => run_suite(args).await,
    }
}

/// `seed-demo`: fills one website of a stopped server's database and says what it wrote.
async fn seed_demo(
    database: &std::path::Path,
    website_id: &str,
    events: u64,
    days: u32,
    seed: u64,
) -> Result<(), String> {
    let summary = seed::seed_demo(database, website_id, events, days, seed).await?;
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
    Ok(())
}

/// The `--suite` chosen, when no subcommand is given.
async fn run_suite(args: Args) -> Result<(), String> {
    match args.suite {
        Suite::Ingest => {
            let report =
                ingest::run(&args.server, args.connections, args.seconds, args.fill_to).await?;
            println!("{}", report.to_markdown());
            Ok(())
        }
        Suite::Analytics => {
            let options = analytics::AnalyticsOptions {
                events: args.events,
                days: args.days,
                samples: args.samples,
                seed: args.seed,
            };
            println!("{}", analytics::run(&args.server, options).await?);
            Ok(())
        }
        Suite::Import => {
            let report = import::run(&args.server, args.payments).await?;
            println!("{}", report.to_markdown());
            Ok(())
        }
        Suite::Account => {
            let options = account::AccountOptions {
                connections: args.connections,
                seconds: args.seconds,
                websites: args.websites,
                small_account_websites: args.small_account_websites,
                funnels_per_website: args.funnels_per_website,
            };
            account::run(&args.server, options, args.json).await
        }
    }
}
