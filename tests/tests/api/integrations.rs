//! `/websites/{id}/integrations`: status never shows credentials; connect checks the form, then
//! the credential with the provider (a local fake of its API), and only then stores it
//! encrypted; disconnect.

use datafast_provider_fakes::Account;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app, spawn_app_with};

const STRIPE_KEY: &str = "rk_live_51HsecretSTRIPEvalue";

async fn connected(app: &TestApp, base: &str) -> Value {
    let (status, body) = app.get(base).await;
    assert_eq!(status, 200, "{body}");
    body
}

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

    let providers = &app.providers;
    providers
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "eur"));
    let shop = Account::named("Shop", "GBP").seeing("12345");
    providers.lemonsqueezy.add_key("eyJsecretLEMONvalue", shop);
    let organization = Account::named("Org", "usd").seeing("5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60");
    providers
        .polar
        .add_key("polar_oat_secretPOLARvalue", organization);
    providers
        .paddle
        .add_key("pdl_live_apikey_secretPADDLEvalue", Account::default());
    let secrets = [
        (
            "stripe",
            json!({"stripeRak": STRIPE_KEY}),
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
        // Where DataFast's answer has a currency (Stripe, Lemon Squeezy): the provider
        // account's, else the website's.
        let currency = match *provider {
            "stripe" => json!("EUR"),
            "lemonsqueezy" => json!("GBP"),
            _ => Value::Null,
        };
        assert_eq!(reply["data"][0]["currency"], currency, "{provider}");
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

#[tokio::test]
async fn a_credential_the_provider_refuses_is_400_with_its_reason_and_nothing_is_saved() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let cases = [
        (
            "stripe",
            json!({"stripeRak": STRIPE_KEY}),
            "Invalid API Key provided",
        ),
        (
            "lemonsqueezy",
            json!({"lemonsqueezyApiKey": "eyJunknown", "lemonsqueezyStoreId": "12345"}),
            "Unauthenticated",
        ),
        (
            "polar",
            json!({"polarAccessToken": "polar_oat_unknown", "polarOrgId": "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60"}),
            "expired, revoked",
        ),
        (
            "paddle",
            json!({"paddleApiKey": "pdl_live_apikey_unknownvalue0"}),
            "Invalid or revoked API key",
        ),
    ];
    for (provider, body, reason) in cases {
        let (status, reply) = app.post(&format!("{base}/{provider}"), body).await;
        assert_error(status, &reply, 400);
        let message = reply["error"]["message"].as_str().unwrap();
        assert!(message.contains(reason), "{provider}: {message}");
        assert!(message.contains("was refused by"), "{provider}: {message}");
    }
    let status = connected(&app, &base).await;
    for provider in ["stripe", "lemonsqueezy", "polar", "paddle"] {
        assert_eq!(
            status["data"][0][provider]["connected"], false,
            "{provider}"
        );
    }
}

#[tokio::test]
async fn a_revoked_key_cannot_connect_again() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let stripe = format!("/api/v1/admin/websites/{website}/integrations/stripe");
    app.providers
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    assert_eq!(
        app.post(&stripe, json!({"stripeRak": STRIPE_KEY})).await.0,
        200
    );
    app.providers.stripe.revoke(STRIPE_KEY);
    let (status, reply) = app.post(&stripe, json!({"stripeRak": STRIPE_KEY})).await;
    assert_error(status, &reply, 400);
}

#[tokio::test]
async fn an_unreachable_or_failing_provider_is_502_and_nothing_is_saved() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    app.providers
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    app.providers.stripe.fail_next(1);
    let (status, reply) = app
        .post(&format!("{base}/stripe"), json!({"stripeRak": STRIPE_KEY}))
        .await;
    assert_error(status, &reply, 502);
    app.providers.stripe.throttle_next(1);
    let (status, reply) = app
        .post(&format!("{base}/stripe"), json!({"stripeRak": STRIPE_KEY}))
        .await;
    assert_error(status, &reply, 502);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("rate limiting")
    );
    assert_eq!(
        connected(&app, &base).await["data"][0]["stripe"]["connected"],
        false
    );

    // A provider nothing answers for: a loopback port bound, then let go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let app =
        spawn_app_with(|config| config.paddle_api_base = Some(format!("http://{address}"))).await;
    let website = app.create_website("example.com").await;
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let body = json!({"paddleApiKey": "pdl_live_apikey_secretPADDLEvalue"});
    let (status, reply) = app.post(&format!("{base}/paddle"), body).await;
    assert_error(status, &reply, 502);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Paddle could not be reached")
    );
    assert_eq!(
        connected(&app, &base).await["data"][0]["paddle"]["connected"],
        false
    );
}

#[tokio::test]
async fn test_mode_keys_connect_only_where_the_config_allows_them() {
    let test_key = "rk_test_51HsecretSTRIPEvalue";
    let lemon_test_key = "eyJsecretLEMONtest";
    let lemon_test = Account {
        test_mode: true,
        ..Account::named("Test shop", "USD").seeing("777")
    };
    let lemon_body = json!({"lemonsqueezyApiKey": lemon_test_key, "lemonsqueezyStoreId": "777"});
    for allowed in [false, true] {
        let app = spawn_app_with(|config| config.allow_test_keys = allowed).await;
        app.providers
            .stripe
            .add_key(test_key, Account::named("Test", "usd"));
        app.providers
            .lemonsqueezy
            .add_key(lemon_test_key, lemon_test.clone());
        let website = app.create_website("example.com").await;
        let base = format!("/api/v1/admin/websites/{website}/integrations");
        let stripe = app
            .post(&format!("{base}/stripe"), json!({"stripeRak": test_key}))
            .await;
        let lemon = app
            .post(&format!("{base}/lemonsqueezy"), lemon_body.clone())
            .await;
        for (status, reply) in [stripe, lemon] {
            if allowed {
                assert_eq!(status, 200, "{reply}");
            } else {
                assert_error(status, &reply, 400);
                let message = reply["error"]["message"].as_str().unwrap();
                assert!(message.contains("test-mode key"), "{message}");
            }
        }
        // A Stripe test key is known from its form: refused before the provider is asked.
        let asked = app.providers.stripe.requests().len();
        assert_eq!(asked > 0, allowed, "stripe was asked: {asked}");
    }
}
