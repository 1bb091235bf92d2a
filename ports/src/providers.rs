//! The payment-provider port: what the application asks of Stripe, Lemon Squeezy, Polar and
//! Paddle. Credentials arrive unsealed for the one call that needs them and are not kept.

use std::time::Duration;

use async_trait::async_trait;

use datafast_domain::integration::{AccountFacts, ProviderCredentials};
use datafast_domain::provider_payment::{ProviderPayment, SyncWindow};

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
}
