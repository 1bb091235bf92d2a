//! Funnels, their steps as JSON, and soft deletion: a deleted funnel keeps its row (with
//! `deleted_at`) but leaves every read and frees its name. Names are unique per website among
//! live funnels through the `name_key` column, which holds the domain's
//! [`FunnelNameKey`](datafast_domain::funnel::FunnelNameKey) (Unicode-aware, which SQLite's
//! `lower()` is not).

use async_trait::async_trait;
use jiff::Timestamp;
use rusqlite::{Row, params};
use serde::{Deserialize, Serialize};

use datafast_domain::funnel::{Funnel, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_ports::store::{FunnelStore, StoreError, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, first, millis};
use crate::error::{Failure, conflict_on};

const FUNNEL_COLUMNS: &str = "id, website_id, name, slug, steps, is_active, created_at, updated_at";
const NAME_TAKEN: &[(&str, &str)] = &[("funnels.name_key", "name")];

/// A step as stored: the shape the API shows, so the column reads naturally.
#[derive(Serialize, Deserialize)]
#[serde(tag = "type")]
enum StoredStep {
    #[serde(rename = "pageview")]
    Pageview {
        id: String,
        name: String,
        url: String,
    },
    #[serde(rename = "goal")]
    Goal {
        id: String,
        name: String,
        #[serde(rename = "goalName")]
        goal_name: String,
    },
}

impl From<&FunnelStep> for StoredStep {
    fn from(step: &FunnelStep) -> Self {
        let (id, name) = (step.id.clone(), step.name.clone());
        match &step.kind {
            StepKind::Pageview { url } => StoredStep::Pageview {
                id,
                name,
                url: url.clone(),
            },
            StepKind::Goal { goal_name } => StoredStep::Goal {
                id,
                name,
                goal_name: goal_name.to_string(),
            },
        }
    }
}

impl TryFrom<StoredStep> for FunnelStep {
    type Error = Failure;
    fn try_from(step: StoredStep) -> Result<Self, Failure> {
        Ok(match step {
            StoredStep::Pageview { id, name, url } => FunnelStep {
                id,
                name,
                kind: StepKind::Pageview { url },
            },
            StoredStep::Goal {
                id,
                name,
                goal_name,
            } => FunnelStep {
                id,
                name,
                kind: StepKind::Goal {
                    goal_name: GoalName::parse(&goal_name)
                        .map_err(|_| Failure::Corrupt(format!("funnel step goal {goal_name:?}")))?,
                },
            },
        })
    }
}

fn encode_steps(steps: &[FunnelStep]) -> Result<String, Failure> {
    let stored: Vec<StoredStep> = steps.iter().map(StoredStep::from).collect();
    Ok(serde_json::to_string(&stored)?)
}

fn decode_funnel(row: &Row<'_>) -> Result<Funnel, Failure> {
    let stored: Vec<StoredStep> = serde_json::from_str(&row.text(4)?)?;
    Ok(Funnel {
        id: row.parsed(0)?,
        website_id: row.parsed(1)?,
        name: row.parsed(2)?,
        slug: row.text(3)?,
        steps: stored
            .into_iter()
            .map(FunnelStep::try_from)
            .collect::<Result<_, _>>()?,
        is_active: row.flag(5)?,
        created_at: row.instant(6)?,
        updated_at: row.instant(7)?,
    })
}

#[async_trait]
impl FunnelStore for SqliteStore {
    async fn insert_funnel(&self, funnel: &Funnel) -> StoreResult<()> {
        let funnel = funnel.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO funnels (id, website_id, name, name_key, slug, steps, is_active,
                                      created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                funnel.id.to_string(),
                funnel.website_id.to_string(),
                funnel.name.as_str(),
                funnel.name_key().as_str(),
                funnel.slug,
                encode_steps(&funnel.steps)?,
                funnel.is_active,
                millis(funnel.created_at),
                millis(funnel.updated_at),
            ])
            .map_err(|e| conflict_on(e, NAME_TAKEN))?;
            Ok(())
        })
        .await
    }

    async fn funnels(
        &self,
        website: WebsiteId,
        include_inactive: bool,
    ) -> StoreResult<Vec<Funnel>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {FUNNEL_COLUMNS} FROM funnels
                 WHERE website_id = ?1 AND deleted_at IS NULL AND (is_active OR ?2)
                 ORDER BY created_at, id"
            ))?;
            all(
                statement.query(params![website.to_string(), include_inactive])?,
                decode_funnel,
            )
        })
        .await
    }

    async fn funnel(&self, website: WebsiteId, id: FunnelId) -> StoreResult<Option<Funnel>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {FUNNEL_COLUMNS} FROM funnels
                 WHERE website_id = ?1 AND id = ?2 AND deleted_at IS NULL"
            ))?;
            first(
                statement.query([website.to_string(), id.to_string()])?,
                decode_funnel,
            )
        })
        .await
    }

    async fn update_funnel(&self, funnel: &Funnel) -> StoreResult<()> {
        let funnel = funnel.clone();
        self.write(move |tx| {
            let updated = tx
                .prepare_cached(
                    "UPDATE funnels
                     SET name = ?3, name_key = ?4, slug = ?5, steps = ?6, is_active = ?7,
                         created_at = ?8, updated_at = ?9
                     WHERE website_id = ?1 AND id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![
                    funnel.website_id.to_string(),
                    funnel.id.to_string(),
                    funnel.name.as_str(),
                    funnel.name_key().as_str(),
                    funnel.slug,
                    encode_steps(&funnel.steps)?,
                    funnel.is_active,
                    millis(funnel.created_at),
                    millis(funnel.updated_at),
                ])
                .map_err(|e| conflict_on(e, NAME_TAKEN))?;
            if updated == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }

    async fn delete_funnel(
        &self,
        website: WebsiteId,
        id: FunnelId,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached(
                    "UPDATE funnels SET deleted_at = ?3
                     WHERE website_id = ?1 AND id = ?2 AND deleted_at IS NULL",
                )?
                .execute(params![website.to_string(), id.to_string(), millis(at)])?;
            if deleted == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }
}
