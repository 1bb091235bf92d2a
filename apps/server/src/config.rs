//! Server configuration: defaults, then an optional TOML file, then `DATAFAST_*` environment
//! variables, then command-line flags. The one secret, the SMTP password, is a [`Secret`] that
//! never shows in `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use datafast_application::ImportSettings;
use datafast_domain::account::Email;
use datafast_domain::website::IpRule;
use datafast_notify::{SmtpConfig, SmtpNotifier, TlsMode};
use datafast_ports::notify::RetryPolicy;
use datafast_providers::{ProviderClients, ProviderEndpoints};
use serde::Deserialize;

/// How long one SMTP exchange or webhook call may take before it counts as failed.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long one call to a payment provider may take before it counts as unavailable.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(15);

/// Built-in route prefixes a second events path must not shadow.
const RESERVED_PREFIXES: [&str; 3] = ["/api/", "/js/", "/health"];

/// A setting that must not be printed: `Debug` and `Display` show `<redacted>`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that hands it to the SMTP client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(Self(value.to_owned()))
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text: only for a relay on the same host or a trusted network.
    None,
    /// STARTTLS, required (usually port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl From<SmtpTls> for TlsMode {
    fn from(mode: SmtpTls) -> Self {
        match mode {
            SmtpTls::None => TlsMode::None,
            SmtpTls::Starttls => TlsMode::StartTls,
            SmtpTls::Tls => TlsMode::Tls,
        }
    }
}

/// What a `200` (a committed write) survives; see the Durability section of docs/operations.md.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Durability {
    /// A crash of the server process (SQLite `synchronous=NORMAL`).
    #[default]
    Process,
    /// A crash of the machine or a power loss too (`synchronous=FULL`, one fsync per commit).
    Machine,
}

impl From<Durability> for datafast_sqlite::Durability {
    fn from(durability: Durability) -> Self {
        match durability {
            Durability::Process => datafast_sqlite::Durability::Process,
            Durability::Machine => datafast_sqlite::Durability::Machine,
        }
    }
}

