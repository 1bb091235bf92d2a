//! The ingestion settings through the real server on port 0 over a SQLite file: alert emails
//! to a real SMTP server on loopback, failed deliveries after retries, webhooks to a real local
//! listener, the owner's notice when a payment provider refuses the key, locations from a
//! generated MMDB file behind a trusted proxy, excluded countries, and the second events path.
// A failed setup step should abort the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use datafast_geo::testing::{MmdbValue, MmdbWriter};
use datafast_ports::store::{AlertStore, EventStore, StoredEvent};
use datafast_provider_fakes::{Account, FakeProviders};
use datafast_server::config::SmtpTls;
use datafast_server::{Application, Config};
use datafast_sqlite::SqliteStore;
use mailin_embedded::{Handler, Response, Server, response};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const OWNER: &str = "owner@example.com";

struct TestServer {
    base: String,
    token: String,
    database: PathBuf,
    client: reqwest::Client,
    _folder: TempDir,
}

async fn start(adjust: impl FnOnce(&mut Config, &TempDir)) -> TestServer {
    let folder = TempDir::new().unwrap();
    let database = folder.path().join("datafast.db");
    let mut config = Config {
        bind: "127.0.0.1:0".to_owned(),
        database: database.clone(),
        owner_email: OWNER.to_owned(),
        rate_limit_per_minute: 0,
        workers: 1,
        log: "error".to_owned(),
        alert_retry_attempts: 3,
        alert_retry_base_ms: 20,
        ..Config::default()
    };
    adjust(&mut config, &folder);
    let mut application = Application::build(config).await.expect("server starts");
    let token = application
        .take_first_start()
        .expect("fresh database")
        .token;
    let base = format!("http://{}", application.address());
    tokio::spawn(application.run_until_stopped());
    TestServer {
        base,
        token,
        database,
        client: reqwest::Client::new(),
        _folder: folder,
    }
}

