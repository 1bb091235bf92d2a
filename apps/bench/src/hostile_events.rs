//! `datafast-bench hostile-events`: what events made to grow the server's memory cost, next to
//! ordinary ones. Each hostile event has its own long path, long referrer, goal name, nine
//! long custom parameters and user agent, as anyone who knows a site's tracking id can send.
//! Measured twice: in this process, the analytics index alone (its heap estimate) after the
//! same ingestion rules the server applies; and over HTTP, the release server's resident
//! memory and its pages query, ordinary events first, then hostile ones on another website.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use datafast_analytics::{
    AnalyticsIndex, Breakdown, BreakdownRequest, CampaignTag, RequestContext, Scope,
};
use datafast_domain::event::{Event, EventOrigin};
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::{EventData, Place, user_agent_info, visit_context};
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::{Currency, Domain};
use datafast_http::wire::events::read_event;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::client::Connection;
use crate::server::RunningServer;

/// The domain of the website that receives the hostile events.
const HOSTILE_DOMAIN: &str = "hostile.example";
/// Pages queries timed after the first one, which also waits for the index to catch up.
const WARM_QUERIES: usize = 5;

/// The `n`-th hostile payload (about 6 KB): everything a client chooses is long and new.
fn hostile_event(tracking_id: &str, n: u64) -> Value {
    let mut extra: serde_json::Map<String, Value> = (0..9)
        .map(|p| {
            let key = format!("p{p}_{n}_{}", "k".repeat(50));
            (key, json!(format!("{n}-{}", "v".repeat(300))))
        })
        .collect();
    extra.insert("eventName".into(), json!(format!("goal_{n}")));
    json!({
        "websiteId": tracking_id,
        "domain": HOSTILE_DOMAIN,
        "visitorId": crate::ingest::uuid(n, 0xbad),
        "sessionId": format!("s{}", crate::ingest::uuid(n, 0xbad5)),
        "href": format!("https://{HOSTILE_DOMAIN}/{n}/{}", "p".repeat(1700)),
        "referrer": format!("https://{n}{}.example.org/{}", "r".repeat(60), "q".repeat(1700)),
        "type": "custom",
        "device": {
            "platform": "web",
            "osVersion": format!(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{n}) AppleWebKit/537.36 \
                 (KHTML, like Gecko) Chrome/131.0.{n}.0 Safari/537.36"
            ),
            "model": "Browser"
        },
        "extraData": extra,
    })
}

/// The `n`-th ordinary payload: the ingestion suite's SDK traffic.
fn ordinary_event(tracking_id: &str, n: u64) -> Value {
    crate::ingest::sdk_event(tracking_id, n)
}

type Payload = fn(&str, u64) -> Value;

/// A payload as the server stores it: validated, its user agent read, its visit context
/// built, as `POST /api/events` does (website rules and session memory aside).
fn stored(body: &Value, website: WebsiteId, domain: &Domain) -> Result<Event, String> {
    let event = read_event(body.to_string().as_bytes()).map_err(|e| e.to_string())?;
    let agent = user_agent_info(Some(crate::client::BROWSER_AGENT), event.device.as_ref());
    let context = visit_context(&event, domain, &agent, Place::default());
    let kind = event.data.kind();
    let (goal_name, params) = match event.data {
        EventData::Custom { name, params } => (Some(name), params),
        _ => (None, BTreeMap::new()),
    };
    Ok(Event {
        website_id: website,
        kind,
        occurred_at: Timestamp::UNIX_EPOCH,
        visitor_id: event
            .visitor_id
            .map(|v| v.into_string())
            .unwrap_or_default(),
        session_id: event.session_id.into_string(),
        goal_name,
        hostname: event.page.host,
        path: event.page.path,
        context,
        params,
        description: None,
        origin: EventOrigin::Client,
    })
}

/// The index alone: heap bytes per event and the pages query's median time.
struct IndexFigures {
    bytes_per_event: f64,
    pages_ms: f64,
}