/// Everything `serve` needs.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// The SQLite database file.
    pub database: PathBuf,
    /// The server key file; `None` means the database path with the extension `.key`.
    pub key_file: Option<PathBuf>,
    /// What a committed write survives: a crash of the process, or of the machine.
    pub durability: Durability,
    /// The email of the account created on first start.
    pub owner_email: String,
    /// Admin API requests per credential per minute; 0 disables rate limiting.
    pub rate_limit_per_minute: u32,
    /// Requests a credential may make at once before the per-minute rate applies.
    pub rate_limit_burst: u32,
    /// Failed authentications per client address per minute; 0 turns this limit off.
    pub auth_failures_per_minute: u32,
    /// Failed authentications a client address may make at once before it is refused.
    pub auth_failure_burst: u32,
    /// Open HTTP connections, all workers together; more wait in the accept queue.
    pub max_connections: usize,
    /// Milliseconds a client may take to send a whole request head.
    pub head_timeout_ms: u64,
    /// Milliseconds a client may take to send a whole request body after its head.
    pub body_timeout_ms: u64,
    /// Seconds in-flight requests may still run after SIGTERM or SIGINT.
    pub shutdown_timeout_secs: u64,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// The log filter (`info`, `warn`, `datafast_http=debug`, ...).
    pub log: String,
    /// A MaxMind-format (MMDB) City or Country database; without one, locations are unknown.
    pub geo_database: Option<PathBuf>,
    /// Proxies (addresses or CIDR blocks) whose forwarded client-address headers are believed.
    pub trusted_proxies: Vec<String>,
    /// A second path that takes events like `/api/events` (for sites proxying it).
    pub events_path: Option<String>,
    /// The SMTP server for alert emails; without one, alerts go to webhooks only.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// The From address of alert emails, e.g. `Analytics <alerts@example.com>`.
    pub smtp_from: Option<String>,
    pub smtp_tls: SmtpTls,
    /// Internal addresses or CIDR blocks alert webhooks may reach anyway (loopback, private
    /// and other non-public addresses are refused otherwise).
    pub webhook_allowed_networks: Vec<String>,
    /// Delivery attempts per alert, the first included.
    pub alert_retry_attempts: u32,
    /// The wait before the first retry, doubled for each next one (capped at 60 s).
    pub alert_retry_base_ms: u64,
    /// The address this server is reached at from the outside (`https://analytics.example.com`),
    /// for the snippets it hands out; unset, each request's own `Host` is used.
    pub public_url: Option<String>,
    /// Lets test-mode and sandbox payment-provider keys connect; refused otherwise.
    pub allow_test_keys: bool,
    /// The payment providers' API roots, for reaching local fakes in tests; unset means the
    /// provider's own. `paddle_api_base` serves live and sandbox keys alike.
    pub stripe_api_base: Option<String>,
    pub lemonsqueezy_api_base: Option<String>,
    pub polar_api_base: Option<String>,
    pub paddle_api_base: Option<String>,
    /// Seconds between two passes of the revenue import over every connected provider.
    pub import_interval_secs: u64,
    /// How many days of history a newly connected provider's first import reads.
    pub import_backfill_days: u32,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("database", &self.database)
            .field("key_file", &self.key_file)
            .field("durability", &self.durability)
            .field("owner_email", &self.owner_email)
            .field("rate_limit_per_minute", &self.rate_limit_per_minute)
            .field("rate_limit_burst", &self.rate_limit_burst)
            .field("auth_failures_per_minute", &self.auth_failures_per_minute)
            .field("auth_failure_burst", &self.auth_failure_burst)
            .field("max_connections", &self.max_connections)
            .field("head_timeout_ms", &self.head_timeout_ms)
            .field("body_timeout_ms", &self.body_timeout_ms)
            .field("shutdown_timeout_secs", &self.shutdown_timeout_secs)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("workers", &self.workers)
            .field("log", &self.log)
            .field("geo_database", &self.geo_database)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("events_path", &self.events_path)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_username", &self.smtp_username)
            .field("smtp_password", &self.smtp_password)
            .field("smtp_from", &self.smtp_from)
            .field("smtp_tls", &self.smtp_tls)
            .field("webhook_allowed_networks", &self.webhook_allowed_networks)
            .field("alert_retry_attempts", &self.alert_retry_attempts)
            .field("alert_retry_base_ms", &self.alert_retry_base_ms)
            .field("public_url", &self.public_url)
            .field("allow_test_keys", &self.allow_test_keys)
            .field("stripe_api_base", &self.stripe_api_base)
            .field("lemonsqueezy_api_base", &self.lemonsqueezy_api_base)
            .field("polar_api_base", &self.polar_api_base)
            .field("paddle_api_base", &self.paddle_api_base)
            .field("import_interval_secs", &self.import_interval_secs)
            .field("import_backfill_days", &self.import_backfill_days)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            database: PathBuf::from("./datafast.db"),
            key_file: None,
            durability: Durability::default(),
            owner_email: "owner@localhost.localdomain".to_owned(),
            rate_limit_per_minute: 600,
            rate_limit_burst: 120,
            auth_failures_per_minute: 10,
            auth_failure_burst: 20,
            max_connections: 2048,
            head_timeout_ms: 5_000,
            body_timeout_ms: 10_000,
            shutdown_timeout_secs: 10,
            max_body_bytes: 64 * 1024,
            workers: 0,
            log: "info".to_owned(),
            geo_database: None,
            trusted_proxies: Vec::new(),
            events_path: None,
            smtp_host: None,
            smtp_port: 587,
            smtp_username: None,
            smtp_password: None,
            smtp_from: None,
            smtp_tls: SmtpTls::default(),
            webhook_allowed_networks: Vec::new(),
            alert_retry_attempts: 3,
            alert_retry_base_ms: 1_000,
            public_url: None,
            allow_test_keys: false,
            stripe_api_base: None,
            lemonsqueezy_api_base: None,
            polar_api_base: None,
            paddle_api_base: None,
            import_interval_secs: 300,
            import_backfill_days: 90,
        }
    }
}