impl TestServer {
    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let (status, body) = self.try_admin(method, path, body).await;
        assert!((200..300).contains(&status), "{path}: {status} {body}");
        body
    }

    /// The status and body of an Admin API call, whatever they are.
    async fn try_admin(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1/admin{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    /// A website on example.com: its id and tracking id.
    async fn website(&self) -> (String, String) {
        let body = self
            .admin(
                reqwest::Method::POST,
                "/websites",
                Some(json!({"domain": "example.com"})),
            )
            .await;
        let data = &body["data"][0];
        (
            data["websiteId"].as_str().unwrap().to_owned(),
            data["trackingId"].as_str().unwrap().to_owned(),
        )
    }

    async fn alert(&self, website: &str, goal: &str, webhook: Option<&str>) {
        let mut body = json!({
            "name": "Signups",
            "trigger": {"goalName": goal},
            "template": {"subject": "New signup on the shop", "message": "A visitor just signed up."},
        });
        if let Some(url) = webhook {
            body["destination"] = json!({"webhookUrl": url});
        }
        self.admin(
            reqwest::Method::POST,
            &format!("/websites/{website}/alerts"),
            Some(body),
        )
        .await;
    }

    /// The alert history once it has at least one row (or after ten seconds).
    async fn history(&self, website: &str) -> Vec<Value> {
        for _ in 0..200 {
            let body = self
                .admin(
                    reqwest::Method::GET,
                    &format!("/websites/{website}/alerts/history"),
                    None,
                )
                .await;
            let rows = body["data"].as_array().cloned().unwrap_or_default();
            if !rows.is_empty() {
                return rows;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Vec::new()
    }

    async fn post_event(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> u16 {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .header("user-agent", BROWSER)
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap().status().as_u16()
    }

    async fn stored_events(&self) -> Vec<StoredEvent> {
        SqliteStore::open(&self.database)
            .unwrap()
            .events_after(0, 100)
            .await
            .unwrap()
    }
}

fn custom_event(tracking_id: &str, goal: &str) -> Value {
    json!({
        "websiteId": tracking_id,
        "domain": "example.com",
        "visitorId": "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
        "sessionId": "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
        "href": "https://example.com/pricing",
        "referrer": null,
        "type": "custom",
        "viewport": {"width": 1280, "height": 800},
        "extraData": {"eventName": goal}
    })
}

fn pageview(tracking_id: &str) -> Value {
    json!({
        "websiteId": tracking_id,
        "domain": "example.com",
        "visitorId": "5f0a7c1e-1a2b-4c3d-8e9f-001122334455",
        "sessionId": "s5f0a7c1e-1a2b-4c3d-8e9f-001122334455",
        "href": "https://example.com/",
        "referrer": null,
        "type": "pageview",
        "viewport": {"width": 1280, "height": 800}
    })
}

// ---------------------------------------------------------------- SMTP

#[derive(Debug, Clone, Default)]
struct Mail {
    to: Vec<String>,
    data: String,
}

#[derive(Clone, Default)]
struct Inbox {
    current: Mail,
    received: Arc<Mutex<Vec<Mail>>>,
}

impl Handler for Inbox {
    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Mail {
            to: to.to_vec(),
            data: String::new(),
        };
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.data.push_str(&String::from_utf8_lossy(buf));
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail = std::mem::take(&mut self.current);
        self.received.lock().unwrap().push(mail);
        response::OK
    }
}

/// A real SMTP server on a free loopback port, running until the test process exits.
fn start_smtp() -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = StdListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Inbox::default();
    let received = inbox.received.clone();
    let mut server = Server::new(inbox);
    server.with_name("test.local").with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    (port, received)
}

fn use_smtp(config: &mut Config, port: u16) {
    config.smtp_host = Some("127.0.0.1".into());
    config.smtp_port = port;
    config.smtp_from = Some("Analytics <alerts@example.com>".into());
    config.smtp_tls = SmtpTls::None;
}

#[tokio::test]
async fn a_matching_goal_sends_the_alert_email_and_records_it_as_sent() {
    let (port, received) = start_smtp();
    let server = start(|config, _| use_smtp(config, port)).await;
    let (website, tracking) = server.website().await;
    server.alert(&website, "signup", None).await;

    // A goal without an alert sends nothing.
    assert_eq!(
        server
            .post_event("/api/events", &custom_event(&tracking, "other_goal"), &[])
            .await,
        200
    );
    assert_eq!(
        server
            .post_event("/api/events", &custom_event(&tracking, "signup"), &[])
            .await,
        200
    );

    let rows = server.history(&website).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "sent", "{rows:?}");
    assert_eq!(rows[0]["goalName"], "signup");
    assert_eq!(rows[0]["visitorId"], "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c");
    assert!(rows[0]["error"].is_null());

    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, vec![OWNER.to_owned()]);
    let data = &mails[0].data;
    assert!(data.contains("Subject: New signup on the shop"), "{data}");
    assert!(data.contains("A visitor just signed up."), "{data}");
    assert!(data.contains("example.com"), "{data}");
}

