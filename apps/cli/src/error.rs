//! Every way a command can fail, and the exit code each one maps to, so scripts can tell a
//! usage mistake from a refused credential, a missing resource or an unreachable server.

use std::fmt;

/// Exit codes, documented in docs/cli.md; scripts depend on them, so never renumber.
pub mod exit {
    pub const OK: u8 = 0;
    pub const OTHER: u8 = 1;
    pub const USAGE: u8 = 2;
    pub const AUTH: u8 = 3;
    pub const NOT_FOUND: u8 = 4;
    pub const SERVER: u8 = 5;
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A command line that cannot be run as given.
    #[error("{0}")]
    Usage(String),
    /// No credential configured for what the command needs.
    #[error("{0}")]
    NoCredential(String),
    /// The server answered with an error status.
    #[error("{message} (HTTP {status})")]
    Api { status: u16, message: String },
    /// The server could not be reached at all.
    #[error("cannot reach {base}: {reason}")]
    Unreachable { base: String, reason: String },
    /// The server answered, but not with the API's envelope (usually a wrong base URL).
    #[error("{0}")]
    BadResponse(String),
    /// The local config file could not be read or written.
    #[error("{0}")]
    Config(String),
    /// The user declined a confirmation.
    #[error("aborted")]
    Aborted,
}

impl CliError {
    pub fn usage(message: impl fmt::Display) -> Self {
        Self::Usage(message.to_string())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => exit::USAGE,
            Self::NoCredential(_) => exit::AUTH,
            Self::Api { status, .. } => match status {
                401 | 403 => exit::AUTH,
                404 => exit::NOT_FOUND,
                500..=599 => exit::SERVER,
                _ => exit::OTHER,
            },
            Self::Unreachable { .. } | Self::BadResponse(_) => exit::SERVER,
            Self::Config(_) | Self::Aborted => exit::OTHER,
        }
    }
}

pub type CliResult<T> = Result<T, CliError>;

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> CliError {
        CliError::Api {
            status,
            message: "x".into(),
        }
    }

    #[test]
    fn statuses_map_to_distinct_exit_codes() {
        assert_eq!(api(401).exit_code(), exit::AUTH);
        assert_eq!(api(403).exit_code(), exit::AUTH);
        assert_eq!(api(404).exit_code(), exit::NOT_FOUND);
        assert_eq!(api(500).exit_code(), exit::SERVER);
        assert_eq!(api(503).exit_code(), exit::SERVER);
        assert_eq!(api(400).exit_code(), exit::OTHER);
        assert_eq!(api(409).exit_code(), exit::OTHER);
        assert_eq!(CliError::usage("bad").exit_code(), exit::USAGE);
        let down = CliError::Unreachable {
            base: "http://127.0.0.1:1".into(),
            reason: "refused".into(),
        };
        assert_eq!(down.exit_code(), exit::SERVER);
        assert_eq!(down.to_string(), "cannot reach http://127.0.0.1:1: refused");
    }
}
