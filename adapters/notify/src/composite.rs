//! The notifier the server uses: email to the recipients, plus the webhook when the alert has
//! one. Both channels are tried even if the first fails, so one broken channel does not
//! silence the other.

use std::sync::Arc;

use async_trait::async_trait;
use datafast_ports::notify::{AlertDelivery, Notifier, NotifyError};

#[derive(Clone)]
pub struct AlertNotifier {
    email: Option<Arc<dyn Notifier>>,
    webhook: Arc<dyn Notifier>,
}

impl std::fmt::Debug for AlertNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertNotifier")
            .field("email", &self.email.is_some())
            .finish_non_exhaustive()
    }
}

impl AlertNotifier {
    /// `email` is `None` when no SMTP server is configured: then only webhooks are sent.
    pub fn new(email: Option<Arc<dyn Notifier>>, webhook: Arc<dyn Notifier>) -> Self {
        Self { email, webhook }
    }
}

#[async_trait]
impl Notifier for AlertNotifier {
    async fn send(&self, delivery: &AlertDelivery) -> Result<(), NotifyError> {
        let has_webhook = delivery.alert.webhook_url.is_some();
        let email = match &self.email {
            Some(email) if !delivery.recipients.is_empty() => Some(email.send(delivery).await),
            _ => None,
        };
        let webhook = if has_webhook {
            Some(self.webhook.send(delivery).await)
        } else {
            None
        };
        match (email, webhook) {
            (None, None) => Err(NotifyError::Invalid(
                "no channel: no email configured or no recipients, and no webhook".into(),
            )),
            (Some(Err(e)), _) | (_, Some(Err(e))) => Err(e),
            _ => Ok(()),
        }
    }
}
