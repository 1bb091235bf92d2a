//! Stripe's API as documented: `GET /v1/account` and `GET /v1/checkout/sessions`, errors as
//! `{"error": {"type", "message", ...}}` (401 for a bad key, 403 for a restricted key without
//! the permission, 429 with `code: rate_limit`).

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{Refused, Shared, bearer, gate, respond};

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/v1/account", web::get().to(account))
        .route("/v1/checkout/sessions", web::get().to(checkout_sessions));
}

/// The provider's answer to a refused request.
fn refusal(refused: Refused, request: &HttpRequest) -> HttpResponse {
    match refused {
        Refused::Unauthorized => respond(
            401,
            &json!({"error": {
                "message": format!("Invalid API Key provided: {}", masked(request)),
                "type": "invalid_request_error"
            }}),
        ),
        Refused::Throttled => respond(
            429,
            &json!({"error": {
                "code": "rate_limit",
                "message": "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
                "type": "invalid_request_error"
            }}),
        ),
        Refused::Failing => respond(
            500,
            &json!({"error": {"message": "An unknown error occurred", "type": "api_error"}}),
        ),
    }
}

/// The key as Stripe echoes it: its prefix, stars, and its last four characters.
fn masked(request: &HttpRequest) -> String {
    let key = bearer(request).unwrap_or_default();
    let prefix: String = key.chars().take(8).collect();
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("{prefix}********************{tail}")
}

async fn account(state: Shared, request: HttpRequest) -> HttpResponse {
    let account = match gate(&state, &request) {
        Ok(account) => account,
        Err(refused) => return refusal(refused, &request),
    };
    if account.account_hidden {
        return respond(
            403,
            &json!({"error": {
                "message": format!(
                    "The provided key '{}' does not have the required permissions for this endpoint on account 'acct_1Fake000000000000'. Having the 'rak_accounts_kyc_basic_read' permission would allow this request to continue.",
                    masked(&request)
                ),
                "type": "invalid_request_error"
            }}),
        );
    }
    HttpResponse::Ok().json(json!({
        "id": "acct_1Fake000000000000",
        "object": "account",
        "business_profile": {"name": account.name, "url": null},
        "country": "US",
        "default_currency": account.currency,
        "charges_enabled": true,
        "settings": {"dashboard": {"display_name": account.name, "timezone": "Etc/UTC"}}
    }))
}

async fn checkout_sessions(state: Shared, request: HttpRequest) -> HttpResponse {
    if let Err(refused) = gate(&state, &request) {
        return refusal(refused, &request);
    }
    HttpResponse::Ok().json(json!({
        "object": "list",
        "data": [],
        "has_more": false,
        "url": "/v1/checkout/sessions"
    }))
}
