//! Alerts: when a goal happens, send a message by email (and optionally to a webhook); every
//! delivery attempt is kept in the alert history.

use jiff::Timestamp;

use crate::ValidationError;
use crate::goal::GoalName;
use crate::id::{AlertId, AlertLogId, WebsiteId};
use crate::text;

/// How many alerts one website may hold.
pub const MAX_ALERTS_PER_WEBSITE: usize = 25;
/// Alert history page size: default and ceiling.
pub const DEFAULT_HISTORY_LIMIT: usize = 50;
pub const MAX_HISTORY_LIMIT: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub id: AlertId,
    pub website_id: WebsiteId,
    pub name: String,
    pub goal_name: GoalName,
    pub subject: String,
    pub message: String,
    pub webhook_url: Option<String>,
    pub is_enabled: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Alert name: 1 to 100 characters.
pub fn parse_alert_name(input: &str) -> Result<String, ValidationError> {
    text::bounded("name", input, 1, 100)
}

/// Email subject: 1 to 200 characters.
pub fn parse_subject(input: &str) -> Result<String, ValidationError> {
    text::bounded("template.subject", input, 1, 200)
}

/// Message body: 10 to 2000 characters.
pub fn parse_message(input: &str) -> Result<String, ValidationError> {
    text::bounded("template.message", input, 10, 2000)
}

/// The trigger goal, normalised as goal names are.
pub fn parse_trigger_goal(input: &str) -> Result<GoalName, ValidationError> {
    GoalName::parse(input).map_err(|e| e.within("trigger.goalName"))
}

/// An optional webhook: an `http` or `https` URL of at most 2000 characters, no spaces.
pub fn parse_webhook_url(input: &str) -> Result<String, ValidationError> {
    let url = input.trim();
    let host_part = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let ok = host_part.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        return Err(ValidationError::new(
            "destination.webhookUrl",
            "must be an http or https URL",
        ));
    }
    Ok(url.to_owned())
}

/// The history limit: default 50, at most 100, at least 1.
pub fn history_limit(requested: Option<i64>) -> Result<usize, ValidationError> {
    match requested {
        None => Ok(DEFAULT_HISTORY_LIMIT),
        Some(n) if n >= 1 && n <= MAX_HISTORY_LIMIT as i64 => Ok(n as usize),
        Some(_) => Err(ValidationError::new(
            "limit",
            format!("must be between 1 and {MAX_HISTORY_LIMIT}"),
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    Sent,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "sent" => Some(DeliveryStatus::Sent),
            "failed" => Some(DeliveryStatus::Failed),
            _ => None,
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertLog {
    pub id: AlertLogId,
    pub alert_id: AlertId,
    pub website_id: WebsiteId,
    pub alert_name: String,
    pub goal_name: String,
    pub status: DeliveryStatus,
    pub error: Option<String>,
    pub visitor_id: Option<String>,
    pub triggered_at: Timestamp,
}

/// Totals over a website's (or one alert's) whole history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryCounts {
    pub sent: u64,
    pub failed: u64,
}

impl DeliveryCounts {
    pub fn total(self) -> u64 {
        self.sent + self.failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_rules() {
        assert!(parse_message("too short").is_err());
        assert!(parse_message("A visitor completed signup.").is_ok());
        assert!(parse_message(&"x".repeat(2001)).is_err());
        assert_eq!(parse_trigger_goal(" SignUp ").unwrap().as_str(), "signup");
    }

    #[test]
    fn history_limits() {
        assert_eq!(history_limit(None).unwrap(), 50);
        assert_eq!(history_limit(Some(100)).unwrap(), 100);
        assert!(history_limit(Some(101)).is_err());
        assert!(history_limit(Some(0)).is_err());
    }

    #[test]
    fn webhooks_must_be_http() {
        assert!(parse_webhook_url("https://hooks.example.com/x").is_ok());
        assert!(parse_webhook_url("ftp://x").is_err());
        assert!(parse_webhook_url("https://").is_err());
    }
}
