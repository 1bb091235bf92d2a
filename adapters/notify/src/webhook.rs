//! Webhook delivery: POSTs the alert as JSON to the alert's `webhook_url`, with a timeout.

use std::time::Duration;

use async_trait::async_trait;
use datafast_ports::notify::{AlertDelivery, Notifier, NotifyError};

/// The history shows this instead of the URL, which may embed a secret token.
const TARGET: &str = "webhook";

/// Sends to the alert's webhook; an alert without one is a no-op. Any non-2xx answer fails.
#[derive(Debug, Clone)]
pub struct WebhookNotifier {
    client: reqwest::Client,
}

impl WebhookNotifier {
    pub fn new(timeout: Duration) -> Result<Self, NotifyError> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could bounce the alert to a host the owner never configured.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("datafast-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| NotifyError::Invalid(format!("HTTP client: {e}")))?;
        Ok(Self { client })
    }
}

#[async_trait]
impl Notifier for WebhookNotifier {
    fn channel(&self) -> &'static str {
        "webhook"
    }

    fn applies_to(&self, delivery: &AlertDelivery) -> bool {
        delivery.alert.webhook_url.is_some()
    }

    async fn send(&self, delivery: &AlertDelivery) -> Result<(), NotifyError> {
        let Some(url) = delivery.alert.webhook_url.as_deref() else {
            return Ok(());
        };
        let response = self
            .client
            .post(url)
            .json(&crate::webhook_payload(delivery))
            .send()
            .await
            .map_err(|e| NotifyError::Unreachable {
                target: TARGET.into(),
                // Without the URL: the cause only (connect, timeout, TLS...).
                reason: describe(&e),
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(NotifyError::Rejected {
                target: TARGET.into(),
                reason: format!("HTTP {}", status.as_u16()),
            })
        }
    }
}

fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "connection failed".into()
    } else if error.is_builder() {
        "invalid URL".into()
    } else {
        "request failed".into()
    }
}
