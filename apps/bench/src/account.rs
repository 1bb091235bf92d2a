//! The account suite: the Account API request mixes (`GET /health`, listing a few and many
//! websites, a funnel create-and-delete loop), each run for a while on many connections
//! against one server filled with websites and funnels.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::client::{Connection, Outcome};
use crate::report::{PhaseResult, Report};
use crate::server::RunningServer;

/// What the account suite is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct AccountOptions {
    pub connections: usize,
    pub seconds: u64,
    pub websites: usize,
    pub small_account_websites: usize,
    pub funnels_per_website: usize,
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

/// Starts the server on a fresh database, seeds it, runs every phase, prints the report (and
/// writes it as JSON to `json` when given), then stops the server.
pub async fn run(
    binary: &Path,
    options: AccountOptions,
    json: Option<PathBuf>,
) -> Result<(), String> {
    let server = RunningServer::start(binary).await?;
    eprintln!("server pid {} on {}", server.pid(), server.address());
    let seeded = seed(
        &server,
        options.websites,
        options.small_account_websites,
        options.funnels_per_website,
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kib = server.rss_kib()?;
    let phases = run_phases(&server, &seeded, options).await?;
    let report = Report {
        connections: options.connections,
        seconds: options.seconds,
        websites: options.websites,
        small_account_websites: options.small_account_websites.min(options.websites),
        funnels: options.websites * options.funnels_per_website,
        idle_rss_kib,
        phases,
    };
    println!("{}", report.to_markdown());
    if let Some(path) = json {
        std::fs::write(&path, report.to_json())
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    server.stop().await
}

/// Every phase in turn, each for `options.seconds` on `options.connections` connections.
async fn run_phases(
    server: &RunningServer,
    seeded: &Seeded,
    options: AccountOptions,
) -> Result<Vec<PhaseResult>, String> {
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
            options.seconds,
            options.connections
        );
        let result = measure(
            server,
            phase,
            seeded,
            options.connections,
            Duration::from_secs(options.seconds),
        )
        .await?;
        phases.push(result);
    }
    Ok(phases)
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
        let owner = if n < small_account_websites {
            &second_token
        } else {
            &token
        };
        let id = create_website(&mut connection, owner, n).await?;
        create_funnels(&mut connection, owner, &id, funnels_per_website).await?;
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

/// Creates the `n`-th website for `owner` and returns its id.
async fn create_website(
    connection: &mut Connection,
    owner: &str,
    n: usize,
) -> Result<String, String> {
    let body = serde_json::json!({
        "domain": format!("site{n}.bench.example"),
        "timezone": "America/New_York",
        "name": format!("Bench site {n}"),
    });
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
    Ok(id)
}

/// Creates `count` funnels on website `id` for `owner`.
async fn create_funnels(
    connection: &mut Connection,
    owner: &str,
    id: &str,
    count: usize,
) -> Result<(), String> {
    for f in 0..count {
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
    Ok(())
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

/// What every worker of a phase shares: the tokens and the main account's websites.
struct Shared {
    token: String,
    second_token: String,
    sites: Vec<String>,
}

/// Runs `phase` on `connections` connections for `duration`, sampling the server's memory.
async fn measure(
    server: &RunningServer,
    phase: Phase,
    seeded: &Seeded,
    connections: usize,
    duration: Duration,
) -> Result<PhaseResult, String> {
    let deadline = Instant::now() + duration;
    let shared = Arc::new(Shared {
        token: seeded.token.clone(),
        second_token: seeded.second_token.clone(),
        sites: seeded.website_ids.clone(),
    });
    let started = Instant::now();
    let mut workers = Vec::with_capacity(connections);
    for worker in 0..connections {
        let connection = Connection::open(server.address()).await?;
        let shared = Arc::clone(&shared);
        workers.push(tokio::spawn(work(
            connection, phase, shared, worker, deadline,
        )));
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

/// One worker: `phase`'s requests on `connection` until `deadline` or the first failure.
async fn work(
    mut connection: Connection,
    phase: Phase,
    shared: Arc<Shared>,
    worker: usize,
    deadline: Instant,
) -> Outcome {
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
                        Some(&shared.second_token),
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
                        Some(&shared.token),
                        None,
                    )
                    .await
            }
            Phase::FunnelCreateDelete => {
                let name = format!("Bench {worker}-{iteration}");
                funnel_round_trip(&mut connection, &mut outcome, &shared, worker, &name).await
            }
        };
        if step.is_err() {
            outcome.errors += 1;
            break;
        }
        iteration += 1;
    }
    outcome
}

/// Creates the funnel `name` on the worker's website, then deletes it, both timed.
async fn funnel_round_trip(
    connection: &mut Connection,
    outcome: &mut Outcome,
    shared: &Shared,
    worker: usize,
    name: &str,
) -> Result<Option<serde_json::Value>, String> {
    let site = &shared.sites[worker % shared.sites.len().max(1)];
    let path = format!("/api/v1/admin/websites/{site}/funnels");
    let token = Some(shared.token.as_str());
    match connection
        .timed(outcome, "POST", &path, token, Some(funnel_body(name)))
        .await
    {
        Ok(Some(json)) => match json["data"][0]["_id"].as_str() {
            Some(id) => connection
                .timed(outcome, "DELETE", &format!("{path}/{id}"), token, None)
                .await
                .map(|_| None),
            None => Ok(None),
        },
        other => other,
    }
}
