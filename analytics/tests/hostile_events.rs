//! Hostile events through the real ingestion rules into the index: a few hundred events with
//! made-up long paths, referrers, goal names, parameters and user agents, against an index
//! whose caps are small. Past the caps the index stops taking in their text, breakdowns and
//! filters show `(other)`, and long values arrive cut or refused as `docs/api.md` says.

#![allow(clippy::unwrap_used)] // Test helpers: a failure should stop the test loudly.

use std::collections::BTreeMap;

use datafast_analytics::filter::{Dimension, Filter, Operator};
use datafast_analytics::{
    AnalyticsIndex, Breakdown, BreakdownKey, BreakdownPage, BreakdownRequest, CampaignTag, Field,
    Limits, OTHER, OverviewRequest, RequestContext, Scope,
};
use datafast_domain::event::{Event, EventOrigin};
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::{EventData, Place, user_agent_info, visit_context};
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::{Currency, Domain};
use datafast_http::wire::events::read_event;
use jiff::Timestamp;
use serde_json::{Value, json};

const CAP: u32 = 50;
const EVENTS: u64 = 300;

fn website() -> WebsiteId {
    WebsiteId::parse("0123456789abcdef01234567").unwrap()
}

fn uuid(n: u64) -> String {
    format!("0c424a08-3676-4e3a-a7e0-{n:012x}")
}

/// The `n`-th hostile visit's payload of `kind` (`pageview` or `custom`): everything a client
/// chooses is long and new.
fn hostile(n: u64, kind: &str) -> Value {
    let mut extra: serde_json::Map<String, Value> = (0..9)
        .map(|p| {
            let key = format!("p{p}_{n}_{}", "k".repeat(50));
            (key, json!(format!("{n}-{}", "v".repeat(300))))
        })
        .collect();
    extra.insert(
        "eventName".into(),
        json!(format!("goal_{n}_{}", "g".repeat(50))),
    );
    json!({
        "websiteId": "dfid_abc123",
        "domain": "example.com",
        "visitorId": uuid(n),
        "sessionId": format!("s{}", uuid(n)),
        "href": format!("https://h{n}{}.example.com/{n}/{}", "h".repeat(50), "p".repeat(1700)),
        "referrer": format!("https://{n}{}.example.org/{}", "r".repeat(60), "q".repeat(1700)),
        "type": kind,
        "device": {
            "platform": "web",
            "osVersion": format!(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{n}) AppleWebKit/537.36 \
                 (KHTML, like Gecko) Chrome/131.0.{n}.0 Safari/537.36"
            ),
            "model": "Browser"
        },
        "extraData": if kind == "custom" { Value::Object(extra) } else { Value::Null },
    })
}

/// The payload as the server stores it: validated, its user agent read, its visit context
/// built, as `POST /api/events` does.
fn stored(body: &Value, n: u64) -> Event {
    let event = read_event(body.to_string().as_bytes()).unwrap();
    let agent = user_agent_info(Some("Mozilla/5.0"), event.device.as_ref());
    let domain = Domain::parse("example.com").unwrap();
    let context = visit_context(&event, &domain, &agent, Place::default());
    let kind = event.data.kind();
    let (goal_name, params) = match event.data {
        EventData::Custom { name, params } => (Some(name), params),
        _ => (None, BTreeMap::new()),
    };
    Event {
        website_id: website(),
        kind,
        occurred_at: Timestamp::from_second(1_772_668_800 + n as i64).unwrap(),
        visitor_id: event.visitor_id.unwrap().into_string(),
        session_id: event.session_id.into_string(),
        goal_name,
        hostname: event.page.host,
        path: event.page.path,
        context,
        params,
        description: None,
        origin: EventOrigin::Client,
    }
}

fn context() -> RequestContext {
    RequestContext {
        timezone: TimeZoneName::parse("UTC").unwrap(),
        currency: Currency::parse("USD").unwrap(),
        include_renewal_revenue: false,
        now: Timestamp::from_second(1_772_700_000).unwrap(),
    }
}

