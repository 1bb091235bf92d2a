//! `/websites/{id}/alerts`: the spec's example, validation, the 25-alert limit, history.

use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

fn spec_example() -> Value {
    json!({
        "name": "New signup",
        "trigger": { "goalName": "signup" },
        "template": { "subject": "New signup", "message": "A visitor completed signup." },
        "isEnabled": true
    })
}

#[tokio::test]
async fn create_list_update_delete() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/alerts");
    let mut body = spec_example();
    body["trigger"]["goalName"] = json!("  SignUp ");
    let (status, created) = app.post(&base, body).await;
    assert_eq!(status, 200, "{created}");
    let alert = &created["data"][0];
    assert_eq!(
        alert["trigger"],
        json!({"type": "goal", "goalName": "signup"})
    );
    assert_eq!(alert["destination"]["type"], "email");
    assert_eq!(alert["recentLogs"], json!([]));
    let id = alert["_id"].as_str().unwrap().to_owned();

    let (status, body) = app
        .put(
            &format!("{base}/{id}"),
            json!({"isEnabled": false, "template": {"message": "Someone signed up just now."}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["isEnabled"], false);
    assert_eq!(body["data"][0]["template"]["subject"], "New signup");
    assert_eq!(
        body["data"][0]["template"]["message"],
        "Someone signed up just now."
    );

    assert_eq!(app.get(&base).await.1["data"].as_array().unwrap().len(), 1);
    let (status, _) = app.delete(&format!("{base}/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(app.get(&base).await.1["data"].as_array().unwrap().len(), 0);
    let (status, body) = app.delete(&format!("{base}/{id}")).await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn validation_and_the_limit() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/alerts");
    let mut short = spec_example();
    short["template"]["message"] = json!("short");
    let mut long_name = spec_example();
    long_name["name"] = json!("n".repeat(101));
    let mut bad_goal = spec_example();
    bad_goal["trigger"]["goalName"] = json!("bad/goal");
    for bad in [short, long_name, bad_goal, json!({"name": "x"})] {
        let (status, body) = app.post(&base, bad).await;
        assert_error(status, &body, 400);
    }
    for n in 0..25 {
        let mut body = spec_example();
        body["name"] = json!(format!("alert {n}"));
        assert_eq!(app.post(&base, body).await.0, 200);
    }
    let (status, body) = app.post(&base, spec_example()).await;
    assert_error(status, &body, 400);
}

#[tokio::test]
async fn history_has_counts_and_checks_its_limit() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/alerts");
    let (status, body) = app.get(&format!("{base}/history")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!([]));
    assert_eq!(body["counts"], json!({"sent": 0, "failed": 0, "total": 0}));
    for bad in ["limit=0", "limit=101", "limit=abc", "alertId=nope"] {
        let (status, body) = app.get(&format!("{base}/history?{bad}")).await;
        assert_error(status, &body, 400);
    }
    assert_eq!(app.get(&format!("{base}/history?limit=100")).await.0, 200);
}

#[tokio::test]
async fn history_returns_stored_deliveries_newest_first() {
    use datafast_domain::alert::{AlertLog, DeliveryStatus};
    use datafast_domain::id::{AlertId, AlertLogId, WebsiteId};
    use datafast_ports::store::AlertStore;

    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/alerts");
    let (_, created) = app.post(&base, spec_example()).await;
    let alert_id = created["data"][0]["_id"].as_str().unwrap().to_owned();
    let store = app.store();
    for (n, status) in [
        DeliveryStatus::Sent,
        DeliveryStatus::Failed,
        DeliveryStatus::Sent,
    ]
    .into_iter()
    .enumerate()
    {
        let log = AlertLog {
            id: AlertLogId::from_parts(1_800_000_000 + n as u32, [n as u8; 8]),
            alert_id: AlertId::parse(&alert_id).unwrap(),
            website_id: WebsiteId::parse(&website).unwrap(),
            alert_name: "New signup".into(),
            goal_name: "signup".into(),
            status,
            error: (status == DeliveryStatus::Failed).then(|| "connection refused".to_owned()),
            visitor_id: Some(format!("visitor-{n}")),
            triggered_at: jiff::Timestamp::from_second(1_800_000_000 + n as i64).unwrap(),
        };
        store.insert_alert_log(&log).await.unwrap();
    }
    let (status, body) = app
        .get(&format!("{base}/history?alertId={alert_id}&limit=2"))
        .await;
    assert_eq!(status, 200, "{body}");
    let rows = body["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["visitorId"], "visitor-2");
    assert_eq!(rows[1]["status"], "failed");
    assert_eq!(rows[1]["error"], "connection refused");
    assert_eq!(body["counts"], json!({"sent": 2, "failed": 1, "total": 3}));
    let (_, listed) = app.get(&base).await;
    assert_eq!(listed["data"][0]["recentLogs"].as_array().unwrap().len(), 3);
}
