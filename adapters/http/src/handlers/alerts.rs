//! `/websites/{websiteId}/alerts`: list, create, get one, update, delete, and the delivery
//! history with its counts.

use serde::Deserialize;

use datafast_application::{AlertChanges, NewAlert};
use datafast_domain::alert::{
    history_limit, parse_alert_name, parse_message, parse_subject, parse_trigger_goal,
    parse_webhook_url,
};
use datafast_domain::goal::FieldChange;
use datafast_domain::id::{AlertId, WebsiteId};

use crate::envelope::{success, success_with};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Fields, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::handlers::query::Query;
use crate::views::{AlertBody, AlertLogRow, Deleted, HistoryCounts};

pub(crate) async fn list(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let alerts = services.alerts().list(&caller, website.0).await?;
    Ok(success(
        alerts
            .iter()
            .map(|(alert, logs)| AlertBody::new(alert, logs))
            .collect(),
    ))
}

/// `destination.webhookUrl`: `None` when not mentioned, `Some(None)` when null (removes it).
fn webhook_change(fields: &Fields<'_>) -> Result<Option<Option<String>>, ApiError> {
    let Some(destination) = fields.optional_object("destination")? else {
        return Ok(None);
    };
    fixed_kind(&destination)?;
    Ok(match destination.str_change("webhookUrl")? {
        FieldChange::Keep => None,
        FieldChange::Clear => Some(None),
        FieldChange::Set(url) => Some(Some(parse_webhook_url(&url)?)),
    })
}

/// `trigger.type` and `destination.type` have one value each (`goal`, `email`) and are not
/// stored; they are read so that a null or a non-string is refused like any other field.
fn fixed_kind(object: &Fields<'_>) -> Result<(), ApiError> {
    object.optional_str("type").map(|_| ())
}

fn new_alert(fields: &Fields<'_>) -> Result<NewAlert, ApiError> {
    let name = parse_alert_name(fields.required_str("name")?)?;
    let trigger = fields.required_object("trigger")?;
    fixed_kind(&trigger)?;
    let goal_name = parse_trigger_goal(trigger.required_str("goalName")?)?;
    let template = fields.required_object("template")?;
    Ok(NewAlert {
        name,
        goal_name,
        subject: template
            .optional_str("subject")?
            .map(parse_subject)
            .transpose()?,
        message: parse_message(template.required_str("message")?)?,
        webhook_url: webhook_change(fields)?.flatten(),
        is_enabled: fields.optional_bool("isEnabled")?.unwrap_or(true),
    })
}

pub(crate) async fn create(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    body: JsonObject,
) -> ApiResult {
    let request = new_alert(&body.fields())?;
    let alert = services
        .alerts()
        .create(&caller, website.0, request)
        .await?;
    // A new alert has no deliveries yet.
    Ok(success(vec![AlertBody::new(&alert, &[])]))
}

pub(crate) async fn get(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    alert: PathId<AlertId>,
) -> ApiResult {
    let (alert, logs) = services.alerts().get(&caller, website.0, alert.0).await?;
    Ok(success(vec![AlertBody::new(&alert, &logs)]))
}

fn alert_changes(fields: &Fields<'_>) -> Result<AlertChanges, ApiError> {
    let goal_name = match fields.optional_object("trigger")? {
        Some(trigger) => {
            fixed_kind(&trigger)?;
            trigger
                .optional_str("goalName")?
                .map(parse_trigger_goal)
                .transpose()?
        }
        None => None,
    };
    let (subject, message) = match fields.optional_object("template")? {
        Some(template) => (
            template
                .optional_str("subject")?
                .map(parse_subject)
                .transpose()?,
            template
                .optional_str("message")?
                .map(parse_message)
                .transpose()?,
        ),
        None => (None, None),
    };
    Ok(AlertChanges {
        name: fields
            .optional_str("name")?
            .map(parse_alert_name)
            .transpose()?,
        goal_name,
        subject,
        message,
        webhook_url: webhook_change(fields)?,
        is_enabled: fields.optional_bool("isEnabled")?,
    })
}

/// The updated alert, with its recent deliveries as on `GET`.
pub(crate) async fn update(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    alert: PathId<AlertId>,
    body: JsonObject,
) -> ApiResult {
    let changes = alert_changes(&body.fields())?;
    let (alert, logs) = services
        .alerts()
        .update(&caller, website.0, alert.0, changes)
        .await?;
    Ok(success(vec![AlertBody::new(&alert, &logs)]))
}

pub(crate) async fn delete(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    alert: PathId<AlertId>,
) -> ApiResult {
    services
        .alerts()
        .delete(&caller, website.0, alert.0)
        .await?;
    Ok(success(vec![Deleted::of(alert.0)]))
}

#[derive(Debug, Deserialize)]
pub(crate) struct HistoryQuery {
    #[serde(rename = "alertId")]
    alert_id: Option<String>,
    limit: Option<String>,
}

pub(crate) async fn history(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    query: Query<HistoryQuery>,
) -> ApiResult {
    let alert = match query.alert_id.as_deref() {
        Some(raw) => Some(AlertId::parse(raw).map_err(|invalid| invalid.at("alertId"))?),
        None => None,
    };
    let requested = match query.limit.as_deref() {
        Some(raw) => Some(
            raw.trim()
                .parse::<i64>()
                .map_err(|_| ApiError::bad_request("Invalid limit: must be a whole number"))?,
        ),
        None => None,
    };
    let limit = history_limit(requested)?;
    let history = services
        .alerts()
        .history(&caller, website.0, alert, limit)
        .await?;
    Ok(success_with(
        history.logs.iter().map(AlertLogRow::from).collect(),
        HistoryCounts::from(history.counts),
    ))
}
