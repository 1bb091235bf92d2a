//! The payment-provider port: what the application asks of Stripe, Lemon Squeezy, Polar and
//! Paddle. Credentials arrive unsealed for the one call that needs them and are not kept.

use std::time::Duration;

use async_trait::async_trait;

use jiff::Timestamp;

use datafast_domain::integration::{AccountFacts, Provider, ProviderCredentials};
use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::{ProviderPayment, SyncWindow};
use datafast_domain::provider_subscription::ProviderSubscription;

/// Why a provider call failed, in the terms the application acts on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused the credential (wrong, revoked, or missing a read permission);
    /// the text is the provider's own reason.
    #[error("{0}")]
    Rejected(String),
    /// The provider asked us to slow down; `retry_after` is its `Retry-After`, when given.
    #[error("the provider is rate limiting requests")]
    RateLimited { retry_after: Option<Duration> },
    /// The provider could not be reached, timed out, failed (5xx), or answered something
    /// that is not its documented shape.
    #[error("{0}")]
    Unavailable(String),
}

/// The payment providers, reached over their public APIs with a user's credential.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PaymentProviders: Send + Sync {
    /// Checks `credentials` against the provider and returns what it says about the account.
    async fn check(&self, credentials: &ProviderCredentials)
    -> Result<AccountFacts, ProviderError>;

    /// One page of the payments made, or refunded, within `window`: the first page when
    /// `page` is `None`, else the page after the one whose [`PaymentPage::next`] it is. A
    /// payment may appear on more than one page (once paid, once refunded); its latest
    /// appearance is its current state.
    async fn payments(
        &self,
        credentials: &ProviderCredentials,
        window: &SyncWindow,
        page: Option<String>,
    ) -> Result<PaymentPage, ProviderError>;

    /// One page of every subscription of the account (or store, or organization), newest
    /// first, as each stands now: the first page when `page` is `None`, else the page after
    /// the one whose [`SubscriptionPage::next`] it is.
    async fn subscriptions(
        &self,
        credentials: &ProviderCredentials,
        page: Option<String>,
    ) -> Result<SubscriptionPage, ProviderError>;

    /// The payment `reference` names, as it stands now: `None` when the provider knows no
    /// such payment, or the checkout it names is not paid (yet).
    async fn lookup(
        &self,
        credentials: &ProviderCredentials,
        reference: &PaymentReference,
    ) -> Result<Option<ProviderPayment>, ProviderError>;

    /// Checks a webhook delivery against the signing secret the user set for `provider`,
    /// by that provider's documented scheme, and reads which payment it concerns. `now`
    /// bounds how old a signed timestamp may be.
    ///
    /// # Errors
    /// A delivery that is unsigned, forged, replayed late or not the provider's shape.
    fn read_webhook(
        &self,
        provider: Provider,
        secret: &str,
        delivery: &WebhookDelivery,
        now: Timestamp,
    ) -> Result<WebhookNotice, WebhookRefusal>;
}

/// A page of subscriptions and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubscriptionPage {
    pub subscriptions: Vec<ProviderSubscription>,
    /// The provider's cursor for the next page; `None` on the last page.
    pub next: Option<String>,
}

/// A webhook delivery as it arrived: its headers, names in lower case, and its body unread,
/// since a signature covers the exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WebhookDelivery {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl WebhookDelivery {
    /// The first header named `name` (in lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// What a verified webhook delivery is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebhookNotice {
    /// A payment was made, changed or refunded: look it up.
    Payment(PaymentReference),
    /// An event that changes no payment (the provider sends many kinds); acknowledged.
    Ignored { event: String },
}

/// Why a webhook delivery was refused; each is the sender's fault, answered with 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookRefusal {
    #[error("the delivery has no {0} header")]
    Unsigned(&'static str),
    #[error("the signature does not match the webhook signing secret")]
    Forged,
    #[error("the signature's timestamp is more than five minutes from now")]
    Stale,
    #[error("the body is not a {0} webhook event")]
    Malformed(&'static str),
    #[error("{0} webhooks are not supported")]
    Unsupported(&'static str),
}

/// A page of payments and where the next one starts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentPage {
    pub payments: Vec<ProviderPayment>,
    /// The provider's cursor for the next page; `None` on the window's last page.
    pub next: Option<String>,
}

/// The providers when none are configured: every call says so, and nothing is ever saved on
/// the strength of an unchecked credential.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProviders;

#[async_trait]
impl PaymentProviders for NoProviders {
    async fn check(&self, _: &ProviderCredentials) -> Result<AccountFacts, ProviderError> {
        Err(ProviderError::Unavailable(
            "no payment-provider client is configured".to_owned(),
        ))
    }

    async fn payments(
        &self,
        _: &ProviderCredentials,
        _: &SyncWindow,
        _: Option<String>,
    ) -> Result<PaymentPage, ProviderError> {
        Err(ProviderError::Unavailable(
            "no payment-provider client is configured".to_owned(),
        ))
    }

    async fn subscriptions(
        &self,
        _: &ProviderCredentials,
        _: Option<String>,
    ) -> Result<SubscriptionPage, ProviderError> {
        Err(ProviderError::Unavailable(
            "no payment-provider client is configured".to_owned(),
        ))
    }

    async fn lookup(
        &self,
        _: &ProviderCredentials,
        _: &PaymentReference,
    ) -> Result<Option<ProviderPayment>, ProviderError> {
        Err(ProviderError::Unavailable(
            "no payment-provider client is configured".to_owned(),
        ))
    }

    fn read_webhook(
        &self,
        provider: Provider,
        _: &str,
        _: &WebhookDelivery,
        _: Timestamp,
    ) -> Result<WebhookNotice, WebhookRefusal> {
        Err(WebhookRefusal::Unsupported(provider.title()))
    }
}
