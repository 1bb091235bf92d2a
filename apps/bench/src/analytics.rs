//! The analytics suite: fills a fresh database with the demo generator (ten million events
//! over 90 days by default), starts the release server on it, and measures p50 and p95 over
//! HTTP of the queries a dashboard makes, each also with one country filter, once the index
//! is warm. Also reports the generator's speed, the database's size, the time the server
//! takes to get ready, and its memory.

mod report;

use std::path::Path;
use std::time::Instant;

use jiff::civil::Date;
use jiff::{Timestamp, tz::TimeZone};

use crate::client::{Connection, Outcome, Reply};
use crate::seed::{SeedSummary, database_bytes, seed_demo};
use crate::server::RunningServer;
use report::{AnalyticsReport, QueryResult};

/// What the suite is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct AnalyticsOptions {
    pub events: u64,
    pub days: u32,
    pub samples: usize,
    pub seed: u64,
}

/// Requests sent before timing each query, so caches and lazily built data are warm.
const WARM_UP_REQUESTS: usize = 2;

pub async fn run(binary: &Path, options: AnalyticsOptions) -> Result<String, String> {
    let server = RunningServer::start(binary).await?;
    let (website_id, funnel_id) = create_website_and_funnel(&server).await?;
    let stopped = server.stop_for_restart().await?;

    let database = stopped.database();
    let summary = generate(&database, &website_id, &options).await?;
    let database_size = database_bytes(&database);

    let restart_began = Instant::now();
    let server = stopped.restart(binary).await?;
    let healthy_after = restart_began.elapsed();
    let (thirty_days, one_day) = ranges(&website_id)?;

    let mut connection = Connection::open(server.address()).await?;
    let token = server.token().to_owned();
    let first = first_overview(&mut connection, &token, &thirty_days).await?;
    let ready_after = restart_began.elapsed();
    let warm_rss_kib = server.rss_kib()?;
    let visitors_30d = visitors_counted(&first)?;

    let queries = queries(&thirty_days, &one_day, &funnel_id);
    let results = measure_queries(&mut connection, &token, &queries, options.samples).await?;
    let peak_rss_kib = server.rss_kib()?;
    server.stop().await?;

    let report = AnalyticsReport {
        options,
        summary,
        database_size,
        healthy_after,
        ready_after,
        visitors_30d,
        rss_kib: warm_rss_kib.max(peak_rss_kib),
        results,
    };
    Ok(report.to_markdown())
}

/// Runs the demo generator on the stopped server's database.
async fn generate(
    database: &Path,
    website_id: &str,
    options: &AnalyticsOptions,
) -> Result<SeedSummary, String> {
    eprintln!(
        "generating {} events over {} days for website {website_id}",
        options.events, options.days
    );
    seed_demo(
        database,
        website_id,
        options.events,
        options.days,
        options.seed,
    )
    .await
}

/// The query strings of the two ranges measured: the last 30 days, and yesterday alone.
fn ranges(website_id: &str) -> Result<(String, String), String> {
    let today = today_utc();
    let month = (today.checked_sub(jiff::Span::new().days(29)))
        .map_err(|e| e.to_string())?
        .to_string();
    let yesterday = today.yesterday().map_err(|e| e.to_string())?.to_string();
    let today = today.to_string();
    let thirty_days = format!("websiteId={website_id}&startAt={month}&endAt={today}");
    let one_day = format!("websiteId={website_id}&startAt={yesterday}&endAt={yesterday}");
    Ok((thirty_days, one_day))
}

/// The first overview of the last 30 days, which must succeed: it waits for the index the
/// server builds from the stored events at start.
async fn first_overview(
    connection: &mut Connection,
    token: &str,
    thirty_days: &str,
) -> Result<Reply, String> {
    let first = connection
        .request(
            "GET",
            &format!("/api/v1/analytics/overview?{thirty_days}"),
            Some(token),
            None,
        )
        .await?;
    if first.status != 200 {
        return Err(format!(
            "overview answered {}: {:?}",
            first.status, first.json
        ));
    }
    Ok(first)
}

/// The visitors an overview counts, which must be some for the measurements to mean anything.
fn visitors_counted(overview: &Reply) -> Result<u64, String> {
    let visitors = overview
        .json
        .as_ref()
        .and_then(|json| json.pointer("/data/0/visitors"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or_default();
    if visitors == 0 {
        return Err(format!(
            "the overview counts no visitors, so nothing would be measured: {:?}",
            overview.json
        ));
    }
    Ok(visitors)
}

/// The dashboard's queries: a label and a path each.
fn queries(thirty_days: &str, one_day: &str, funnel_id: &str) -> [(&'static str, String); 6] {
    [
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
    ]
}

/// Every query, unfiltered then with the country filter, measured in turn.
async fn measure_queries(
    connection: &mut Connection,
    token: &str,
    queries: &[(&'static str, String)],
    samples: usize,
) -> Result<Vec<QueryResult>, String> {
    let mut results = Vec::new();
    for (label, path) in queries {
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
                measure_sequentially(connection, token, &path, samples).await?;
            results.push(QueryResult::new(label, filtered, answer_bytes, outcome)?);
        }
    }
    Ok(results)
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
