//! The Website API's analytics, funnel and visitors routes over the real server, fed through
//! real ingestion (`POST /api/events`) and the Payments API: the numbers are hand-counted from
//! the events below, so a wrong engine, a missed sync or a stale index after a delete fails.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const ANN: &str = "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c";
const BOB: &str = "1d535b19-4787-4f4b-b8f1-5bd52acc9d7d";
const CAT: &str = "2e646c2a-5898-4a5c-99a2-6ce63bdda08e";

struct Site {
    id: String,
    tracking: String,
    key: String,
}

async fn site(app: &TestApp) -> Site {
    let (_, body) = app
        .post(
            "/api/v1/admin/websites",
            json!({"domain": "example.com", "timezone": "UTC"}),
        )
        .await;
    let data = &body["data"][0];
    let id = data["websiteId"].as_str().unwrap().to_owned();
    let key = app.create_api_key(&id).await;
    Site {
        id,
        tracking: data["trackingId"].as_str().unwrap().to_owned(),
        key,
    }
}

#[allow(
    clippy::too_many_arguments,
    reason = "one argument per field of the event, so each call reads like the event it sends"
)]
async fn track(
    app: &TestApp,
    site: &Site,
    visitor: &str,
    session: &str,
    href: &str,
    referrer: Option<&str>,
    goal: Option<&str>,
    agent: &str,
) {
    let mut event = json!({
        "websiteId": site.tracking,
        "domain": "example.com",
        "visitorId": visitor,
        "sessionId": session,
        "href": href,
        "referrer": referrer,
        "type": "pageview",
    });
    if let Some(goal) = goal {
        event["type"] = json!("custom");
        event["extraData"] = json!({"eventName": goal});
    }
    assert_eq!(app.send_event(&event, agent).await, 200);
}

