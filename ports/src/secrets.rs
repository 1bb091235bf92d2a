//! Ports for credential secrecy: the keyed hash that stands in for a raw credential in storage,
//! slow salted hashing of passwords, and the vault that seals provider credentials at rest.

use std::fmt;

use datafast_domain::session::{Password, PasswordHash};

/// A keyed hash of a raw credential (hex of HMAC-SHA-256 under the server secret). Storage
/// keeps and looks up only this.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CredentialHash(String);

impl CredentialHash {
    pub fn from_hex(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CredentialHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CredentialHash({}...)", self.0.get(..8).unwrap_or(""))
    }
}

/// Hashes raw credentials with a server-held key.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait CredentialHasher: Send + Sync {
    /// MUST be deterministic for one key, and MUST NOT be reversible without the key.
    fn hash(&self, raw: &str) -> CredentialHash;
}

/// The hasher could not hash a password (it could not draw a salt, for example).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the password could not be hashed")]
pub struct PasswordHashError;

/// Slow, salted hashing of people's passwords. Deliberately expensive, so it is async: an
/// implementation runs the work off the async threads and bounds how much runs at once, since
/// anyone can ask for a sign-in.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait::async_trait]
pub trait PasswordHasher: Send + Sync {
    /// A new hash with a fresh salt, as a self-describing PHC string.
    /// # Errors
    /// MUST return [`PasswordHashError`] when no hash could be made.
    async fn hash_password(&self, password: &Password) -> Result<PasswordHash, PasswordHashError>;
    /// Whether `password` is the one `hash` was made from. MUST return `false`, not panic, for
    /// a hash it cannot read.
    async fn verify_password(&self, password: &Password, hash: &PasswordHash) -> bool;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("the vault could not seal the credentials")]
    Seal,
    #[error("the sealed credentials could not be opened (wrong key or tampered data)")]
    Open,
}

/// Authenticated encryption of provider credentials.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait CredentialVault: Send + Sync {
    /// # Errors
    /// MUST return [`VaultError::Seal`] when encryption cannot be done; nothing is written then.
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, VaultError>;
    /// # Errors
    /// MUST return [`VaultError::Open`] when `sealed` was tampered with or sealed under
    /// another key.
    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError>;
}
