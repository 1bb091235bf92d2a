//! Tracked goals from stored events, and goal customizations with the palette.

use std::collections::BTreeMap;

use datafast_domain::event::{Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::goal::GoalName;
use datafast_domain::id::WebsiteId;
use datafast_ports::store::EventStore;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

fn event(website: WebsiteId, kind: EventKind, visitor: &str, goal: Option<&str>) -> Event {
    Event {
        website_id: website,
        kind,
        occurred_at: "2026-05-21T10:00:00Z".parse().unwrap(),
        visitor_id: visitor.to_owned(),
        session_id: format!("s{visitor}"),
        goal_name: goal.map(|name| GoalName::parse(name).expect("a valid goal name")),
        hostname: "example.com".to_owned(),
        path: "/".to_owned(),
        context: VisitContext::unknown(),
        params: BTreeMap::new(),
        description: None,
        origin: EventOrigin::Client,
    }
}

#[tokio::test]
async fn tracked_goals_are_ranked_by_frequency_with_rates() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let website = WebsiteId::parse(&id).unwrap();
    let mut events = Vec::new();
    for visitor in ["v1", "v2", "v3", "v4"] {
        events.push(event(website, EventKind::Pageview, visitor, None));
    }
    for visitor in ["v1", "v1", "v2"] {
        events.push(event(website, EventKind::Custom, visitor, Some("signup")));
    }
    events.push(event(website, EventKind::Payment, "v3", Some("payment")));
    app.store().append_events(events.clone()).await.unwrap();

    let (status, body) = app.get(&format!("/api/v1/admin/websites/{id}/goals")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"],
        json!([
            {"name": "signup", "total": 3, "uv": 2, "conversionRate": 0.5, "eventType": "custom"},
            {"name": "payment", "total": 1, "uv": 1, "conversionRate": 0.25, "eventType": "payment"}
        ])
    );
}

#[tokio::test]
async fn customizations_set_keep_clear_and_validate() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let path = format!("/api/v1/admin/websites/{id}/goals/customizations");
    let (status, body) = app
        .patch(
            &path,
            json!({"goalName": "signup_started", "displayName": "Signup started", "color": "#8dcdff", "description": "Visitor opened the signup flow"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["displayName"], "Signup started");
    let colors = body["colors"].as_array().unwrap();
    assert!(
        colors
            .iter()
            .any(|c| c["color"] == "#ef4444" && c["family"] == "red")
    );

    let (status, body) = app
        .patch(&path, json!({"goalName": "signup_started", "color": null}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["data"][0]["color"].is_null());
    assert_eq!(
        body["data"][0]["description"],
        "Visitor opened the signup flow"
    );

    let (status, body) = app.get(&format!("{path}?goalName=signup_started")).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert!(body["colors"].is_array());

    for bad in [
        json!({"goalName": "signup_started", "color": "#123456"}),
        json!({"goalName": "bad name!", "displayName": "x"}),
        json!({"goalName": "signup_started", "displayName": "x".repeat(81)}),
        json!({"goalName": "signup_started", "description": "x".repeat(301)}),
        json!({"displayName": "no goal"}),
    ] {
        let (status, body) = app.patch(&path, bad).await;
        assert_error(status, &body, 400);
    }
    let big = json!({"goalName": "signup_started", "description": "x".repeat(5000)});
    let (status, body) = app.patch(&path, big).await;
    assert_error(status, &body, 413);
    assert_eq!(
        app.get(&path).await.1["data"][0]["displayName"],
        "Signup started"
    );
}
