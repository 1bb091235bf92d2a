//! Revenue import over the real server: the four providers connected through the Account API
//! against local fakes of their APIs, their payments imported with `POST .../integrations/sync`
//! and then read back through the Website API, attributed to each visitor's first-touch
//! source; and the same payment sent through the Payments API counted once.

use reqwest::Method;
use serde_json::{Value, json};

use datafast_domain::id::WebsiteId;
use datafast_ports::store::PaymentStore;
use datafast_provider_fakes::{Account, FakePayment};

use crate::helpers::TestApp;
use crate::helpers::{spawn_app, spawn_app_with};

pub(crate) const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
pub(crate) const ANN: &str = "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c";
pub(crate) const BOB: &str = "1d535b19-4787-4f4b-b8f1-5bd52acc9d7d";
pub(crate) const CAT: &str = "2e646c2a-5898-4a5c-99a2-6ce63bdda08e";
pub(crate) const STORE: &str = "12345";
pub(crate) const ORGANIZATION: &str = "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60";
pub(crate) const STRIPE_KEY: &str = "rk_live_51HrevenueKey00000000";
pub(crate) const LEMON_KEY: &str = "eyJrevenueLemonKey";
pub(crate) const POLAR_KEY: &str = "polar_oat_revenueKey000000";
pub(crate) const PADDLE_KEY: &str = "pdl_live_apikey_revenueKey0000000000";

/// A pageview by `visitor`, arriving from `referrer`.
pub(crate) async fn visit(app: &TestApp, tracking: &str, visitor: &str, referrer: Option<&str>) {
    let session = format!("s{visitor}");
    let event = json!({
        "websiteId": tracking, "domain": "example.com", "visitorId": visitor,
        "sessionId": session, "href": "https://example.com/", "referrer": referrer,
        "type": "pageview",
    });
    assert_eq!(app.send_event(&event, CHROME_MAC).await, 200);
}

/// A website with a `df_` key, visited by Ann from Google, Bob from X and each of `direct`
/// with no referrer; its id and key.
pub(crate) async fn visited_website(app: &TestApp, direct: &[&str]) -> (String, String) {
    let (_, created) = app
        .post(
            "/api/v1/admin/websites",
            json!({"domain": "example.com", "timezone": "UTC"}),
        )
        .await;
    let website = created["data"][0]["websiteId"].as_str().unwrap().to_owned();
    let tracking = created["data"][0]["trackingId"].as_str().unwrap();
    let key = app.create_api_key(&website).await;
    visit(app, tracking, ANN, Some("https://www.google.com/")).await;
    visit(app, tracking, BOB, Some("https://x.com/someone")).await;
    for visitor in direct {
        visit(app, tracking, visitor, None).await;
    }
    (website, key)
}

#[allow(clippy::disallowed_methods)] // the test harness is the edge where real time enters
pub(crate) fn half_an_hour_ago() -> i64 {
    jiff::Timestamp::now().as_second() - 1_800
}

/// Each fake knows its key and holds one payment: Stripe 49 USD by Ann (from Google), Polar
/// 20 USD by Bob (from X), Paddle 15 USD by Cat (direct), and Lemon Squeezy 10 USD, whose
/// orders carry no visitor.
pub(crate) fn stock_the_providers(app: &TestApp) {
    let fakes = &app.providers;
    let at = half_an_hour_ago();
    fakes
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    fakes
        .stripe
        .add_payments([FakePayment::new("pi_ann", 4_900, "usd", at).by_visitor(ANN)]);
    fakes.polar.add_key(
        POLAR_KEY,
        Account::named("Acme", "usd").seeing(ORGANIZATION),
    );
    fakes.polar.add_payments([FakePayment::new(
        "7d1c8a52-63b4-4c1e-9d57-2f1e9b0c3a11",
        2_000,
        "usd",
        at,
    )
    .by_visitor(BOB)]);
    fakes.paddle.add_key(PADDLE_KEY, Account::default());
    fakes.paddle.add_payments([FakePayment::new(
        "txn_01hv8x2k3m4n5p6q7r8s9t0vwx",
        1_500,
        "usd",
        at,
    )
    .by_visitor(CAT)]);
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme", "USD").seeing(STORE));
    fakes
        .lemonsqueezy
        .add_payments([FakePayment::new("9001", 1_000, "usd", at)]);
}

pub(crate) async fn connect_all(app: &TestApp, website: &str) {
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    for (provider, body) in [
        ("stripe", json!({"stripeRak": STRIPE_KEY})),
        (
            "lemonsqueezy",
            json!({"lemonsqueezyApiKey": LEMON_KEY, "lemonsqueezyStoreId": STORE}),
        ),
        (
            "polar",
            json!({"polarAccessToken": POLAR_KEY, "polarOrgId": ORGANIZATION}),
        ),
        ("paddle", json!({"paddleApiKey": PADDLE_KEY})),
    ] {
        let (status, reply) = app.post(&format!("{base}/{provider}"), body).await;
        assert_eq!(status, 200, "{provider}: {reply}");
    }
}