#[tokio::test]
async fn an_alert_created_after_its_goal_was_seen_without_one_still_fires() {
    let (port, received) = start_smtp();
    let server = start(|config, _| use_smtp(config, port)).await;
    let (website, tracking) = server.website().await;
    server.alert(&website, "ping", None).await;
    // `signup` has no alert yet: the worker learns that and stops looking it up. `ping` is
    // queued after it, so once ping's history row exists, signup has been looked at.
    for goal in ["signup", "ping"] {
        let event = custom_event(&tracking, goal);
        assert_eq!(server.post_event("/api/events", &event, &[]).await, 200);
    }
    assert_eq!(server.history(&website).await.len(), 1);

    server.alert(&website, "signup", None).await;
    let event = custom_event(&tracking, "signup");
    assert_eq!(server.post_event("/api/events", &event, &[]).await, 200);
    let mut rows = Vec::new();
    for _ in 0..200 {
        rows = server.history(&website).await;
        if rows.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let goals: Vec<&str> = rows.iter().filter_map(|r| r["goalName"].as_str()).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(goals.contains(&"signup"), "{rows:?}");
    assert_eq!(received.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_failing_webhook_is_retried_without_sending_the_email_again() {
    let (smtp_port, received) = start_smtp();
    let server = start(|config, _| {
        use_smtp(config, smtp_port);
        allow_loopback_webhooks(config);
    })
    .await;
    let refused = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let (website, tracking) = server.website().await;
    server
        .alert(&website, "signup", Some(&format!("http://{refused}/hook")))
        .await;
    let event = custom_event(&tracking, "signup");
    assert_eq!(server.post_event("/api/events", &event, &[]).await, 200);

    let rows = server.history(&website).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "failed", "{rows:?}");
    let error = rows[0]["error"].as_str().unwrap();
    assert!(error.starts_with("webhook: "), "{error}");
    assert_eq!(
        received.lock().unwrap().len(),
        1,
        "the email went out once although the webhook was tried three times"
    );
}

#[tokio::test]
async fn an_unreachable_smtp_server_is_recorded_as_failed_after_the_retries() {
    // Bind then drop: nobody listens on this port.
    let port = StdListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = start(|config, _| {
        use_smtp(config, port);
        config.smtp_username = Some("alerts".into());
        config.smtp_password = Some(datafast_server::config::Secret::new("hunter2-secret"));
    })
    .await;
    let (website, tracking) = server.website().await;
    server.alert(&website, "signup", None).await;
    let started = std::time::Instant::now();
    assert_eq!(
        server
            .post_event("/api/events", &custom_event(&tracking, "signup"), &[])
            .await,
        200
    );
    // Delivery never holds up ingestion, even while it fails and retries.
    assert!(started.elapsed() < Duration::from_secs(2));

    let rows = server.history(&website).await;
    assert_eq!(
        rows.len(),
        1,
        "one row per delivery, not per attempt: {rows:?}"
    );
    assert_eq!(rows[0]["status"], "failed");
    let error = rows[0]["error"].as_str().unwrap();
    assert!(error.contains("could not reach"), "{error}");
    assert!(!error.contains("hunter2"), "{error}");
    assert_eq!(rows[0]["visitorId"], "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c");
}

// ---------------------------------------------------------------- webhook

/// The test listeners are on loopback, which webhooks reach only when the operator allows it.
fn allow_loopback_webhooks(config: &mut Config) {
    config.webhook_allowed_networks = vec!["127.0.0.1".into()];
}

/// Serves one HTTP request with 200, handing back the raw request.
async fn one_shot_http() -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/alert", listener.local_addr().unwrap());
    let handle = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&raw);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse::<usize>().ok())?
                    })
                    .unwrap_or(0);
                if raw.len() >= end + 4 + length {
                    break;
                }
            }
        }
        let reply = "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";
        socket.write_all(reply.as_bytes()).await.unwrap();
        String::from_utf8(raw).unwrap()
    });
    (url, handle)
}

#[tokio::test]
async fn a_webhook_alert_reaches_a_local_listener_without_smtp() {
    let server = start(|config, _| allow_loopback_webhooks(config)).await;
    let (url, request) = one_shot_http().await;
    let (website, tracking) = server.website().await;
    server.alert(&website, "signup", Some(&url)).await;
    assert_eq!(
        server
            .post_event("/api/events", &custom_event(&tracking, "signup"), &[])
            .await,
        200
    );
    let raw = tokio::time::timeout(Duration::from_secs(10), request)
        .await
        .expect("the webhook was called")
        .unwrap();
    assert!(raw.starts_with("POST /hooks/alert"), "{raw}");
    let (_, body) = raw.split_once("\r\n\r\n").unwrap();
    let payload: Value = serde_json::from_str(body).unwrap();
    assert!(payload.to_string().contains("signup"), "{payload}");
    let rows = server.history(&website).await;
    assert_eq!(rows[0]["status"], "sent", "{rows:?}");
}

