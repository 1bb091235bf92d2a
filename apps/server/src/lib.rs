//! The DataFast-compatible server as a library: configuration, wiring the adapters into the use
//! cases, and the application lifecycle. `main.rs` only parses the command line and calls in
//! here, and tests start the same [`Application`] on port 0.

pub mod config;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use datafast_domain::account::Email;
use datafast_http::{HttpConfig, RateLimit, build_server};
use datafast_ports::store::AccountStore;
use datafast_ports::usecases::{NewAccount, NewToken};
use datafast_ports::{Clock, ServiceError, Services, StoreError};
use datafast_secrets::{KeyFileError, OsRandom, ServerKeys};
use datafast_sqlite::{SqliteError, SqliteStore};

pub use config::{Config, ConfigError};

/// How often recorded last-use times are written.
const USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(30);

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
        "the database {database} holds accounts but its key file {key_file} is missing; restore \
         the key file from your backup (without it no existing token or key verifies), or point \
         key_file at it"
    )]
    MissingKeyFile { database: String, key_file: String },
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
}

/// Opens the database (running migrations) and the key file, and wires the use cases.
///
/// # Errors
/// An unusable database or key file, or a database with accounts whose key file is gone.
pub async fn open_services(database: &Path, key_file: &Path) -> Result<Services, StartError> {
    let store = SqliteStore::open(database)?;
    // A fresh key file beside a populated database would silently invalidate every credential
    // and make every sealed provider key unreadable: refuse, so the operator restores the file.
    if !key_file.exists() && store.account_count().await? > 0 {
        return Err(StartError::MissingKeyFile {
            database: database.display().to_string(),
            key_file: key_file.display().to_string(),
        });
    }
    let keys = ServerKeys::load_or_create(key_file)?;
    Ok(Services::new(
        Arc::new(store),
        Arc::new(SystemClock),
        Arc::new(OsRandom),
        Arc::new(keys.hasher()),
        Arc::new(keys.vault()),
    ))
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
    let (account, _) = services.ensure_account(NewAccount { email, name }).await?;
    let issued = services
        .issue_token_for(&account, NewToken::default())
        .await?;
    Ok(issued.raw.expose().to_owned())
}

/// A bound, ready server.
pub struct Application {
    address: SocketAddr,
    server: actix_web::dev::Server,
    services: Services,
    first_start_token: Option<String>,
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
        let services = open_services(&config.database, &config.key_file()).await?;
        let first_start_token = if services.has_accounts().await? {
            None
        } else {
            Some(bootstrap_token(&services, &config.owner_email, Some("Owner".to_owned())).await?)
        };
        let listener = TcpListener::bind(&config.bind).map_err(|e| StartError::Bind {
            address: config.bind.clone(),
            reason: e.to_string(),
        })?;
        let address = listener
            .local_addr()
            .map_err(|e| StartError::Http(e.to_string()))?;
        let defaults = HttpConfig::default();
        let http = HttpConfig {
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
            trusted_proxies: Vec::new(),
            extra_events_path: None,
        };
        let server = build_server(listener, services.clone(), http)
            .map_err(|e| StartError::Http(e.to_string()))?;
        Ok(Self {
            address,
            server,
            services,
            first_start_token,
        })
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address actually bound (the real port when the configuration asked for port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The full-access token minted for the owner on first start, to be shown once.
    pub fn take_first_start_token(&mut self) -> Option<String> {
        self.first_start_token.take()
    }

    /// Serves until SIGINT or SIGTERM, then writes pending last-use times.
    ///
    /// # Errors
    /// The HTTP server failing.
    pub async fn run_until_stopped(self) -> Result<(), StartError> {
        let services = self.services.clone();
        let flusher = tokio::spawn(async move {
            let mut interval = tokio::time::interval(USAGE_FLUSH_INTERVAL);
            loop {
                interval.tick().await;
                if let Err(error) = services.flush_usage().await {
                    tracing::warn!(%error, "could not record last use of credentials");
                }
            }
        });
        let served = self.server.await;
        flusher.abort();
        if let Err(error) = self.services.flush_usage().await {
            tracing::warn!(%error, "could not record last use of credentials at shutdown");
        }
        served.map_err(|e| StartError::Http(e.to_string()))
    }
}
