//! Goal alerts (at most a given number per website) and their delivery history, which outlives
//! the alert it belongs to.

use async_trait::async_trait;

use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts, DeliveryStatus};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{AlertId, WebsiteId};
use datafast_ports::store::{AlertStore, StoreError, StoreResult};

use crate::MemoryStore;
use crate::state::{State, duplicate_id, to_millis};

fn kept_to_the_millisecond(alert: &Alert) -> Alert {
    Alert {
        created_at: to_millis(alert.created_at),
        updated_at: to_millis(alert.updated_at),
        ..alert.clone()
    }
}

/// The website's alerts that pass `keep`, oldest first, ties broken by id.
fn alerts_where(state: &State, website: WebsiteId, keep: impl Fn(&Alert) -> bool) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = state
        .alerts
        .values()
        .filter(|alert| alert.website_id == website && keep(alert))
        .cloned()
        .collect();
    alerts.sort_by_key(|alert| (alert.created_at, alert.id));
    alerts
}

/// The history of one alert of the website, or of the whole website.
fn history(
    state: &State,
    website: WebsiteId,
    alert: Option<AlertId>,
) -> impl Iterator<Item = &AlertLog> {
    state.alert_logs.values().filter(move |log| {
        log.website_id == website && alert.is_none_or(|alert| log.alert_id == alert)
    })
}

/// Whether the website holds the alert `id`.
fn holds(state: &State, website: WebsiteId, id: AlertId) -> bool {
    state
        .alerts
        .get(&id)
        .is_some_and(|alert| alert.website_id == website)
}

#[async_trait]
impl AlertStore for MemoryStore {
    async fn insert_alert(&self, alert: &Alert, max_per_website: usize) -> StoreResult<()> {
        let alert = kept_to_the_millisecond(alert);
        self.write(|state| {
            let held = state
                .alerts
                .values()
                .filter(|other| other.website_id == alert.website_id)
                .count();
            if held >= max_per_website {
                return Err(StoreError::LimitReached);
            }
            if state.alerts.contains_key(&alert.id) {
                return Err(duplicate_id("alert"));
            }
            state.alerts.insert(alert.id, alert);
            Ok(())
        })
    }

    async fn alerts(&self, website: WebsiteId) -> StoreResult<Vec<Alert>> {
        self.read(|state| alerts_where(state, website, |_| true))
    }

    async fn alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<Option<Alert>> {
        self.read(|state| {
            state
                .alerts
                .get(&id)
                .filter(|alert| alert.website_id == website)
                .cloned()
        })
    }

    async fn update_alert(&self, alert: &Alert) -> StoreResult<()> {
        let alert = kept_to_the_millisecond(alert);
        self.write(|state| {
            if !holds(state, alert.website_id, alert.id) {
                return Err(StoreError::NotFound);
            }
            state.alerts.insert(alert.id, alert);
            Ok(())
        })
    }

    async fn delete_alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<()> {
        self.write(|state| {
            if !holds(state, website, id) {
                return Err(StoreError::NotFound);
            }
            state.alerts.remove(&id);
            Ok(())
        })
    }

    async fn alerts_for_goal(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Vec<Alert>> {
        self.read(|state| {
            alerts_where(state, website, |alert| {
                alert.is_enabled && alert.goal_name == *goal
            })
        })
    }

    async fn insert_alert_log(&self, log: &AlertLog) -> StoreResult<()> {
        let log = AlertLog {
            triggered_at: to_millis(log.triggered_at),
            ..log.clone()
        };
        self.write(|state| {
            if state.alert_logs.contains_key(&log.id) {
                return Err(duplicate_id("alert log"));
            }
            state.alert_logs.insert(log.id, log);
            Ok(())
        })
    }

    async fn alert_logs(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
        limit: usize,
    ) -> StoreResult<Vec<AlertLog>> {
        self.read(|state| {
            let mut logs: Vec<AlertLog> = history(state, website, alert).cloned().collect();
            logs.sort_by_key(|log| std::cmp::Reverse((log.triggered_at, log.id)));
            logs.truncate(limit);
            logs
        })
    }

    async fn alert_counts(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
    ) -> StoreResult<DeliveryCounts> {
        self.read(|state| {
            let mut counts = DeliveryCounts::default();
            for log in history(state, website, alert) {
                match log.status {
                    DeliveryStatus::Sent => counts.sent += 1,
                    DeliveryStatus::Failed => counts.failed += 1,
                }
            }
            counts
        })
    }
}