/// Stripe refusing the website's key tells the owner once, by email and on the website's
/// alert webhooks, however many passes then find the connection halted.
#[tokio::test]
async fn a_refused_provider_key_tells_the_owner_once_by_email_and_webhook() {
    let (port, received) = start_smtp();
    let fakes = FakeProviders::start().await.unwrap();
    let key = "rk_live_51HnoticeKey000000000";
    fakes.stripe.add_key(key, Account::named("Acme", "usd"));
    let stripe = fakes.stripe.base_url().to_owned();
    let server = start(|config, _| {
        use_smtp(config, port);
        allow_loopback_webhooks(config);
        config.stripe_api_base = Some(stripe);
    })
    .await;
    let (url, request) = one_shot_http().await;
    let (website, _) = server.website().await;
    server.alert(&website, "signup", Some(&url)).await;
    let integrations = format!("/websites/{website}/integrations");
    let connect = json!({"stripeRak": key});
    server
        .admin(
            reqwest::Method::POST,
            &format!("{integrations}/stripe"),
            Some(connect),
        )
        .await;

    fakes.stripe.revoke(key);
    for _ in 0..3 {
        server
            .admin(reqwest::Method::POST, &format!("{integrations}/sync"), None)
            .await;
    }

    let raw = tokio::time::timeout(Duration::from_secs(10), request)
        .await
        .expect("the alert webhook was called")
        .unwrap();
    let (_, body) = raw.split_once("\r\n\r\n").unwrap();
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["alertName"], "Stripe key refused", "{payload}");
    assert_eq!(payload["goalName"], "integration_error", "{payload}");
    assert!(!body.contains(key), "{body}");
    wait_for_mail(&received).await;
    // Let any second notice arrive before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mails = received.lock().unwrap().clone();
    let notices: Vec<&Mail> = mails
        .iter()
        .filter(|m| m.data.contains("Subject: Stripe refused"))
        .collect();
    assert_eq!(notices.len(), 1, "one notice, not one per pass: {mails:?}");
    assert_eq!(notices[0].to, vec![OWNER.to_owned()]);
    // The body is quoted-printable: its soft line breaks go first.
    let text = notices[0].data.replace("=\r\n", "");
    assert!(
        text.contains("datafast integrations connect stripe"),
        "{text}"
    );
    assert!(!text.contains(key), "{text}");
    // The goal alerts' history lists goal alerts only.
    let (_, history) = server
        .try_admin(
            reqwest::Method::GET,
            &format!("/websites/{website}/alerts/history"),
            None,
        )
        .await;
    assert_eq!(history["data"], json!([]), "{history}");
}

/// Waits until at least one mail arrived (or ten seconds passed).
async fn wait_for_mail(received: &Arc<Mutex<Vec<Mail>>>) {
    for _ in 0..200 {
        if !received.lock().unwrap().is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A listener on loopback that counts the connections it accepts and answers none.
async fn counting_listener() -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(socket);
        }
    });
    (address, accepted)
}

fn alert_body(webhook: &str) -> Value {
    json!({
        "name": "Signups",
        "trigger": {"goalName": "signup"},
        "template": {"message": "A visitor just signed up."},
        "destination": {"webhookUrl": webhook},
    })
}

#[tokio::test]
async fn internal_webhook_addresses_are_refused_when_an_alert_is_saved() {
    let server = start(|_, _| {}).await;
    let (website, _) = server.website().await;
    let alerts = format!("/websites/{website}/alerts");
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://[::1]/hook",
        "http://localhost:9000/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:10.0.0.1]/hook",
        "http://192.168.1.1/hook",
    ] {
        let (status, body) = server
            .try_admin(reqwest::Method::POST, &alerts, Some(alert_body(url)))
            .await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["status"], "error", "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("webhookUrl"), "{message}");
    }
    let listed = server.admin(reqwest::Method::GET, &alerts, None).await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 0, "{listed}");

    // Changing a saved alert's webhook to an internal address is refused the same way.
    let created = server
        .admin(
            reqwest::Method::POST,
            &alerts,
            Some(alert_body("https://hooks.example.com/x")),
        )
        .await;
    let id = created["data"][0]["id"].as_str().unwrap();
    let change = json!({"destination": {"webhookUrl": "http://127.0.0.1/x"}});
    let (status, body) = server
        .try_admin(
            reqwest::Method::PUT,
            &format!("{alerts}/{id}"),
            Some(change),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    let kept = server
        .admin(reqwest::Method::GET, &format!("{alerts}/{id}"), None)
        .await;
    assert_eq!(
        kept["data"][0]["destination"]["webhookUrl"],
        "https://hooks.example.com/x"
    );
}

