//! Alerts (`/websites/{id}/alerts`): CRUD within the per-website limit, and the delivery history.

use datafast_domain::access::Principal;
use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts, MAX_ALERTS_PER_WEBSITE};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{AlertId, WebsiteId};
use datafast_domain::permission::Permission;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};
use datafast_ports::store::StoreError;

/// A validated `POST .../alerts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAlert {
    pub name: String,
    pub goal_name: GoalName,
    /// The subject; the alert's name when none is given.
    pub subject: Option<String>,
    pub message: String,
    pub webhook_url: Option<String>,
    pub is_enabled: bool,
}

/// A validated `PUT .../alerts/{id}`: `None` keeps a field; `webhook_url: Some(None)` removes
/// the webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertChanges {
    pub name: Option<String>,
    pub goal_name: Option<GoalName>,
    pub subject: Option<String>,
    pub message: Option<String>,
    pub webhook_url: Option<Option<String>>,
    pub is_enabled: Option<bool>,
}

/// A page of history and the totals over the whole selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertHistory {
    pub logs: Vec<AlertLog>,
    pub counts: DeliveryCounts,
}

/// How many recent deliveries each listed alert carries.
pub const RECENT_LOGS: usize = 5;

fn alert_not_found(error: StoreError) -> ServiceError {
    match error {
        StoreError::NotFound => ServiceError::not_found("Alert"),
        other => other.into(),
    }
}

/// The alert use cases, reached through [`Services::alerts`].
#[derive(Debug, Clone, Copy)]
pub struct Alerts<'a> {
    pub(crate) services: &'a Services,
}

impl Alerts<'_> {
    /// The website's alerts, each with its most recent deliveries.
    pub async fn list(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<Vec<(Alert, Vec<AlertLog>)>> {
        self.services
            .authorized_website(principal, website, Permission::AlertsRead, false)
            .await?;
        let alerts = self.services.store.alerts(website).await?;
        let mut listed = Vec::with_capacity(alerts.len());
        for alert in alerts {
            let logs = self
                .services
                .store
                .alert_logs(website, Some(alert.id), RECENT_LOGS)
                .await?;
            listed.push((alert, logs));
        }
        Ok(listed)
    }

    pub async fn get(
        &self,
        principal: &Principal,
        website: WebsiteId,
        id: AlertId,
    ) -> ServiceResult<(Alert, Vec<AlertLog>)> {
        self.services
            .authorized_website(principal, website, Permission::AlertsRead, false)
            .await?;
        let alert = self
            .services
            .store
            .alert(website, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Alert"))?;
        let logs = self
            .services
            .store
            .alert_logs(website, Some(id), RECENT_LOGS)
            .await?;
        Ok((alert, logs))
    }

    pub async fn create(
        &self,
        principal: &Principal,
        website: WebsiteId,
        new: NewAlert,
    ) -> ServiceResult<Alert> {
        self.services
            .authorized_website(principal, website, Permission::AlertsWrite, false)
            .await?;
        let now = self.services.now();
        let alert = Alert {
            id: AlertId::from_parts(id_seconds(now), random_array(self.services.random.as_ref())),
            website_id: website,
            subject: new.subject.unwrap_or_else(|| new.name.clone()),
            name: new.name,
            goal_name: new.goal_name,
            message: new.message,
            webhook_url: new.webhook_url,
            is_enabled: new.is_enabled,
            created_at: now,
            updated_at: now,
        };
        self.check_destination(&alert)?;
        match self
            .services
            .store
            .insert_alert(&alert, MAX_ALERTS_PER_WEBSITE)
            .await
        {
            Ok(()) => {
                self.services.announce_alerts_changed(website);
                Ok(alert)
            }
            Err(StoreError::LimitReached) => Err(ServiceError::BadRequest(format!(
                "A website can have at most {MAX_ALERTS_PER_WEBSITE} alerts"
            ))),
            Err(other) => Err(other.into()),
        }
    }

    pub async fn update(
        &self,
        principal: &Principal,
        website: WebsiteId,
        id: AlertId,
        changes: AlertChanges,
    ) -> ServiceResult<(Alert, Vec<AlertLog>)> {
        self.services
            .authorized_website(principal, website, Permission::AlertsWrite, false)
            .await?;
        let mut alert = self
            .services
            .store
            .alert(website, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Alert"))?;
        if let Some(name) = changes.name {
            alert.name = name;
        }
        if let Some(goal) = changes.goal_name {
            alert.goal_name = goal;
        }
        if let Some(subject) = changes.subject {
            alert.subject = subject;
        }
        if let Some(message) = changes.message {
            alert.message = message;
        }
        let new_webhook = matches!(changes.webhook_url, Some(Some(_)));
        if let Some(webhook) = changes.webhook_url {
            alert.webhook_url = webhook;
        }
        if let Some(enabled) = changes.is_enabled {
            alert.is_enabled = enabled;
        }
        alert.updated_at = self.services.now();
        // A webhook saved before is left alone: delivery still refuses it if it must.
        if new_webhook {
            self.check_destination(&alert)?;
        }
        self.services
            .store
            .update_alert(&alert)
            .await
            .map_err(alert_not_found)?;
        self.services.announce_alerts_changed(website);
        let logs = self
            .services
            .store
            .alert_logs(website, Some(id), RECENT_LOGS)
            .await?;
        Ok((alert, logs))
    }

    pub async fn delete(
        &self,
        principal: &Principal,
        website: WebsiteId,
        id: AlertId,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::AlertsWrite, false)
            .await?;
        self.services
            .store
            .delete_alert(website, id)
            .await
            .map_err(alert_not_found)?;
        self.services.announce_alerts_changed(website);
        Ok(())
    }

    /// Refuses an alert that delivery would refuse anyway (a webhook on an internal address
    /// the server may not reach), so the mistake shows when it is made.
    fn check_destination(&self, alert: &Alert) -> ServiceResult<()> {
        match &self.services.goal_listener {
            Some(listener) => listener
                .check_destination(alert)
                .map_err(ServiceError::from),
            None => Ok(()),
        }
    }

    pub async fn history(
        &self,
        principal: &Principal,
        website: WebsiteId,
        alert: Option<AlertId>,
        limit: usize,
    ) -> ServiceResult<AlertHistory> {
        self.services
            .authorized_website(principal, website, Permission::AlertsRead, false)
            .await?;
        let logs = self
            .services
            .store
            .alert_logs(website, alert, limit)
            .await?;
        let counts = self.services.store.alert_counts(website, alert).await?;
        Ok(AlertHistory { logs, counts })
    }
}
