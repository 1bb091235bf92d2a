//! What the access log writes: never a request path beyond the matched route pattern, per-request
//! lines for the authenticated APIs at `info`, and for ingestion only at `debug`, with a periodic
//! summary at `info` instead; and never a provider credential, whatever the provider answers.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::test::{self, TestRequest};
use serde_json::json;
use tracing::level_filters::LevelFilter;
use tracing::subscriber::DefaultGuard;

use datafast_domain::integration::Provider;
use datafast_ports::Clock;
use datafast_provider_fakes::{FakeProviders, webhooks};

use super::api::{
    call, create_website, get, providers_faked, services, token_for, unlimited, with_json,
};
use super::clock::FixedClock;
use crate::{AppState, HttpConfig, application, traffic};

/// Log output captured on this thread (the in-process app runs on the test's thread).
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn install(level: LevelFilter) -> (Self, DefaultGuard) {
        let capture = Self::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (capture, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[actix_web::test]
async fn paths_that_match_no_route_are_not_logged() {
    let (logs, _guard) = Capture::install(LevelFilter::DEBUG);
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    let secret = format!("dft_{}", "5eC7".repeat(16));

    for path in [
        format!("/{secret}"),
        format!("/js/{secret}"),
        format!("/api/{secret}"),
        format!("/api/v1/{secret}"),
        format!("/api/v1/admin/{secret}"),
        format!("/api/v1/admin/websites/x/{secret}/y"),
        format!("/api/events/{secret}"),
    ] {
        let reply = call(&app, get(&path, &owner)).await;
        assert_eq!(reply.status.as_u16(), 404, "{path}");
    }
    // A parameter of a matched route shows as its name only.
    call(
        &app,
        get(&format!("/api/v1/admin/websites/{secret}"), &owner),
    )
    .await;

    let text = logs.text();
    assert!(!text.contains("5eC7"), "a path reached the log:\n{text}");
    assert!(
        text.contains("/api/v1/admin/websites/{websiteId}"),
        "{text}"
    );
}

/// The SDK's pageview for the website with `tracking_id`.
fn pageview(tracking_id: &str) -> serde_json::Value {
    json!({
        "websiteId": tracking_id,
        "domain": "example.com",
        "visitorId": "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
        "sessionId": "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
        "href": "https://example.com/pricing",
        "referrer": null,
        "type": "pageview",
        "viewport": { "width": 1280, "height": 800 },
        "screenWidth": 1920,
        "screenHeight": 1080
    })
}

fn event(path: &str, body: &[u8]) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("Content-Type", "application/json"))
        .insert_header((
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0",
        ))
        .set_payload(body.to_vec())
}

#[actix_web::test]
async fn ingestion_is_summarised_at_info_instead_of_logged_per_request() {
    let (logs, _guard) = Capture::install(LevelFilter::INFO);
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let config = HttpConfig {
        extra_events_path: Some("/stats/e".to_owned()),
        ..unlimited()
    };
    let state = AppState::new(services, &config);
    let hook = state.traffic.clone();
    let app = test::init_service(application(state)).await;
    let created = create_website(&app, &owner).await;
    let tracking = created["trackingId"].as_str().unwrap().to_owned();

    let good = serde_json::to_vec(&pageview(&tracking)).unwrap();
    // The same shape as a real tracking id, held by no website.
    let nobody = format!("dfid_{}", "0".repeat(tracking.len() - "dfid_".len()));
    let unknown = serde_json::to_vec(&pageview(&nobody)).unwrap();
    for (path, body, status) in [
        ("/api/events", &good[..], 200),
        ("/api/events", &good[..], 200),
        ("/stats/e", &good[..], 200),
        ("/api/events", b"{not json", 400),
        ("/api/events", &unknown[..], 404),
    ] {
        let reply = call(&app, event(path, body)).await;
        assert_eq!(reply.status.as_u16(), status, "{path}: {}", reply.body);
    }
    call(&app, TestRequest::get().uri("/health")).await;

    let per_request = logs.text();
    assert!(!per_request.contains("/api/events"), "{per_request}");
    assert!(!per_request.contains("/stats/e"), "{per_request}");
    assert!(!per_request.contains("route=/health"), "{per_request}");
    // The Account API keeps its access log.
    assert!(
        per_request.contains("route=/api/v1/admin/websites"),
        "{per_request}"
    );

    // Tests on other threads install their own subscribers; a callsite first met there may
    // have cached "not interested", and the summary's counts are reset by the call that
    // would log them, so a lost line never comes back. Recompute interest with ours live.
    tracing::callsite::rebuild_interest_cache();
    traffic::spawn_summaries(&hook, Duration::from_millis(20));
    let summary = wait_for_line(&logs, "traffic summary").await;
    for expected in [
        "events_accepted=3",
        "400=1",
        "404=1",
        "other_requests=1",
        "events_per_second=",
    ] {
        assert!(summary.contains(expected), "{expected} in {summary}");
    }
    // Quiet intervals log nothing, and counts are not repeated.
    actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(logs.text().matches("traffic summary").count(), 1);
}

