//! `SessionStore` in memory: passwords, sessions and one-time link codes.

use async_trait::async_trait;

use datafast_domain::id::{AccountId, SessionId};
use datafast_domain::session::{LinkCode, PasswordHash, Session};
use datafast_ports::CredentialHash;
use datafast_ports::store::{SessionStore, StoreError, StoreResult};

use crate::MemoryStore;
use crate::state::{Hashed, duplicate_id, to_millis};

#[async_trait]
impl SessionStore for MemoryStore {
    async fn set_password(&self, account: AccountId, hash: &PasswordHash) -> StoreResult<()> {
        self.write(|state| {
            if !state.accounts.contains_key(&account) {
                return Err(StoreError::NotFound);
            }
            state.passwords.insert(account, hash.clone());
            state
                .sessions
                .retain(|_, session| session.row.account_id != account);
            Ok(())
        })
    }

    async fn password_of(&self, account: AccountId) -> StoreResult<Option<PasswordHash>> {
        self.read(|state| state.passwords.get(&account).cloned())
    }

    async fn insert_session(&self, session: &Session, hash: &CredentialHash) -> StoreResult<()> {
        let row = Session {
            created_at: to_millis(session.created_at),
            expires_at: to_millis(session.expires_at),
            ..session.clone()
        };
        self.write(|state| {
            if state.sessions.contains_key(&row.id) {
                return Err(duplicate_id("session"));
            }
            state.sessions.insert(
                row.id,
                Hashed {
                    row,
                    hash: hash.clone(),
                },
            );
            Ok(())
        })
    }

    async fn session_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<Session>> {
        self.read(|state| {
            state
                .sessions
                .values()
                .find(|session| session.hash == *hash)
                .map(|session| session.row.clone())
        })
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        self.write(|state| {
            state.sessions.remove(&id);
            Ok(())
        })
    }

    async fn insert_link_code(&self, hash: &CredentialHash, code: &LinkCode) -> StoreResult<()> {
        let code = LinkCode {
            expires_at: to_millis(code.expires_at),
            ..code.clone()
        };
        self.write(|state| {
            if state.link_codes.contains_key(hash.as_str()) {
                return Err(duplicate_id("link code"));
            }
            state.link_codes.insert(hash.as_str().to_owned(), code);
            Ok(())
        })
    }

    async fn link_code(&self, hash: &CredentialHash) -> StoreResult<Option<LinkCode>> {
        self.read(|state| state.link_codes.get(hash.as_str()).cloned())
    }

    async fn consume_link_code(&self, hash: &CredentialHash) -> StoreResult<bool> {
        self.write(|state| Ok(state.link_codes.remove(hash.as_str()).is_some()))
    }
}