/// Ann: two pageviews from Google (/, /pricing) and a signup, on a Mac. Bob: one pageview
/// from X on /pricing (a bounce), on an iPhone. Cat: one direct pageview on /, on a Mac.
/// Ann then pays 49 USD.
async fn traffic(app: &TestApp) -> Site {
    let site = site(app).await;
    let ann_session = "s7a403e54-0983-4d84-bd9e-f82db331bb8e";
    let google = Some("https://www.google.com/");
    track(
        app,
        &site,
        ANN,
        ann_session,
        "https://example.com/",
        google,
        None,
        CHROME_MAC,
    )
    .await;
    track(
        app,
        &site,
        ANN,
        ann_session,
        "https://example.com/pricing",
        None,
        None,
        CHROME_MAC,
    )
    .await;
    track(
        app,
        &site,
        ANN,
        ann_session,
        "https://example.com/pricing",
        None,
        Some("signup"),
        CHROME_MAC,
    )
    .await;
    track(
        app,
        &site,
        BOB,
        "s8b514f65-1094-4e95-8e0a-093ec442cc9f",
        "https://example.com/pricing?utm_source=newsletter&utm_campaign=launch",
        Some("https://x.com/someone"),
        None,
        SAFARI_IPHONE,
    )
    .await;
    track(
        app,
        &site,
        CAT,
        "s9c625076-21a5-4fa6-9f1b-1a4fd553dda0",
        "https://example.com/",
        None,
        None,
        CHROME_MAC,
    )
    .await;
    let (status, reply) = call(
        app,
        &site,
        Method::POST,
        "/api/v1/payments",
        Some(
            json!({"amount": 49, "currency": "USD", "transaction_id": "tx_1",
                    "datafast_visitor_id": ANN}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    site
}

async fn call(
    app: &TestApp,
    site: &Site,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.send(method, &site.key, path, body).await
}

async fn get(app: &TestApp, site: &Site, path: &str) -> Value {
    let (status, body) = call(app, site, Method::GET, path, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    assert_eq!(body["status"], "success");
    body
}

#[tokio::test]
async fn overview_counts_visitors_sessions_bounces_and_revenue() {
    let app = spawn_app().await;
    let site = traffic(&app).await;
    let body = get(&app, &site, "/api/v1/analytics/overview").await;
    let row = &body["data"][0];
    assert_eq!(row["visitors"], 3);
    assert_eq!(row["sessions"], 3);
    // Bob's and Cat's sessions have one pageview each.
    assert_eq!(row["bounce_rate"], 66.67);
    assert_eq!(row["revenue"], 49.0);
    assert_eq!(row["payments"], 1);
    assert_eq!(row["currency"], "$");
    // One paying visitor of three.
    assert_eq!(row["conversion_rate"], 33.33);

    let filtered = get(
        &app,
        &site,
        "/api/v1/analytics/overview?filter_device=mobile&fields=visitors,sessions",
    )
    .await;
    assert_eq!(filtered["data"][0], json!({"visitors": 1, "sessions": 1}));
}

#[tokio::test]
async fn breakdowns_group_by_page_source_campaign_device_and_goal() {
    let app = spawn_app().await;
    let site = traffic(&app).await;

    let pages = get(&app, &site, "/api/v1/analytics/pages").await;
    let rows = pages["data"].as_array().unwrap();
    let pricing = rows.iter().find(|r| r["path"] == "/pricing").unwrap();
    assert_eq!(pricing["visitors"], 2);
    assert_eq!(pricing["hostname"], "example.com");
    assert_eq!(pages["pagination"]["total"], 2);

    let referrers = get(&app, &site, "/api/v1/analytics/referrers").await;
    let by_source = |name: &str| {
        referrers["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["referrer"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(by_source("Google")["visitors"], 1);
    assert_eq!(by_source("Google")["revenue"], 49.0, "first-touch revenue");
    assert_eq!(by_source("X")["visitors"], 1);
    assert_eq!(by_source("Direct/None")["visitors"], 1);

    let campaigns = get(&app, &site, "/api/v1/analytics/campaigns").await;
    assert_eq!(campaigns["data"][0]["campaign"]["utm_source"], "newsletter");
    assert_eq!(campaigns["data"][0]["campaign"]["utm_campaign"], "launch");

    let devices = get(&app, &site, "/api/v1/analytics/devices").await;
    assert_eq!(
        devices["data"][0],
        json!({"device": "desktop", "visitors": 2, "revenue": 49.0, "payments": 1})
    );

    let goals = get(&app, &site, "/api/v1/analytics/goals").await;
    assert_eq!(goals["data"][0]["goal"], "signup");
    assert_eq!(goals["data"][0]["completions"], 1);

    let limited = get(&app, &site, "/api/v1/analytics/pages?limit=1&offset=1").await;
    assert_eq!(limited["data"].as_array().unwrap().len(), 1);
    assert_eq!(limited["pagination"]["offset"], 1);
}

/// Goals answer DataFast's `goal, completions, visitors` by default and, when asked, this
/// server's `revenue` and `payments`: the payments of the visitors who completed each goal,
/// counted once per goal. Over the traffic above, Ann (who paid 49) also completes `demo`,
/// and Cat (who never pays) completes `signup`.
#[tokio::test]
async fn goals_show_the_revenue_of_their_visitors_when_asked() {
    let app = spawn_app().await;
    let site = traffic(&app).await;
    track(
        &app,
        &site,
        ANN,
        "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
        "https://example.com/pricing",
        None,
        Some("demo"),
        CHROME_MAC,
    )
    .await;
    track(
        &app,
        &site,
        CAT,
        "s9c625076-21a5-4fa6-9f1b-1a4fd553dda0",
        "https://example.com/",
        None,
        Some("signup"),
        CHROME_MAC,
    )
    .await;

    let plain = get(&app, &site, "/api/v1/analytics/goals").await;
    assert_eq!(
        plain["data"],
        json!([
            {"goal": "signup", "completions": 2, "visitors": 2},
            {"goal": "demo", "completions": 1, "visitors": 1},
        ])
    );

    let asked = get(
        &app,
        &site,
        "/api/v1/analytics/goals?fields=goal,completions,visitors,revenue,payments",
    )
    .await;
    assert_eq!(
        asked["data"],
        json!([
            {"goal": "signup", "completions": 2, "visitors": 2, "revenue": 49.0, "payments": 1},
            {"goal": "demo", "completions": 1, "visitors": 1, "revenue": 49.0, "payments": 1},
        ])
    );
    assert_eq!(asked["pagination"]["total"], 2);

    // Filters choose the completions: Cat's signup alone carries no revenue.
    let direct = get(
        &app,
        &site,
        "/api/v1/analytics/goals?fields=name,revenue&filter_referrer=Direct/None",
    )
    .await;
    assert_eq!(direct["data"], json!([{"goal": "signup", "revenue": 0.0}]));
}

/// Two sessions, sent in this order: Ann (from Google, on a Mac) sees /, /pricing and
/// /docs; Bob (direct, on an iPhone) sees /pricing and then /. Ann then pays 49 USD.
async fn two_sessions(app: &TestApp) -> Site {
    let site = site(app).await;
    let ann = "s0a1b2c3d-0983-4d84-bd9e-f82db331bb8e";
    let bob = "s1b2c3d4e-1094-4e95-8e0a-093ec442cc9f";
    let google = Some("https://www.google.com/");
    for (visitor, session, path, referrer, agent) in [
        (ANN, ann, "/", google, CHROME_MAC),
        (ANN, ann, "/pricing", None, CHROME_MAC),
        (ANN, ann, "/docs", None, CHROME_MAC),
        (BOB, bob, "/pricing", None, SAFARI_IPHONE),
        (BOB, bob, "/", None, SAFARI_IPHONE),
    ] {
        let href = format!("https://example.com{path}");
        track(app, &site, visitor, session, &href, referrer, None, agent).await;
    }
    let (status, reply) = call(
        app,
        &site,
        Method::POST,
        "/api/v1/payments",
        Some(
            json!({"amount": 49, "currency": "USD", "transaction_id": "tx_entry",
                    "datafast_visitor_id": ANN}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    site
}

#[tokio::test]
async fn entry_and_exit_pages_count_each_session_once() {
    let app = spawn_app().await;
    let site = two_sessions(&app).await;

    // Ann enters on /, Bob on /pricing; Ann's 49 USD goes to /, her first touch. Equal
    // visitors and entries: by path.
    let entries = get(&app, &site, "/api/v1/analytics/entry-pages").await;
    assert_eq!(
        entries["data"],
        json!([
            {"hostname": "example.com", "path": "/", "visitors": 1, "entries": 1,
             "revenue": 49.0, "payments": 1},
            {"hostname": "example.com", "path": "/pricing", "visitors": 1, "entries": 1,
             "revenue": 0.0, "payments": 0},
        ])
    );
    assert_eq!(
        entries["pagination"],
        json!({"limit": 100, "offset": 0, "total": 2})
    );

    // Ann leaves from /docs (its only view), Bob from / (one of its two views).
    let exits = get(&app, &site, "/api/v1/analytics/exit-pages").await;
    assert_eq!(
        exits["data"],
        json!([
            {"hostname": "example.com", "path": "/", "visitors": 1, "exits": 1,
             "exitRate": 50.0},
            {"hostname": "example.com", "path": "/docs", "visitors": 1, "exits": 1,
             "exitRate": 100.0},
        ])
    );

    // Filters select events first: on /pricing alone, both sessions enter and leave there.
    let pricing = get(
        &app,
        &site,
        "/api/v1/analytics/exit-pages?filter_page=/pricing&fields=path,exits,exitRate",
    )
    .await;
    assert_eq!(
        pricing["data"],
        json!([{"path": "/pricing", "exits": 2, "exitRate": 100.0}])
    );
    let mobile = get(
        &app,
        &site,
        "/api/v1/analytics/entry-pages?filter_device=mobile&fields=path,visitors,entries",
    )
    .await;
    assert_eq!(
        mobile["data"],
        json!([{"path": "/pricing", "visitors": 1, "entries": 1}])
    );
    let second = get(
        &app,
        &site,
        "/api/v1/analytics/entry-pages?limit=1&offset=1",
    )
    .await;
    assert_eq!(second["data"][0]["path"], "/pricing");
    assert_eq!(second["pagination"]["total"], 2);

    // Each route has its own fields.
    for path in [
        "/api/v1/analytics/entry-pages?fields=exits",
        "/api/v1/analytics/exit-pages?fields=revenue",
        "/api/v1/analytics/exit-pages?limit=0",
    ] {
        let (status, body) = call(&app, &site, Method::GET, path, None).await;
        assert_error(status, &body, 400);
    }
}

#[tokio::test]
async fn timeseries_realtime_metadata_and_visitors() {
    let app = spawn_app().await;
    let site = traffic(&app).await;

    let series = get(
        &app,
        &site,
        "/api/v1/analytics/timeseries?fields=visitors,revenue&interval=day",
    )
    .await;
    assert_eq!(series["interval"], "day");
    assert_eq!(series["totals"]["visitors"], 3);
    let buckets = series["data"].as_array().unwrap();
    assert_eq!(buckets.len(), 30, "the default range for days is 30 days");
    let visitors: u64 = buckets
        .iter()
        .map(|b| b["visitors"].as_u64().unwrap())
        .sum();
    assert_eq!(visitors, 3);

    let realtime = get(&app, &site, "/api/v1/analytics/realtime").await;
    assert_eq!(realtime["data"][0]["visitors"], 3);

    let metadata = get(
        &app,
        &site,
        "/api/v1/analytics/metadata?fields=domain,currency",
    )
    .await;
    assert_eq!(
        metadata["data"][0],
        json!({"domain": "example.com", "currency": "USD"})
    );

    let list = get(&app, &site, "/api/v1/visitors?limit=2").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
    assert_eq!(list["pagination"]["hasMore"], true);
    let customers = get(&app, &site, "/api/v1/visitors?isCustomer=true").await;
    assert_eq!(customers["data"].as_array().unwrap().len(), 1);
    assert_eq!(customers["data"][0]["visitorId"], ANN);

    let ann = get(&app, &site, &format!("/api/v1/visitors/{ANN}")).await;
    assert_eq!(ann["data"]["visitorId"], ANN);
    assert_eq!(ann["data"]["activity"]["pageViewCount"], 2);

    let (status, body) = call(
        &app,
        &site,
        Method::GET,
        "/api/v1/visitors/3f757d3b-69ab-4b6d-8a2c-7df74cee1b9f",
        None,
    )
    .await;
    assert_error(status, &body, 404);
    let (status, body) = call(&app, &site, Method::GET, "/api/v1/visitors/nope", None).await;
    assert_error(status, &body, 400);
}

#[tokio::test]
async fn funnel_results_follow_step_order_and_refuse_deleted_funnels() {
    let app = spawn_app().await;
    let site = traffic(&app).await;
    let (_, created) = app
        .post(
            &format!("/api/v1/admin/websites/{}/funnels", site.id),
            json!({"name": "Signup", "steps": [
                {"name": "Home", "type": "pageview", "url": "/"},
                {"name": "Pricing", "type": "pageview", "url": "/pricing"},
                {"name": "Signed up", "type": "goal", "goalName": "signup"}
            ]}),
        )
        .await;
    let funnel = created["data"][0]["_id"].as_str().unwrap().to_owned();
    let results = get(&app, &site, &format!("/api/v1/analytics/funnels/{funnel}")).await;
    let steps = results["data"][0]["steps"].as_array().unwrap();
    // Home: Ann and Cat. Pricing after home: Ann (Bob skipped home). Signup: Ann.
    let visitors: Vec<u64> = steps
        .iter()
        .map(|s| s["visitors"].as_u64().unwrap())
        .collect();
    assert_eq!(visitors, [2, 1, 1]);

    app.delete(&format!(
        "/api/v1/admin/websites/{}/funnels/{funnel}",
        site.id
    ))
    .await;
    let (status, body) = call(
        &app,
        &site,
        Method::GET,
        &format!("/api/v1/analytics/funnels/{funnel}"),
        None,
    )
    .await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn deletes_and_new_events_show_in_the_next_answer() {
    let app = spawn_app().await;
    let site = traffic(&app).await;
    let before = get(&app, &site, "/api/v1/analytics/goals").await;
    assert_eq!(before["data"][0]["completions"], 1);

    let (status, _) = call(
        &app,
        &site,
        Method::DELETE,
        &format!("/api/v1/goals?datafast_visitor_id={ANN}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let after = get(&app, &site, "/api/v1/analytics/goals").await;
    assert_eq!(after["data"].as_array().unwrap().len(), 0, "{after}");

    let (status, _) = call(
        &app,
        &site,
        Method::DELETE,
        "/api/v1/payments?transaction_id=tx_1",
        None,
    )
    .await;
    assert_eq!(status, 200);
    let overview = get(&app, &site, "/api/v1/analytics/overview?fields=revenue").await;
    assert_eq!(overview["data"][0]["revenue"], 0.0);

    track(
        &app,
        &site,
        "4a868e4c-7aba-4c7e-ab3d-8e085dff0c2a",
        "s5b979f5d-8bcb-4d8f-bc4e-9f196e0a1d3b",
        "https://example.com/docs",
        None,
        None,
        CHROME_MAC,
    )
    .await;
    let overview = get(&app, &site, "/api/v1/analytics/overview?fields=visitors").await;
    assert_eq!(overview["data"][0]["visitors"], 4);
}

#[tokio::test]
async fn bad_parameters_answer_400_and_other_websites_403() {
    let app = spawn_app().await;
    let site = traffic(&app).await;
    for path in [
        "/api/v1/analytics/overview?fields=visitors,nonsense",
        "/api/v1/analytics/overview?startAt=2026-01-01",
        "/api/v1/analytics/overview?startAt=2026-02-01&endAt=2026-01-01",
        "/api/v1/analytics/overview?startAt=yesterday&endAt=today",
        "/api/v1/analytics/overview?timezone=Mars/Olympus",
        "/api/v1/analytics/overview?filter_planet=earth",
        "/api/v1/analytics/pages?limit=100000",
        "/api/v1/analytics/pages?limit=-1",
        "/api/v1/analytics/timeseries?fields=visitors",
        "/api/v1/analytics/timeseries?fields=visitors&interval=fortnight",
        "/api/v1/analytics/realtime?fields=sessions",
        "/api/v1/analytics/metadata?fields=logo,colour",
        "/api/v1/visitors?limit=251",
        "/api/v1/visitors?isCustomer=true&completedGoal=signup",
    ] {
        let (status, body) = call(&app, &site, Method::GET, path, None).await;
        assert_error(status, &body, 400);
    }
    // A missing required parameter says so plainly, with the choices.
    for (path, expected) in [
        (
            "/api/v1/analytics/timeseries?interval=day",
            "Invalid fields: is required; choose one or more of name, visitors, sessions, \
             revenue, payments, conversion_rate, separated by commas (fields=visitors,revenue)",
        ),
        (
            "/api/v1/analytics/timeseries?fields=visitors",
            "Invalid interval: is required; choose one of hour, day, week or month",
        ),
    ] {
        let (status, body) = call(&app, &site, Method::GET, path, None).await;
        assert_error(status, &body, 400);
        assert_eq!(body["error"]["message"], expected, "{path}");
    }

    let other = app.create_website("other.example.org").await;
    let (status, body) = call(
        &app,
        &site,
        Method::GET,
        &format!("/api/v1/analytics/overview?websiteId={other}"),
        None,
    )
    .await;
    assert_error(status, &body, 403);

    let reader = app.create_token(&["analytics:read"], &[&site.id]).await;
    let (status, body) = app
        .send(
            Method::GET,
            &reader,
            &format!("/api/v1/analytics/overview?websiteId={other}"),
            None,
        )
        .await;
    assert_error(status, &body, 403);
    let (status, _) = app
        .send(
            Method::GET,
            &reader,
            &format!("/api/v1/visitors?websiteId={}", site.id),
            None,
        )
        .await;
    assert_eq!(status, 200, "analytics:read also reads visitors");
}

/// Ann comes from Google, then in a second session from Bing, and pays 49 USD; Bob comes
/// from ChatGPT; Cat comes directly.
async fn channel_traffic(app: &TestApp) -> Site {
    let site = site(app).await;
    for (visitor, session, path, referrer) in [
        (
            ANN,
            "s0a1b2c3d-0983-4d84-bd9e-f82db331bb8e",
            "/",
            Some("https://www.google.com/"),
        ),
        (
            ANN,
            "s1a1b2c3d-0983-4d84-bd9e-f82db331bb8e",
            "/pricing",
            Some("https://www.bing.com/search?q=x"),
        ),
        (
            BOB,
            "s1b2c3d4e-1094-4e95-8e0a-093ec442cc9f",
            "/",
            Some("https://chatgpt.com/"),
        ),
        (CAT, "s9c625076-21a5-4fa6-9f1b-1a4fd553dda0", "/docs", None),
    ] {
        let href = format!("https://example.com{path}");
        track(
            app, &site, visitor, session, &href, referrer, None, CHROME_MAC,
        )
        .await;
    }
    let (status, reply) = call(
        app,
        &site,
        Method::POST,
        "/api/v1/payments",
        Some(
            json!({"amount": 49, "currency": "USD", "transaction_id": "tx_channels",
                    "datafast_visitor_id": ANN}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    site
}

#[tokio::test]
async fn channels_count_a_visitor_once_per_channel_and_filter_by_channel() {
    let app = spawn_app().await;
    let site = channel_traffic(&app).await;

    // The referrers show Ann twice, once per search engine.
    let referrers = get(
        &app,
        &site,
        "/api/v1/analytics/referrers?fields=referrer,visitors",
    )
    .await;
    let rows = referrers["data"].as_array().unwrap();
    assert!(rows.contains(&json!({"referrer": "Google", "visitors": 1})));
    assert!(rows.contains(&json!({"referrer": "Bing", "visitors": 1})));

    // The channels show her once, with her payment (first touch: Google). Equal visitors:
    // by events (Ann's two), then by name.
    let channels = get(&app, &site, "/api/v1/analytics/channels").await;
    assert_eq!(
        channels["data"],
        json!([
            {"channel": "Organic search", "visitors": 1, "revenue": 49.0, "payments": 1},
            {"channel": "AI assistants", "visitors": 1, "revenue": 0.0, "payments": 0},
            {"channel": "Direct", "visitors": 1, "revenue": 0.0, "payments": 0},
        ])
    );
    assert_eq!(
        channels["pagination"],
        json!({"limit": 100, "offset": 0, "total": 3})
    );
    let named = get(
        &app,
        &site,
        "/api/v1/analytics/channels?fields=channel&limit=1",
    )
    .await;
    assert_eq!(named["data"], json!([{"channel": "Organic search"}]));

    // A channel filter selects that channel's events, on every route.
    let search = get(
        &app,
        &site,
        "/api/v1/analytics/referrers?filter_channel=organic%20search&fields=referrer,visitors,revenue",
    )
    .await;
    assert_eq!(
        search["data"],
        json!([
            {"referrer": "Bing", "visitors": 1, "revenue": 0.0},
            {"referrer": "Google", "visitors": 1, "revenue": 49.0},
        ])
    );
    let overview = get(
        &app,
        &site,
        "/api/v1/analytics/overview?filter_channel=is_not:Direct&fields=visitors,revenue",
    )
    .await;
    assert_eq!(overview["data"][0], json!({"visitors": 2, "revenue": 49.0}));
    let ai = get(
        &app,
        &site,
        "/api/v1/analytics/channels?filter_channel=AI%20assistants&fields=channel,visitors",
    )
    .await;
    assert_eq!(
        ai["data"],
        json!([{"channel": "AI assistants", "visitors": 1}])
    );
    let listed = get(&app, &site, "/api/v1/visitors?channel=Direct").await;
    let listed = listed["data"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["visitorId"], CAT);

    for path in [
        "/api/v1/analytics/channels?fields=referrer",
        "/api/v1/analytics/channels?filter_channel=contains:search",
        "/api/v1/analytics/overview?filter_channel=",
    ] {
        let (status, body) = call(&app, &site, Method::GET, path, None).await;
        assert_error(status, &body, 400);
    }
}