/// The first captured line containing `needle`, waiting for the summary task to write it.
async fn wait_for_line(logs: &Capture, needle: &str) -> String {
    for _ in 0..200 {
        if let Some(line) = logs.text().lines().find(|line| line.contains(needle)) {
            return line.to_owned();
        }
        actix_web::rt::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no '{needle}' line in:\n{}", logs.text());
}

#[actix_web::test]
async fn provider_credentials_never_reach_the_log_whatever_the_provider_answers() {
    let (logs, _guard) = Capture::install(LevelFilter::TRACE);
    let fakes = FakeProviders::start().await.unwrap();
    let services = services().with_payment_providers(providers_faked(&fakes).await);
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    let created = create_website(&app, &owner).await;
    let site = created["websiteId"].as_str().unwrap().to_owned();
    let stripe = format!("/api/v1/admin/websites/{site}/integrations/stripe");
    let connect = |key: &str| {
        with_json(
            TestRequest::post().uri(&stripe),
            &owner,
            json!({"stripeRak": key}),
        )
    };

    // Accepted, refused by the provider, and with the provider failing.
    let accepted = call(&app, connect("rk_live_51HsecretSTRIPEvalue")).await;
    assert_eq!(accepted.status.as_u16(), 200);
    let refused = call(&app, connect("rk_live_51HunknownSECRETkey")).await;
    assert_eq!(refused.status.as_u16(), 400);
    fakes.stripe.fail_next(1);
    let failed = call(&app, connect("rk_live_51HsecretSTRIPEvalue")).await;
    assert_eq!(failed.status.as_u16(), 502);

    // A webhook signing secret set, then deliveries signed with it and forged.
    let secret = "whsec_secretWEBHOOKvalue";
    let webhook = with_json(
        TestRequest::put().uri(&format!("{stripe}/webhook")),
        &owner,
        json!({"signingSecret": secret}),
    );
    assert_eq!(call(&app, webhook).await.status.as_u16(), 200);
    // Signed at the test clock's time, so the signature is fresh to the server.
    let now = FixedClock.now();
    let mut answers = Vec::new();
    for signed_with in [secret, "whsec_forgedSECRET"] {
        let delivery = webhooks::signed(
            Provider::Stripe,
            signed_with,
            "charge.succeeded",
            "ch_1",
            now,
        );
        let mut request = TestRequest::post()
            .uri(&format!("/api/webhooks/stripe/{site}"))
            .set_payload(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        answers.push(call(&app, request).await.status.as_u16());
    }
    assert_eq!(answers, [200, 400], "signed, then forged");

    let text = logs.text();
    assert!(
        text.contains("integrations/stripe"),
        "nothing was logged:\n{text}"
    );
    for secret in [
        "secretSTRIPEvalue",
        "unknownSECRET",
        "secretWEBHOOKvalue",
        "forgedSECRET",
    ] {
        assert!(
            !text.contains(secret),
            "a credential reached the log:\n{text}"
        );
    }
}