impl Config {
    /// Refuses settings that would only fail later, after files were already created.
    ///
    /// # Errors
    /// An owner email that is not an address, a log filter that does not parse, a trusted
    /// proxy or allowed webhook network that is not an address or block, an events path that is
    /// not a plain path or shadows a built-in route, incomplete SMTP settings, or a connection
    /// limit or timeout of zero.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.trusted_proxy_rules()?;
        self.webhook_allowed_rules()?;
        self.validate_connection_limits()?;
        self.validate_import()?;
        if let Some(path) = &self.events_path {
            validate_events_path(path)?;
        }
        self.smtp()?;
        self.payment_providers()?;
        self.public_url()?;
        Email::parse(&self.owner_email).map_err(|_| ConfigError::Invalid {
            setting: "owner_email",
            reason: format!("'{}' is not an email address", self.owner_email),
        })?;
        tracing_subscriber::EnvFilter::try_new(&self.log).map_err(|e| ConfigError::Invalid {
            setting: "log",
            reason: format!("'{}': {e}", self.log),
        })?;
        Ok(())
    }

    /// An import that never waits would hammer the providers; a backfill past ten years reads
    /// more than any provider keeps.
    fn validate_import(&self) -> Result<(), ConfigError> {
        if self.import_interval_secs == 0 {
            return Err(ConfigError::Invalid {
                setting: "import_interval_secs",
                reason: "must be at least 1".to_owned(),
            });
        }
        if !(1..=3650).contains(&self.import_backfill_days) {
            return Err(ConfigError::Invalid {
                setting: "import_backfill_days",
                reason: "must be between 1 and 3650".to_owned(),
            });
        }
        Ok(())
    }

    /// How the revenue import reads providers.
    pub fn import_settings(&self) -> ImportSettings {
        ImportSettings {
            backfill: jiff::SignedDuration::from_hours(i64::from(self.import_backfill_days) * 24),
            ..ImportSettings::default()
        }
    }

    /// The wait between two passes of the revenue import.
    pub fn import_interval(&self) -> Duration {
        Duration::from_secs(self.import_interval_secs)
    }

    /// Zero connections or a zero timeout would stop the server from serving anyone.
    fn validate_connection_limits(&self) -> Result<(), ConfigError> {
        for (setting, value) in [
            ("max_connections", self.max_connections as u64),
            ("head_timeout_ms", self.head_timeout_ms),
            ("body_timeout_ms", self.body_timeout_ms),
        ] {
            if value == 0 {
                return Err(ConfigError::Invalid {
                    setting,
                    reason: "must be at least 1".to_owned(),
                });
            }
        }
        Ok(())
    }

    /// The trusted proxies, parsed.
    ///
    /// # Errors
    /// An entry that is not an IP address or CIDR block.
    pub fn trusted_proxy_rules(&self) -> Result<Vec<IpRule>, ConfigError> {
        ip_rules("trusted_proxies", &self.trusted_proxies)
    }

    /// The internal networks alert webhooks may reach, parsed.
    ///
    /// # Errors
    /// An entry that is not an IP address or CIDR block.
    pub fn webhook_allowed_rules(&self) -> Result<Vec<IpRule>, ConfigError> {
        ip_rules("webhook_allowed_networks", &self.webhook_allowed_networks)
    }

    /// The public address, checked and normalised (no trailing slash).
    ///
    /// # Errors
    /// An address that is not an absolute http(s) URL without query or fragment.
    pub fn public_url(&self) -> Result<Option<String>, ConfigError> {
        self.public_url
            .as_deref()
            .map(datafast_http::parse_public_url)
            .transpose()
            .map_err(|reason| ConfigError::Invalid {
                setting: "public_url",
                reason,
            })
    }

    /// Where each payment provider is reached: its own API unless a base is configured.
    pub fn provider_endpoints(&self) -> ProviderEndpoints {
        let mut endpoints = ProviderEndpoints::default();
        let bases = [
            (&self.stripe_api_base, &mut endpoints.stripe),
            (&self.lemonsqueezy_api_base, &mut endpoints.lemonsqueezy),
            (&self.polar_api_base, &mut endpoints.polar),
        ];
        for (setting, endpoint) in bases {
            if let Some(base) = setting {
                base.trim().clone_into(endpoint);
            }
        }
        if let Some(base) = &self.paddle_api_base {
            base.trim().clone_into(&mut endpoints.paddle);
            base.trim().clone_into(&mut endpoints.paddle_sandbox);
        }
        endpoints
    }

    /// The payment-provider connectors for these settings.
    ///
    /// # Errors
    /// A provider base that is not an absolute http(s) URL.
    pub fn payment_providers(&self) -> Result<ProviderClients, ConfigError> {
        ProviderClients::new(&self.provider_endpoints(), PROVIDER_TIMEOUT).map_err(|error| {
            ConfigError::Invalid {
                setting: "payment provider api base",
                reason: error.to_string(),
            }
        })
    }

    /// The SMTP settings, or `None` when no SMTP host is configured.
    ///
    /// # Errors
    /// A host without a sender, a username without a password (or the reverse), a sender that
    /// is not an address, or a port of 0.
    pub fn smtp(&self) -> Result<Option<SmtpConfig>, ConfigError> {
        let invalid = |reason: &str| ConfigError::Invalid {
            setting: "smtp",
            reason: reason.to_owned(),
        };
        let Some(host) = self.smtp_host.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if host.is_empty() {
            return Err(invalid("smtp_host is empty"));
        }
        if self.smtp_port == 0 {
            return Err(invalid("smtp_port must be between 1 and 65535"));
        }
        let Some(sender) = self.smtp_from.clone() else {
            return Err(invalid("smtp_from is required when smtp_host is set"));
        };
        if self.smtp_username.is_some() != self.smtp_password.is_some() {
            return Err(invalid(
                "smtp_username and smtp_password go together: set both or neither",
            ));
        }
        let config = SmtpConfig {
            host: host.to_owned(),
            port: self.smtp_port,
            username: self.smtp_username.clone(),
            password: self.smtp_password.as_ref().map(|p| p.expose().to_owned()),
            sender,
            tls: self.smtp_tls.into(),
            timeout: DELIVERY_TIMEOUT,
        };
        // Building the client checks the sender address and TLS settings without connecting.
        SmtpNotifier::new(&config).map_err(|e| invalid(&e.to_string()))?;
        Ok(Some(config))
    }

    /// The back-off between alert delivery attempts.
    pub fn alert_retry(&self) -> RetryPolicy {
        RetryPolicy {
            attempts: self.alert_retry_attempts.max(1),
            base_delay: Duration::from_millis(self.alert_retry_base_ms),
            factor: 2.0,
            max_delay: Duration::from_secs(60),
        }
    }

    /// The key file in use: the configured one, or the database path with `.key`.
    pub fn key_file(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| default_key_file(&self.database))
    }
}

