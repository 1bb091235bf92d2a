//! Goal alerts (at most a given number per website) and their delivery history, which outlives
//! the alert it belongs to.

use async_trait::async_trait;
use rusqlite::{Row, params};

use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts, DeliveryStatus};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{AlertId, WebsiteId};
use datafast_ports::store::{AlertStore, StoreError, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, count_of, decoded, first, millis, sql_count};
use crate::error::Failure;

const ALERT_COLUMNS: &str = "id, website_id, name, goal_name, subject, message, webhook_url, \
                             is_enabled, created_at, updated_at";
const LOG_COLUMNS: &str =
    "id, alert_id, website_id, alert_name, goal_name, status, error, visitor_id, triggered_at";

fn decode_alert(row: &Row<'_>) -> Result<Alert, Failure> {
    let goal = row.text(3)?;
    Ok(Alert {
        id: row.parsed(0)?,
        website_id: row.parsed(1)?,
        name: row.text(2)?,
        goal_name: decoded(GoalName::parse(&goal).ok(), "goal name", &goal)?,
        subject: row.text(4)?,
        message: row.text(5)?,
        webhook_url: row.optional_text(6)?,
        is_enabled: row.flag(7)?,
        created_at: row.instant(8)?,
        updated_at: row.instant(9)?,
    })
}

fn decode_log(row: &Row<'_>) -> Result<AlertLog, Failure> {
    let status = row.text(5)?;
    Ok(AlertLog {
        id: row.parsed(0)?,
        alert_id: row.parsed(1)?,
        website_id: row.parsed(2)?,
        alert_name: row.text(3)?,
        goal_name: row.text(4)?,
        status: decoded(DeliveryStatus::parse(&status), "delivery status", &status)?,
        error: row.optional_text(6)?,
        visitor_id: row.optional_text(7)?,
        triggered_at: row.instant(8)?,
    })
}

#[async_trait]
impl AlertStore for SqliteStore {
    async fn insert_alert(&self, alert: &Alert, max_per_website: usize) -> StoreResult<()> {
        let alert = alert.clone();
        // Counting and inserting in one immediate transaction keeps the limit under concurrency.
        self.write(move |tx| {
            let held: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM alerts WHERE website_id = ?1")?
                .query_row([alert.website_id.to_string()], |row| row.get(0))?;
            if held >= sql_count(max_per_website) {
                return Err(StoreError::LimitReached.into());
            }
            tx.prepare_cached(
                "INSERT INTO alerts (id, website_id, name, goal_name, subject, message,
                                     webhook_url, is_enabled, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                alert.id.to_string(),
                alert.website_id.to_string(),
                alert.name,
                alert.goal_name.as_str(),
                alert.subject,
                alert.message,
                alert.webhook_url,
                alert.is_enabled,
                millis(alert.created_at),
                millis(alert.updated_at),
            ])?;
            Ok(())
        })
        .await
    }

    async fn alerts(&self, website: WebsiteId) -> StoreResult<Vec<Alert>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE website_id = ?1 ORDER BY created_at, id"
            ))?;
            all(statement.query([website.to_string()])?, decode_alert)
        })
        .await
    }

    async fn alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<Option<Alert>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE website_id = ?1 AND id = ?2"
            ))?;
            first(
                statement.query([website.to_string(), id.to_string()])?,
                decode_alert,
            )
        })
        .await
    }

    async fn update_alert(&self, alert: &Alert) -> StoreResult<()> {
        let alert = alert.clone();
        self.write(move |tx| {
            let updated = tx
                .prepare_cached(
                    "UPDATE alerts
                     SET name = ?3, goal_name = ?4, subject = ?5, message = ?6,
                         webhook_url = ?7, is_enabled = ?8, created_at = ?9, updated_at = ?10
                     WHERE website_id = ?1 AND id = ?2",
                )?
                .execute(params![
                    alert.website_id.to_string(),
                    alert.id.to_string(),
                    alert.name,
                    alert.goal_name.as_str(),
                    alert.subject,
                    alert.message,
                    alert.webhook_url,
                    alert.is_enabled,
                    millis(alert.created_at),
                    millis(alert.updated_at),
                ])?;
            if updated == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }

    async fn delete_alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<()> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM alerts WHERE website_id = ?1 AND id = ?2")?
                .execute([website.to_string(), id.to_string()])?;
            if deleted == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }

    async fn alerts_for_goal(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Vec<Alert>> {
        let goal = goal.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts
                 WHERE website_id = ?1 AND goal_name = ?2 AND is_enabled
                 ORDER BY created_at, id"
            ))?;
            all(statement.query([website.to_string(), goal])?, decode_alert)
        })
        .await
    }

    async fn insert_alert_log(&self, log: &AlertLog) -> StoreResult<()> {
        let log = log.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO alert_logs (id, alert_id, website_id, alert_name, goal_name, status,
                                         error, visitor_id, triggered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                log.id.to_string(),
                log.alert_id.to_string(),
                log.website_id.to_string(),
                log.alert_name,
                log.goal_name,
                log.status.as_str(),
                log.error,
                log.visitor_id,
                millis(log.triggered_at),
            ])?;
            Ok(())
        })
        .await
    }

    async fn alert_logs(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
        limit: usize,
    ) -> StoreResult<Vec<AlertLog>> {
        self.read(move |db| {
            let limit = sql_count(limit);
            // Two statements rather than `alert_id = ?2 OR ?2 IS NULL`, so each uses its index.
            match alert {
                Some(alert) => {
                    let mut statement = db.prepare_cached(&format!(
                        "SELECT {LOG_COLUMNS} FROM alert_logs
                         WHERE alert_id = ?2 AND website_id = ?1
                         ORDER BY triggered_at DESC, id DESC LIMIT ?3"
                    ))?;
                    all(
                        statement.query(params![website.to_string(), alert.to_string(), limit])?,
                        decode_log,
                    )
                }
                None => {
                    let mut statement = db.prepare_cached(&format!(
                        "SELECT {LOG_COLUMNS} FROM alert_logs WHERE website_id = ?1
                         ORDER BY triggered_at DESC, id DESC LIMIT ?2"
                    ))?;
                    all(
                        statement.query(params![website.to_string(), limit])?,
                        decode_log,
                    )
                }
            }
        })
        .await
    }

    async fn alert_counts(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
    ) -> StoreResult<DeliveryCounts> {
        self.read(move |db| {
            let totals =
                |row: &Row<'_>| -> rusqlite::Result<(i64, i64)> { Ok((row.get(0)?, row.get(1)?)) };
            let (sent, failed) = match alert {
                Some(alert) => db
                    .prepare_cached(
                        "SELECT COALESCE(SUM(status = 'sent'), 0),
                                COALESCE(SUM(status = 'failed'), 0)
                         FROM alert_logs WHERE alert_id = ?2 AND website_id = ?1",
                    )?
                    .query_row([website.to_string(), alert.to_string()], totals)?,
                None => db
                    .prepare_cached(
                        "SELECT COALESCE(SUM(status = 'sent'), 0),
                                COALESCE(SUM(status = 'failed'), 0)
                         FROM alert_logs WHERE website_id = ?1",
                    )?
                    .query_row([website.to_string()], totals)?,
            };
            Ok(DeliveryCounts {
                sent: count_of(sent)?,
                failed: count_of(failed)?,
            })
        })
        .await
    }
}
