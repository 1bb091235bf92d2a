//! Dashboard passwords hashed with argon2id (the `argon2` crate's defaults: 19 MiB, two
//! passes, one lane, OWASP's recommended minimum), on tokio's blocking threads and never more
//! than a few at once, since anyone can ask for a sign-in and each hash is deliberately
//! expensive in time and memory.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash as Phc, PasswordHasher as _, PasswordVerifier, SaltString,
};
use async_trait::async_trait;
use tokio::sync::Semaphore;

use datafast_domain::session::{Password, PasswordHash};
use datafast_ports::secrets::{PasswordHashError, PasswordHasher};

/// Hashes running at once; more wait their turn. Two, as a small server has about two cores
/// and sign-ins must not starve the rest of the server.
pub const CONCURRENT_HASHES: usize = 2;

/// Argon2id password hashing behind the `PasswordHasher` port.
#[derive(Debug, Clone)]
pub struct Argon2Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Argon2Passwords {
    fn default() -> Self {
        Self {
            permits: Arc::new(Semaphore::new(CONCURRENT_HASHES)),
        }
    }
}

impl Argon2Passwords {
    /// Runs `work` on a blocking thread once a permit is free.
    async fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let _permit = self.permits.acquire().await.ok()?;
        tokio::task::spawn_blocking(work).await.ok()
    }
}

fn hash_now(password: &str) -> Result<PasswordHash, PasswordHashError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| PasswordHashError)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| PasswordHashError)?;
    let phc = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|_| PasswordHashError)?;
    Ok(PasswordHash::from_phc(phc.to_string()))
}

fn verify_now(password: &str, stored: &str) -> bool {
    Phc::new(stored).is_ok_and(|phc| {
        Argon2::default()
            .verify_password(password.as_bytes(), &phc)
            .is_ok()
    })
}

#[async_trait]
impl PasswordHasher for Argon2Passwords {
    async fn hash_password(&self, password: &Password) -> Result<PasswordHash, PasswordHashError> {
        let password = password.expose().to_owned();
        self.bounded(move || hash_now(&password))
            .await
            .unwrap_or(Err(PasswordHashError))
    }

    async fn verify_password(&self, password: &Password, hash: &PasswordHash) -> bool {
        let password = password.expose().to_owned();
        let stored = hash.as_phc().to_owned();
        self.bounded(move || verify_now(&password, &stored))
            .await
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn password(text: &str) -> Password {
        Password::parse("password", text).unwrap()
    }

    #[tokio::test]
    async fn a_hash_checks_its_password_and_no_other() {
        let passwords = Argon2Passwords::default();
        let hash = passwords
            .hash_password(&password("correct horse battery"))
            .await
            .unwrap();
        assert!(hash.as_phc().starts_with("$argon2id$"));
        assert!(!hash.as_phc().contains("horse"));
        assert!(
            passwords
                .verify_password(&password("correct horse battery"), &hash)
                .await
        );
        assert!(
            !passwords
                .verify_password(&password("correct horse battery!"), &hash)
                .await
        );
    }

    #[tokio::test]
    async fn the_same_password_gets_a_new_salt_each_time() {
        let passwords = Argon2Passwords::default();
        let first = passwords
            .hash_password(&password("0123456789"))
            .await
            .unwrap();
        let second = passwords
            .hash_password(&password("0123456789"))
            .await
            .unwrap();
        assert_ne!(first, second);
    }

    #[tokio::test]
    async fn an_unreadable_hash_verifies_nothing() {
        let passwords = Argon2Passwords::default();
        let garbage = PasswordHash::from_phc("not a phc string".to_owned());
        assert!(
            !passwords
                .verify_password(&password("0123456789"), &garbage)
                .await
        );
    }
}
