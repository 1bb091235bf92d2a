//! `/websites/{id}/apikeys`: masked list, create once, the ten-key limit, roll, revoke.

use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn create_list_roll_delete() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/apikeys");
    let (status, body) = app.post(&base, json!({"name": "Production key"})).await;
    assert_eq!(status, 200, "{body}");
    let created = body["data"][0].clone();
    let raw = created["key"].as_str().unwrap().to_owned();
    assert!(raw.starts_with("df_"));
    assert_eq!(created["websiteId"], website.as_str());
    assert_eq!(created["name"], "Production key");

    let (_, listed) = app.get(&base).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert!(listed["data"][0].get("key").is_none());
    assert!(!listed.to_string().contains(&raw));
    assert_eq!(listed["data"][0]["displayKey"], created["displayKey"]);

    // The key works on its own website.
    assert_eq!(
        app.get_as(&raw, &format!("/api/v1/admin/websites/{website}"))
            .await
            .0,
        200
    );

    let id = created["_id"].as_str().unwrap();
    let (status, body) = app.put(&format!("{base}/{id}"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    let rolled = body["data"][0]["key"].as_str().unwrap().to_owned();
    assert_ne!(rolled, raw);
    assert_eq!(body["data"][0]["_id"], id);
    let (status, body) = app
        .get_as(&raw, &format!("/api/v1/admin/websites/{website}"))
        .await;
    assert_error(status, &body, 401);
    assert_eq!(
        app.get_as(&rolled, &format!("/api/v1/admin/websites/{website}"))
            .await
            .0,
        200
    );

    let (status, body) = app.delete(&format!("{base}/{id}")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["deleted"], true);
    let (status, body) = app
        .get_as(&rolled, &format!("/api/v1/admin/websites/{website}"))
        .await;
    assert_error(status, &body, 401);
    let (status, body) = app.delete(&format!("{base}/{id}")).await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn at_most_ten_keys_per_website() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/apikeys");
    for n in 0..10 {
        let (status, body) = app.post(&base, json!({"name": format!("key {n}")})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = app.post(&base, json!({"name": "one too many"})).await;
    assert_error(status, &body, 400);
    assert_eq!(app.get(&base).await.1["data"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_key_cannot_reach_another_website_or_manage_keys() {
    let app = spawn_app().await;
    let mine = app.create_website("example.com").await;
    let other = app.create_website("other.com").await;
    let key = app.create_api_key(&mine).await;
    let (status, body) = app
        .get_as(&key, &format!("/api/v1/admin/websites/{other}"))
        .await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .get_as(&key, &format!("/api/v1/admin/websites/{mine}/apikeys"))
        .await;
    assert_error(status, &body, 403);
    let (status, body) = app.get_as(&key, "/api/v1/admin/access-tokens").await;
    assert_error(status, &body, 403);
    let (status, body) = app
        .post_as(&key, "/api/v1/admin/websites", json!({"domain": "new.com"}))
        .await;
    assert_error(status, &body, 403);
}
