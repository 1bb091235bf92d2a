//! Websites: the tracking id unique across the server, the domain unique per owning account
//! (migration V8), the settings as JSON.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};

use datafast_domain::id::{AccountId, WebsiteId};
use datafast_domain::role::Role;
use datafast_domain::website::{Domain, TrackingId, Website, WebsiteSettings};
use datafast_ports::store::{StoreError, StoreResult, WebsiteStore};

use crate::SqliteStore;
use crate::codec::{RowExt, all, decoded, first, millis};
use crate::error::{Failure, conflict_on};

const WEBSITE_COLUMNS: &str = "w.id, w.owner_id, w.domain, w.tracking_id, w.created_at, w.settings";
/// SQLite names both columns of the pair: `UNIQUE constraint failed: websites.owner_id,
/// websites.domain`.
const TAKEN: &[(&str, &str)] = &[
    ("websites.domain", "domain"),
    ("websites.tracking_id", "trackingId"),
];

fn decode_website(row: &Row<'_>) -> Result<Website, Failure> {
    let domain = row.text(2)?;
    let tracking_id = row.text(3)?;
    let settings: WebsiteSettings = serde_json::from_str(&row.text(5)?)?;
    Ok(Website {
        id: row.parsed(0)?,
        owner_id: row.parsed(1)?,
        domain: decoded(Domain::parse(&domain).ok(), "domain", &domain)?,
        tracking_id: decoded(TrackingId::parse(&tracking_id), "tracking id", &tracking_id)?,
        created_at: row.instant(4)?,
        settings,
    })
}

pub(crate) fn decode_role(row: &Row<'_>, column: usize) -> Result<Role, Failure> {
    let role = row.text(column)?;
    decoded(Role::parse(&role), "role", &role)
}

