//! The analytics suite: fills a fresh database with the demo generator (ten million events
//! over 90 days by default), starts the release server on it, and measures p50 and p95 over
//! HTTP of the queries a dashboard makes, each also with one country filter, once the index
//! is warm. Also reports the generator's speed, the database's size, the time the server
//! takes to get ready, and its memory.

use std::path::Path;
use std::time::{Duration, Instant};

use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};

use crate::client::{Connection, Outcome};
use crate::report::percentile_ms;
use crate::seed::{SeedSummary, database_bytes, seed_demo};
use crate::server::RunningServer;

/// What the suite is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsOptions {
    pub events: u64,
    pub days: u32,
    pub samples: usize,
    pub seed: u64,
}

/// Targets from the analytics issue, in milliseconds at p95.
const TARGET_MS: f64 = 100.0;
const FILTERED_TARGET_MS: f64 = 300.0;

/// Requests sent before timing each query, so caches and lazily built data are warm.
const WARM_UP_REQUESTS: usize = 2;

struct QueryResult {
    label: String,
    filtered: bool,
    /// Size of the JSON answer, to show each query returned real data.
    answer_bytes: usize,
    p50_ms: f64,
    p95_ms: f64,
    max_ms: f64,
}

pub async fn run(binary: &Path, options: AnalyticsOptions) -> Result<String, String> {
    let server = RunningServer::start(binary).await?;
    let (website_id, funnel_id) = create_website_and_funnel(&server).await?;
    let stopped = server.stop_for_restart().await?;

    let database = stopped.database();
    eprintln!(
        "generating {} events over {} days for website {website_id}",
        options.events, options.days
    );
    let summary = seed_demo(
        &database,
        &website_id,
        options.events,
        options.days,
        options.seed,
    )
    .await?;
    let database_size = database_bytes(&database);

    let restart_began = Instant::now();
    let server = stopped.restart(binary).await?;
    let healthy_after = restart_began.elapsed();
    let today = today_utc();
    let month = (today.checked_sub(jiff::Span::new().days(29)))
        .map_err(|e| e.to_string())?
        .to_string();
    let yesterday = today.yesterday().map_err(|e| e.to_string())?.to_string();
    let today = today.to_string();
    let thirty_days = format!("websiteId={website_id}&startAt={month}&endAt={today}");
    let one_day = format!("websiteId={website_id}&startAt={yesterday}&endAt={yesterday}");

    let mut connection = Connection::open(server.address()).await?;
    let token = server.token().to_owned();
    // The first answer waits for the index the server builds from the stored events at start.
    let first = connection
        .request(
            "GET",
            &format!("/api/v1/analytics/overview?{thirty_days}"),
            Some(&token),
            None,
        )
        .await?;
    if first.status != 200 {
        return Err(format!(
            "overview answered {}: {:?}",
            first.status, first.json
        ));
    }
    let ready_after = restart_began.elapsed();
    let warm_rss_kib = server.rss_kib()?;
    let visitors_30d = first
        .json
        .as_ref()
        .and_then(|json| json.pointer("/data/0/visitors"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or_default();
    if visitors_30d == 0 {
        return Err(format!(
            "the overview counts no visitors, so nothing would be measured: {:?}",
            first.json
        ));
    }

    let queries = [
        (
            "overview, 30 days",
            format!("/api/v1/analytics/overview?{thirty_days}"),
        ),
        (
            "timeseries by day, 30 days",
            format!(
                "/api/v1/analytics/timeseries?{thirty_days}&interval=day\
                 &fields=visitors,sessions,revenue"
            ),
        ),
        (
            "timeseries by hour, 1 day",
            format!(
                "/api/v1/analytics/timeseries?{one_day}&interval=hour&fields=visitors,sessions"
            ),
        ),
        (
            "pages, 30 days",
            format!("/api/v1/analytics/pages?{thirty_days}"),
        ),
        (
            "referrers, 30 days",
            format!("/api/v1/analytics/referrers?{thirty_days}"),
        ),
        (
            "funnel of 4 steps, 30 days",
            format!("/api/v1/analytics/funnels/{funnel_id}?{thirty_days}"),
        ),
    ];
    let mut results = Vec::new();
    for (label, path) in &queries {
        for filtered in [false, true] {
            let path = if filtered {
                format!("{path}&filter_country=is:US")
            } else {
                path.clone()
            };
            eprintln!(
                "measuring {label}{}",
                if filtered { ", US only" } else { "" }
            );
            let (outcome, answer_bytes) =
                measure_sequentially(&mut connection, &token, &path, options.samples).await?;
            results.push(summarise(label, filtered, answer_bytes, outcome)?);
        }
    }
    let peak_rss_kib = server.rss_kib()?;
    server.stop().await?;

    Ok(to_markdown(
        &options,
        &summary,
        database_size,
        healthy_after,
        ready_after,
        visitors_30d,
        warm_rss_kib.max(peak_rss_kib),
        &results,
    ))
}

#[allow(
    clippy::disallowed_methods,
    reason = "the benchmark asks for the days the generator just filled, which end now"
)]
fn today_utc() -> Date {
    Timestamp::now().to_zoned(TimeZone::UTC).date()
}