pub(crate) async fn sync(app: &TestApp, website: &str) -> Value {
    let path = format!("/api/v1/admin/websites/{website}/integrations/sync");
    let (status, reply) = app.post(&path, json!({})).await;
    assert_eq!(status, 200, "{reply}");
    reply["data"].clone()
}

fn imported_by(outcomes: &Value) -> Vec<(String, String, u64)> {
    let mut rows: Vec<_> = outcomes
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["provider"].as_str().unwrap().to_owned(),
                row["status"].as_str().unwrap().to_owned(),
                row["importedPayments"].as_u64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn synced(imported: u64) -> Vec<(String, String, u64)> {
    ["lemonsqueezy", "paddle", "polar", "stripe"]
        .map(|provider| (provider.to_owned(), "synced".to_owned(), imported))
        .to_vec()
}

#[tokio::test]
async fn every_providers_revenue_arrives_attributed_to_first_touch_and_counted_once() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[CAT]).await;
    stock_the_providers(&app);
    connect_all(&app, &website).await;

    assert_eq!(imported_by(&sync(&app, &website).await), synced(1));
    let overview = app
        .send(Method::GET, &key, "/api/v1/analytics/overview", None)
        .await
        .1;
    assert_eq!(overview["data"][0]["revenue"], 94.0, "{overview}");
    assert_eq!(overview["data"][0]["payments"], 4);

    let referrers = app
        .send(Method::GET, &key, "/api/v1/analytics/referrers", None)
        .await
        .1;
    let revenue_from = |name: &str| {
        referrers["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["referrer"] == name)
            .map(|row| row["revenue"].clone())
    };
    assert_eq!(revenue_from("Google"), Some(json!(49.0)), "{referrers}");
    assert_eq!(revenue_from("X"), Some(json!(20.0)), "{referrers}");
    assert_eq!(
        revenue_from("Direct/None"),
        Some(json!(15.0)),
        "{referrers}"
    );

    let series = app
        .send(
            Method::GET,
            &key,
            "/api/v1/analytics/timeseries?fields=revenue&interval=day",
            None,
        )
        .await
        .1;
    let total: f64 = series["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|bucket| bucket["revenue"].as_f64().unwrap_or(0.0))
        .sum();
    assert!((total - 94.0).abs() < 1e-9, "{series}");

    // The same Stripe payment through the Payments API, and the import again: still once.
    let (status, reply) = app
        .send(
            Method::POST,
            &key,
            "/api/v1/payments",
            Some(
                json!({"amount": 49, "currency": "USD", "transaction_id": "pi_ann",
                        "datafast_visitor_id": ANN}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        reply["message"]
            .as_str()
            .unwrap()
            .contains("already recorded"),
        "{reply}"
    );
    assert_eq!(imported_by(&sync(&app, &website).await), synced(0));
    let overview = app
        .send(Method::GET, &key, "/api/v1/analytics/overview", None)
        .await
        .1;
    assert_eq!(overview["data"][0]["revenue"], 94.0, "{overview}");

    let (_, status) = app
        .get(&format!("/api/v1/admin/websites/{website}/integrations"))
        .await;
    for provider in ["stripe", "lemonsqueezy", "polar", "paddle"] {
        let row = &status["data"][0][provider];
        assert_eq!(row["importedPayments"], 1, "{provider}: {row}");
        assert!(row["lastSyncAt"].is_string(), "{provider}: {row}");
        assert_eq!(row["lastError"], Value::Null, "{provider}: {row}");
    }
}

#[tokio::test]
async fn a_revoked_key_shows_in_the_status_and_disconnecting_keeps_the_revenue() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    stock_the_providers(&app);
    connect_all(&app, &website).await;
    sync(&app, &website).await;

    app.providers.stripe.revoke(STRIPE_KEY);
    app.providers.stripe.add_payments([FakePayment::new(
        "pi_later",
        700,
        "usd",
        half_an_hour_ago(),
    )]);
    let outcomes = sync(&app, &website).await;
    let stripe = outcomes
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["provider"] == "stripe")
        .unwrap();
    assert_eq!(stripe["status"], "halted", "{outcomes}");
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let (_, status) = app.get(&base).await;
    let row = &status["data"][0]["stripe"];
    assert_eq!(row["connected"], true, "the integration stays connected");
    assert!(
        row["lastError"]
            .as_str()
            .unwrap()
            .contains("Invalid API Key provided"),
        "{row}"
    );
    assert!(
        !status.to_string().contains("revenueKey"),
        "the error must not carry the key"
    );

    // Disconnecting stops the import; what was imported stays.
    assert_eq!(app.delete(&format!("{base}/stripe")).await.0, 200);
    let outcomes = sync(&app, &website).await;
    assert!(
        outcomes
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["provider"] != "stripe"),
        "{outcomes}"
    );
    let id = WebsiteId::parse(&website).unwrap();
    let payments = app.store().payments(id).await.unwrap();
    assert!(
        payments.iter().any(|p| p.transaction_id == "pi_ann"),
        "{payments:?}"
    );
}