/// A list setting of IP addresses and CIDR blocks, parsed.
fn ip_rules(setting: &'static str, entries: &[String]) -> Result<Vec<IpRule>, ConfigError> {
    entries
        .iter()
        .map(|entry| {
            IpRule::parse(entry).map_err(|_| ConfigError::Invalid {
                setting,
                reason: format!(
                    "'{}' is not an IP address or CIDR block",
                    entry.chars().take(60).collect::<String>()
                ),
            })
        })
        .collect()
}

/// The key file that goes with a database when none is configured.
pub fn default_key_file(database: &Path) -> PathBuf {
    database.with_extension("key")
}

/// A second events path must be a plain absolute path that leaves the built-in routes alone.
fn validate_events_path(path: &str) -> Result<(), ConfigError> {
    let invalid = |reason: &str| ConfigError::Invalid {
        setting: "events_path",
        reason: format!("'{}' {reason}", path.chars().take(100).collect::<String>()),
    };
    if !path.starts_with('/') || path.len() < 2 {
        return Err(invalid("must start with / and name a path"));
    }
    if path.contains(['?', '#']) {
        return Err(invalid("must not have a query or fragment"));
    }
    if path
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '{' | '}' | '%'))
    {
        return Err(invalid(
            "must not contain spaces, braces or percent-escapes",
        ));
    }
    let lowered = path.to_ascii_lowercase();
    let shadows = RESERVED_PREFIXES.iter().any(|prefix| {
        let bare = prefix.trim_end_matches('/');
        lowered == bare || lowered.starts_with(&format!("{bare}/"))
    });
    if shadows {
        return Err(invalid(
            "would shadow a built-in route (/api/, /js/, /health)",
        ));
    }
    Ok(())
}

