//! The test harness: one real `datafast-server` per test binary, on port 0 over a temporary
//! SQLite file, with an owner token and a second account's token and local fakes of the
//! payment providers (Stripe knows [`STRIPE_TEST_KEY`]); and a sandbox per test that runs the
//! `datafast` binary with its own HOME and XDG_CONFIG_HOME.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::OnceLock;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

pub const FRIEND_EMAIL: &str = "friend@example.com";
/// A Stripe test-mode key the fake Stripe accepts (the server allows test keys).
pub const STRIPE_TEST_KEY: &str = "rk_test_abcdefgh12345678";

#[derive(Debug)]
pub struct Server {
    pub base: String,
    pub owner_token: String,
    pub friend_token: String,
}

static SERVER: OnceLock<Server> = OnceLock::new();

/// The shared server, started on first use and left running until the test binary exits.
pub fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                // Kept for the life of the process (the server uses these files until exit), in
                // the target folder's scratch space so nothing outside the build is left behind.
                let folder = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR"))
                    .expect("temp dir")
                    .keep();
                let database = folder.join("datafast.db");
                let key_file = folder.join("datafast.key");
                let services = datafast_server::open_services(&database, &key_file)
                    .await
                    .expect("storage");
                let owner_token = datafast_server::bootstrap_token(
                    &services,
                    "owner@example.com",
                    Some("Owner".to_owned()),
                )
                .await
                .expect("owner token");
                let friend_token = datafast_server::bootstrap_token(
                    &services,
                    FRIEND_EMAIL,
                    Some("Friend".into()),
                )
                .await
                .expect("friend token");
                drop(services);
                let providers = datafast_provider_fakes::FakeProviders::start()
                    .await
                    .expect("provider fakes");
                providers.stripe.add_key(
                    STRIPE_TEST_KEY,
                    datafast_provider_fakes::Account {
                        test_mode: true,
                        ..datafast_provider_fakes::Account::named("Test account", "usd")
                    },
                );
                providers.stripe.add_payments(recent_payments());
                let config = datafast_server::Config {
                    bind: "127.0.0.1:0".to_owned(),
                    database,
                    key_file: Some(key_file),
                    rate_limit_per_minute: 0,
                    workers: 2,
                    log: "error".to_owned(),
                    allow_test_keys: true,
                    stripe_api_base: Some(providers.stripe.base_url().to_owned()),
                    ..datafast_server::Config::default()
                };
                let application = datafast_server::Application::build(config)
                    .await
                    .expect("server starts");
                let base = format!("http://127.0.0.1:{}", application.port());
                sender
                    .send(Server {
                        base,
                        owner_token,
                        friend_token,
                    })
                    .expect("hand over");
                let _ = application.run_until_stopped().await;
            });
        });
        receiver.recv().expect("the server started")
    })
}

/// A private HOME and config folder for one test.
pub struct Sandbox {
    folder: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            folder: TempDir::new().expect("temp dir"),
        }
    }

    pub fn config_path(&self) -> PathBuf {
        self.folder
            .path()
            .join("xdg")
            .join("datafast")
            .join("config.json")
    }

    pub fn home(&self) -> PathBuf {
        self.folder.path().join("home")
    }

    /// `datafast` with no credential and no base URL from the outside world.
    pub fn bare(&self) -> Command {
        let mut command = Command::cargo_bin("datafast").expect("binary");
        command
            .env("HOME", self.home())
            .env("XDG_CONFIG_HOME", self.folder.path().join("xdg"))
            .env_remove("DATAFAST_TOKEN")
            .env_remove("DATAFAST_SITE_KEY")
            .env_remove("DATAFAST_API_BASE")
            .env_remove("NO_COLOR")
            .timeout(std::time::Duration::from_secs(60));
        command
    }

    /// `datafast` pointed at the test server with the owner's token in the environment.
    pub fn owner(&self) -> Command {
        let server = server();
        let mut command = self.bare();
        command
            .env("DATAFAST_API_BASE", &server.base)
            .env("DATAFAST_TOKEN", &server.owner_token);
        command
    }

    /// `datafast` as the second account.
    pub fn friend(&self) -> Command {
        let server = server();
        let mut command = self.bare();
        command
            .env("DATAFAST_API_BASE", &server.base)
            .env("DATAFAST_TOKEN", &server.friend_token);
        command
    }

    pub fn write_config(&self, json: &str) {
        let path = self.config_path();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, json).unwrap();
    }
}

/// Runs `command`, asserts success, and parses stdout as JSON.
pub fn json_of(command: &mut Command) -> Value {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Runs `command`, asserts success, and returns stdout.
pub fn stdout_of(command: &mut Command) -> String {
    let output = command.output().expect("runs");
    assert!(
        output.status.success(),
        "failed ({:?}): {}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stdout).expect("utf-8")
}

/// A domain no other test uses, so tests can share the server.
pub fn unique_domain(label: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{label}-{}-{n}.example.com", std::process::id())
}

/// Creates a website as the owner and returns its id.
pub fn create_website(sandbox: &Sandbox, label: &str) -> String {
    let domain = unique_domain(label);
    let created = json_of(sandbox.owner().args([
        "websites",
        "create",
        "--domain",
        &domain,
        "--timezone",
        "UTC",
        "--json",
    ]));
    created[0]["websiteId"]
        .as_str()
        .expect("websiteId")
        .to_owned()
}

/// Two payments Stripe holds for every test's key: 49.00 USD an hour ago and 25.00 EUR two.
fn recent_payments() -> Vec<datafast_provider_fakes::FakePayment> {
    #[allow(clippy::disallowed_methods)] // the test harness is the edge where real time enters
    let now = jiff::Timestamp::now().as_second();
    vec![
        datafast_provider_fakes::FakePayment::new("pi_cli0001", 4_900, "usd", now - 3_600),
        datafast_provider_fakes::FakePayment::new("pi_cli0002", 2_500, "eur", now - 7_200),
    ]
}
