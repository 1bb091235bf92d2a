//! Stripe's API as documented: `GET /v1/account`, and the lists `GET /v1/charges`,
//! `/v1/refunds` and `/v1/checkout/sessions` (newest first, `limit`, `starting_after`,
//! `created[gte|lt]`, `expand[]`); errors as `{"error": {"type", "message", ...}}` (401 for a
//! bad key, 403 for a restricted key without the permission, 429 with `code: rate_limit`).
//! The objects themselves are built in [`objects`].

mod objects;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{FakePayment, Refused, Shared, bearer, gate, lock, respond};

use objects::{Query, charge, checkout_session, refund};

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/v1/account", web::get().to(account))
        .route("/v1/checkout/sessions", web::get().to(checkout_sessions))
        .route("/v1/charges", web::get().to(charges))
        .route("/v1/refunds", web::get().to(refunds));
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

/// A Stripe list: the objects after `starting_after`, at most `limit`, with `has_more`.
fn list(objects: Vec<(String, serde_json::Value)>, query: &Query, url: &str) -> HttpResponse {
    let start = query
        .starting_after()
        .and_then(|after| objects.iter().position(|(id, _)| id == after))
        .map_or(0, |at| at + 1);
    let rest = &objects[start.min(objects.len())..];
    let page: Vec<_> = rest
        .iter()
        .take(query.limit())
        .map(|(_, o)| o.clone())
        .collect();
    HttpResponse::Ok().json(json!({
        "object": "list",
        "data": page,
        "has_more": rest.len() > page.len(),
        "url": url
    }))
}

/// The held payments, newest first, as Stripe lists.
fn newest_first(state: &Shared) -> Vec<FakePayment> {
    let mut payments = lock(state).payments.clone();
    payments.reverse();
    payments.sort_by_key(|p| std::cmp::Reverse(p.created));
    payments
}

async fn charges(state: Shared, request: HttpRequest, query: web::Query<Query>) -> HttpResponse {
    if let Err(refused) = gate(&state, &request) {
        return refusal(refused, &request);
    }
    let objects = newest_first(&state)
        .iter()
        .filter(|p| query.created_in(p.created))
        .map(|p| (objects::charge_id(p), charge(p, &query, "data.")))
        .collect();
    list(objects, &query, "/v1/charges")
}

async fn refunds(state: Shared, request: HttpRequest, query: web::Query<Query>) -> HttpResponse {
    if let Err(refused) = gate(&state, &request) {
        return refusal(refused, &request);
    }
    let mut refunded: Vec<FakePayment> = newest_first(&state)
        .into_iter()
        .filter(|p| p.refunded_at.is_some_and(|at| query.created_in(at)))
        .collect();
    refunded.sort_by_key(|p| std::cmp::Reverse(p.refunded_at));
    let objects = refunded
        .iter()
        .map(|p| (objects::refund_id(p), refund(p, &query)))
        .collect();
    list(objects, &query, "/v1/refunds")
}

/// Complete sessions, each the checkout of a one-off payment or of a subscription's first
/// payment, filtered by `payment_intent` or `subscription` as asked.
async fn checkout_sessions(
    state: Shared,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    if let Err(refused) = gate(&state, &request) {
        return refusal(refused, &request);
    }
    let objects = newest_first(&state)
        .iter()
        .filter(|p| !p.renewal && query.created_in(p.created))
        .filter(|p| query.matches_session(p))
        .map(|p| (objects::session_id(p), checkout_session(p)))
        .collect();
    list(objects, &query, "/v1/checkout/sessions")
}