#[tokio::test]
async fn a_stored_internal_webhook_is_refused_at_delivery_with_a_fixed_message() {
    // An alert saved while the allowlist admitted loopback, delivered after it no longer does.
    let server = start(|_, _| {}).await;
    let (listening, accepted) = counting_listener().await;
    let (website, tracking) = server.website().await;
    let now = jiff::Timestamp::from_second(1_767_225_600).unwrap();
    let alert = datafast_domain::alert::Alert {
        id: datafast_domain::id::AlertId::from_parts(1_767_225_600, [7; 8]),
        website_id: website.parse().unwrap(),
        name: "Signups".into(),
        goal_name: datafast_domain::goal::GoalName::parse("signup").unwrap(),
        subject: "New signup".into(),
        message: "A visitor just signed up.".into(),
        webhook_url: Some(format!("http://{listening}/hook")),
        is_enabled: true,
        created_at: now,
        updated_at: now,
    };
    SqliteStore::open(&server.database)
        .unwrap()
        .insert_alert(&alert, 25)
        .await
        .unwrap();
    let event = custom_event(&tracking, "signup");
    assert_eq!(server.post_event("/api/events", &event, &[]).await, 200);

    let rows = server.history(&website).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["status"], "failed", "{rows:?}");
    assert_eq!(
        rows[0]["error"],
        "webhook: invalid delivery: no allowed address for the webhook host"
    );
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 0);
}

// ---------------------------------------------------------------- location and proxies

fn write_city_database(folder: &TempDir) -> PathBuf {
    let mut writer = MmdbWriter::new("GeoLite2-City");
    writer
        .insert(
            "81.2.69.0".parse().unwrap(),
            24,
            &MmdbValue::city_record("GB", Some("England"), Some("London")),
        )
        .insert(
            "89.160.20.0".parse().unwrap(),
            24,
            &MmdbValue::city_record("SE", Some("Östergötland County"), Some("Linköping")),
        );
    let path = folder.path().join("city.mmdb");
    std::fs::write(&path, writer.build()).unwrap();
    path
}

#[tokio::test]
async fn forwarded_addresses_are_located_only_from_trusted_proxies() {
    let mmdb = TempDir::new().unwrap();
    let path = write_city_database(&mmdb);
    let trusting = start(|config, _| {
        config.geo_database = Some(path.clone());
        config.trusted_proxies = vec!["127.0.0.1".into()];
    })
    .await;
    let (_, tracking) = trusting.website().await;
    let forwarded = [("x-forwarded-for", "81.2.69.160, 10.0.0.1")];
    assert_eq!(
        trusting
            .post_event("/api/events", &pageview(&tracking), &forwarded)
            .await,
        200
    );
    let events = trusting.stored_events().await;
    assert_eq!(events.len(), 1);
    let context = &events[0].event.context;
    assert_eq!(context.country.as_deref(), Some("GB"));
    assert_eq!(context.region.as_deref(), Some("England"));
    assert_eq!(context.city.as_deref(), Some("London"));

    // The same header from a peer that is not a trusted proxy is ignored: the peer (loopback)
    // has no location.
    let untrusting = start(|config, _| config.geo_database = Some(path.clone())).await;
    let (_, tracking) = untrusting.website().await;
    assert_eq!(
        untrusting
            .post_event("/api/events", &pageview(&tracking), &forwarded)
            .await,
        200
    );
    let events = untrusting.stored_events().await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.context.country, None);
}

