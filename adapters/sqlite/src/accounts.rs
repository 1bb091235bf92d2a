//! Accounts and their account tokens (`dft_`), which are stored only as a keyed hash.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Row, params};

use datafast_domain::access::WebsiteScope;
use datafast_domain::account::{Account, Email};
use datafast_domain::id::{AccountId, TokenId, WebsiteId};
use datafast_domain::permission::PermissionSet;
use datafast_domain::token::AccessToken;
use datafast_ports::CredentialHash;
use datafast_ports::store::{AccountStore, StoreError, StoreResult, TokenStore};

use crate::SqliteStore;
use crate::codec::{RowExt, all, count_of, decoded, first, millis};
use crate::error::{Failure, conflict_on};

/// The columns [`decode_account`] reads, in order, for tables aliased `a`.
pub(crate) const ACCOUNT_COLUMNS: &str = "a.id, a.name, a.email, a.image, a.created_at";

/// Decodes the account whose columns ([`ACCOUNT_COLUMNS`]) start at `at`.
pub(crate) fn decode_account(row: &Row<'_>, at: usize) -> Result<Account, Failure> {
    let email = row.text(at + 2)?;
    Ok(Account {
        id: row.parsed(at)?,
        name: row.text(at + 1)?,
        email: decoded(Email::parse(&email).ok(), "email", &email)?,
        image: row.optional_text(at + 3)?,
        created_at: row.instant(at + 4)?,
    })
}

#[async_trait]
impl AccountStore for SqliteStore {
    async fn create_account(&self, account: &Account) -> StoreResult<()> {
        let account = account.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO accounts (id, name, email, image, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                account.id.to_string(),
                account.name,
                account.email.as_str(),
                account.image,
                millis(account.created_at),
            ])
            .map_err(|e| conflict_on(e, &[("accounts.email", "email")]))?;
            Ok(())
        })
        .await
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.id = ?1"
            ))?;
            first(statement.query([id.to_string()])?, |row| {
                decode_account(row, 0)
            })
        })
        .await
    }

    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>> {
        let email = email.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE a.email = ?1"
            ))?;
            first(statement.query([email])?, |row| decode_account(row, 0))
        })
        .await
    }

    async fn rename_account(&self, id: AccountId, name: &str) -> StoreResult<Account> {
        let name = name.to_owned();
        self.write(move |tx| {
            let mut statement = tx.prepare_cached(
                "UPDATE accounts SET name = ?2 WHERE id = ?1
                 RETURNING id, name, email, image, created_at",
            )?;
            first(statement.query(params![id.to_string(), name])?, |row| {
                decode_account(row, 0)
            })?
            .ok_or(Failure::Store(StoreError::NotFound))
        })
        .await
    }

    async fn account_count(&self) -> StoreResult<u64> {
        self.read(|db| {
            let count: i64 = db
                .prepare_cached("SELECT COUNT(*) FROM accounts")?
                .query_row([], |row| row.get(0))?;
            count_of(count)
        })
        .await
    }
}

const TOKEN_COLUMNS: &str = "id, account_id, name, display_key, permissions, websites, created_at,
                              last_used_at, created_by";

fn decode_token(row: &Row<'_>) -> Result<AccessToken, Failure> {
    let permissions: PermissionSet = serde_json::from_str(&row.text(4)?)?;
    let websites: Vec<WebsiteId> = serde_json::from_str(&row.text(5)?)?;
    Ok(AccessToken {
        id: row.parsed(0)?,
        account_id: row.parsed(1)?,
        name: row.optional_text(2)?,
        display_key: row.text(3)?,
        permissions,
        websites: WebsiteScope::from_ids(websites),
        created_by: row.optional_parsed(8)?,
        created_at: row.instant(6)?,
        last_used_at: row.optional_instant(7)?,
    })
}

#[async_trait]
impl TokenStore for SqliteStore {
    async fn insert_token(&self, token: &AccessToken, hash: &CredentialHash) -> StoreResult<()> {
        let token = token.clone();
        let hash = hash.as_str().to_owned();
        self.write(move |tx| {
            let permissions = serde_json::to_string(&token.permissions)?;
            let websites = serde_json::to_string(&token.websites.ids())?;
            tx.prepare_cached(
                "INSERT INTO tokens (id, account_id, hash, name, display_key, permissions,
                                     websites, created_at, last_used_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                token.id.to_string(),
                token.account_id.to_string(),
                hash,
                token.name,
                token.display_key,
                permissions,
                websites,
                millis(token.created_at),
                token.last_used_at.map(millis),
                token.created_by.map(|id| id.to_string()),
            ])
            .map_err(|e| conflict_on(e, &[("tokens.hash", "token")]))?;
            Ok(())
        })
        .await
    }

    async fn token_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<AccessToken>> {
        let hash = hash.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash = ?1"
            ))?;
            first(statement.query([hash])?, decode_token)
        })
        .await
    }

    async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<AccessToken>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {TOKEN_COLUMNS} FROM tokens WHERE account_id = ?1
                 ORDER BY created_at DESC, id DESC"
            ))?;
            all(statement.query([account.to_string()])?, decode_token)
        })
        .await
    }

    async fn delete_token(&self, account: AccountId, id: TokenId) -> StoreResult<()> {
        self.write(move |tx| {
            let owned = tx
                .prepare_cached("SELECT 1 FROM tokens WHERE id = ?1 AND account_id = ?2")?
                .exists([id.to_string(), account.to_string()])?;
            if !owned {
                return Err(StoreError::NotFound.into());
            }
            revoke_token_tree(tx, id)
        })
        .await
    }

    async fn touch_tokens(&self, uses: &[(TokenId, Timestamp)]) -> StoreResult<()> {
        if uses.is_empty() {
            return Ok(());
        }
        let uses = uses.to_vec();
        self.write(move |tx| {
            let mut statement =
                tx.prepare_cached("UPDATE tokens SET last_used_at = ?2 WHERE id = ?1")?;
            for (id, at) in uses {
                statement.execute(params![id.to_string(), millis(at)])?;
            }
            Ok(())
        })
        .await
    }
}

/// The token `?1` and every token created from it, transitively.
const TOKEN_TREE: &str = "WITH RECURSIVE tree(id) AS (
        SELECT ?1
        UNION SELECT tokens.id FROM tokens JOIN tree ON tokens.created_by = tree.id
    )";

/// Deletes `root`, every token created from it (transitively), and the website keys and
/// pending invitations any of them issued, in the caller's transaction.
fn revoke_token_tree(tx: &rusqlite::Transaction<'_>, root: TokenId) -> Result<(), Failure> {
    let root = root.to_string();
    for deletion in [
        "DELETE FROM api_keys WHERE issued_by_token IN tree",
        "DELETE FROM invitations WHERE invited_by_token IN tree",
        // Last, since the two above find the tree through these rows.
        "DELETE FROM tokens WHERE id IN tree",
    ] {
        tx.prepare_cached(&format!("{TOKEN_TREE} {deletion}"))?
            .execute([&root])?;
    }
    Ok(())
}
