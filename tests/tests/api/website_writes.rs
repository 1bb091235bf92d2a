//! The Website API's writes: server-side goals, payments and identify, through a `df_` key or
//! an account token with `?websiteId=`, including the documented alias spellings, the
//! pageview-first rule, idempotent payments and the deletes.

use datafast_domain::event::{EventKind, EventOrigin};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{EventStore, PaymentStore, ProfileStore};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";
const SESSION: &str = "s7a403e54-0983-4d84-bd9e-f82db331bb8e";

/// A website with its tracking id and a `df_` key.
async fn website(app: &TestApp) -> (String, String, String) {
    let (_, body) = app
        .post("/api/v1/admin/websites", json!({"domain": "example.com"}))
        .await;
    let data = &body["data"][0];
    let website = data["websiteId"].as_str().unwrap().to_owned();
    let key = app.create_api_key(&website).await;
    (
        website,
        data["trackingId"].as_str().unwrap().to_owned(),
        key,
    )
}

/// A pageview by `VISITOR` from a search, with campaign tags, as the tracker sends it.
async fn pageview(app: &TestApp, tracking: &str) {
    let event = json!({
        "websiteId": tracking,
        "domain": "example.com",
        "visitorId": VISITOR,
        "sessionId": SESSION,
        "href": "https://example.com/pricing?utm_source=newsletter&utm_campaign=spring&ref=hn",
        "referrer": "https://www.google.com/search?q=analytics",
        "type": "pageview",
        "viewport": {"width": 1280, "height": 800}
    });
    let response = reqwest::Client::new()
        .post(format!("{}/api/events", app.address))
        .header("content-type", "application/json")
        .header("user-agent", BROWSER)
        .body(event.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

async fn call(
    app: &TestApp,
    method: Method,
    key: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    app.send(method, key, path, body).await
}

fn website_id(website: &str) -> WebsiteId {
    WebsiteId::parse(website).unwrap()
}

async fn goal_total(app: &TestApp, website: &str, name: &str) -> u64 {
    let (_, goals) = app
        .get(&format!("/api/v1/admin/websites/{website}/goals"))
        .await;
    goals["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == name)
        .map_or(0, |g| g["total"].as_u64().unwrap())
}

#[tokio::test]
async fn a_pageview_is_stored_with_its_source_campaign_and_software() {
    let app = spawn_app().await;
    let (website, tracking, _) = website(&app).await;
    pageview(&app, &tracking).await;
    let stored = app.store().events_after(0, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    let event = &stored[0].event;
    assert_eq!(event.website_id, website_id(&website));
    assert_eq!(event.kind, EventKind::Pageview);
    assert_eq!(event.visitor_id, VISITOR);
    assert_eq!(event.session_id, SESSION);
    assert_eq!(event.path, "/pricing");
    assert_eq!(event.context.source, "Google");
    assert_eq!(event.context.referrer.as_deref(), Some("google.com"));
    assert_eq!(event.context.utm_source.as_deref(), Some("newsletter"));
    assert_eq!(event.context.utm_campaign.as_deref(), Some("spring"));
    assert_eq!(event.context.ref_param.as_deref(), Some("hn"));
    assert_eq!(event.context.browser, "Chrome");
    assert_eq!(event.context.device.as_str(), "desktop");
    assert_eq!(event.origin, EventOrigin::Client);
}

#[tokio::test]
async fn server_goals_need_a_pageview_and_borrow_its_visit() {
    let app = spawn_app().await;
    let (website, tracking, key) = website(&app).await;
    let body = json!({"datafast_visitor_id": VISITOR, "name": "Newsletter Signup",
        "description": "Signed up", "metadata": {"plan": "pro"}});

    let (status, reply) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/goals",
        Some(body.clone()),
    )
    .await;
    assert_error(status, &reply, 404);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("pageview")
    );

    pageview(&app, &tracking).await;
    let (status, reply) = call(&app, Method::POST, &key, "/api/v1/goals", Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["status"], "success");
    assert_eq!(
        reply["data"][0]["message"],
        "Custom event created successfully"
    );
    let event_id = reply["data"][0]["eventId"].as_str().unwrap();
    assert_eq!(event_id.len(), 24);
    assert!(event_id.bytes().all(|b| b.is_ascii_hexdigit()));

    // The oldest docs' spelling of the visitor field.
    let (status, _) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/goals",
        Some(json!({"visitorId": VISITOR, "name": "newsletter_signup"})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(goal_total(&app, &website, "newsletter_signup").await, 2);

    let stored = app.store().events_after(0, 10).await.unwrap();
    let goal = &stored[1].event;
    assert_eq!(goal.kind, EventKind::Custom);
    assert_eq!(goal.origin, EventOrigin::Server);
    assert_eq!(goal.description.as_deref(), Some("Signed up"));
    assert_eq!(goal.params.get("plan").map(String::as_str), Some("pro"));
    assert_eq!(
        goal.session_id, SESSION,
        "the goal joins the visitor's session"
    );
    assert_eq!(goal.context.source, "Google", "and keeps its source");

    for bad in [
        json!({"datafast_visitor_id": VISITOR, "name": "identify"}),
        json!({"datafast_visitor_id": "not-a-uuid", "name": "x"}),
        json!({"name": "x"}),
        json!({"datafast_visitor_id": VISITOR, "name": "x", "metadata": {"k": "v".repeat(300)}}),
        json!([1, 2]),
    ] {
        let (status, reply) = call(&app, Method::POST, &key, "/api/v1/goals", Some(bad)).await;
        assert_error(status, &reply, 400);
    }

    let (status, reply) = call(
        &app,
        Method::DELETE,
        &key,
        &format!("/api/v1/goals?datafast_visitor_id={VISITOR}&name=newsletter_signup"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"][0]["deletedCount"], 2);
    // Spelled as documented, and as `DELETE /api/v1/payments` spells it.
    assert_eq!(reply["data"][0]["datafast_visitor_id"], VISITOR, "{reply}");
    assert_eq!(
        reply["data"][0]["goal_name"], "newsletter_signup",
        "{reply}"
    );
    assert!(
        reply["data"][0].get("datafastVisitorId").is_none(),
        "{reply}"
    );
    assert_eq!(goal_total(&app, &website, "newsletter_signup").await, 0);
    // The pageview stays.
    assert_eq!(app.store().events_after(0, 10).await.unwrap().len(), 1);

    let (status, reply) = call(
        &app,
        Method::DELETE,
        &key,
        "/api/v1/goals?name=signup",
        None,
    )
    .await;
    assert_error(status, &reply, 400);
    let (status, reply) = call(
        &app,
        Method::DELETE,
        &key,
        "/api/v1/goals?start=2020-01-01&end=2030-12-31",
        None,
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["data"][0]["timeRange"]["start"],
        "2020-01-01T00:00:00.000Z"
    );
}

#[tokio::test]
async fn account_tokens_name_the_website_and_keys_cannot_reach_another() {
    let app = spawn_app().await;
    let (website, tracking, key) = website(&app).await;
    pageview(&app, &tracking).await;
    let token = app.create_token(&["goals:write"], &[]).await;
    let body = json!({"datafast_visitor_id": VISITOR, "name": "signup"});

    let (status, reply) = call(
        &app,
        Method::POST,
        &token,
        "/api/v1/goals",
        Some(body.clone()),
    )
    .await;
    assert_error(status, &reply, 400);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("websiteId")
    );
    let (status, reply) = call(
        &app,
        Method::POST,
        &token,
        "/api/v1/goals?websiteId=zzz",
        Some(body.clone()),
    )
    .await;
    assert_error(status, &reply, 400);
    let (status, reply) = call(
        &app,
        Method::POST,
        &token,
        &format!("/api/v1/goals?websiteId={website}"),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{reply}");

    let other = app.create_website("other.example.org").await;
    let (status, reply) = call(
        &app,
        Method::POST,
        &key,
        &format!("/api/v1/goals?websiteId={other}"),
        Some(body),
    )
    .await;
    assert_error(status, &reply, 403);
}

#[tokio::test]
async fn payments_are_idempotent_answer_plainly_and_count_as_goals() {
    let app = spawn_app().await;
    let (website, tracking, key) = website(&app).await;
    pageview(&app, &tracking).await;
    let body = json!({"amount": 29.99, "currency": "usd", "transaction_id": "payment_456",
        "datafast_visitor_id": VISITOR, "customer_email": "ann@example.com",
        "customer_name": "Ann", "renewal": false});

    let (status, reply) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/payments",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply,
        json!({"message": "Payment recorded and attributed successfully",
               "transaction_id": "payment_456"})
    );
    let (status, reply) = call(&app, Method::POST, &key, "/api/v1/payments", Some(body)).await;
    assert_eq!(status, 200);
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains("already recorded")
    );
    assert!(reply.get("status").is_none(), "no envelope on success");

    let payments = app.store().payments(website_id(&website)).await.unwrap();
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].amount_minor, 2999);
    assert_eq!(payments[0].currency.as_str(), "USD");
    assert_eq!(payments[0].email.as_deref(), Some("ann@example.com"));
    assert_eq!(payments[0].name.as_deref(), Some("Ann"));
    assert_eq!(goal_total(&app, &website, "payment").await, 1);

    let (status, _) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/payments",
        Some(
            json!({"amount": 0, "currency": "EUR", "transaction_id": "trial_1",
                    "datafast_visitor_id": VISITOR}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(goal_total(&app, &website, "free_trial").await, 1);

    for bad in [
        json!({"currency": "USD", "transaction_id": "t"}),
        json!({"amount": "lots", "currency": "USD", "transaction_id": "t"}),
        json!({"amount": 5, "currency": "DOLLARS", "transaction_id": "t"}),
        json!({"amount": 5, "currency": "USD"}),
    ] {
        let (status, reply) = call(&app, Method::POST, &key, "/api/v1/payments", Some(bad)).await;
        assert_error(status, &reply, 400);
    }

    let (status, reply) = call(
        &app,
        Method::DELETE,
        &key,
        "/api/v1/payments?tx_id=payment_456",
        None,
    )
    .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"][0]["deletedCount"], 1);
    assert_eq!(goal_total(&app, &website, "payment").await, 0);
    let (status, reply) = call(
        &app,
        Method::DELETE,
        &key,
        "/api/v1/payments?transaction_id=payment_456",
        None,
    )
    .await;
    assert_error(status, &reply, 404);
    let (status, reply) = call(
        &app,
        Method::DELETE,
        &key,
        &format!("/api/v1/payments?datafast_visitor_id={VISITOR}&startAt=2020-01-01"),
        None,
    )
    .await;
    assert_error(status, &reply, 400);
}

#[tokio::test]
async fn identify_keeps_one_profile_per_visitor() {
    let app = spawn_app().await;
    let (website, tracking, key) = website(&app).await;
    let body = json!({"datafast_visitor_id": VISITOR, "user_id": "user_1", "plan": "pro"});
    let (status, reply) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/identify",
        Some(body.clone()),
    )
    .await;
    assert_error(status, &reply, 404);

    pageview(&app, &tracking).await;
    let (status, reply) = call(&app, Method::POST, &key, "/api/v1/identify", Some(body)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["data"]["message"],
        "User profile created successfully"
    );
    let profile_id = reply["data"]["profileId"].as_str().unwrap().to_owned();

    let (_, again) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/identify",
        Some(json!({"visitorId": VISITOR, "user_id": "user_2"})),
    )
    .await;
    assert_eq!(again["data"]["profileId"], profile_id.as_str());
    let profile = app
        .store()
        .profile(website_id(&website), VISITOR)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(profile.user_id, "user_2");
    assert_eq!(profile.profile_id, profile_id);

    let (status, reply) = call(
        &app,
        Method::POST,
        &key,
        "/api/v1/identify",
        Some(json!({"datafast_visitor_id": VISITOR, "user_id": "u".repeat(256)})),
    )
    .await;
    assert_error(status, &reply, 400);
}