#[tokio::test]
async fn a_payment_without_a_visitor_is_attributed_to_the_visitor_identified_with_its_email() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[]).await;
    let (status, reply) = app
        .send(
            Method::POST,
            &key,
            "/api/v1/identify",
            Some(json!({"datafast_visitor_id": ANN, "user_id": "user-ann",
                        "email": "Ann@Example.com"})),
        )
        .await;
    assert_eq!(status, 200, "{reply}");

    // Lemon Squeezy's lists carry no checkout custom data: only the email can attribute.
    let fakes = &app.providers;
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme", "USD").seeing(STORE));
    let by_ann = FakePayment {
        email: Some("ann@example.com".to_owned()),
        ..FakePayment::new("9101", 3_000, "usd", half_an_hour_ago())
    };
    let by_stranger = FakePayment {
        email: Some("someone@else.example".to_owned()),
        ..FakePayment::new("9102", 1_000, "usd", half_an_hour_ago())
    };
    fakes.lemonsqueezy.add_payments([by_ann, by_stranger]);
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let body = json!({"lemonsqueezyApiKey": LEMON_KEY, "lemonsqueezyStoreId": STORE});
    assert_eq!(app.post(&format!("{base}/lemonsqueezy"), body).await.0, 200);
    sync(&app, &website).await;

    let referrers = app
        .send(Method::GET, &key, "/api/v1/analytics/referrers", None)
        .await
        .1;
    let google = referrers["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["referrer"] == "Google")
        .unwrap();
    assert_eq!(google["revenue"], 30.0, "{referrers}");
    let overview = app
        .send(Method::GET, &key, "/api/v1/analytics/overview", None)
        .await
        .1;
    assert_eq!(overview["data"][0]["revenue"], 40.0, "{overview}");
}

#[tokio::test]
async fn the_server_imports_on_its_own_within_one_interval() {
    let app = spawn_app_with(|config| config.import_interval_secs = 1).await;
    let (website, key) = visited_website(&app, &[]).await;
    stock_the_providers(&app);
    connect_all(&app, &website).await;

    // No sync is asked for: the server's own loop imports within an interval or two.
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, status) = app.get(&base).await;
        let imported: u64 = ["stripe", "lemonsqueezy", "polar", "paddle"]
            .iter()
            .map(|p| status["data"][0][p]["importedPayments"].as_u64().unwrap())
            .sum();
        if imported == 4 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nothing imported on its own: {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let overview = app
        .send(Method::GET, &key, "/api/v1/analytics/overview", None)
        .await
        .1;
    assert_eq!(overview["data"][0]["revenue"], 94.0, "{overview}");
}

#[tokio::test]
async fn a_payment_without_a_visitor_is_attributed_to_the_visitor_whose_checkout_gave_its_email() {
    let app = spawn_app().await;
    let (website, key) = visited_website(&app, &[]).await;
    let (_, site) = app.get(&format!("/api/v1/admin/websites/{website}")).await;
    let tracking = site["data"][0]["trackingId"].as_str().unwrap().to_owned();
    // Bob (from X) reaches the thank-you page, whose tracker sends the buyer's email.
    let event = json!({
        "websiteId": tracking, "domain": "example.com", "visitorId": BOB,
        "sessionId": format!("s{BOB}"), "href": "https://example.com/thanks",
        "type": "payment", "extraData": {"email": " Bob@Example.com"},
    });
    assert_eq!(app.send_event(&event, CHROME_MAC).await, 200);

    let fakes = &app.providers;
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme", "USD").seeing(STORE));
    let by_bob = FakePayment {
        email: Some("bob@example.com".to_owned()),
        ..FakePayment::new("9201", 4_500, "usd", half_an_hour_ago())
    };
    fakes.lemonsqueezy.add_payments([by_bob]);
    let base = format!("/api/v1/admin/websites/{website}/integrations");
    let body = json!({"lemonsqueezyApiKey": LEMON_KEY, "lemonsqueezyStoreId": STORE});
    assert_eq!(app.post(&format!("{base}/lemonsqueezy"), body).await.0, 200);
    sync(&app, &website).await;

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
    assert_eq!(x["revenue"], 45.0, "{referrers}");
}
