//! The alert delivery port: what the core hands to whoever sends alert messages (email,
//! webhook), the error it gets back, and the pure retry schedule used between attempts; and the
//! mailer port, for the other emails the server sends (invitation links).

use std::time::Duration;

use async_trait::async_trait;
use datafast_domain::ValidationError;
use datafast_domain::alert::Alert;
use jiff::Timestamp;

/// Everything needed to deliver one triggered alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDelivery {
    pub alert: Alert,
    /// The website's domain, so the message says where the goal happened.
    pub domain: String,
    /// Email recipients (the website's team).
    pub recipients: Vec<String>,
    pub goal_name: String,
    pub visitor_id: Option<String>,
    pub triggered_at: Timestamp,
}

/// Why a delivery failed. Messages are stored in the alert history, so they never carry
/// credentials, only the kind of failure and a short, non-secret reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotifyError {
    /// The notifier's own settings or the delivery's data are unusable (bad address, bad URL).
    #[error("invalid delivery: {0}")]
    Invalid(String),
    /// The remote side could not be reached (refused, timed out, TLS failure).
    #[error("could not reach {target}: {reason}")]
    Unreachable { target: String, reason: String },
    /// The remote side answered but refused the message.
    #[error("{target} rejected the message: {reason}")]
    Rejected { target: String, reason: String },
}

/// One plain-text email to one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: datafast_domain::account::Email,
    pub subject: String,
    pub text: String,
}

/// Sends email that is not an alert: an invitation link.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// # Errors
    /// As a notifier's: unusable settings, an unreachable server, or a refusal.
    async fn send_mail(&self, mail: &Mail) -> Result<(), NotifyError>;
}

/// One delivery channel (email, webhook). Each channel is sent and retried on its own, so a
/// channel that failed is retried without repeating a message another channel already sent.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Notifier: Send + Sync {
    /// A short name (`email`, `webhook`) that prefixes this channel's errors in the history.
    fn channel(&self) -> &'static str;
    /// Whether this channel has anything to send for `delivery` (recipients, a webhook URL).
    fn applies_to(&self, delivery: &AlertDelivery) -> bool;
    async fn send(&self, delivery: &AlertDelivery) -> Result<(), NotifyError>;
    /// Refuses an alert whose destination this channel would never deliver to (a webhook on
    /// an address it may not reach), so that saving the alert fails instead of every
    /// delivery. Channels with nothing to check accept every alert.
    fn check_destination(&self, _alert: &Alert) -> Result<(), ValidationError> {
        Ok(())
    }
}

/// Exponential back-off between delivery attempts, capped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts, the first included; 0 behaves like 1.
    pub attempts: u32,
    pub base_delay: Duration,
    pub factor: f64,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            base_delay: Duration::from_secs(1),
            factor: 2.0,
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1 = the first retry), or `None` when no attempt
    /// is left. Non-finite or small factors are clamped so the delay never shrinks or overflows.
    pub fn delay_for(&self, attempt: u32) -> Option<Duration> {
        if attempt == 0 || attempt >= self.attempts.max(1) {
            return None;
        }
        let factor = if self.factor.is_finite() && self.factor >= 1.0 {
            self.factor
        } else {
            1.0
        };
        let exponent = i32::try_from(attempt - 1).unwrap_or(i32::MAX);
        let seconds = self.base_delay.as_secs_f64() * factor.powi(exponent);
        let cap = self.max_delay.as_secs_f64();
        let capped = if seconds.is_finite() {
            seconds.min(cap)
        } else {
            cap
        };
        Some(Duration::try_from_secs_f64(capped).unwrap_or(self.max_delay))
    }
}

/// Something the owner of a website must act on (a payment provider refusing the website's
/// key), sent on the alert channels: by email to the owner, and to the website's alert
/// webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerNotice {
    pub website_id: datafast_domain::id::WebsiteId,
    /// A short name, shown as the alert's name: `Stripe key refused`.
    pub name: String,
    pub subject: String,
    pub message: String,
    pub at: Timestamp,
}

/// The goal name an [`OwnerNotice`] carries on the wire, where a goal alert names its goal.
pub const OWNER_NOTICE_GOAL: &str = "integration_error";

/// Hears about goal completions once they are stored, so that alerts can fire, and about what
/// a website's owner must act on. Ingestion calls it on its hot path: implementations queue
/// the work and return at once, and never fail the caller.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait GoalListener: Send + Sync {
    fn goal_completed(&self, event: &datafast_domain::event::Event);
    /// An alert of `website` was created, changed or deleted: whatever the listener learned
    /// about which goals have alerts no longer holds for that website.
    fn alerts_changed(&self, website: datafast_domain::id::WebsiteId);
    /// Tells the website's owner of something to act on; by default, nobody is told.
    fn owner_notice(&self, _notice: OwnerNotice) {}
    /// Refuses an alert that delivery would refuse anyway (see
    /// [`Notifier::check_destination`]); asked before an alert is saved.
    fn check_destination(&self, _alert: &Alert) -> Result<(), ValidationError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(attempts: u32) -> RetryPolicy {
        RetryPolicy {
            attempts,
            base_delay: Duration::from_millis(500),
            factor: 2.0,
            max_delay: Duration::from_secs(3),
        }
    }

    #[test]
    fn delays_grow_then_cap() {
        let p = policy(10);
        assert_eq!(p.delay_for(1), Some(Duration::from_millis(500)));
        assert_eq!(p.delay_for(2), Some(Duration::from_secs(1)));
        assert_eq!(p.delay_for(3), Some(Duration::from_secs(2)));
        assert_eq!(p.delay_for(4), Some(Duration::from_secs(3)));
        assert_eq!(p.delay_for(9), Some(Duration::from_secs(3)));
    }

    #[test]
    fn no_delay_once_attempts_are_spent() {
        let p = policy(3);
        assert!(p.delay_for(2).is_some());
        assert_eq!(p.delay_for(3), None);
        assert_eq!(p.delay_for(0), None);
        assert_eq!(policy(0).delay_for(1), None);
    }

    #[test]
    fn odd_factors_never_panic_or_shrink() {
        let mut p = policy(u32::MAX);
        p.factor = f64::NAN;
        assert_eq!(p.delay_for(5), Some(Duration::from_millis(500)));
        p.factor = 1e300;
        assert_eq!(p.delay_for(1000), Some(Duration::from_secs(3)));
        p.factor = 0.1;
        assert_eq!(p.delay_for(3), Some(Duration::from_millis(500)));
    }

    #[test]
    fn errors_say_what_failed() {
        let e = NotifyError::Rejected {
            target: "webhook".into(),
            reason: "HTTP 500".into(),
        };
        assert_eq!(e.to_string(), "webhook rejected the message: HTTP 500");
    }
}
