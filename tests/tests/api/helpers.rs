//! The test harness: a real server on port 0 over a fresh SQLite file and key file, an owner
//! account with a full-access token, local fakes of the payment providers it is pointed at,
//! and small request helpers that return the status and the JSON body.

use std::path::PathBuf;
use std::sync::Arc;

use datafast_application::Services;
use datafast_application::{NewAccount, NewToken};
use datafast_domain::account::Email;
use datafast_ports::Clock;
use datafast_provider_fakes::FakeProviders;
use datafast_secrets::{OsRandom, ServerKeys};
use datafast_sqlite::SqliteStore;
use serde_json::{Value, json};
use tempfile::TempDir;

pub struct TestApp {
    pub address: String,
    pub owner_token: String,
    client: reqwest::Client,
    database: PathBuf,
    store: SqliteStore,
    services: Services,
    /// The payment providers the server reaches; tests give them the credentials they accept.
    pub providers: FakeProviders,
    _folder: TempDir,
}

struct WallClock;

impl Clock for WallClock {
    #[allow(clippy::disallowed_methods)] // the test harness is the edge where real time enters
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// Starts the server with the default limits except rate limiting, which tests of their own
/// turn on.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut datafast_server::Config)) -> TestApp {
    let folder = TempDir::new().expect("temp dir");
    let database = folder.path().join("datafast.db");
    let key_file = folder.path().join("datafast.key");

    // The owner and its token are made through the same ports the server uses, on the same
    // files, before the server starts; the server then sees an existing account.
    let store = SqliteStore::open(&database).expect("open database");
    let keys = ServerKeys::load_or_create(&key_file).expect("key file");
    let services = Services::new(
        Arc::new(store.clone()),
        Arc::new(WallClock),
        Arc::new(OsRandom),
        Arc::new(keys.hasher()),
        Arc::new(keys.vault()),
    );
    let owner_token = token_for(&services, "owner@example.com", Some("Owner")).await;

    let providers = FakeProviders::start().await.expect("provider fakes start");
    let mut config = datafast_server::Config {
        bind: "127.0.0.1:0".to_owned(),
        database: database.clone(),
        key_file: Some(key_file),
        rate_limit_per_minute: 0,
        stripe_api_base: Some(providers.stripe.base_url().to_owned()),
        lemonsqueezy_api_base: Some(providers.lemonsqueezy.base_url().to_owned()),
        polar_api_base: Some(providers.polar.base_url().to_owned()),
        paddle_api_base: Some(providers.paddle.base_url().to_owned()),
        ..datafast_server::Config::default()
    };
    adjust(&mut config);
    let application = datafast_server::Application::build(config)
        .await
        .expect("server starts");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());

    TestApp {
        address,
        owner_token,
        client: reqwest::Client::new(),
        database,
        store,
        services,
        providers,
        _folder: folder,
    }
}

async fn token_for(services: &Services, email: &str, name: Option<&str>) -> String {
    let (account, _) = services
        .accounts()
        .ensure(NewAccount {
            email: Email::parse(email).expect("email"),
            name: name.map(str::to_owned),
        })
        .await
        .expect("account");
    services
        .tokens()
        .issue_for(&account, NewToken::default())
        .await
        .expect("token")
        .raw
        .expose()
        .to_owned()
}

/// Asserts a failure in the error envelope with the expected status.
pub fn assert_error(status: u16, body: &Value, expected: u16) {
    assert_eq!(status, expected, "unexpected status; body: {body}");
    assert_eq!(body["status"], "error", "not the error envelope: {body}");
    assert_eq!(
        body["error"]["code"], expected,
        "code differs from status: {body}"
    );
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "empty error message: {body}");
}

impl TestApp {
    /// A second handle on the server's database, to fill the event store through its port.
    pub fn store(&self) -> &SqliteStore {
        &self.store
    }

    /// The bytes of every database file (main, WAL), to prove what is and is not stored.
    pub fn database_bytes(&self) -> Vec<u8> {
        let mut bytes = std::fs::read(&self.database).unwrap_or_default();
        let mut wal = self.database.clone().into_os_string();
        wal.push("-wal");
        bytes.extend(std::fs::read(PathBuf::from(wal)).unwrap_or_default());
        bytes
    }

    /// Sets the dashboard password of `email`'s account, as `datafast-server set-password`
    /// does.
    pub async fn set_password(&self, email: &str, password: &str) {
        self.services
            .clone()
            .with_password_hasher(Arc::new(datafast_secrets::Argon2Passwords::default()))
            .sign_in()
            .set_password(&Email::parse(email).expect("email"), password)
            .await
            .expect("password set");
    }

    /// Creates another account (as the `bootstrap` command would) and returns its token.
    pub async fn new_account_token(&self, email: &str) -> String {
        token_for(&self.services, email, None).await
    }

    /// Sends one event to `POST /api/events` as a browser with `user_agent` would (JSON
    /// body, no credential); the status.
    pub async fn send_event(&self, event: &Value, user_agent: &str) -> u16 {
        self.client
            .post(format!("{}/api/events", self.address))
            .header("content-type", "application/json")
            .header("user-agent", user_agent)
            .body(event.to_string())
            .send()
            .await
            .expect("event sent")
            .status()
            .as_u16()
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body read");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, json)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, &self.owner_token, path, None)
            .await
    }
    pub async fn get_as(&self, token: &str, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, token, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, &self.owner_token, path, Some(body))
            .await
    }
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, token, path, Some(body))
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, &self.owner_token, path, Some(body))
            .await
    }
    pub async fn put_as(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PUT, token, path, Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::PATCH, &self.owner_token, path, Some(body))
            .await
    }
    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, &self.owner_token, path, None)
            .await
    }
    pub async fn delete_with_body(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, &self.owner_token, path, Some(body))
            .await
    }

    /// A raw request, for content types and bodies a JSON helper cannot send.
    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&self.owner_token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, headers, json)
    }

    pub async fn create_website(&self, domain: &str) -> String {
        let (status, body) = self
            .post("/api/v1/admin/websites", json!({"domain": domain}))
            .await;
        assert_eq!(status, 200, "creating {domain}: {body}");
        body["data"][0]["websiteId"]
            .as_str()
            .expect("websiteId")
            .to_owned()
    }

    pub async fn create_api_key(&self, website: &str) -> String {
        let (status, body) = self
            .post(
                &format!("/api/v1/admin/websites/{website}/apikeys"),
                json!({"name": "test"}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"][0]["key"].as_str().expect("key").to_owned()
    }

    /// A token of the owner's account with these permissions and websites.
    pub async fn create_token(&self, permissions: &[&str], websites: &[&str]) -> String {
        let (status, body) = self
            .post(
                "/api/v1/admin/access-tokens",
                json!({"name": "scoped", "permissions": permissions, "websiteIds": websites}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"][0]["key"].as_str().expect("key").to_owned()
    }

    /// Invites `email` with `role`, makes its account, accepts, and returns its token.
    pub async fn add_member(&self, website: &str, email: &str, role: &str) -> String {
        let (status, body) = self
            .post(
                &format!("/api/v1/admin/websites/{website}/team"),
                json!({"email": email, "role": role}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        let invitation = body["data"][0]["invitationId"]
            .as_str()
            .expect("invitationId")
            .to_owned();
        let token = self.new_account_token(email).await;
        let (status, body) = self
            .post_as(
                &token,
                &format!("/api/v1/admin/invitations/{invitation}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        token
    }
}
