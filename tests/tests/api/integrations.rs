//! `/websites/{id}/integrations`: status never shows credentials; connect checks the form and
//! stores the credential encrypted; disconnect.

use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn connect_status_disconnect_every_provider() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let (status, body) = app.get(&base).await;
    assert_eq!(status, 200, "{body}");
    for provider in [
        "stripe",
        "lemonsqueezy",
        "polar",
        "paddle",
        "shopify",
        "woocommerce",
    ] {
        assert_eq!(body["data"][0][provider]["connected"], false, "{provider}");
    }
    assert_eq!(body["data"][0]["currency"], "USD");

    let secrets = [
        (
            "stripe",
            json!({"stripeRak": "rk_live_51HsecretSTRIPEvalue"}),
            "Stripe connected successfully",
        ),
        (
            "lemonsqueezy",
            json!({"lemonsqueezyApiKey": "eyJsecretLEMONvalue", "lemonsqueezyStoreId": "12345"}),
            "Lemon Squeezy connected successfully",
        ),
        (
            "polar",
            json!({"polarAccessToken": "polar_oat_secretPOLARvalue", "polarOrgId": "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60"}),
            "Polar connected successfully",
        ),
        (
            "paddle",
            json!({"paddleApiKey": "pdl_live_apikey_secretPADDLEvalue"}),
            "Paddle connected successfully",
        ),
    ];
    for (provider, body, message) in &secrets {
        let (status, reply) = app.post(&format!("{base}/{provider}"), body.clone()).await;
        assert_eq!(status, 200, "{provider}: {reply}");
        assert_eq!(reply["data"][0]["message"], *message);
    }
    let (_, status_body) = app.get(&base).await;
    for (provider, _, _) in &secrets {
        assert_eq!(status_body["data"][0][provider]["connected"], true);
    }
    let text = status_body.to_string();
    for marker in ["STRIPE", "LEMON", "POLAR", "PADDLE"] {
        assert!(
            !text.contains(marker),
            "status must never show a credential"
        );
    }
    // At rest the credentials are encrypted: no plaintext in the database files.
    let on_disk = app.database_bytes();
    for marker in [
        "secretSTRIPEvalue",
        "secretLEMONvalue",
        "secretPOLARvalue",
        "secretPADDLEvalue",
    ] {
        assert!(
            !contains(&on_disk, marker.as_bytes()),
            "{marker} found in the database file"
        );
    }

    for (provider, _, _) in &secrets {
        let (status, reply) = app.delete(&format!("{base}/{provider}")).await;
        assert_eq!(status, 200, "{reply}");
        assert!(
            reply["data"][0]["message"]
                .as_str()
                .unwrap()
                .ends_with("disconnected successfully")
        );
    }
    for provider in ["shopify", "woocommerce"] {
        assert_eq!(app.delete(&format!("{base}/{provider}")).await.0, 200);
    }
    let (_, after) = app.get(&base).await;
    assert_eq!(after["data"][0]["stripe"]["connected"], false);
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn malformed_credentials_are_refused() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    for (provider, body) in [
        ("stripe", json!({"stripeRak": "sk_live_51Habcdefghijkl"})),
        ("stripe", json!({"stripeRak": "pk_live_51Habcdefghijkl"})),
        ("stripe", json!({})),
        (
            "lemonsqueezy",
            json!({"lemonsqueezyApiKey": "key", "lemonsqueezyStoreId": "abc"}),
        ),
        (
            "polar",
            json!({"polarAccessToken": "t", "polarOrgId": "not-a-uuid"}),
        ),
        ("paddle", json!({"paddleApiKey": "nope"})),
    ] {
        let (status, reply) = app.post(&format!("{base}/{provider}"), body).await;
        assert_error(status, &reply, 400);
    }
    let (status, reply) = app.post(&format!("{base}/shopify"), json!({})).await;
    assert!(
        status == 404 || status == 405,
        "shopify has no connect route: {status} {reply}"
    );
    assert_eq!(
        app.get(&base).await.1["data"][0]["stripe"]["connected"],
        false
    );
}
