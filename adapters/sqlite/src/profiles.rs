//! Visitor profiles from identify: one per website and visitor, replaced by later identifies.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use datafast_domain::id::WebsiteId;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::provider_payment::CheckoutEmail;
use datafast_ports::store::{ProfileStore, StoreResult};

use crate::SqliteStore;
use crate::codec::{all, instant, millis};
use crate::error::Failure;

#[async_trait]
impl ProfileStore for SqliteStore {
    async fn save_profile(&self, profile: &VisitorProfile) -> StoreResult<VisitorProfile> {
        let mut profile = profile.clone();
        self.write(move |tx| {
            let metadata = serde_json::to_string(&profile.metadata)
                .map_err(|e| Failure::Corrupt(format!("profile metadata: {e}")))?;
            // A replaced profile keeps its first id: clients may have stored it.
            let existing: Option<String> = tx
                .prepare_cached(
                    "SELECT profile_id FROM visitor_profiles
                     WHERE website_id = ?1 AND visitor_id = ?2",
                )?
                .query_row(
                    params![profile.website_id.to_string(), profile.visitor_id],
                    |row| row.get(0),
                )
                .optional()?;
            if let Some(id) = existing {
                profile.profile_id = id;
            }
            tx.prepare_cached(
                "INSERT INTO visitor_profiles (website_id, visitor_id, profile_id, user_id,
                     metadata, identified_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (website_id, visitor_id) DO UPDATE SET
                     user_id = excluded.user_id, metadata = excluded.metadata,
                     identified_at = excluded.identified_at",
            )?
            .execute(params![
                profile.website_id.to_string(),
                profile.visitor_id,
                profile.profile_id,
                profile.user_id,
                metadata,
                millis(profile.identified_at),
            ])?;
            profile.identified_at = crate::codec::instant(millis(profile.identified_at))?;
            Ok(profile)
        })
        .await
    }

    async fn profile(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<VisitorProfile>> {
        let visitor_id = visitor_id.to_owned();
        self.read(move |db| {
            let found = db
                .prepare_cached(
                    "SELECT profile_id, user_id, metadata, identified_at FROM visitor_profiles
                     WHERE website_id = ?1 AND visitor_id = ?2",
                )?
                .query_row(params![website.to_string(), visitor_id], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, i64>(3)?,
                    ))
                })
                .optional()?;
            let Some((profile_id, user_id, metadata, identified_at)) = found else {
                return Ok(None);
            };
            Ok(Some(VisitorProfile {
                profile_id,
                website_id: website,
                visitor_id,
                user_id,
                metadata: serde_json::from_str(&metadata)
                    .map_err(|e| Failure::Corrupt(format!("profile metadata: {e}")))?,
                identified_at: crate::codec::instant(identified_at)?,
            }))
        })
        .await
    }

    async fn profiles(&self, website: WebsiteId) -> StoreResult<Vec<VisitorProfile>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(
                "SELECT visitor_id, profile_id, user_id, metadata, identified_at
                 FROM visitor_profiles WHERE website_id = ?1 ORDER BY visitor_id",
            )?;
            all(statement.query([website.to_string()])?, |row| {
                let metadata: String = row.get(3)?;
                Ok(VisitorProfile {
                    website_id: website,
                    visitor_id: row.get(0)?,
                    profile_id: row.get(1)?,
                    user_id: row.get(2)?,
                    metadata: serde_json::from_str(&metadata)
                        .map_err(|e| Failure::Corrupt(format!("profile metadata: {e}")))?,
                    identified_at: instant(row.get(4)?)?,
                })
            })
        })
        .await
    }

    async fn save_checkout_email(&self, checkout: &CheckoutEmail) -> StoreResult<()> {
        let checkout = checkout.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO checkout_emails (website_id, email, visitor_id, seen_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (website_id, email) DO UPDATE SET
                     visitor_id = excluded.visitor_id, seen_at = excluded.seen_at
                 WHERE excluded.seen_at >= checkout_emails.seen_at",
            )?
            .execute(params![
                checkout.website_id.to_string(),
                checkout.email,
                checkout.visitor_id,
                millis(checkout.seen_at),
            ])?;
            Ok(())
        })
        .await
    }

    async fn checkout_emails(&self, website: WebsiteId) -> StoreResult<Vec<CheckoutEmail>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(
                "SELECT email, visitor_id, seen_at FROM checkout_emails WHERE website_id = ?1
                 ORDER BY email",
            )?;
            all(statement.query([website.to_string()])?, |row| {
                Ok(CheckoutEmail {
                    website_id: website,
                    email: row.get(0)?,
                    visitor_id: row.get(1)?,
                    seen_at: instant(row.get(2)?)?,
                })
            })
        })
        .await
    }
}