#[tokio::test]
async fn events_from_excluded_countries_answer_200_and_are_not_stored() {
    let server = start(|config, folder| {
        config.geo_database = Some(write_city_database(folder));
        config.trusted_proxies = vec!["127.0.0.0/8".into()];
    })
    .await;
    let (website, tracking) = server.website().await;
    server
        .admin(
            reqwest::Method::PUT,
            &format!("/websites/{website}"),
            Some(json!({"excludedCountries": ["se"]})),
        )
        .await;
    let from_sweden = [("x-real-ip", "89.160.20.112")];
    assert_eq!(
        server
            .post_event("/api/events", &pageview(&tracking), &from_sweden)
            .await,
        200
    );
    let from_britain = [("x-real-ip", "81.2.69.160")];
    assert_eq!(
        server
            .post_event("/api/events", &pageview(&tracking), &from_britain)
            .await,
        200
    );
    let events = server.stored_events().await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].event.context.country.as_deref(), Some("GB"));
}

#[tokio::test]
async fn a_missing_location_database_stops_the_start() {
    let folder = TempDir::new().unwrap();
    let config = Config {
        bind: "127.0.0.1:0".to_owned(),
        database: folder.path().join("datafast.db"),
        geo_database: Some(folder.path().join("absent.mmdb")),
        ..Config::default()
    };
    let error = Application::build(config).await.unwrap_err().to_string();
    assert!(error.contains("absent.mmdb"), "{error}");
    // Nothing was created before the refusal.
    assert!(!folder.path().join("datafast.db").exists());
}

// ---------------------------------------------------------------- second events path

#[tokio::test]
async fn the_extra_events_path_takes_events() {
    let server = start(|config, _| config.events_path = Some("/stats/e".into())).await;
    let (_, tracking) = server.website().await;
    assert_eq!(
        server
            .post_event("/stats/e", &pageview(&tracking), &[])
            .await,
        200
    );
    assert_eq!(
        server
            .post_event("/api/events", &custom_event(&tracking, "signup"), &[])
            .await,
        200
    );
    let events = server.stored_events().await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].event.path, "/");
    // Paths not configured stay unknown.
    assert_eq!(
        server
            .post_event("/other/e", &pageview(&tracking), &[])
            .await,
        404
    );
}

#[tokio::test]
async fn an_events_path_shadowing_a_built_in_route_is_refused() {
    let folder = TempDir::new().unwrap();
    let config = Config {
        bind: "127.0.0.1:0".to_owned(),
        database: folder.path().join("datafast.db"),
        events_path: Some("/api/v1/x".into()),
        ..Config::default()
    };
    let error = Application::build(config).await.unwrap_err().to_string();
    assert!(error.contains("events_path"), "{error}");
}

#[tokio::test]
async fn an_invitation_emails_its_link_when_smtp_is_configured() {
    let (port, received) = start_smtp();
    let server = start(|config, _| use_smtp(config, port)).await;
    let (website, _) = server.website().await;
    let body = server
        .admin(
            reqwest::Method::POST,
            &format!("/websites/{website}/team"),
            Some(json!({"email": "teammate@example.com", "role": "member"})),
        )
        .await;
    let row = &body["data"][0];
    assert_eq!(row["inviteEmailed"], true, "{row}");
    let link = row["inviteUrl"].as_str().unwrap();

    let mails = received.lock().unwrap().clone();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0].to, vec!["teammate@example.com".to_owned()]);
    let data = &mails[0].data;
    assert!(data.contains("Subject: Join example.com"), "{data}");
    assert!(data.contains("as member"), "{data}");
    // Long lines may be folded by the mail encoding; the code itself is intact.
    let code = link.rsplit_once("code=").unwrap().1;
    assert!(data.replace("=\r\n", "").contains(code), "{data}");
}

#[tokio::test]
async fn without_smtp_an_invitation_only_answers_its_link() {
    let server = start(|_, _| {}).await;
    let (website, _) = server.website().await;
    let body = server
        .admin(
            reqwest::Method::POST,
            &format!("/websites/{website}/team"),
            Some(json!({"email": "teammate@example.com"})),
        )
        .await;
    assert_eq!(body["data"][0]["inviteEmailed"], false, "{body}");
    assert!(
        body["data"][0]["inviteUrl"]
            .as_str()
            .unwrap()
            .contains("/join?code=")
    );
}
