//! The server key file: two independent 32-byte keys (credential hashing, vault), created from
//! the OS random source on first start with mode 0600, refused later if others can read it.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use datafast_ports::RandomSource;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{AeadVault, HmacHasher, OsRandom};

const HEADER: &str = "datafast-server keys v1";
/// What the key check value is a keyed hash of. No credential, salt or other keyed hash the
/// server makes uses this label, so the value reveals nothing those rely on.
const CHECK_LABEL: &[u8] = b"datafast-server key check v1";

#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("cannot read the key file {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("cannot create the key file {path}: {reason}")]
    Create { path: PathBuf, reason: String },
    #[error(
        "the key file {path} is readable by other users (mode {mode:o}); run `chmod 600` on it"
    )]
    TooOpen { path: PathBuf, mode: u32 },
    #[error("the key file {path} is not a datafast-server key file")]
    Malformed { path: PathBuf },
}

/// The server's two secret keys.
#[derive(Clone)]
pub struct ServerKeys {
    hash_key: [u8; 32],
    vault_key: [u8; 32],
}

impl fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerKeys(<redacted>)")
    }
}

impl ServerKeys {
    /// Loads the key file at `path`, creating it with fresh keys when it does not exist.
    ///
    /// # Errors
    /// A file that cannot be read or created, is open to other users, or is not a key file.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyFileError> {
        match std::fs::metadata(path) {
            Ok(metadata) => {
                let mode = metadata.permissions().mode() & 0o777;
                if mode & 0o077 != 0 {
                    return Err(KeyFileError::TooOpen {
                        path: path.to_owned(),
                        mode,
                    });
                }
                Self::load(path)
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Self::create(path),
            Err(error) => Err(KeyFileError::Read {
                path: path.to_owned(),
                reason: error.to_string(),
            }),
        }
    }

    fn load(path: &Path) -> Result<Self, KeyFileError> {
        let text = std::fs::read_to_string(path).map_err(|e| KeyFileError::Read {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let malformed = || KeyFileError::Malformed {
            path: path.to_owned(),
        };
        let mut lines = text.lines();
        if lines.next() != Some(HEADER) {
            return Err(malformed());
        }
        let mut hash_key = None;
        let mut vault_key = None;
        for line in lines {
            let Some((name, value)) = line.split_once('=') else {
                continue;
            };
            let mut key = [0u8; 32];
            hex::decode_to_slice(value.trim(), &mut key).map_err(|_| malformed())?;
            match name.trim() {
                "hash" => hash_key = Some(key),
                "vault" => vault_key = Some(key),
                _ => return Err(malformed()),
            }
        }
        match (hash_key, vault_key) {
            (Some(hash_key), Some(vault_key)) => Ok(Self {
                hash_key,
                vault_key,
            }),
            _ => Err(malformed()),
        }
    }

    fn create(path: &Path) -> Result<Self, KeyFileError> {
        let mut hash_key = [0u8; 32];
        let mut vault_key = [0u8; 32];
        OsRandom.fill(&mut hash_key);
        OsRandom.fill(&mut vault_key);
        let contents = format!(
            "{HEADER}\nhash={}\nvault={}\n",
            hex::encode(hash_key),
            hex::encode(vault_key)
        );
        let failed = |e: std::io::Error| KeyFileError::Create {
            path: path.to_owned(),
            reason: e.to_string(),
        };
        // Created with mode 0600 from the start, never widened then narrowed, and never over an
        // existing file: a race with another process fails instead of mixing keys.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
            .map_err(failed)?;
        file.write_all(contents.as_bytes()).map_err(failed)?;
        file.sync_all().map_err(failed)?;
        Ok(Self {
            hash_key,
            vault_key,
        })
    }

    /// A value that tells these keys from any others without revealing them, for the database
    /// to keep and compare at every start: HMAC-SHA-256 of a fixed label under the hash key,
    /// then of that under the vault key, as lowercase hex.
    pub fn check_value(&self) -> String {
        let under_hash_key = keyed_hash(&self.hash_key, CHECK_LABEL);
        hex::encode(keyed_hash(&self.vault_key, &under_hash_key))
    }

    pub fn hasher(&self) -> HmacHasher {
        HmacHasher::new(self.hash_key)
    }

    pub fn vault(&self) -> AeadVault {
        AeadVault::new(self.vault_key)
    }
}

/// HMAC-SHA-256 of `message` under `key`.
fn keyed_hash(key: &[u8; 32], message: &[u8]) -> Vec<u8> {
    // A 32-byte key is always a valid HMAC key, so this construction cannot fail; the fallback
    // keeps the code free of panics all the same.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafast_ports::{CredentialHasher, CredentialVault};

    #[test]
    fn created_once_with_mode_0600_and_reloaded_identically() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("server.key");
        let first = ServerKeys::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let again = ServerKeys::load_or_create(&path).unwrap();
        assert_eq!(first.hasher().hash("dft_a"), again.hasher().hash("dft_a"));
        let sealed = first.vault().seal(b"x").unwrap();
        assert_eq!(again.vault().open(&sealed).unwrap(), b"x");
        assert_ne!(
            first.hash_key, first.vault_key,
            "the two keys are independent"
        );
    }

    #[test]
    fn the_check_value_tells_key_files_apart_and_hides_the_keys() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("a.key");
        let a = ServerKeys::load_or_create(&path).unwrap();
        let again = ServerKeys::load_or_create(&path).unwrap();
        let b = ServerKeys::load_or_create(&folder.path().join("b.key")).unwrap();
        assert_eq!(a.check_value(), again.check_value());
        assert_ne!(a.check_value(), b.check_value());
        assert_eq!(a.check_value().len(), 64);
        for key in [a.hash_key, a.vault_key] {
            assert!(!a.check_value().contains(&hex::encode(key)));
        }
        // Not a value the hasher hands out for any input the server gives it.
        let label = std::str::from_utf8(CHECK_LABEL).unwrap();
        assert_ne!(a.hasher().hash(label).as_str(), a.check_value());
        // Either key alone changes it.
        let other_vault = ServerKeys {
            vault_key: b.vault_key,
            ..a.clone()
        };
        assert_ne!(other_vault.check_value(), a.check_value());
    }

    #[test]
    fn different_files_hold_different_keys() {
        let folder = tempfile::tempdir().unwrap();
        let a = ServerKeys::load_or_create(&folder.path().join("a.key")).unwrap();
        let b = ServerKeys::load_or_create(&folder.path().join("b.key")).unwrap();
        assert_ne!(a.hasher().hash("dft_a"), b.hasher().hash("dft_a"));
    }

    #[test]
    fn open_or_foreign_files_are_refused() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("server.key");
        ServerKeys::load_or_create(&path).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            ServerKeys::load_or_create(&path),
            Err(KeyFileError::TooOpen { .. })
        ));
        let other = folder.path().join("other.key");
        std::fs::write(&other, "hello").unwrap();
        std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert!(matches!(
            ServerKeys::load_or_create(&other),
            Err(KeyFileError::Malformed { .. })
        ));
        assert!(!format!("{:?}", ServerKeys::load_or_create(&path).err()).contains("hash="));
    }
}
