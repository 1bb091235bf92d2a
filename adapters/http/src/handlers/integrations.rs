//! `/websites/{websiteId}/integrations`: connection status (never a credential) with each
//! import's progress, connecting Stripe, Lemon Squeezy, Polar and Paddle with credentials
//! checked by the domain, importing their revenue now, setting each one's webhook signing
//! secret, and disconnecting any provider. Shopify and WooCommerce connect through their own
//! install flows, so they have disconnect routes only.

use actix_web::HttpRequest;
use actix_web::http::StatusCode;

use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Provider, ProviderCredentials, WebhookSecret};

use crate::envelope::{Message, success};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Fields, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::public_address::PublicAddress;
use crate::views::{Connected, IntegrationsBody, SyncResult, WebhookSet, webhook_url};

pub(crate) async fn status(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    public_address: PublicAddress,
) -> ApiResult {
    let status = services.integrations().status(&caller, website.0).await?;
    Ok(success(vec![IntegrationsBody::new(
        &status,
        &public_address.0,
        website.0,
    )]))
}

/// The `{provider}` path segment: one of the four providers that have webhooks; 404 for any
/// other, as for an unknown path.
pub(crate) fn path_provider(request: &HttpRequest) -> Result<Provider, ApiError> {
    request
        .match_info()
        .get("provider")
        .and_then(Provider::from_slug)
        .filter(|provider| provider.connects_through_api())
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "Unknown payment provider"))
}

/// `PUT .../integrations/{provider}/webhook`: saves the signing secret the provider showed
/// when the user added the webhook URL, so deliveries to that URL are accepted.
pub(crate) async fn set_webhook(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    request: HttpRequest,
    public_address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    let provider = path_provider(&request)?;
    let secret = WebhookSecret::parse(provider, body.fields().required_str(WebhookSecret::FIELD)?)?;
    services
        .payment_lookups()
        .set_webhook_secret(&caller, website.0, provider, Some(secret))
        .await?;
    let url = webhook_url(&public_address.0, provider, website.0);
    Ok(success(vec![WebhookSet::new(provider, url)]))
}

/// `DELETE .../integrations/{provider}/webhook`: forgets the secret; deliveries are refused
/// again and polling alone brings the revenue in.
pub(crate) async fn remove_webhook(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    request: HttpRequest,
) -> ApiResult {
    let provider = path_provider(&request)?;
    services
        .payment_lookups()
        .set_webhook_secret(&caller, website.0, provider, None)
        .await?;
    Ok(success(vec![Message::new(format!(
        "{} webhook removed",
        provider.title()
    ))]))
}

/// `POST .../integrations/sync`: imports each connected provider's new payments now and
/// answers how each pass ended.
pub(crate) async fn sync(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let outcomes = services
        .revenue_import()
        .sync_now(&caller, website.0)
        .await?;
    Ok(success(
        outcomes
            .iter()
            .map(|(provider, outcome)| SyncResult::new(*provider, outcome))
            .collect::<Vec<_>>(),
    ))
}

async fn connect(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    credentials: ProviderCredentials,
) -> ApiResult {
    let provider = credentials.provider();
    let currency = services
        .integrations()
        .connect(&caller, website.0, credentials)
        .await?;
    Ok(success(vec![Connected::new(provider, currency.as_str())]))
}

fn stripe(fields: &Fields<'_>) -> Result<ProviderCredentials, ApiError> {
    Ok(ProviderCredentials::stripe(
        fields.required_str("stripeRak")?,
    )?)
}

fn lemon_squeezy(fields: &Fields<'_>) -> Result<ProviderCredentials, ApiError> {
    Ok(ProviderCredentials::lemon_squeezy(
        fields.required_str("lemonsqueezyApiKey")?,
        fields.required_str("lemonsqueezyStoreId")?,
    )?)
}

fn polar(fields: &Fields<'_>) -> Result<ProviderCredentials, ApiError> {
    Ok(ProviderCredentials::polar(
        fields.required_str("polarAccessToken")?,
        fields.required_str("polarOrgId")?,
    )?)
}

fn paddle(fields: &Fields<'_>) -> Result<ProviderCredentials, ApiError> {
    Ok(ProviderCredentials::paddle(
        fields.required_str("paddleApiKey")?,
    )?)
}

async fn disconnect(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    provider: Provider,
) -> ApiResult {
    services
        .integrations()
        .disconnect(&caller, website.0, provider)
        .await?;
    Ok(success(vec![Message::new(format!(
        "{} disconnected successfully",
        provider.title()
    ))]))
}

/// One handler per route, so that the route table names each provider's path literally.
macro_rules! connect_handlers {
    ($($handler:ident => $parse:ident),* $(,)?) => {
        $(pub(crate) async fn $handler(
            caller: Caller,
            services: UseCases,
            website: PathId<WebsiteId>,
            body: JsonObject,
        ) -> ApiResult {
            let credentials = $parse(&body.fields())?;
            connect(caller, services, website, credentials).await
        })*
    };
}

macro_rules! disconnect_handlers {
    ($($handler:ident => $provider:ident),* $(,)?) => {
        $(pub(crate) async fn $handler(
            caller: Caller,
            services: UseCases,
            website: PathId<WebsiteId>,
        ) -> ApiResult {
            disconnect(caller, services, website, Provider::$provider).await
        })*
    };
}

connect_handlers! {
    connect_stripe => stripe,
    connect_lemon_squeezy => lemon_squeezy,
    connect_polar => polar,
    connect_paddle => paddle,
}

disconnect_handlers! {
    disconnect_stripe => Stripe,
    disconnect_lemon_squeezy => LemonSqueezy,
    disconnect_polar => Polar,
    disconnect_paddle => Paddle,
    disconnect_shopify => Shopify,
    disconnect_woocommerce => WooCommerce,
}
