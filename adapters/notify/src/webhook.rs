//! Webhook delivery: POSTs the alert as JSON to the alert's `webhook_url`, with a timeout,
//! and only to addresses the [`AddressPolicy`] permits (public ones, plus the operator's
//! allowlist), so an alert cannot reach into the server's own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use datafast_domain::ValidationError;
use datafast_domain::alert::Alert;
use datafast_domain::website::IpRule;
use datafast_ports::notify::{AlertDelivery, Notifier, NotifyError};
use reqwest::Url;

use crate::address::AddressPolicy;
use crate::resolver::{GuardedResolver, REFUSED, Refused};

/// The history shows this instead of the URL, which may embed a secret token.
const TARGET: &str = "webhook";

/// The field a refused webhook is reported under when an alert is saved.
const FIELD: &str = "destination.webhookUrl";

/// Sends to the alert's webhook; an alert without one is a no-op. Any non-2xx answer fails,
/// redirects included.
#[derive(Debug, Clone)]
pub struct WebhookNotifier {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
}

impl WebhookNotifier {
    /// A notifier that reaches public addresses and the internal ones `allowed` names.
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(timeout: Duration, allowed: Vec<IpRule>) -> Result<Self, NotifyError> {
        let policy = Arc::new(AddressPolicy::new(allowed));
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            // A redirect could bounce the alert to a host the owner never configured, or to an
            // internal address: a 3xx answer is a failed delivery.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would connect on our behalf to an address nobody checked.
            .no_proxy()
            // Host names connect only to permitted addresses; literal IPs, which the client
            // connects to without resolving, are checked in `send`.
            .dns_resolver(Arc::new(GuardedResolver::new(Arc::clone(&policy))))
            .user_agent(concat!("datafast-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| NotifyError::Invalid(format!("HTTP client: {e}")))?;
        Ok(Self { client, policy })
    }

    /// Whether `url` is refused before any lookup: a literal internal address, or a name
    /// that always means this machine.
    fn refuses_outright(&self, url: &Url) -> bool {
        if let Some(ip) = literal_ip(url) {
            return !self.policy.permits(ip);
        }
        let host = url.host_str().unwrap_or_default().trim_end_matches('.');
        let loopback_name = host.eq_ignore_ascii_case("localhost")
            || host.to_ascii_lowercase().ends_with(".localhost");
        loopback_name
            && ![
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(Ipv6Addr::LOCALHOST),
            ]
            .into_iter()
            .any(|ip| self.policy.permits(ip))
    }
}

/// The URL's host when it is an IP address (the URL parser has already turned spellings
/// such as `127.1` or `0x7f000001` into the dotted form).
fn literal_ip(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
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
        let url = Url::parse(url).map_err(|_| NotifyError::Invalid("invalid URL".into()))?;
        if literal_ip(&url).is_some_and(|ip| !self.policy.permits(ip)) {
            return Err(NotifyError::Invalid(REFUSED.into()));
        }
        let response = self
            .client
            .post(url)
            .json(&crate::webhook_payload(delivery))
            .send()
            .await
            .map_err(|e| NotifyError::Unreachable {
                target: TARGET.into(),
                // Without the URL: the cause only (refused, connect, timeout, TLS...).
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

    fn check_destination(&self, alert: &Alert) -> Result<(), ValidationError> {
        let Some(url) = alert.webhook_url.as_deref() else {
            return Ok(());
        };
        let url = Url::parse(url)
            .map_err(|_| ValidationError::new(FIELD, "must be an http or https URL"))?;
        if self.refuses_outright(&url) {
            return Err(ValidationError::new(
                FIELD,
                "must not point at a loopback, private, link-local or other internal address",
            ));
        }
        Ok(())
    }
}

fn describe(error: &reqwest::Error) -> String {
    if refused_by_resolver(error) {
        REFUSED.into()
    } else if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "connection failed".into()
    } else if error.is_builder() {
        "invalid URL".into()
    } else {
        "request failed".into()
    }
}

/// Whether the resolver refused every address of the host, somewhere down the error chain.
fn refused_by_resolver(error: &reqwest::Error) -> bool {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        if current.is::<Refused>() {
            return true;
        }
        cause = current.source();
    }
    false
}
