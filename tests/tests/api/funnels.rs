//! `/websites/{id}/funnels`: the spec's example, step rules, duplicate names, enable and
//! disable, soft delete.

use serde_json::{Value, json};

use crate::helpers::{assert_error, spawn_app};

fn spec_example() -> Value {
    json!({
        "name": "Signup funnel",
        "steps": [
            { "name": "Landing page", "type": "pageview", "url": "/" },
            { "name": "Signup page", "type": "pageview", "url": "/signup" },
            { "name": "Signed up", "type": "goal", "goalName": "signup" }
        ]
    })
}

#[tokio::test]
async fn create_list_update_delete() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/funnels");
    let (status, body) = app.post(&base, spec_example()).await;
    assert_eq!(status, 200, "{body}");
    let funnel = body["data"][0].clone();
    assert_eq!(funnel["slug"], "signup-funnel");
    assert_eq!(funnel["isActive"], true);
    assert_eq!(
        funnel["steps"][2],
        json!({"id": "signed-up", "name": "Signed up", "type": "goal", "goalName": "signup"})
    );
    let id = funnel["_id"].as_str().unwrap().to_owned();

    let (_, listed) = app.get(&base).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    let (status, body) = app
        .put(
            &format!("{base}/{id}"),
            json!({"name": "Renamed", "isActive": false}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["isActive"], false);
    assert_eq!(
        body["data"][0]["steps"].as_array().unwrap().len(),
        3,
        "steps kept"
    );
    assert_eq!(
        app.get(&base).await.1["data"].as_array().unwrap().len(),
        0,
        "disabled funnels leave the list"
    );
    let (_, all) = app.get(&format!("{base}?includeInactive=true")).await;
    assert_eq!(all["data"].as_array().unwrap().len(), 1);
    let (status, _) = app
        .put(&format!("{base}/{id}"), json!({"isActive": true}))
        .await;
    assert_eq!(status, 200);

    let (status, body) = app.delete(&format!("{base}/{id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.get(&base).await.1["data"].as_array().unwrap().len(), 0);
    let (status, body) = app.get(&format!("{base}/{id}")).await;
    assert_error(status, &body, 404);
    let (status, body) = app.delete(&format!("{base}/{id}")).await;
    assert_error(status, &body, 404);
    // A soft-deleted funnel's name is free again.
    let (status, _) = app
        .post(
            &base,
            json!({"name": "Renamed", "steps": spec_example()["steps"]}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn duplicate_names_conflict() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/funnels");
    assert_eq!(app.post(&base, spec_example()).await.0, 200);
    let mut again = spec_example();
    again["name"] = json!("SIGNUP FUNNEL");
    let (status, body) = app.post(&base, again).await;
    assert_error(status, &body, 409);
}

#[tokio::test]
async fn step_rules_are_enforced() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/funnels");
    let step = json!({"name": "s", "type": "pageview", "url": "/"});
    for bad in [
        json!({"name": "one step", "steps": [step]}),
        json!({"name": "nine", "steps": vec![step.clone(); 9]}),
        json!({"name": "no url", "steps": [step, {"name": "x", "type": "pageview"}]}),
        json!({"name": "no goal", "steps": [step, {"name": "x", "type": "goal"}]}),
        json!({"name": "bad type", "steps": [step, {"name": "x", "type": "click", "url": "/"}]}),
        json!({"name": "", "steps": [step, step]}),
        json!({"steps": [step, step]}),
        json!({"name": "wrong", "steps": "not a list"}),
    ] {
        let (status, body) = app.post(&base, bad).await;
        assert_error(status, &body, 400);
    }
    assert_eq!(app.get(&base).await.1["data"].as_array().unwrap().len(), 0);
}
