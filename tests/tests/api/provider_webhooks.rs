//! Payments that arrive between import passes, over the real server: a provider's webhook
//! delivery, signed by the provider's scheme with the secret the owner set, and a tracker
//! `payment` event naming a Stripe Checkout Session. Each is looked up at the provider's fake
//! and recorded once, attributed; a forged delivery changes nothing.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use datafast_domain::id::WebsiteId;
use datafast_domain::integration::Provider;
use datafast_ports::store::PaymentStore;
use datafast_provider_fakes::webhooks::{SignedDelivery, signed};
use datafast_provider_fakes::{Account, FakePayment};

use crate::helpers::{TestApp, assert_error, spawn_app};
use crate::revenue_import::{
    BOB, CHROME_MAC, STRIPE_KEY, connect_all, half_an_hour_ago, stock_the_providers, sync,
    visited_website,
};

const STRIPE_SECRET: &str = "whsec_testSigningSecret0123456789";

/// Each provider's signing secret, and a delivery about the payment the fakes hold for it
/// (see `stock_the_providers`), by the event each provider sends when a payment is made.
fn deliveries() -> [(Provider, &'static str, &'static str, &'static str); 4] {
    [
        (
            Provider::Stripe,
            STRIPE_SECRET,
            "charge.succeeded",
            "ch_ann",
        ),
        (
            Provider::LemonSqueezy,
            "lemon-signing-secret",
            "order_created",
            "9001",
        ),
        (
            Provider::Polar,
            "polar_whs_signingSecret0123456789",
            "order.paid",
            "7d1c8a52-63b4-4c1e-9d57-2f1e9b0c3a11",
        ),
        (
            Provider::Paddle,
            "pdl_ntfset_01hv8signingsecret0123",
            "transaction.completed",
            "txn_01hv8x2k3m4n5p6q7r8s9t0vwx",
        ),
    ]
}

#[allow(clippy::disallowed_methods)] // the test harness is the edge where real time enters
fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

/// Posts `delivery` to the provider's webhook URL for `website`, headers as the provider
/// writes them.
async fn deliver(
    app: &TestApp,
    provider: Provider,
    website: &str,
    delivery: &SignedDelivery,
) -> (u16, Value) {
    let url = format!("{}/api/webhooks/{}/{website}", app.address, provider.slug());
    let mut request = reqwest::Client::new().post(url).body(delivery.body.clone());
    for (name, value) in &delivery.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn set_secret(
    app: &TestApp,
    website: &str,
    provider: Provider,
    secret: &str,
) -> (u16, Value) {
    let path = format!(
        "/api/v1/admin/websites/{website}/integrations/{}/webhook",
        provider.slug()
    );
    app.put(&path, json!({"signingSecret": secret})).await
}

async fn payment_count(app: &TestApp, website: &str) -> usize {
    let id = WebsiteId::parse(website).unwrap();
    app.store().payments(id).await.unwrap().len()
}

async fn revenue(app: &TestApp, key: &str) -> Value {
    let overview = app
        .send(Method::GET, key, "/api/v1/analytics/overview", None)
        .await
        .1;
    overview["data"][0]["revenue"].clone()
}

#[tokio::test]
async fn signed_deliveries_record_each_providers_payment_and_forged_ones_change_nothing() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[]).await;
    stock_the_providers(&app);
    connect_all(&app, &website).await;
    let at = now();

    for (provider, secret, event, id) in deliveries() {
        let delivery = signed(provider, secret, event, id, at);
        // No secret set yet: nothing here listens.
        let (status, reply) = deliver(&app, provider, &website, &delivery).await;
        assert_error(status, &reply, 404);

        let (status, reply) = set_secret(&app, &website, provider, secret).await;
        assert_eq!(status, 200, "{provider}: {reply}");
        let url = reply["data"][0]["webhookUrl"].as_str().unwrap();
        assert!(
            url.ends_with(&format!("/api/webhooks/{}/{website}", provider.slug())),
            "{url}"
        );

        let forged = signed(provider, "a-different-secret-altogether", event, id, at);
        let (status, reply) = deliver(&app, provider, &website, &forged).await;
        assert_error(status, &reply, 400);
        let unsigned = SignedDelivery {
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            body: delivery.body.clone(),
        };
        let (status, reply) = deliver(&app, provider, &website, &unsigned).await;
        assert_error(status, &reply, 400);
    }
    assert_eq!(
        payment_count(&app, &website).await,
        0,
        "refused deliveries stored nothing"
    );

    for (provider, secret, event, id) in deliveries() {
        let delivery = signed(provider, secret, event, id, at);
        let (status, reply) = deliver(&app, provider, &website, &delivery).await;
        assert_eq!(status, 200, "{provider}: {reply}");
        assert_eq!(
            reply["data"][0]["payment"], "recorded",
            "{provider}: {reply}"
        );
        // The provider sends a delivery again when it is unsure it arrived: it counts once.
        let (_, again) = deliver(&app, provider, &website, &delivery).await;
        assert_eq!(
            again["data"][0]["payment"], "unchanged",
            "{provider}: {again}"
        );
    }
    assert_eq!(revenue(&app, &key).await, 94.0);

    // The import finds the same four payments already recorded.
    sync(&app, &website).await;
    assert_eq!(payment_count(&app, &website).await, 4);
    assert_eq!(revenue(&app, &key).await, 94.0);
    let (_, status) = app
        .get(&format!("/api/v1/admin/websites/{website}/integrations"))
        .await;
    for provider in ["stripe", "lemonsqueezy", "polar", "paddle"] {
        let row = &status["data"][0][provider];
        assert_eq!(row["webhookConfigured"], true, "{provider}: {row}");
        assert_eq!(row["importedPayments"], 1, "{provider}: {row}");
    }
}

