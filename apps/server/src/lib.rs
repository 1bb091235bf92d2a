//! The DataFast-compatible server as a library: configuration, wiring the adapters into the use
//! cases, and the application lifecycle. `main.rs` only parses the command line and calls in
//! here, and tests start the same [`Application`] on port 0.

pub mod config;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use datafast_application::{
    AlertDeliveryPorts, AlertDispatcher, LOOKUP_QUEUE_CAPACITY, LookupWorker, NewAccount, NewToken,
    Pause, PauseFuture,
};
use datafast_application::{ServiceError, Services};
use datafast_domain::account::Email;
use datafast_geo::{GeoLoadError, MmdbLocator};
use datafast_http::{HttpConfig, RateLimit, build_server};
use datafast_notify::{Notifier, SmtpNotifier, WebhookNotifier};
use datafast_ports::store::AccountStore;
use datafast_ports::{Clock, StoreError};
use datafast_secrets::{Argon2Passwords, KeyFileError, OsRandom, ServerKeys};
use datafast_sqlite::{Durability, KeyCheck, SqliteError, SqliteStore};
use tokio::task::JoinHandle;

pub use config::{Config, ConfigError};

/// How often recorded last-use times are written.
const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(30);

/// Goal completions waiting for alert delivery; past this, new ones trigger no alert.
const ALERT_QUEUE_CAPACITY: usize = 1024;

/// How long shutdown waits for queued alert deliveries to finish.
const ALERT_DRAIN_TIMEOUT: Duration = Duration::from_secs(15);

/// The wall clock, at the one place real time enters the program.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the adapter that the Clock port exists for
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Database(#[from] SqliteError),
    #[error("{0}")]
    Keys(#[from] KeyFileError),
    #[error(
        "the database {database} has been used with a key file but {key_file} is missing; restore \
         the key file from your backup (without it no existing token or key verifies), or point \
         key_file at it"
    )]
    MissingKeyFile { database: String, key_file: String },
    #[error(
        "the key file {key_file} does not belong to the database {database} (it was first used \
         with other keys, so no existing token or key would verify); point key_file at the \
         database's own key file, or restore it from your backup"
    )]
    KeyMismatch { database: String, key_file: String },
    #[error("cannot read the database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("cannot listen on {address}: {reason}")]
    Bind { address: String, reason: String },
    #[error("invalid owner_email '{0}'")]
    OwnerEmail(String),
    #[error("{0}")]
    Service(#[from] ServiceError),
    #[error("the HTTP server failed: {0}")]
    Http(String),
    #[error("{0}")]
    Geo(#[from] GeoLoadError),
    #[error("cannot set up alert delivery: {0}")]
    Notify(String),
}

/// Opens the database (running migrations) and the key file, and wires the use cases.
///
/// # Errors
/// An unusable database or key file, or a database with accounts whose key file is gone.
pub async fn open_services(database: &Path, key_file: &Path) -> Result<Services, StartError> {
    open_storage(database, key_file, Durability::default())
        .await
        .map(|(_, services)| services)
}

/// [`open_services`], also handing back the store for the parts wired beside the use cases.
async fn open_storage(
    database: &Path,
    key_file: &Path,
    durability: Durability,
) -> Result<(Arc<SqliteStore>, Services), StartError> {
    let store = Arc::new(SqliteStore::open_with(database, durability)?);
    let keys = load_keys(&store, database, key_file).await?;
    let services = Services::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        Arc::new(keys.hasher()),
        Arc::new(keys.vault()),
    )
    .with_password_hasher(Arc::new(Argon2Passwords::default()));
    Ok((store, services))
}

/// Loads the key file (creating it for a new database) and checks that it is the database's
/// own: a wrong or fresh key file beside a used database would silently invalidate every
/// credential and make every sealed provider key unreadable, so the start is refused and the
/// operator restores the right file.
async fn load_keys(
    store: &SqliteStore,
    database: &Path,
    key_file: &Path,
) -> Result<ServerKeys, StartError> {
    let names = || {
        (
            database.display().to_string(),
            key_file.display().to_string(),
        )
    };
    let used = store.key_check().await?.is_some() || store.account_count().await? > 0;
    if !key_file.exists() && used {
        let (database, key_file) = names();
        return Err(StartError::MissingKeyFile { database, key_file });
    }
    let keys = ServerKeys::load_or_create(key_file)?;
    // A database from before the check, or a new one, learns the keys it is opened with.
    match store.check_keys(&keys.check_value()).await? {
        KeyCheck::Recorded | KeyCheck::Matched => Ok(keys),
        KeyCheck::Mismatched => {
            let (database, key_file) = names();
            Err(StartError::KeyMismatch { database, key_file })
        }
    }
}

/// The alert channels: email when SMTP is configured, webhooks always.
fn alert_channels(config: &Config) -> Result<Vec<Arc<dyn Notifier>>, StartError> {
    let mut channels: Vec<Arc<dyn Notifier>> = Vec::with_capacity(2);
    if let Some(smtp) = config.smtp()? {
        channels.push(Arc::new(
            SmtpNotifier::new(&smtp).map_err(|e| StartError::Notify(e.to_string()))?,
        ));
    }
    channels.push(Arc::new(
        WebhookNotifier::new(config::DELIVERY_TIMEOUT, config.webhook_allowed_rules()?)
            .map_err(|e| StartError::Notify(e.to_string()))?,
    ));
    Ok(channels)
}

