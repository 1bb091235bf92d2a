//! Goal customizations: one row per website and goal name, replaced on save.

use async_trait::async_trait;
use rusqlite::{Row, params};

use datafast_domain::goal::{GoalCustomization, GoalName};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{GoalCustomizationStore, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, decoded, first, millis};
use crate::error::Failure;

const CUSTOMIZATION_COLUMNS: &str = "goal_name, display_name, color, description, updated_at";

fn decode_customization(row: &Row<'_>) -> Result<GoalCustomization, Failure> {
    let goal = row.text(0)?;
    Ok(GoalCustomization {
        goal_name: decoded(GoalName::parse(&goal).ok(), "goal name", &goal)?,
        display_name: row.optional_text(1)?,
        color: row.optional_text(2)?,
        description: row.optional_text(3)?,
        updated_at: row.instant(4)?,
    })
}

#[async_trait]
impl GoalCustomizationStore for SqliteStore {
    async fn customizations(&self, website: WebsiteId) -> StoreResult<Vec<GoalCustomization>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {CUSTOMIZATION_COLUMNS} FROM goal_customizations
                 WHERE website_id = ?1 ORDER BY goal_name"
            ))?;
            all(
                statement.query([website.to_string()])?,
                decode_customization,
            )
        })
        .await
    }

    async fn customization(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Option<GoalCustomization>> {
        let goal = goal.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {CUSTOMIZATION_COLUMNS} FROM goal_customizations
                 WHERE website_id = ?1 AND goal_name = ?2"
            ))?;
            first(
                statement.query([website.to_string(), goal])?,
                decode_customization,
            )
        })
        .await
    }

    async fn save_customization(
        &self,
        website: WebsiteId,
        customization: &GoalCustomization,
    ) -> StoreResult<()> {
        let customization = customization.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO goal_customizations
                     (website_id, goal_name, display_name, color, description, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (website_id, goal_name) DO UPDATE SET
                     display_name = excluded.display_name,
                     color = excluded.color,
                     description = excluded.description,
                     updated_at = excluded.updated_at",
            )?
            .execute(params![
                website.to_string(),
                customization.goal_name.as_str(),
                customization.display_name,
                customization.color,
                customization.description,
                millis(customization.updated_at),
            ])?;
            Ok(())
        })
        .await
    }
}
