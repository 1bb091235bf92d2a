//! Payment-provider connectors behind the [`PaymentProviders`] port: one module per provider,
//! each speaking that provider's public HTTP API with a credential the user gave, read-only.
//! The endpoints are configurable so that tests can point them at local fakes.

mod api;
mod cursor;
mod lemonsqueezy;
mod paddle;
mod payment;
mod polar;
mod stripe;
mod subscription;
mod webhooks;

use std::time::Duration;

use async_trait::async_trait;

use jiff::Timestamp;

use datafast_domain::integration::{AccountFacts, Provider, ProviderCredentials};
use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::{ProviderPayment, SyncWindow};
use datafast_ports::providers::{
    PaymentPage, PaymentProviders, ProviderError, SubscriptionPage, WebhookDelivery, WebhookNotice,
    WebhookRefusal,
};

pub use api::InvalidEndpoint;

use api::Api;

/// Where each provider's API is reached. The defaults are the providers' production hosts;
/// tests point them at local fakes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEndpoints {
    pub stripe: String,
    pub lemonsqueezy: String,
    pub polar: String,
    /// Paddle's live API. Sandbox keys (`pdl_sdbx_`) go to `paddle_sandbox`.
    pub paddle: String,
    pub paddle_sandbox: String,
}

impl Default for ProviderEndpoints {
    fn default() -> Self {
        Self {
            stripe: "https://api.stripe.com".to_owned(),
            lemonsqueezy: "https://api.lemonsqueezy.com".to_owned(),
            polar: "https://api.polar.sh".to_owned(),
            paddle: "https://api.paddle.com".to_owned(),
            paddle_sandbox: "https://sandbox-api.paddle.com".to_owned(),
        }
    }
}

/// The four connectors over one HTTP client.
#[derive(Debug, Clone)]
pub struct ProviderClients {
    stripe: Api,
    lemonsqueezy: Api,
    polar: Api,
    paddle: Api,
    paddle_sandbox: Api,
}

impl ProviderClients {
    /// Connectors for `endpoints`; each request gives up after `timeout`.
    ///
    /// # Errors
    /// An endpoint that is not an absolute http(s) URL.
    pub fn new(endpoints: &ProviderEndpoints, timeout: Duration) -> Result<Self, InvalidEndpoint> {
        let client = api::client(timeout)?;
        Ok(Self {
            stripe: stripe::api(client.clone(), &endpoints.stripe)?,
            lemonsqueezy: lemonsqueezy::api(client.clone(), &endpoints.lemonsqueezy)?,
            polar: polar::api(client.clone(), &endpoints.polar)?,
            paddle: paddle::api(client.clone(), &endpoints.paddle)?,
            paddle_sandbox: paddle::api(client, &endpoints.paddle_sandbox)?,
        })
    }

    /// Paddle's sandbox host for sandbox keys, its live host for the others.
    fn paddle_for(&self, credentials: &ProviderCredentials) -> &Api {
        if credentials.is_test_key() {
            &self.paddle_sandbox
        } else {
            &self.paddle
        }
    }
}

#[async_trait]
impl PaymentProviders for ProviderClients {
    async fn check(
        &self,
        credentials: &ProviderCredentials,
    ) -> Result<AccountFacts, ProviderError> {
        match credentials {
            ProviderCredentials::Stripe { restricted_key } => {
                stripe::check(&self.stripe, restricted_key).await
            }
            ProviderCredentials::LemonSqueezy { api_key, store_id } => {
                lemonsqueezy::check(&self.lemonsqueezy, api_key, store_id).await
            }
            ProviderCredentials::Polar {
                access_token,
                organization_id,
            } => polar::check(&self.polar, access_token, organization_id).await,
            ProviderCredentials::Paddle { api_key } => {
                paddle::check(self.paddle_for(credentials), api_key).await
            }
        }
    }

    async fn payments(
        &self,
        credentials: &ProviderCredentials,
        window: &SyncWindow,
        page: Option<String>,
    ) -> Result<PaymentPage, ProviderError> {
        let page = page.as_deref();
        match credentials {
            ProviderCredentials::Stripe { restricted_key } => {
                stripe::payments(&self.stripe, restricted_key, window, page).await
            }
            ProviderCredentials::LemonSqueezy { api_key, store_id } => {
                lemonsqueezy::payments(&self.lemonsqueezy, api_key, store_id, window, page).await
            }
            ProviderCredentials::Polar {
                access_token,
                organization_id,
            } => polar::payments(&self.polar, access_token, organization_id, window, page).await,
            ProviderCredentials::Paddle { api_key } => {
                paddle::payments(self.paddle_for(credentials), api_key, window, page).await
            }
        }
    }

    async fn subscriptions(
        &self,
        credentials: &ProviderCredentials,
        page: Option<String>,
    ) -> Result<SubscriptionPage, ProviderError> {
        let page = page.as_deref();
        match credentials {
            ProviderCredentials::Stripe { restricted_key } => {
                stripe::subscriptions(&self.stripe, restricted_key, page).await
            }
            ProviderCredentials::LemonSqueezy { api_key, store_id } => {
                lemonsqueezy::subscriptions(&self.lemonsqueezy, api_key, store_id, page).await
            }
            ProviderCredentials::Polar {
                access_token,
                organization_id,
            } => polar::subscriptions(&self.polar, access_token, organization_id, page).await,
            ProviderCredentials::Paddle { api_key } => {
                paddle::subscriptions(self.paddle_for(credentials), api_key, page).await
            }
        }
    }

    async fn lookup(
        &self,
        credentials: &ProviderCredentials,
        reference: &PaymentReference,
    ) -> Result<Option<ProviderPayment>, ProviderError> {
        if reference.provider() != credentials.provider() || !reference.is_well_formed() {
            return Ok(None);
        }
        match credentials {
            ProviderCredentials::Stripe { restricted_key } => {
                stripe::lookup(&self.stripe, restricted_key, reference).await
            }
            ProviderCredentials::LemonSqueezy { api_key, store_id } => {
                lemonsqueezy::lookup(&self.lemonsqueezy, api_key, store_id, reference).await
            }
            ProviderCredentials::Polar {
                access_token,
                organization_id,
            } => polar::lookup(&self.polar, access_token, organization_id, reference).await,
            ProviderCredentials::Paddle { api_key } => {
                paddle::lookup(self.paddle_for(credentials), api_key, reference).await
            }
        }
    }

    fn read_webhook(
        &self,
        provider: Provider,
        secret: &str,
        delivery: &WebhookDelivery,
        now: Timestamp,
    ) -> Result<WebhookNotice, WebhookRefusal> {
        webhooks::read(provider, secret, delivery, now)
    }
}
