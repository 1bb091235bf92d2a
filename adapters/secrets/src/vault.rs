//! The credential vault: XChaCha20-Poly1305 with a fresh random nonce per seal. Sealed bytes are
//! a version byte, the 24-byte nonce, then the ciphertext with its tag, so a later format can be
//! told apart.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use datafast_ports::{CredentialVault, RandomSource, VaultError};

use crate::OsRandom;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Clone)]
pub struct AeadVault {
    key: [u8; 32],
}

impl AeadVault {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.key.into())
    }
}

impl fmt::Debug for AeadVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AeadVault(<key>)")
    }
}

impl CredentialVault for AeadVault {
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        let mut nonce = [0u8; NONCE_LEN];
        OsRandom.fill(&mut nonce);
        let ciphertext = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), plaintext)
            .map_err(|_| VaultError::Seal)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        let (version, rest) = sealed.split_first().ok_or(VaultError::Open)?;
        if *version != VERSION || rest.len() < NONCE_LEN {
            return Err(VaultError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), ciphertext)
            .map_err(|_| VaultError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hides_the_plaintext() {
        let vault = AeadVault::new([9; 32]);
        let sealed = vault.seal(b"rk_live_secret").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        assert_eq!(vault.open(&sealed).unwrap(), b"rk_live_secret");
        assert_ne!(
            vault.seal(b"rk_live_secret").unwrap(),
            sealed,
            "nonces differ"
        );
    }

    #[test]
    fn tampering_wrong_keys_and_short_input_are_refused() {
        let vault = AeadVault::new([9; 32]);
        let mut sealed = vault.seal(b"secret").unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert_eq!(vault.open(&sealed), Err(VaultError::Open));
        let sealed = vault.seal(b"secret").unwrap();
        assert_eq!(AeadVault::new([8; 32]).open(&sealed), Err(VaultError::Open));
        assert_eq!(vault.open(&[]), Err(VaultError::Open));
        assert_eq!(vault.open(&[1, 2, 3]), Err(VaultError::Open));
        let mut other_version = sealed.clone();
        other_version[0] = 2;
        assert_eq!(vault.open(&other_version), Err(VaultError::Open));
    }
}