fn measure_index(payload: Payload, domain: &str, events: u64) -> Result<IndexFigures, String> {
    let website = WebsiteId::parse("0123456789abcdef01234567").map_err(|e| e.to_string())?;
    let domain = Domain::parse(domain).map_err(|e| e.to_string())?;
    let mut index = AnalyticsIndex::new();
    for n in 0..events {
        let event = stored(&payload("dfid_bench", n), website, &domain)?;
        index.apply_event(n + 1, &event);
    }
    index.compact();
    let context = RequestContext {
        timezone: TimeZoneName::parse("UTC").map_err(|e| e.to_string())?,
        currency: Currency::parse("USD").map_err(|e| e.to_string())?,
        include_renewal_revenue: false,
        now: Timestamp::UNIX_EPOCH,
    };
    // What `GET /analytics/pages` without parameters asks: all time, every field, 100 rows.
    let request = BreakdownRequest {
        breakdown: Breakdown::Pages,
        scope: Scope::of_website(&context),
        campaign_tags: CampaignTag::ALL.to_vec(),
        limit: 100,
        offset: 0,
    };
    let mut times: Vec<f64> = (0..WARM_QUERIES)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(index.breakdown(website, &request));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    Ok(IndexFigures {
        bytes_per_event: index.heap_bytes() as f64 / events.max(1) as f64,
        pages_ms: times[times.len() / 2],
    })
}

/// What the server showed for one kind of event.
struct ServerFigures {
    accepted: u64,
    /// Resident memory growth once the events are stored, before any query.
    ingest_growth_kib: u64,
    /// Growth in all, once the first query has made the index read the events.
    rss_growth_kib: u64,
    first_pages_ms: f64,
    warm_pages_ms: f64,
}

/// Creates a website on `domain`; returns its id and tracking id.
async fn create_website(server: &RunningServer, domain: &str) -> Result<(String, String), String> {
    let mut connection = Connection::open(server.address()).await?;
    let reply = connection
        .request(
            "POST",
            "/api/v1/admin/websites",
            Some(server.token()),
            Some(json!({"domain": domain, "name": domain, "timezone": "UTC"})),
        )
        .await?;
    let field = |name: &str| {
        reply
            .json
            .as_ref()
            .and_then(|j| j["data"][0][name].as_str())
            .map(str::to_owned)
    };
    match (field("websiteId"), field("trackingId")) {
        (Some(id), Some(tracking)) => Ok((id, tracking)),
        _ => Err(format!(
            "website creation failed: {} {:?}",
            reply.status, reply.json
        )),
    }
}

/// Sends `events` payloads over `connections` browser connections; returns how many got a 200.
async fn send(
    server: &RunningServer,
    payload: Payload,
    tracking_id: &str,
    events: u64,
    connections: u64,
) -> Result<u64, String> {
    let tracking_id = Arc::new(tracking_id.to_owned());
    let mut workers = Vec::new();
    for worker in 0..connections {
        let mut connection = Connection::open_as_browser(server.address()).await?;
        let tracking_id = Arc::clone(&tracking_id);
        workers.push(tokio::spawn(async move {
            let mut outcome = crate::client::Outcome::default();
            for n in (worker..events).step_by(connections as usize) {
                let body = Bytes::from(payload(&tracking_id, n).to_string());
                connection
                    .timed_raw(&mut outcome, "POST", "/api/events", Some(body))
                    .await?;
            }
            Ok::<u64, String>(outcome.latencies_us.len() as u64)
        }));
    }
    let mut accepted = 0;
    for worker in workers {
        accepted += worker.await.map_err(|e| e.to_string())??;
    }
    Ok(accepted)
}