/// Creates the demo website and a four-step funnel on it, returning both ids.
async fn create_website_and_funnel(server: &RunningServer) -> Result<(String, String), String> {
    let mut connection = Connection::open(server.address()).await?;
    let token = server.token();
    let website = connection
        .request(
            "POST",
            "/api/v1/admin/websites",
            Some(token),
            Some(serde_json::json!({
                "domain": "demo.example",
                "name": "Analytics bench",
                "timezone": "UTC"
            })),
        )
        .await?;
    let website_id = data_id(&website.json)
        .ok_or_else(|| format!("website creation failed: {:?}", website.json))?;
    let funnel = connection
        .request(
            "POST",
            &format!("/api/v1/admin/websites/{website_id}/funnels"),
            Some(token),
            Some(serde_json::json!({
                "name": "Landing to checkout",
                "steps": [
                    { "name": "Landing page", "type": "pageview", "url": "/" },
                    { "name": "Pricing", "type": "pageview", "url": "/pricing" },
                    { "name": "Signed up", "type": "goal", "goalName": "signup" },
                    { "name": "Checkout", "type": "goal", "goalName": "checkout_started" }
                ]
            })),
        )
        .await?;
    let funnel_id = data_id(&funnel.json)
        .ok_or_else(|| format!("funnel creation failed: {:?}", funnel.json))?;
    Ok((website_id, funnel_id))
}

/// The `id` of a created resource: `data` is the resource, or a list holding it.
fn data_id(json: &Option<serde_json::Value>) -> Option<String> {
    let json = json.as_ref()?;
    json.pointer("/data/id")
        .or_else(|| json.pointer("/data/0/id"))?
        .as_str()
        .map(str::to_owned)
}

/// Sends `path` a few times untimed, then `samples` times timed, one request at a time, as a
/// dashboard's user would. Also returns the size of the answer.
async fn measure_sequentially(
    connection: &mut Connection,
    token: &str,
    path: &str,
    samples: usize,
) -> Result<(Outcome, usize), String> {
    let mut outcome = Outcome::default();
    let mut answer_bytes = 0;
    for _ in 0..WARM_UP_REQUESTS {
        let reply = connection.request("GET", path, Some(token), None).await?;
        if reply.status != 200 {
            return Err(format!(
                "{path} answered {}: {:?}",
                reply.status, reply.json
            ));
        }
        answer_bytes = reply.json.map(|json| json.to_string().len()).unwrap_or(0);
    }
    for _ in 0..samples {
        connection
            .timed(&mut outcome, "GET", path, Some(token), None)
            .await?;
    }
    if outcome.errors > 0 {
        return Err(format!("{path} failed {} times", outcome.errors));
    }
    Ok((outcome, answer_bytes))
}

fn summarise(
    label: &str,
    filtered: bool,
    answer_bytes: usize,
    mut outcome: Outcome,
) -> Result<QueryResult, String> {
    outcome.latencies_us.sort_unstable();
    let max = outcome
        .latencies_us
        .last()
        .copied()
        .ok_or("no request was timed")?;
    Ok(QueryResult {
        label: label.to_owned(),
        filtered,
        answer_bytes,
        p50_ms: percentile_ms(&outcome.latencies_us, 0.50),
        p95_ms: percentile_ms(&outcome.latencies_us, 0.95),
        max_ms: f64::from(max) / 1000.0,
    })
}

#[allow(
    clippy::too_many_arguments,
    reason = "one report of one run's separate measurements"
)]
fn to_markdown(
    options: &AnalyticsOptions,
    summary: &SeedSummary,
    database_size: u64,
    healthy_after: Duration,
    ready_after: Duration,
    visitors_30d: u64,
    rss_kib: u64,
    results: &[QueryResult],
) -> String {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    let mut out = format!(
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
        mib(database_size),
        database_size as f64 / summary.events.max(1) as f64,
        healthy_after.as_secs_f64(),
        ready_after.as_secs_f64(),
        rss_kib as f64 / 1024.0,
        visitors_30d,
        WARM_UP_REQUESTS,
        options.samples,
    );
    for result in results {
        let target = if result.filtered {
            FILTERED_TARGET_MS
        } else {
            TARGET_MS
        };
        out.push_str(&format!(
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {target:.0} | {} |\n",
            result.label,
            if result.filtered {
                "country is US"
            } else {
                "none"
            },
            result.answer_bytes,
            result.p50_ms,
            result.p95_ms,
            result.max_ms,
            if result.p95_ms < target { "yes" } else { "NO" },
        ));
    }
    out
}