/// The TOML file's keys; every one optional, unknown keys refused so typos are caught.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub durability: Option<Durability>,
    pub owner_email: Option<String>,
    pub rate_limit_per_minute: Option<u32>,
    pub rate_limit_burst: Option<u32>,
    pub auth_failures_per_minute: Option<u32>,
    pub auth_failure_burst: Option<u32>,
    pub max_connections: Option<usize>,
    pub head_timeout_ms: Option<u64>,
    pub body_timeout_ms: Option<u64>,
    pub shutdown_timeout_secs: Option<u64>,
    pub max_body_bytes: Option<usize>,
    pub workers: Option<usize>,
    pub log: Option<String>,
    pub geo_database: Option<PathBuf>,
    pub trusted_proxies: Option<Vec<String>>,
    pub events_path: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    pub smtp_from: Option<String>,
    pub smtp_tls: Option<SmtpTls>,
    pub webhook_allowed_networks: Option<Vec<String>>,
    pub alert_retry_attempts: Option<u32>,
    pub alert_retry_base_ms: Option<u64>,
    pub public_url: Option<String>,
    pub allow_test_keys: Option<bool>,
    pub stripe_api_base: Option<String>,
    pub lemonsqueezy_api_base: Option<String>,
    pub polar_api_base: Option<String>,
    pub paddle_api_base: Option<String>,
    pub import_interval_secs: Option<u64>,
    pub import_backfill_days: Option<u32>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("the config file {path} is not valid: {reason}")]
    Parse { path: PathBuf, reason: String },
    #[error("invalid {setting}: {reason}")]
    Invalid {
        setting: &'static str,
        reason: String,
    },
}

impl FileConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            reason: e.to_string(),
        })
    }
}