/// The runtime's sleep, between alert delivery attempts.
fn runtime_pause() -> Pause {
    Arc::new(|delay| -> PauseFuture { Box::pin(tokio::time::sleep(delay)) })
}

/// The revenue import: a pass over every connected provider at start (resuming one a stop cut
/// short), then one per interval.
async fn import_revenue(services: Services, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match services.revenue_import().sync_all().await {
            Ok(outcomes) => {
                for (website, provider, outcome) in outcomes {
                    tracing::debug!(%website, %provider, ?outcome, "revenue import pass");
                }
            }
            Err(error) => tracing::warn!(%error, "the revenue import could not run"),
        }
    }
}

/// Alert delivery running beside the server.
struct AlertDelivery {
    dispatcher: AlertDispatcher,
    worker: JoinHandle<()>,
}

impl AlertDelivery {
    /// Stops taking goal events and waits, within a bound, for the queued ones.
    async fn drain(self) {
        self.dispatcher.close();
        let queued = self.dispatcher.queued();
        match tokio::time::timeout(ALERT_DRAIN_TIMEOUT, self.worker).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the alert worker stopped abnormally"),
            Err(_) => tracing::warn!(
                queued,
                "alert deliveries still queued at shutdown were abandoned"
            ),
        }
    }
}

/// What a first start makes for the owner, to be shown once: a full-access token, and the code
/// of the link that sets the owner's dashboard password (`<public address>/setup?code=...`).
#[derive(Debug, Clone)]
pub struct FirstStart {
    pub token: String,
    pub setup_code: String,
}

async fn first_start(services: &Services, owner_email: &str) -> Result<FirstStart, StartError> {
    let token = bootstrap_token(services, owner_email, Some("Owner".to_owned())).await?;
    let email =
        Email::parse(owner_email).map_err(|_| StartError::OwnerEmail(owner_email.to_owned()))?;
    let code = services.links().setup_link(&email).await?;
    Ok(FirstStart {
        token,
        setup_code: code.expose().to_owned(),
    })
}

/// Sets the dashboard password of the account with `email`, ending its sessions.
///
/// # Errors
/// An invalid email, no such account, a password out of bounds, or a storage failure.
pub async fn set_password(
    services: &Services,
    email: &str,
    password: &str,
) -> Result<(), StartError> {
    let email = Email::parse(email).map_err(|invalid| StartError::Service(invalid.into()))?;
    services.sign_in().set_password(&email, password).await?;
    Ok(())
}

/// `http://` and the bound address, naming `localhost` for an unspecified one (a browser
/// cannot open `0.0.0.0`).
fn local_public_address(address: SocketAddr) -> String {
    if address.ip().is_unspecified() {
        format!("http://localhost:{}", address.port())
    } else {
        format!("http://{address}")
    }
}

/// Creates `email`'s account if needed and mints a full-access token for it.
///
/// # Errors
/// An invalid email or name, or a storage failure.
pub async fn bootstrap_token(
    services: &Services,
    email: &str,
    name: Option<String>,
) -> Result<String, StartError> {
    let email = Email::parse(email).map_err(|_| StartError::OwnerEmail(email.to_owned()))?;
    let (account, _) = services
        .accounts()
        .ensure(NewAccount { email, name })
        .await?;
    let issued = services
        .tokens()
        .issue_for(&account, NewToken::default())
        .await?;
    Ok(issued.raw.expose().to_owned())
}

/// The HTTP adapter's settings from the server's configuration.
fn http_config(config: &Config) -> Result<HttpConfig, StartError> {
    let defaults = HttpConfig::default();
    Ok(HttpConfig {
        rate_limit: RateLimit {
            per_minute: config.rate_limit_per_minute,
            burst: config.rate_limit_burst,
        },
        max_body_bytes: config.max_body_bytes,
        workers: if config.workers == 0 {
            defaults.workers
        } else {
            config.workers
        },
        trusted_proxies: config.trusted_proxy_rules()?,
        public_url: config.public_url()?,
        extra_events_path: config.events_path.clone(),
        auth_failure_limit: RateLimit {
            per_minute: config.auth_failures_per_minute,
            burst: config.auth_failure_burst,
        },
        max_connections: config.max_connections,
        head_timeout: Duration::from_millis(config.head_timeout_ms),
        body_timeout: Duration::from_millis(config.body_timeout_ms),
        shutdown_timeout: Duration::from_secs(config.shutdown_timeout_secs),
        ..defaults
    })
}

