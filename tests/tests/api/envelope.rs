//! Every failure answers in the error envelope: unknown routes, wrong methods, malformed JSON,
//! wrong types, wrong content types, oversized bodies, rate limits.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn unknown_routes_are_404_in_the_envelope() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/admin/nothing",
        "/nowhere",
        "/api/v1/admin/websites/665f0b3c4d2e1a0012345678/nothing",
    ] {
        let (status, body) = app.get(path).await;
        assert_error(status, &body, 404);
    }
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow() {
    let app = spawn_app().await;
    let (status, headers, body) = app
        .raw(Method::PATCH, "/api/v1/admin/websites", None, Vec::new())
        .await;
    assert_error(status, &body, 405);
    let allow = headers
        .get("allow")
        .expect("Allow header")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}

#[tokio::test]
async fn malformed_json_wrong_types_and_content_types() {
    let app = spawn_app().await;
    let (status, _, body) = app
        .raw(
            Method::POST,
            "/api/v1/admin/websites",
            Some("application/json"),
            b"{\"domain\": ".to_vec(),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, _, body) = app
        .raw(
            Method::POST,
            "/api/v1/admin/websites",
            Some("application/json"),
            b"[1,2,3]".to_vec(),
        )
        .await;
    assert_error(status, &body, 400);
    let (status, _, body) = app
        .raw(
            Method::POST,
            "/api/v1/admin/websites",
            Some("text/plain"),
            b"{\"domain\":\"example.com\"}".to_vec(),
        )
        .await;
    assert_error(status, &body, 415);
    assert_eq!(app.get("/api/v1/admin/websites").await.1["data"], json!([]));
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = spawn_app().await;
    let huge = json!({"domain": "example.com", "name": "x".repeat(2 * 1024 * 1024)});
    let (status, _, body) = app
        .raw(
            Method::POST,
            "/api/v1/admin/websites",
            Some("application/json"),
            huge.to_string().into_bytes(),
        )
        .await;
    assert_error(status, &body, 413);
    assert_eq!(app.get("/api/v1/admin/websites").await.1["data"], json!([]));
}

#[tokio::test]
async fn success_bodies_use_the_envelope_with_an_array() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/v1/admin/websites").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "success");
    assert!(body["data"].is_array());
}

#[tokio::test]
async fn health_answers_200_without_credentials() {
    let app = spawn_app().await;
    let (status, _) = app.get_as("", "/health").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn rate_limits_answer_429_with_headers() {
    let app = spawn_app_with(|config| {
        config.rate_limit_per_minute = 60;
        config.rate_limit_burst = 5;
    })
    .await;
    let mut limited = None;
    for _ in 0..20 {
        let (status, headers, body) = app
            .raw(Method::GET, "/api/v1/admin/account", None, Vec::new())
            .await;
        assert!(
            headers.contains_key("x-ratelimit-limit"),
            "missing X-RateLimit-Limit"
        );
        assert!(headers.contains_key("x-ratelimit-remaining"));
        assert!(headers.contains_key("x-ratelimit-reset"));
        if status == 429 {
            limited = Some((headers, body));
            break;
        }
    }
    let (headers, body) = limited.expect("the limit was never reached");
    assert_error(429, &body, 429);
    assert!(headers.contains_key("retry-after"));
    // Another credential has its own budget.
    let other = app.new_account_token("other@example.com").await;
    assert_eq!(app.get_as(&other, "/api/v1/admin/account").await.0, 200);
}