/// Overwrites every field of `config` that `layer` sets.
pub fn overlay(config: &mut Config, layer: FileConfig) {
    macro_rules! take {
        ($($field:ident),*) => { $( if let Some(value) = layer.$field { config.$field = value; } )* };
    }
    take!(
        bind,
        database,
        durability,
        owner_email,
        rate_limit_per_minute,
        rate_limit_burst,
        auth_failures_per_minute,
        auth_failure_burst,
        max_connections,
        head_timeout_ms,
        body_timeout_ms,
        shutdown_timeout_secs,
        max_body_bytes,
        workers,
        log,
        trusted_proxies,
        smtp_port,
        smtp_tls,
        webhook_allowed_networks,
        alert_retry_attempts,
        alert_retry_base_ms,
        allow_test_keys,
        import_interval_secs,
        import_backfill_days
    );
    macro_rules! take_optional {
        ($($field:ident),*) => { $( if let Some(value) = layer.$field { config.$field = Some(value); } )* };
    }
    take_optional!(
        key_file,
        geo_database,
        events_path,
        smtp_host,
        smtp_username,
        smtp_password,
        smtp_from,
        public_url,
        stripe_api_base,
        lemonsqueezy_api_base,
        polar_api_base,
        paddle_api_base
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_and_unset_fields_are_kept() {
        let mut config = Config::default();
        overlay(
            &mut config,
            FileConfig {
                bind: Some("0.0.0.0:9000".into()),
                workers: Some(3),
                ..FileConfig::default()
            },
        );
        overlay(
            &mut config,
            FileConfig {
                bind: Some("127.0.0.1:9001".into()),
                ..FileConfig::default()
            },
        );
        assert_eq!(config.bind, "127.0.0.1:9001");
        assert_eq!(config.workers, 3);
        assert_eq!(config.database, PathBuf::from("./datafast.db"));
    }

    #[test]
    fn durability_defaults_to_the_process_and_reads_from_the_file() {
        assert_eq!(Config::default().durability, Durability::Process);
        let mut config = Config::default();
        overlay(
            &mut config,
            toml::from_str("durability = \"machine\"").unwrap(),
        );
        assert_eq!(config.durability, Durability::Machine);
        overlay(&mut config, FileConfig::default());
        assert_eq!(
            config.durability,
            Durability::Machine,
            "unset layers keep it"
        );
        assert!(toml::from_str::<FileConfig>("durability = \"disk\"").is_err());
        assert_eq!(
            datafast_sqlite::Durability::from(Durability::Machine),
            datafast_sqlite::Durability::Machine
        );
    }

    #[test]
    fn the_key_file_follows_the_database() {
        let config = Config {
            database: PathBuf::from("/data/site.db"),
            ..Config::default()
        };
        assert_eq!(config.key_file(), PathBuf::from("/data/site.key"));
    }

    #[test]
    fn bad_owner_emails_and_log_filters_are_refused() {
        assert!(Config::default().validate().is_ok());
        let bad_email = Config {
            owner_email: "owner".into(),
            ..Config::default()
        };
        assert!(matches!(
            bad_email.validate(),
            Err(ConfigError::Invalid {
                setting: "owner_email",
                ..
            })
        ));
        let bad_log = Config {
            log: "info,[[".into(),
            ..Config::default()
        };
        assert!(matches!(
            bad_log.validate(),
            Err(ConfigError::Invalid { setting: "log", .. })
        ));
    }

    #[test]
    fn unknown_file_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("bnd = \"x\"").is_err());
        let parsed: FileConfig = toml::from_str("bind = \"127.0.0.1:1\"\nworkers = 2").unwrap();
        assert_eq!(parsed.workers, Some(2));
    }

    #[test]
    fn the_smtp_password_never_shows_in_debug() {
        let config = Config {
            smtp_host: Some("mail.example.com".into()),
            smtp_username: Some("alerts".into()),
            smtp_password: Some(Secret::new("hunter2-very-secret")),
            smtp_from: Some("Alerts <alerts@example.com>".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
        let smtp = config.smtp().unwrap().unwrap();
        assert_eq!(smtp.password.as_deref(), Some("hunter2-very-secret"));
        assert!(!format!("{smtp:?}").contains("hunter2"));
        let file: FileConfig = toml::from_str("smtp_password = \"hunter2-very-secret\"").unwrap();
        assert!(!format!("{file:?}").contains("hunter2"));
    }

    #[test]
    fn smtp_settings_must_be_complete() {
        assert!(Config::default().smtp().unwrap().is_none());
        let no_sender = Config {
            smtp_host: Some("mail.example.com".into()),
            ..Config::default()
        };
        assert!(no_sender.validate().is_err());
        let half_credentials = Config {
            smtp_username: Some("alerts".into()),
            smtp_from: Some("alerts@example.com".into()),
            ..no_sender.clone()
        };
        assert!(half_credentials.validate().is_err());
        let bad_sender = Config {
            smtp_from: Some("not an address".into()),
            ..no_sender.clone()
        };
        assert!(bad_sender.validate().is_err());
        let complete = Config {
            smtp_from: Some("alerts@example.com".into()),
            smtp_tls: SmtpTls::Tls,
            ..no_sender
        };
        let smtp = complete.smtp().unwrap().unwrap();
        assert_eq!(smtp.tls, TlsMode::Tls);
        assert_eq!(smtp.port, 587);
    }

    #[test]
    fn trusted_proxies_are_addresses_or_blocks() {
        let config = Config {
            trusted_proxies: vec!["10.0.0.0/8".into(), "::1".into()],
            ..Config::default()
        };
        let rules = config.trusted_proxy_rules().unwrap();
        assert!(rules[0].matches("10.1.2.3".parse().unwrap()));
        assert!(rules[1].matches("::1".parse().unwrap()));
        let bad = Config {
            trusted_proxies: vec!["10.0.0.0/40".into()],
            ..Config::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(ConfigError::Invalid {
                setting: "trusted_proxies",
                ..
            })
        ));
    }

    #[test]
    fn webhook_allowed_networks_are_addresses_or_blocks() {
        let parsed: FileConfig =
            toml::from_str("webhook_allowed_networks = [\"10.0.0.0/8\", \"127.0.0.1\"]").unwrap();
        let mut config = Config::default();
        overlay(&mut config, parsed);
        let rules = config.webhook_allowed_rules().unwrap();
        assert!(rules[0].matches("10.9.8.7".parse().unwrap()));
        assert!(rules[1].matches("127.0.0.1".parse().unwrap()));
        assert!(
            Config::default()
                .webhook_allowed_rules()
                .unwrap()
                .is_empty()
        );
        let bad = Config {
            webhook_allowed_networks: vec!["localhost".into()],
            ..Config::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(ConfigError::Invalid {
                setting: "webhook_allowed_networks",
                ..
            })
        ));
    }

    #[test]
    fn events_paths_are_plain_and_leave_built_in_routes_alone() {
        for good in ["/stats/e", "/e", "/apiary/events", "/healthy"] {
            assert!(validate_events_path(good).is_ok(), "{good}");
        }
        for bad in [
            "stats",
            "/",
            "/e?x=1",
            "/e#x",
            "/api/other",
            "/API/events",
            "/js/x",
            "/health",
            "/health/x",
            "/a b",
            "/{id}",
        ] {
            assert!(validate_events_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn connection_settings_overlay_and_zero_is_refused() {
        let parsed: FileConfig = toml::from_str(
            "max_connections = 8\nhead_timeout_ms = 200\nbody_timeout_ms = 300\n\
             shutdown_timeout_secs = 1\nauth_failures_per_minute = 5\nauth_failure_burst = 7",
        )
        .unwrap();
        let mut config = Config::default();
        overlay(&mut config, parsed);
        assert_eq!(
            (
                config.max_connections,
                config.head_timeout_ms,
                config.body_timeout_ms,
                config.shutdown_timeout_secs,
                config.auth_failures_per_minute,
                config.auth_failure_burst
            ),
            (8, 200, 300, 1, 5, 7)
        );
        assert!(config.validate().is_ok());
        for broken in [
            Config {
                max_connections: 0,
                ..Config::default()
            },
            Config {
                head_timeout_ms: 0,
                ..Config::default()
            },
            Config {
                body_timeout_ms: 0,
                ..Config::default()
            },
        ] {
            assert!(matches!(
                broken.validate(),
                Err(ConfigError::Invalid { .. })
            ));
        }
    }

    #[test]
    fn retry_settings_make_the_policy() {
        let config = Config {
            alert_retry_attempts: 0,
            alert_retry_base_ms: 20,
            ..Config::default()
        };
        let policy = config.alert_retry();
        assert_eq!(policy.attempts, 1);
        assert_eq!(policy.base_delay, Duration::from_millis(20));
    }

    #[test]
    fn import_settings_overlay_and_out_of_range_values_are_refused() {
        let parsed: FileConfig =
            toml::from_str("import_interval_secs = 60\nimport_backfill_days = 30").unwrap();
        let mut config = Config::default();
        assert_eq!(config.import_interval(), Duration::from_secs(300));
        overlay(&mut config, parsed);
        assert_eq!(config.import_interval(), Duration::from_secs(60));
        assert_eq!(
            config.import_settings().backfill,
            jiff::SignedDuration::from_hours(30 * 24)
        );
        assert!(config.validate().is_ok());
        for (interval, days) in [(0, 30), (60, 0), (60, 3651)] {
            let config = Config {
                import_interval_secs: interval,
                import_backfill_days: days,
                ..Config::default()
            };
            assert!(config.validate().is_err(), "{interval} s, {days} days");
        }
    }

    #[test]
    fn new_file_keys_overlay() {
        let parsed: FileConfig = toml::from_str(
            "geo_database = \"/data/city.mmdb\"\ntrusted_proxies = [\"127.0.0.1\"]\n\
             events_path = \"/e\"\nsmtp_tls = \"none\"\nalert_retry_attempts = 5",
        )
        .unwrap();
        let mut config = Config::default();
        overlay(&mut config, parsed);
        assert_eq!(config.geo_database, Some(PathBuf::from("/data/city.mmdb")));
        assert_eq!(config.trusted_proxies, vec!["127.0.0.1".to_owned()]);
        assert_eq!(config.events_path.as_deref(), Some("/e"));
        assert_eq!(config.smtp_tls, SmtpTls::None);
        assert_eq!(config.alert_retry_attempts, 5);
        assert!(toml::from_str::<FileConfig>("smtp_tls = \"ssl\"").is_err());
    }

    #[test]
    fn provider_bases_default_to_the_providers_and_must_be_urls() {
        let config = Config::default();
        assert_eq!(config.provider_endpoints(), ProviderEndpoints::default());
        let faked = Config {
            stripe_api_base: Some(" http://127.0.0.1:9001 ".into()),
            paddle_api_base: Some("http://127.0.0.1:9002".into()),
            ..Config::default()
        };
        let endpoints = faked.provider_endpoints();
        assert_eq!(endpoints.stripe, "http://127.0.0.1:9001");
        assert_eq!(endpoints.paddle, "http://127.0.0.1:9002");
        assert_eq!(endpoints.paddle_sandbox, "http://127.0.0.1:9002");
        assert_eq!(endpoints.polar, ProviderEndpoints::default().polar);
        assert!(faked.validate().is_ok());
        let broken = Config {
            polar_api_base: Some("api.polar.sh".into()),
            ..Config::default()
        };
        assert!(
            broken
                .validate()
                .unwrap_err()
                .to_string()
                .contains("api.polar.sh")
        );
        let file: FileConfig = toml::from_str("allow_test_keys = true").unwrap();
        let mut config = Config::default();
        overlay(&mut config, file);
        assert!(config.allow_test_keys);
    }

    #[test]
    fn the_public_url_is_checked_and_loses_its_trailing_slash() {
        let config = Config {
            public_url: Some("https://analytics.example.com/".into()),
            ..Config::default()
        };
        assert_eq!(
            config.public_url().unwrap().as_deref(),
            Some("https://analytics.example.com")
        );
        let relative = Config {
            public_url: Some("/stats".into()),
            ..Config::default()
        };
        assert!(
            relative
                .validate()
                .unwrap_err()
                .to_string()
                .contains("public_url")
        );
    }
}