/// A bound, ready server.
pub struct Application {
    address: SocketAddr,
    server: actix_web::dev::Server,
    services: Services,
    store: Arc<SqliteStore>,
    alerts: AlertDelivery,
    /// Looks up the checkouts tracker payment events name, once running.
    lookups: LookupWorker,
    import_interval: Duration,
    first_start: Option<FirstStart>,
    /// Where the server's links point: the configured public URL, else the bound address.
    public_address: String,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens storage, creates the owner on first start, and binds the listener.
    ///
    /// # Errors
    /// Invalid settings, or an unusable database, key file or address.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        config.validate()?;
        // Load the location database before touching the database files, so a bad path fails
        // fast and leaves nothing behind.
        let locator = match &config.geo_database {
            Some(path) => {
                let locator = MmdbLocator::open(path)?;
                tracing::info!(
                    database_type = locator.database_type(),
                    "location database loaded"
                );
                Some(Arc::new(locator))
            }
            None => None,
        };
        let notifiers = alert_channels(&config)?;
        let providers = Arc::new(config.payment_providers()?);
        let (store, mut services) = open_storage(
            &config.database,
            &config.key_file(),
            config.durability.into(),
        )
        .await?;
        let shutdown_store = Arc::clone(&store);
        if let Some(locator) = locator {
            services = services.with_geo_locator(locator);
        }
        if let Some(smtp) = config.smtp()? {
            let mailer = SmtpNotifier::new(&smtp).map_err(|e| StartError::Notify(e.to_string()))?;
            services = services.with_mailer(Arc::new(mailer));
        }
        services = services
            .with_payment_providers(providers)
            .allowing_test_keys(config.allow_test_keys)
            .with_revenue_import(config.import_settings(), runtime_pause());
        let (dispatcher, worker) = AlertDispatcher::new(
            AlertDeliveryPorts {
                store,
                notifiers,
                clock: Arc::new(SystemClock),
                random: Arc::new(OsRandom),
                retry: config.alert_retry(),
                pause: runtime_pause(),
            },
            ALERT_QUEUE_CAPACITY,
        );
        let services = services.with_goal_listener(Arc::new(dispatcher.clone()));
        let (services, lookups) = services.with_payment_lookups(LOOKUP_QUEUE_CAPACITY);
        let first_start = if services.accounts().any_exist().await? {
            None
        } else {
            Some(first_start(&services, &config.owner_email).await?)
        };
        let listener = TcpListener::bind(&config.bind).map_err(|e| StartError::Bind {
            address: config.bind.clone(),
            reason: e.to_string(),
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| StartError::Http(e.to_string()))?;
        let server = build_server(listener, services.clone(), http_config(&config)?)
            .map_err(|e| StartError::Http(e.to_string()))?;
        let alerts = AlertDelivery {
            dispatcher,
            worker: tokio::spawn(worker.run()),
        };
        Ok(Self {
            address,
            server,
            services,
            store: shutdown_store,
            alerts,
            lookups,
            import_interval: config.import_interval(),
            first_start,
            public_address: config
                .public_url()?
                .unwrap_or_else(|| local_public_address(address)),
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address actually bound (the real port when the configuration asked for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The address links printed at start point to: the `public_url` setting, or the bound
    /// address (`localhost` when bound to every interface). Requests find their own (see the
    /// HTTP adapter's `public_address`).
    pub fn public_address(&self) -> &str {
        &self.public_address
    }

    /// What was made for the owner on first start, to be shown once.
    pub fn take_first_start(&mut self) -> Option<FirstStart> {
        self.first_start.take()
    }

    /// Serves until SIGINT or SIGTERM, then writes pending last-use times and lets queued
    /// alert deliveries finish (within a bound).
    ///
    /// # Errors
    /// The HTTP server failing.
    pub async fn run_until_stopped(self) -> Result<(), StartError> {
        let services = self.services.clone();
        let flusher = tokio::spawn(async move {
            let mut interval = tokio::time::interval(USAGE_FLUSH_INTERVAL);
            loop {
                interval.tick().await;
                if let Err(error) = services.auth().flush_usage().await {
                    tracing::warn!(%error, "could not record last use of credentials");
                }
            }
        });
        // The analytics index is built from the stored events in the background, so the first
        // analytics query after a start does not wait for it (queries catch up on their own).
        let warming = self.services.clone();
        let warmer = tokio::spawn(async move {
            let started = std::time::Instant::now();
            match warming.analytics().warm().await {
                Ok(events) => tracing::info!(
                    events,
                    seconds = started.elapsed().as_secs_f64(),
                    "analytics index ready"
                ),
                Err(error) => tracing::warn!(%error, "could not build the analytics index"),
            }
        });
        let importer = tokio::spawn(import_revenue(self.services.clone(), self.import_interval));
        let lookups = tokio::spawn(self.lookups.run());
        let served = self.server.await;
        flusher.abort();
        warmer.abort();
        // A pass cut here resumes at its last stored page on the next start.
        importer.abort();
        // Queued lookups are not kept: the import's next pass brings their payments in.
        lookups.abort();
        self.alerts.drain().await;
        if let Err(error) = self.services.auth().flush_usage().await {
            tracing::warn!(%error, "could not record last use of credentials at shutdown");
        }
        if let Err(error) = self.store.fold_log().await {
            tracing::warn!(%error, "could not fold the write-ahead log into the database file");
        }
        served.map_err(|e| StartError::Http(e.to_string()))
    }
}