#[tokio::test]
async fn a_refund_delivered_by_webhook_takes_the_payment_out_of_revenue() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[]).await;
    stock_the_providers(&app);
    connect_all(&app, &website).await;
    assert_eq!(
        set_secret(&app, &website, Provider::Stripe, STRIPE_SECRET)
            .await
            .0,
        200
    );
    let paid = signed(
        Provider::Stripe,
        STRIPE_SECRET,
        "charge.succeeded",
        "ch_ann",
        now(),
    );
    assert_eq!(
        deliver(&app, Provider::Stripe, &website, &paid).await.0,
        200
    );
    assert_eq!(revenue(&app, &key).await, 49.0);

    assert!(
        app.providers
            .stripe
            .refund("pi_ann", 4_900, half_an_hour_ago() + 60)
    );
    let refunded = signed(
        Provider::Stripe,
        STRIPE_SECRET,
        "charge.refunded",
        "ch_ann",
        now(),
    );
    let (status, reply) = deliver(&app, Provider::Stripe, &website, &refunded).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["data"][0]["payment"], "updated", "{reply}");
    assert_eq!(revenue(&app, &key).await, 0.0);
}

#[tokio::test]
async fn webhook_secrets_are_checked_and_kept_out_of_every_answer() {
    let app = spawn_app().await;
    let (website, _) = visited_website(&app, &[]).await;
    // Not connected yet: there is no webhook to set up.
    let (status, reply) = set_secret(&app, &website, Provider::Stripe, STRIPE_SECRET).await;
    assert_error(status, &reply, 404);
    stock_the_providers(&app);
    connect_all(&app, &website).await;
    for (provider, secret) in [
        (Provider::Stripe, "pdl_ntfset_notStripes0123"),
        (Provider::Paddle, "whsec_notPaddles0123456"),
        (Provider::Polar, "has a space in it"),
        (Provider::LemonSqueezy, "short"),
    ] {
        let (status, reply) = set_secret(&app, &website, provider, secret).await;
        assert_error(status, &reply, 400);
    }
    let path = format!("/api/v1/admin/websites/{website}/integrations/shopify/webhook");
    let (status, reply) = app
        .put(&path, json!({"signingSecret": STRIPE_SECRET}))
        .await;
    assert_error(status, &reply, 404);

    assert_eq!(
        set_secret(&app, &website, Provider::Stripe, STRIPE_SECRET)
            .await
            .0,
        200
    );
    let (_, status) = app
        .get(&format!("/api/v1/admin/websites/{website}/integrations"))
        .await;
    assert!(
        !status.to_string().contains("testSigningSecret"),
        "{status}"
    );
    assert!(
        !String::from_utf8_lossy(&app.database_bytes()).contains("testSigningSecret"),
        "the secret is sealed at rest"
    );

    // Removed: deliveries are refused again.
    let path = format!("/api/v1/admin/websites/{website}/integrations/stripe/webhook");
    assert_eq!(app.delete(&path).await.0, 200);
    let paid = signed(
        Provider::Stripe,
        STRIPE_SECRET,
        "charge.succeeded",
        "ch_ann",
        now(),
    );
    let (status, reply) = deliver(&app, Provider::Stripe, &website, &paid).await;
    assert_error(status, &reply, 404);
}