/// The first pages query (which waits for the index to read the new events) and the median
/// of the next ones, in milliseconds.
async fn time_pages(server: &RunningServer, website_id: &str) -> Result<(f64, f64), String> {
    let mut connection = Connection::open(server.address()).await?;
    let path = format!("/api/v1/analytics/pages?websiteId={website_id}");
    let mut times = Vec::new();
    for _ in 0..=WARM_QUERIES {
        let started = Instant::now();
        let reply = connection
            .request("GET", &path, Some(server.token()), None)
            .await?;
        if reply.status != 200 {
            return Err(format!("pages answered {}: {:?}", reply.status, reply.json));
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let first = times.remove(0);
    times.sort_by(f64::total_cmp);
    Ok((first, times[times.len() / 2]))
}

async fn measure_server(
    server: &RunningServer,
    payload: Payload,
    domain: &str,
    events: u64,
    connections: u64,
) -> Result<ServerFigures, String> {
    let (website_id, tracking_id) = create_website(server, domain).await?;
    let before = server.rss_kib()?;
    eprintln!("sending {events} events to {domain}");
    let accepted = send(server, payload, &tracking_id, events, connections).await?;
    let ingest_growth_kib = server.rss_kib()?.saturating_sub(before);
    let (first_pages_ms, warm_pages_ms) = time_pages(server, &website_id).await?;
    // Let the background work of the last events (checkpoints, alert checks) settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(ServerFigures {
        accepted,
        ingest_growth_kib,
        rss_growth_kib: server.rss_kib()?.saturating_sub(before),
        first_pages_ms,
        warm_pages_ms,
    })
}

/// Runs both measurements and returns the report as Markdown.
pub async fn run(binary: &Path, events: u64, connections: u64) -> Result<String, String> {
    eprintln!("building indexes of {events} ordinary and {events} hostile events in-process");
    let ordinary_index = measure_index(ordinary_event, "bench.example", events)?;
    let hostile_index = measure_index(hostile_event, HOSTILE_DOMAIN, events)?;
    let server = RunningServer::start(binary).await?;
    let idle_kib = server.rss_kib()?;
    let ordinary = measure_server(
        &server,
        ordinary_event,
        "bench.example",
        events,
        connections,
    );
    let ordinary = ordinary.await?;
    let hostile = measure_server(&server, hostile_event, HOSTILE_DOMAIN, events, connections);
    let hostile = hostile.await?;
    let final_kib = server.rss_kib()?;
    server.stop().await?;
    Ok(report(
        events,
        [&ordinary_index, &hostile_index],
        [&ordinary, &hostile],
        idle_kib,
        final_kib,
    ))
}

fn report(
    events: u64,
    index: [&IndexFigures; 2],
    server: [&ServerFigures; 2],
    idle_kib: u64,
    final_kib: u64,
) -> String {
    let mut out = format!(
        "## Hostile events ({events} of each kind)\n\n\
         | | ordinary | hostile |\n|---|---|---|\n\
         | index heap per event (in-process estimate) | {:.0} B | {:.0} B |\n\
         | pages query on the index alone (median) | {:.2} ms | {:.2} ms |\n",
        index[0].bytes_per_event, index[1].bytes_per_event, index[0].pages_ms, index[1].pages_ms,
    );
    let per_event = |s: &ServerFigures| s.rss_growth_kib as f64 * 1024.0 / s.accepted.max(1) as f64;
    out.push_str(&format!(
        "| events accepted by the server | {} | {} |\n\
         | server RSS growth after ingestion, before any query | {:.1} MiB | {:.1} MiB |\n\
         | server RSS growth once the index has read them | {:.1} MiB | {:.1} MiB |\n\
         | server RSS growth per event | {:.0} B | {:.0} B |\n\
         | first pages query (index catches up) | {:.0} ms | {:.0} ms |\n\
         | pages query afterwards (median of {WARM_QUERIES}) | {:.1} ms | {:.1} ms |\n\n\
         Server RSS: {:.1} MiB idle, {:.1} MiB at the end.\n",
        server[0].accepted,
        server[1].accepted,
        server[0].ingest_growth_kib as f64 / 1024.0,
        server[1].ingest_growth_kib as f64 / 1024.0,
        server[0].rss_growth_kib as f64 / 1024.0,
        server[1].rss_growth_kib as f64 / 1024.0,
        per_event(server[0]),
        per_event(server[1]),
        server[0].first_pages_ms,
        server[1].first_pages_ms,
        server[0].warm_pages_ms,
        server[1].warm_pages_ms,
        idle_kib as f64 / 1024.0,
        final_kib as f64 / 1024.0,
    ));
    out
}
