//! Server configuration: defaults, then an optional TOML file, then `DATAFAST_*` environment
//! variables, then command-line flags. Holds no secret, so `Debug` shows it all.

use std::path::{Path, PathBuf};

use datafast_domain::account::Email;
use serde::Deserialize;

/// Everything `serve` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// The SQLite database file.
    pub database: PathBuf,
    /// The server key file; `None` means the database path with the extension `.key`.
    pub key_file: Option<PathBuf>,
    /// The email of the account created on first start.
    pub owner_email: String,
    /// Admin API requests per credential per minute; 0 disables rate limiting.
    pub rate_limit_per_minute: u32,
    /// Requests a credential may make at once before the per-minute rate applies.
    pub rate_limit_burst: u32,
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// HTTP worker threads; 0 means one per core.
    pub workers: usize,
    /// The log filter (`info`, `warn`, `datafast_http=debug`, ...).
    pub log: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            database: PathBuf::from("./datafast.db"),
            key_file: None,
            owner_email: "owner@localhost.localdomain".to_owned(),
            rate_limit_per_minute: 600,
            rate_limit_burst: 120,
            max_body_bytes: 64 * 1024,
            workers: 0,
            log: "info".to_owned(),
        }
    }
}

impl Config {
    /// Refuses settings that would only fail later, after files were already created.
    ///
    /// # Errors
    /// An owner email that is not an address, or a log filter that does not parse.
    pub fn validate(&self) -> Result<(), ConfigError> {
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

    /// The key file in use: the configured one, or the database path with `.key`.
    pub fn key_file(&self) -> PathBuf {
        self.key_file
            .clone()
            .unwrap_or_else(|| default_key_file(&self.database))
    }
}

/// The key file that goes with a database when none is configured.
pub fn default_key_file(database: &Path) -> PathBuf {
    database.with_extension("key")
}

/// The TOML file's keys; every one optional, unknown keys refused so typos are caught.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub bind: Option<String>,
    pub database: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
    pub owner_email: Option<String>,
    pub rate_limit_per_minute: Option<u32>,
    pub rate_limit_burst: Option<u32>,
    pub max_body_bytes: Option<usize>,
    pub workers: Option<usize>,
    pub log: Option<String>,
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
        owner_email,
        rate_limit_per_minute,
        rate_limit_burst,
        max_body_bytes,
        workers,
        log
    );
    if let Some(key_file) = layer.key_file {
        config.key_file = Some(key_file);
    }
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
}