/// A breakdown of all time with the website's defaults.
fn breakdown(index: &AnalyticsIndex, breakdown: Breakdown, limit: usize) -> BreakdownPage {
    let request = BreakdownRequest {
        breakdown,
        scope: Scope::of_website(&context()),
        campaign_tags: CampaignTag::ALL.to_vec(),
        limit,
        offset: 0,
    };
    index.breakdown(website(), &request)
}

fn page_of(key: &BreakdownKey) -> (&str, &str) {
    match key {
        BreakdownKey::Page { host, path } => (host, path),
        other => panic!("not a page: {other:?}"),
    }
}

/// Each hostile visit: a pageview, then a custom event with nine parameters.
fn apply_visit(index: &mut AnalyticsIndex, n: u64) {
    index.apply_event(2 * n + 1, &stored(&hostile(n, "pageview"), n));
    index.apply_event(2 * n + 2, &stored(&hostile(n, "custom"), n));
}

#[test]
fn hostile_events_stop_growing_the_index_past_the_caps() {
    let mut index = AnalyticsIndex::with_limits(Limits::uniform(CAP));
    for n in 0..100 {
        apply_visit(&mut index, n);
    }
    let heap_at_100 = index.heap_bytes();
    for n in 100..EVENTS {
        apply_visit(&mut index, n);
    }
    // Past every cap an event adds its own rows (a new visitor and session, its columns, its
    // parameter ids) and none of its text: well under a kilobyte, where the text each event
    // brings is 2 to 3 KB even after ingestion's cuts.
    let per_event = (index.heap_bytes() - heap_at_100) / (2 * (EVENTS as usize - 100));
    assert!(
        per_event < 1024,
        "{per_event} bytes of index memory per hostile event past the caps"
    );

    for field in [
        Field::Path,
        Field::Hostname,
        Field::Referrer,
        Field::Source,
        Field::Goal,
        Field::BrowserVersion,
        Field::OsVersion,
        Field::ParamName,
        Field::ParamValue,
    ] {
        assert_eq!(index.distinct_values(website(), field), CAP, "{field:?}");
    }
    // Breakdowns show the values past the caps as one `(other)` row.
    let rows = breakdown(&index, Breakdown::Pages, 1000).rows;
    assert_eq!(rows.len(), CAP as usize + 1);
    assert_eq!(page_of(&rows[0].key), (OTHER, OTHER));
    assert_eq!(rows[0].visitors, EVENTS - u64::from(CAP));
    // The kept paths arrived cut to 500 characters, on every page.
    assert!(
        rows.iter()
            .all(|row| page_of(&row.key).1.chars().count() <= 500)
    );
    let referrers = breakdown(&index, Breakdown::Referrers, 100);
    assert_eq!(referrers.rows[0].key, BreakdownKey::Label(OTHER.to_owned()));

    // Filters test the stored value: `(other)` is every value past the cap, and a value past
    // the cap is no longer found by its name.
    let visitors = |path: &str| {
        let mut scope = Scope::of_website(&context());
        scope.filters = vec![Filter {
            dimension: Dimension::Page,
            operator: Operator::Is,
            values: vec![path.to_owned()],
        }];
        index
            .overview(website(), &OverviewRequest { scope })
            .visitors
    };
    assert_eq!(visitors(OTHER), EVENTS - u64::from(CAP));
    let last = stored(&hostile(EVENTS - 1, "pageview"), EVENTS - 1);
    assert_eq!(visitors(&last.path), 0);
    let first = stored(&hostile(0, "pageview"), 0);
    assert_eq!(visitors(&first.path), 1);
}

#[test]
fn ordinary_traffic_is_untouched_by_the_default_caps() {
    let mut index = AnalyticsIndex::new();
    for n in 0..EVENTS {
        let mut body = hostile(n, "pageview");
        body["href"] = json!(format!("https://example.com/page/{}", n % 20));
        body["referrer"] = json!("https://www.google.com/");
        index.apply_event(n + 1, &stored(&body, n));
    }
    assert_eq!(index.distinct_values(website(), Field::Path), 20);
    let rows = breakdown(&index, Breakdown::Pages, 100).rows;
    assert_eq!(rows.len(), 20);
    assert!(rows.iter().all(|row| {
        let (host, path) = page_of(&row.key);
        !host.contains(OTHER) && !path.contains(OTHER)
    }));
}
