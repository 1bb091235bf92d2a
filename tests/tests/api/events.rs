//! `POST /api/events` and the tracker script, as browsers and the SDK reach them: accepted
//! events are stored and show in tracked goals, filtered ones answer 200 and are not stored,
//! malformed ones answer in the error envelope.

use datafast_ports::store::EventStore;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// The SDK's custom event from the reference, for the website with `tracking_id`.
fn sdk_custom_event(tracking_id: &str, href: &str) -> Value {
    json!({
        "websiteId": tracking_id,
        "domain": "example.com",
        "visitorId": "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
        "sessionId": "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
        "visitorFirstSeenAt": "2026-05-21T10:00:00.000Z",
        "visitorSessionNumber": 1,
        "href": href,
        "referrer": null,
        "type": "custom",
        "viewport": { "width": 1280, "height": 800 },
        "language": "en-US",
        "timezone": "Europe/Paris",
        "screenWidth": 1920,
        "screenHeight": 1080,
        "extraData": { "eventName": "signup", "plan": "pro", "seats": "3" }
    })
}

async fn post_event(
    app: &TestApp,
    body: &[u8],
    user_agent: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/api/events", app.address))
        .header("content-type", "application/json")
        .header("user-agent", user_agent)
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn website_with_tracking_id(app: &TestApp) -> (String, String) {
    let (_, body) = app
        .post("/api/v1/admin/websites", json!({"domain": "example.com"}))
        .await;
    let data = &body["data"][0];
    (
        data["websiteId"].as_str().unwrap().to_owned(),
        data["trackingId"].as_str().unwrap().to_owned(),
    )
}

async fn signup_total(app: &TestApp, website: &str) -> u64 {
    let (_, goals) = app
        .get(&format!("/api/v1/admin/websites/{website}/goals"))
        .await;
    goals["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "signup")
        .map_or(0, |g| g["total"].as_u64().unwrap())
}

#[tokio::test]
async fn the_sdk_example_is_stored_and_counted() {
    let app = spawn_app().await;
    let (website, tracking) = website_with_tracking_id(&app).await;
    let event = sdk_custom_event(&tracking, "https://example.com/pricing");
    let (status, headers, body) = post_event(&app, event.to_string().as_bytes(), BROWSER).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"status": "success"}));
    assert_eq!(headers.get("access-control-allow-origin").unwrap(), "*");
    let subdomain = sdk_custom_event(&tracking, "https://app.example.com/x");
    assert_eq!(
        post_event(&app, subdomain.to_string().as_bytes(), BROWSER)
            .await
            .0,
        200
    );
    assert_eq!(signup_total(&app, &website).await, 2);
}

#[tokio::test]
async fn filtered_events_answer_200_and_are_not_stored() {
    let app = spawn_app().await;
    let (website, tracking) = website_with_tracking_id(&app).await;
    let foreign = sdk_custom_event(&tracking, "https://evil.example.net/pricing");
    assert_eq!(
        post_event(&app, foreign.to_string().as_bytes(), BROWSER)
            .await
            .0,
        200
    );
    let from_bot = sdk_custom_event(&tracking, "https://example.com/");
    let bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    assert_eq!(
        post_event(&app, from_bot.to_string().as_bytes(), bot)
            .await
            .0,
        200
    );
    app.put(
        &format!("/api/v1/admin/websites/{website}"),
        json!({"excludedPaths": ["/admin/*"]}),
    )
    .await;
    let excluded = sdk_custom_event(&tracking, "https://example.com/admin/users");
    assert_eq!(
        post_event(&app, excluded.to_string().as_bytes(), BROWSER)
            .await
            .0,
        200
    );
    assert_eq!(signup_total(&app, &website).await, 0);
}

#[tokio::test]
async fn malformed_unknown_and_oversized_events_are_refused_in_the_envelope() {
    let app = spawn_app().await;
    let (_, tracking) = website_with_tracking_id(&app).await;
    let (status, _, body) = post_event(&app, b"{\"websiteId\":", BROWSER).await;
    assert_error(status, &body, 400);
    let mut wrong_type = sdk_custom_event(&tracking, "https://example.com/");
    wrong_type["type"] = json!("teleport");
    let (status, _, body) = post_event(&app, wrong_type.to_string().as_bytes(), BROWSER).await;
    assert_error(status, &body, 400);
    let mut hostile_goal = sdk_custom_event(&tracking, "https://example.com/");
    hostile_goal["extraData"]["eventName"] = json!("<script>alert(1)</script>");
    let (status, _, body) = post_event(&app, hostile_goal.to_string().as_bytes(), BROWSER).await;
    assert_error(status, &body, 400);
    let unknown = sdk_custom_event("dfid_doesnotexist000000", "https://example.com/");
    let (status, _, body) = post_event(&app, unknown.to_string().as_bytes(), BROWSER).await;
    assert_error(status, &body, 404);
    let mut huge = sdk_custom_event(&tracking, "https://example.com/");
    huge["padding"] = json!("x".repeat(64 * 1024));
    let (status, _, body) = post_event(&app, huge.to_string().as_bytes(), BROWSER).await;
    assert_error(status, &body, 413);
}

