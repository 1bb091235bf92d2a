//! Secrets on disk and in memory: the OS random source, the keyed hash that stands in for raw
//! credentials in storage, argon2id hashing of dashboard passwords, the AEAD vault that seals
//! provider credentials, and the server key file that holds the two keys. Key bytes never appear in `Debug` output or errors.

mod keys;
mod passwords;
mod vault;

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use datafast_ports::{CredentialHash, CredentialHasher, RandomSource};

pub use keys::{KeyFileError, ServerKeys};
pub use passwords::{Argon2Passwords, CONCURRENT_HASHES};
pub use vault::AeadVault;

/// The operating system's random source.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn fill(&self, buffer: &mut [u8]) {
        // The OS source failing is not recoverable: running on with predictable bytes would mint
        // guessable credentials, so stop the process instead.
        if let Err(error) = getrandom::fill(buffer) {
            eprintln!("fatal: the operating system's random source failed: {error}");
            std::process::abort();
        }
    }
}

/// HMAC-SHA-256 under the server's hash key, as lowercase hex.
#[derive(Clone)]
pub struct HmacHasher {
    key: [u8; 32],
}

impl HmacHasher {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }
}

impl fmt::Debug for HmacHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HmacHasher(<key>)")
    }
}

impl CredentialHasher for HmacHasher {
    fn hash(&self, raw: &str) -> CredentialHash {
        // A 32-byte key is always a valid HMAC key, so this construction cannot fail; the
        // fallback keeps the code free of panics all the same.
        let digest = match <Hmac<Sha256> as Mac>::new_from_slice(&self.key) {
            Ok(mut mac) => {
                mac.update(raw.as_bytes());
                mac.finalize().into_bytes().to_vec()
            }
            Err(_) => Vec::new(),
        };
        CredentialHash::from_hex(hex::encode(digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_keyed_and_deterministic() {
        let a = HmacHasher::new([1; 32]);
        let b = HmacHasher::new([2; 32]);
        assert_eq!(a.hash("dft_x"), a.hash("dft_x"));
        assert_ne!(a.hash("dft_x"), a.hash("dft_y"));
        assert_ne!(a.hash("dft_x"), b.hash("dft_x"));
        assert_eq!(a.hash("dft_x").as_str().len(), 64);
        assert!(!a.hash("dft_secret").as_str().contains("secret"));
    }

    #[test]
    fn the_os_source_fills_buffers() {
        let mut first = [0u8; 32];
        let mut second = [0u8; 32];
        OsRandom.fill(&mut first);
        OsRandom.fill(&mut second);
        assert_ne!(first, second);
    }

    #[test]
    fn debug_hides_the_key() {
        assert!(!format!("{:?}", HmacHasher::new([7; 32])).contains('7'));
    }
}