#[async_trait]
impl WebsiteStore for SqliteStore {
    async fn create_website(&self, website: &Website) -> StoreResult<()> {
        let website = website.clone();
        self.write_directory(move |tx| {
            // Checked one by one so that a request colliding on both learns about the domain.
            let domain_taken = tx
                .prepare_cached("SELECT 1 FROM websites WHERE owner_id = ?1 AND domain = ?2")?
                .query_row(
                    [
                        website.owner_id.to_string().as_str(),
                        website.domain.as_str(),
                    ],
                    |_| Ok(()),
                )
                .optional()?
                .is_some();
            if domain_taken {
                return Err(StoreError::Conflict("domain").into());
            }
            let settings = serde_json::to_string(&website.settings)?;
            tx.prepare_cached(
                "INSERT INTO websites (id, owner_id, domain, tracking_id, created_at, settings)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                website.id.to_string(),
                website.owner_id.to_string(),
                website.domain.as_str(),
                website.tracking_id.as_str(),
                millis(website.created_at),
                settings,
            ])
            .map_err(|e| conflict_on(e, TAKEN))?;
            tx.prepare_cached(
                "INSERT INTO memberships (website_id, account_id, role, joined_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                website.id.to_string(),
                website.owner_id.to_string(),
                Role::Owner.as_str(),
                millis(website.created_at),
            ])?;
            Ok(())
        })
        .await
    }

    async fn website(&self, id: WebsiteId) -> StoreResult<Option<Website>> {
        if let Some(cached) = self.directory().website(id) {
            return Ok(Some(cached));
        }
        let generation = self.directory().generation();
        let found = self
            .read(move |db| {
                let mut statement = db.prepare_cached(&format!(
                    "SELECT {WEBSITE_COLUMNS} FROM websites w WHERE w.id = ?1"
                ))?;
                first(statement.query([id.to_string()])?, decode_website)
            })
            .await?;
        if let Some(website) = &found {
            self.directory().put_website(generation, website);
        }
        Ok(found)
    }

    /// Served from the directory cache when it can: ingestion asks once per event.
    async fn website_by_tracking_id(&self, tracking_id: &str) -> StoreResult<Option<Website>> {
        if let Some(cached) = self.directory().website_by_tracking_id(tracking_id) {
            return Ok(Some(cached));
        }
        let generation = self.directory().generation();
        let tracking_id = tracking_id.to_owned();
        let found = self
            .read(move |db| {
                let mut statement = db.prepare_cached(&format!(
                    "SELECT {WEBSITE_COLUMNS} FROM websites w WHERE w.tracking_id = ?1"
                ))?;
                first(statement.query([tracking_id])?, decode_website)
            })
            .await?;
        if let Some(website) = &found {
            self.directory().put_website(generation, website);
        }
        Ok(found)
    }

    async fn websites_with_domain(&self, domain: &str) -> StoreResult<Vec<Website>> {
        let domain = domain.to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {WEBSITE_COLUMNS} FROM websites w WHERE w.domain = ?1
                 ORDER BY w.created_at, w.id"
            ))?;
            all(statement.query([domain])?, decode_website)
        })
        .await
    }

    async fn delete_website(&self, id: WebsiteId) -> StoreResult<()> {
        let deleted = self
            .write_directory(move |tx| delete_website_rows(tx, &id.to_string()))
            .await;
        // The visitor memory holds the website's events; it reads the log again.
        self.forget_visitors();
        deleted
    }

    async fn update_website(&self, website: &Website) -> StoreResult<()> {
        let website = website.clone();
        self.write_directory(move |tx| {
            let settings = serde_json::to_string(&website.settings)?;
            let updated = tx
                .prepare_cached("UPDATE websites SET domain = ?2, settings = ?3 WHERE id = ?1")?
                .execute(params![
                    website.id.to_string(),
                    website.domain.as_str(),
                    settings
                ])
                .map_err(|e| conflict_on(e, TAKEN))?;
            if updated == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }

    async fn websites_of(&self, account: AccountId) -> StoreResult<Vec<(Website, Role)>> {
        if let Some(cached) = self.directory().websites_of(account) {
            return Ok(cached);
        }
        let generation = self.directory().generation();
        let websites = self
            .read(move |db| {
                let mut statement = db.prepare_cached(&format!(
                    "SELECT {WEBSITE_COLUMNS}, m.role
                 FROM memberships m JOIN websites w ON w.id = m.website_id
                 WHERE m.account_id = ?1
                 ORDER BY w.created_at, w.id"
                ))?;
                all(statement.query([account.to_string()])?, |row| {
                    Ok((decode_website(row)?, decode_role(row, 6)?))
                })
            })
            .await?;
        self.directory()
            .put_websites_of(generation, account, &websites);
        Ok(websites)
    }
}

/// The tables keyed by a website's id, each emptied of its rows.
const WEBSITE_TABLES: &[&str] = &[
    "memberships",
    "invitations",
    "api_keys",
    "funnels",
    "alerts",
    "alert_logs",
    "goal_customizations",
    "connections",
    "subscriptions",
    "checkout_emails",
    "payments",
    "visitor_profiles",
];

/// Deletes `website` and its rows everywhere. The event log knows the website by its code in
/// `event_websites`, and has no index by website: deleting a large website's events reads the
/// whole log once, which is acceptable for a rare, owner-initiated deletion.
fn delete_website_rows(tx: &rusqlite::Transaction<'_>, website: &str) -> Result<(), Failure> {
    let deleted = tx
        .prepare_cached("DELETE FROM websites WHERE id = ?1")?
        .execute([website])?;
    if deleted == 0 {
        return Err(Failure::Store(StoreError::NotFound));
    }
    for table in WEBSITE_TABLES {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE website_id = ?1"))?
            .execute([website])?;
    }
    tx.prepare_cached(
        "DELETE FROM event_details WHERE event IN (
             SELECT e.seq FROM events e
             JOIN event_websites w ON w.id = e.website WHERE w.website_id = ?1)",
    )?
    .execute([website])?;
    tx.prepare_cached(
        "DELETE FROM events WHERE website IN (SELECT id FROM event_websites WHERE website_id = ?1)",
    )?
    .execute([website])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use super::*;
    use crate::store::embedded;

    fn insert(db: &Connection, id: &str, owner: &str, domain: &str, tracking: &str) {
        let settings = serde_json::to_string(&WebsiteSettings::new(
            format!("Site {id}"),
            datafast_domain::time::TimeZoneName::default(),
        ))
        .unwrap();
        db.execute(
            "INSERT INTO websites (id, owner_id, domain, tracking_id, created_at, settings)
             VALUES (?1, ?2, ?3, ?4, 1780000000000, ?5)",
            params![id, owner, domain, tracking, settings],
        )
        .unwrap();
    }

    /// A database as the versions before per-account domains left it (migrations up to V7),
    /// with websites in it, brought up to date by an ordinary open.
    #[tokio::test]
    async fn the_rebuild_keeps_every_website_and_scopes_domains_to_their_owner() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.db");
        let ann = "0000000000000000000000a1";
        let bob = "0000000000000000000000b2";
        {
            let mut db = Connection::open(&path).unwrap();
            embedded::migrations::runner()
                .set_target(refinery::Target::Version(7))
                .run(&mut db)
                .unwrap();
            insert(
                &db,
                "0000000000000000000000f1",
                ann,
                "a.example",
                "dfid_aaaa",
            );
            insert(
                &db,
                "0000000000000000000000f2",
                bob,
                "b.example",
                "dfid_bbbb",
            );
        }
        let store = SqliteStore::open(&path).unwrap();
        let first = store
            .website("0000000000000000000000f1".parse().unwrap())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first.owner_id.to_string(), ann);
        assert_eq!(first.domain.as_str(), "a.example");
        assert_eq!(first.tracking_id.as_str(), "dfid_aaaa");
        assert_eq!(first.settings.name, "Site 0000000000000000000000f1");
        let second = store.website_by_tracking_id("dfid_bbbb").await.unwrap();
        assert_eq!(
            second.map(|w| w.domain.as_str().to_owned()).as_deref(),
            Some("b.example")
        );

        // Bob may now hold Ann's domain; Ann still may not hold it twice, nor reuse a
        // tracking id.
        let mut bobs = first.clone();
        bobs.id = "0000000000000000000000f3".parse().unwrap();
        bobs.owner_id = bob.parse().unwrap();
        bobs.tracking_id = TrackingId::parse("dfid_cccc").unwrap();
        store.create_website(&bobs).await.unwrap();
        let mut twice = bobs.clone();
        twice.id = "0000000000000000000000f4".parse().unwrap();
        twice.tracking_id = TrackingId::parse("dfid_dddd").unwrap();
        assert_eq!(
            store.create_website(&twice).await,
            Err(StoreError::Conflict("domain"))
        );
        let mut renamed = store.website(bobs.id).await.unwrap().unwrap();
        renamed.domain = Domain::parse("b.example").unwrap();
        assert_eq!(
            store.update_website(&renamed).await,
            Err(StoreError::Conflict("domain"))
        );
        twice.domain = Domain::parse("c.example").unwrap();
        twice.tracking_id = first.tracking_id.clone();
        assert_eq!(
            store.create_website(&twice).await,
            Err(StoreError::Conflict("trackingId"))
        );
    }
}