#[tokio::test]
async fn cookieless_events_get_a_server_derived_visitor_id() {
    let app = spawn_app().await;
    let (_, tracking) = website_with_tracking_id(&app).await;
    let mut event = sdk_custom_event(&tracking, "https://example.com/");
    event["cookieless"] = json!(true);
    let (status, _, first) = post_event(&app, event.to_string().as_bytes(), BROWSER).await;
    assert_eq!(status, 200, "{first}");
    let id = first["visitorId"]
        .as_str()
        .expect("visitorId for cookieless events")
        .to_owned();
    assert_ne!(id, "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c");
    let (_, _, second) = post_event(&app, event.to_string().as_bytes(), BROWSER).await;
    assert_eq!(
        second["visitorId"],
        id.as_str(),
        "same IP, agent and day: same visitor"
    );
}

#[tokio::test]
async fn preflight_and_the_tracker_script() {
    let app = spawn_app().await;
    let response = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/api/events", app.address),
        )
        .header("origin", "https://example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "*"
    );
    assert!(
        response
            .headers()
            .get("access-control-allow-headers")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("Content-Type")
    );
    for path in [
        "/js/script.js",
        "/js/script.hash.js",
        "/js/script.cookieless.js",
    ] {
        let response = reqwest::get(format!("{}{path}", app.address))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let content_type = response
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned();
        assert!(
            content_type.starts_with("application/javascript"),
            "{content_type}"
        );
        assert!(response.text().await.unwrap().contains("/api/events"));
    }
}

/// The SDK's pageview for the same visitor as [`sdk_custom_event`].
fn sdk_pageview(tracking_id: &str) -> Value {
    let mut event = sdk_custom_event(tracking_id, "https://example.com/pricing");
    event["type"] = json!("pageview");
    event.as_object_mut().unwrap().remove("extraData");
    event
}

/// How many events the website has stored.
async fn stored(app: &TestApp) -> usize {
    app.store().events_after(0, 1000).await.unwrap().len()
}

/// Attack mode, each documented effect against the same requests with it off: a goal from a
/// visitor without a pageview is dropped, a user agent that names no known browser is dropped,
/// and server-side goal creation answers 403.
#[tokio::test]
async fn attack_mode_drops_what_a_real_visit_would_not_send_and_suspends_goal_creation() {
    for attack in [false, true] {
        let app = spawn_app().await;
        let (website, tracking) = website_with_tracking_id(&app).await;
        let (status, body) = app
            .put(
                &format!("/api/v1/admin/websites/{website}"),
                json!({"isAttackModeEnabled": attack}),
            )
            .await;
        assert_eq!(status, 200, "{body}");

        // A goal before any pageview: a flood's typical shape.
        let goal = sdk_custom_event(&tracking, "https://example.com/pricing").to_string();
        assert_eq!(post_event(&app, goal.as_bytes(), BROWSER).await.0, 200);
        assert_eq!(
            stored(&app).await,
            usize::from(!attack),
            "attack mode {attack}"
        );

        // A pageview from software no parser knows.
        let odd = "Mozilla/5.0 (compatible; Fetcher/1.0; +https://example.org)";
        let pageview = sdk_pageview(&tracking).to_string();
        assert_eq!(post_event(&app, pageview.as_bytes(), odd).await.0, 200);
        assert_eq!(
            stored(&app).await,
            2 * usize::from(!attack),
            "attack mode {attack}"
        );

        // A browser's pageview always counts; then the visitor's goals count too.
        assert_eq!(post_event(&app, pageview.as_bytes(), BROWSER).await.0, 200);
        assert_eq!(post_event(&app, goal.as_bytes(), BROWSER).await.0, 200);
        let expected = if attack { 2 } else { 4 };
        assert_eq!(stored(&app).await, expected, "attack mode {attack}");
        assert_eq!(
            signup_total(&app, &website).await,
            if attack { 1 } else { 2 }
        );

        // Server-side goal creation through the Website API.
        let (status, body) = app
            .post(
                &format!("/api/v1/goals?websiteId={website}"),
                json!({"datafast_visitor_id": "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c", "name": "demo"}),
            )
            .await;
        if attack {
            assert_error(status, &body, 403);
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains("Tracking suspended"), "{message}");
        } else {
            assert_eq!(status, 200, "{body}");
        }
    }
}
