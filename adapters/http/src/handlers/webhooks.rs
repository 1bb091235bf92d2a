//! `POST /api/webhooks/{provider}/{websiteId}`: payment providers' webhook deliveries. No
//! login: the delivery's signature, checked against the signing secret the website's owner
//! set, is what admits it. The body is read raw and bounded, since the signature covers its
//! exact bytes.

use actix_web::{HttpRequest, web};

use datafast_domain::id::WebsiteId;
use datafast_ports::providers::WebhookDelivery;

use crate::envelope::success;
use crate::error::{ApiError, ApiResult};
use crate::extract::PathId;
use crate::handlers::UseCases;
use crate::handlers::integrations::path_provider;
use crate::views::WebhookReceived;

/// Providers' payment events are a few kilobytes; Stripe's largest objects stay well below.
pub(crate) const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;

/// 200 once the payment the delivery names is stored (or there was none to store); 400 for an
/// unsigned, forged or late delivery; 404 when no webhook is set up; 502 when the provider
/// could not be asked, so that it delivers again later.
pub(crate) async fn receive(
    request: HttpRequest,
    payload: web::Payload,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let provider = path_provider(&request)?;
    let body = payload
        .to_bytes_limited(WEBHOOK_BODY_LIMIT)
        .await
        .map_err(|_| ApiError::body_too_large(WEBHOOK_BODY_LIMIT))?
        .map_err(|_| ApiError::bad_request("The request body could not be read"))?;
    // Header names arrive in lower case; a value that is not text cannot be a signature.
    let headers = request
        .headers()
        .iter()
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let delivery = WebhookDelivery {
        headers,
        body: body.to_vec(),
    };
    let outcome = services
        .payment_lookups()
        .receive_webhook(website.0, provider, &delivery)
        .await?;
    Ok(success(vec![WebhookReceived::new(outcome)]))
}
