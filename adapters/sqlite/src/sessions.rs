//! `SessionStore` on SQLite: dashboard passwords (argon2id PHC strings), sessions and one-time
//! link codes, the last two stored only as the keyed hash of their value.

use async_trait::async_trait;
use rusqlite::{Row, params};

use datafast_domain::id::{AccountId, SessionId};
use datafast_domain::session::{LinkCode, LinkPurpose, PasswordHash, Session};
use datafast_ports::CredentialHash;
use datafast_ports::store::{SessionStore, StoreError, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, first, millis};
use crate::error::Failure;

fn decode_session(row: &Row<'_>) -> Result<Session, Failure> {
    Ok(Session {
        id: row.parsed(0)?,
        account_id: row.parsed(1)?,
        created_at: row.instant(2)?,
        expires_at: row.instant(3)?,
    })
}

/// The purpose's stored name and subject id.
fn encode_purpose(purpose: LinkPurpose) -> (&'static str, String) {
    match purpose {
        LinkPurpose::SetPassword(account) => ("set_password", account.to_string()),
        LinkPurpose::Join(invitation) => ("join", invitation.to_string()),
    }
}

fn decode_link_code(row: &Row<'_>) -> Result<LinkCode, Failure> {
    let purpose = match row.text(0)?.as_str() {
        "set_password" => LinkPurpose::SetPassword(row.parsed(1)?),
        "join" => LinkPurpose::Join(row.parsed(1)?),
        other => {
            return Err(Failure::Store(StoreError::Backend(format!(
                "unknown link purpose {other}"
            ))));
        }
    };
    Ok(LinkCode {
        purpose,
        expires_at: row.instant(2)?,
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn set_password(&self, account: AccountId, hash: &PasswordHash) -> StoreResult<()> {
        let phc = hash.as_phc().to_owned();
        self.write(move |tx| {
            let exists = tx
                .prepare_cached("SELECT 1 FROM accounts WHERE id = ?1")?
                .exists([account.to_string()])?;
            if !exists {
                return Err(Failure::Store(StoreError::NotFound));
            }
            tx.prepare_cached(
                "INSERT INTO passwords (account_id, hash) VALUES (?1, ?2)
                 ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash",
            )?
            .execute(params![account.to_string(), phc])?;
            tx.prepare_cached("DELETE FROM sessions WHERE account_id = ?1")?
                .execute([account.to_string()])?;
            Ok(())
        })
        .await
    }

    async fn password_of(&self, account: AccountId) -> StoreResult<Option<PasswordHash>> {
        self.read(move |db| {
            let mut statement =
                db.prepare_cached("SELECT hash FROM passwords WHERE account_id = ?1")?;
            first(statement.query([account.to_string()])?, |row| {
                Ok(PasswordHash::from_phc(row.text(0)?))
            })
        })
        .await
    }

    async fn insert_session(&self, session: &Session, hash: &CredentialHash) -> StoreResult<()> {
        let session = session.clone();
        let hash = hash.as_str().to_owned();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO sessions (id, account_id, hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                session.id.to_string(),
                session.account_id.to_string(),
                hash,
                millis(session.created_at),
                millis(session.expires_at),
            ])?;
            Ok(())
        })
        .await
    }

    async fn session_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<Session>> {
        let hash = hash.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(
                "SELECT id, account_id, created_at, expires_at FROM sessions WHERE hash = ?1",
            )?;
            first(statement.query([hash])?, decode_session)
        })
        .await
    }

    async fn delete_session(&self, id: SessionId) -> StoreResult<()> {
        self.write(move |tx| {
            tx.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
                .execute([id.to_string()])?;
            Ok(())
        })
        .await
    }

    async fn insert_link_code(&self, hash: &CredentialHash, code: &LinkCode) -> StoreResult<()> {
        let hash = hash.as_str().to_owned();
        let (purpose, subject) = encode_purpose(code.purpose);
        let expires_at = millis(code.expires_at);
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO link_codes (hash, purpose, subject, expires_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![hash, purpose, subject, expires_at])?;
            Ok(())
        })
        .await
    }

    async fn link_code(&self, hash: &CredentialHash) -> StoreResult<Option<LinkCode>> {
        let hash = hash.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(
                "SELECT purpose, subject, expires_at FROM link_codes WHERE hash = ?1",
            )?;
            first(statement.query([hash])?, decode_link_code)
        })
        .await
    }

    async fn consume_link_code(&self, hash: &CredentialHash) -> StoreResult<bool> {
        let hash = hash.as_str().to_owned();
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM link_codes WHERE hash = ?1")?
                .execute([hash])?;
            Ok(deleted > 0)
        })
        .await
    }
}