/// Waits until the website holds `count` payments, or fails after a few seconds.
async fn until_payments(app: &TestApp, website: &str, count: usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while payment_count(app, website).await != count {
        assert!(Instant::now() < deadline, "never {count} payments");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn tracker_payment(app: &TestApp, tracking: &str, visitor: &str, session: &str) {
    let event = json!({
        "websiteId": tracking, "domain": "example.com", "visitorId": visitor,
        "sessionId": format!("s{visitor}"), "href": "https://example.com/thanks",
        "type": "payment", "extraData": {"stripe_session_id": session},
    });
    assert_eq!(app.send_event(&event, CHROME_MAC).await, 200);
}

#[tokio::test]
async fn a_tracker_payment_naming_a_checkout_session_becomes_that_visitors_real_payment() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[]).await;
    let (_, site) = app.get(&format!("/api/v1/admin/websites/{website}")).await;
    let tracking = site["data"][0]["trackingId"].as_str().unwrap().to_owned();
    // A checkout whose metadata names no visitor: only the tracker's event can attribute it.
    let fakes = &app.providers;
    fakes
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    fakes
        .stripe
        .add_payments([FakePayment::new("pi_bob", 2_900, "eur", half_an_hour_ago())]);

    // Not connected: the event is a visit's record of a checkout, and nothing is asked.
    tracker_payment(&app, &tracking, BOB, "cs_live_bob").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(payment_count(&app, &website).await, 0);
    assert_eq!(fakes.stripe.request_count(), 0);

    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let (status, reply) = app
        .post(&format!("{base}/stripe"), json!({"stripeRak": STRIPE_KEY}))
        .await;
    assert_eq!(status, 200, "{reply}");
    // An unknown session and one not paid yet record nothing.
    tracker_payment(&app, &tracking, BOB, "cs_live_nobody").await;
    tracker_payment(&app, &tracking, BOB, "cs_live_open_bob").await;
    tracker_payment(&app, &tracking, BOB, "cs_live_bob").await;
    until_payments(&app, &website, 1).await;

    let id = WebsiteId::parse(&website).unwrap();
    let stored = app.store().payments(id).await.unwrap();
    assert_eq!(stored[0].transaction_id, "pi_bob");
    assert_eq!(stored[0].amount_minor, 2_900);
    assert_eq!(stored[0].currency.as_str(), "EUR");
    assert_eq!(stored[0].visitor_id.as_deref(), Some(BOB));
    // Bob came from X: the revenue is X's.
    let referrers = app
        .send(Method::GET, &key, "/api/v1/analytics/referrers", None)
        .await
        .1;
    let x = referrers["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["referrer"] == "X")
        .cloned()
        .unwrap_or_default();
    assert_eq!(x["revenue"], 29.0, "{referrers}");

    // The thank-you page reloaded: the session is not looked up again.
    let asked = fakes.stripe.request_count();
    tracker_payment(&app, &tracking, BOB, "cs_live_bob").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(fakes.stripe.request_count(), asked);
    // And the import's pass finds it recorded.
    sync(&app, &website).await;
    assert_eq!(payment_count(&app, &website).await, 1);
}
