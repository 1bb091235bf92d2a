//! `/account`: the caller's profile.

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn get_account_returns_the_profile_in_an_array() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/admin/account").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "success");
    let account = &body["data"][0];
    assert_eq!(account["email"], "owner@example.com");
    assert_eq!(account["hasAccess"], true);
    assert_eq!(account["_id"], account["id"]);
    assert!(account.get("websiteId").is_none());
}

#[tokio::test]
async fn put_account_renames_and_validates() {
    let app = spawn_app().await;
    let (status, body) = app
        .put(
            "/api/v1/admin/account",
            serde_json::json!({"name": "Jane Doe"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["name"], "Jane Doe");
    let (_, body) = app.get("/api/v1/admin/account").await;
    assert_eq!(body["data"][0]["name"], "Jane Doe");

    let (status, body) = app
        .put("/api/v1/admin/account", serde_json::json!({"name": ""}))
        .await;
    assert_error(status, &body, 400);
    let (status, body) = app
        .put("/api/v1/admin/account", serde_json::json!({"name": 42}))
        .await;
    assert_error(status, &body, 400);
    let (_, body) = app.get("/api/v1/admin/account").await;
    assert_eq!(
        body["data"][0]["name"], "Jane Doe",
        "bad input changes nothing"
    );
}

#[tokio::test]
async fn a_website_key_sees_the_profile_with_its_website() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let key = app.create_api_key(&website).await;
    let (status, body) = app.get_as(&key, "/api/v1/admin/account").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["websiteId"], website.as_str());
}

#[tokio::test]
async fn missing_unknown_and_malformed_credentials_are_401() {
    let app = spawn_app().await;
    let (status, body) = app.get_as("", "/api/v1/admin/account").await;
    assert_error(status, &body, 401);
    let unknown = format!("dft_{}", "0".repeat(64));
    let (status, body) = app.get_as(&unknown, "/api/v1/admin/account").await;
    assert_error(status, &body, 401);
    let (status, body) = app
        .get_as("sk_live_whatever", "/api/v1/admin/account")
        .await;
    assert_error(status, &body, 401);
}
