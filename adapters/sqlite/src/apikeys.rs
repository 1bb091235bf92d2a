//! Website API keys (`df_`): stored as a keyed hash, at most a given number per website.

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Row, params};

use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::id::{ApiKeyId, WebsiteId};
use datafast_ports::CredentialHash;
use datafast_ports::store::{ApiKeyStore, StoreError, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, first, millis, sql_count};
use crate::error::{Failure, conflict_on};

const KEY_COLUMNS: &str = "id, website_id, name, display_key, created_by, created_at, last_used_at,
                            issued_by_token, permissions";
const DUPLICATE_KEY: &[(&str, &str)] = &[("api_keys.hash", "key")];

fn decode_key(row: &Row<'_>) -> Result<ApiKey, Failure> {
    Ok(ApiKey {
        id: row.parsed(0)?,
        website_id: row.parsed(1)?,
        name: row.text(2)?,
        display_key: row.text(3)?,
        issued_by: KeyIssuer {
            account: row.parsed(4)?,
            token: row.optional_parsed(7)?,
            permissions: serde_json::from_str(&row.text(8)?)?,
        },
        created_at: row.instant(5)?,
        last_used_at: row.optional_instant(6)?,
    })
}

#[async_trait]
impl ApiKeyStore for SqliteStore {
    async fn insert_api_key(
        &self,
        key: &ApiKey,
        hash: &CredentialHash,
        max_per_website: usize,
    ) -> StoreResult<()> {
        let key = key.clone();
        let hash = hash.as_str().to_owned();
        // Counting and inserting in one immediate transaction keeps the limit under concurrency.
        self.write(move |tx| {
            let held: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM api_keys WHERE website_id = ?1")?
                .query_row([key.website_id.to_string()], |row| row.get(0))?;
            if held >= sql_count(max_per_website) {
                return Err(StoreError::LimitReached.into());
            }
            tx.prepare_cached(
                "INSERT INTO api_keys (id, website_id, hash, name, display_key, created_by,
                                       created_at, last_used_at, issued_by_token, permissions)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                key.id.to_string(),
                key.website_id.to_string(),
                hash,
                key.name,
                key.display_key,
                key.issued_by.account.to_string(),
                millis(key.created_at),
                key.last_used_at.map(millis),
                key.issued_by.token.map(|id| id.to_string()),
                serde_json::to_string(&key.issued_by.permissions)?,
            ])
            .map_err(|e| conflict_on(e, DUPLICATE_KEY))?;
            Ok(())
        })
        .await
    }

    async fn api_key_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<ApiKey>> {
        let hash = hash.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM api_keys WHERE hash = ?1"
            ))?;
            first(statement.query([hash])?, decode_key)
        })
        .await
    }

    async fn api_keys_of(&self, website: WebsiteId) -> StoreResult<Vec<ApiKey>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {KEY_COLUMNS} FROM api_keys WHERE website_id = ?1
                 ORDER BY created_at, id"
            ))?;
            all(statement.query([website.to_string()])?, decode_key)
        })
        .await
    }

    async fn roll_api_key(
        &self,
        website: WebsiteId,
        id: ApiKeyId,
        hash: &CredentialHash,
        display_key: &str,
        issuer: &KeyIssuer,
    ) -> StoreResult<ApiKey> {
        let hash = hash.as_str().to_owned();
        let display_key = display_key.to_owned();
        let issuer = issuer.clone();
        self.write(move |tx| {
            let mut statement = tx.prepare_cached(&format!(
                "UPDATE api_keys SET hash = ?3, display_key = ?4, created_by = ?5,
                                     issued_by_token = ?6, permissions = ?7
                 WHERE website_id = ?1 AND id = ?2
                 RETURNING {KEY_COLUMNS}"
            ))?;
            let rows = statement
                .query(params![
                    website.to_string(),
                    id.to_string(),
                    hash,
                    display_key,
                    issuer.account.to_string(),
                    issuer.token.map(|id| id.to_string()),
                    serde_json::to_string(&issuer.permissions)?,
                ])
                .map_err(|e| conflict_on(e, DUPLICATE_KEY))?;
            first(rows, decode_key)
                .map_err(|failure| match failure {
                    Failure::Sql(e) => conflict_on(e, DUPLICATE_KEY),
                    other => other,
                })?
                .ok_or(Failure::Store(StoreError::NotFound))
        })
        .await
    }

    async fn delete_api_key(&self, website: WebsiteId, id: ApiKeyId) -> StoreResult<()> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM api_keys WHERE website_id = ?1 AND id = ?2")?
                .execute([website.to_string(), id.to_string()])?;
            if deleted == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }

    async fn touch_api_keys(&self, uses: &[(ApiKeyId, Timestamp)]) -> StoreResult<()> {
        if uses.is_empty() {
            return Ok(());
        }
        let uses = uses.to_vec();
        self.write(move |tx| {
            let mut statement =
                tx.prepare_cached("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1")?;
            for (id, at) in uses {
                statement.execute(params![id.to_string(), millis(at)])?;
            }
            Ok(())
        })
        .await
    }
}
