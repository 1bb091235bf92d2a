//! Stripe's API as documented: `GET /v1/account`; the lists `GET /v1/charges`, `/v1/refunds`,
//! `/v1/checkout/sessions` and `/v1/subscriptions` (newest first, `limit`, `starting_after`,
//! `created[gte|lt]`, `payment_intent`, the subscriptions' `status`, `expand[]`); and one
//! object by id, `GET /v1/checkout/sessions/{id}`, `/v1/charges/{id}` (with `expand[]`) and
//! `/v1/invoices/{id}`. Errors are `{"error":
//! {"type", "message", ...}}`: 401 for a bad key, 403 for a restricted key without the
//! permission, 404 `resource_missing` for an id that names nothing, 429 with
//! `code: rate_limit`. The objects themselves are built in [`objects`].

mod objects;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::list::page_from;
use crate::server::{Admitted, FakePayment, Refused, State, bearer, lock, respond};
use crate::subscription::FakeSubscription;

use objects::{
    Query, charge, charge_id, checkout_session, invoice, invoice_id, refund, session_id,
    subscription, unpaid_session, unpaid_session_id,
};

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/v1/account", web::get().to(account))
        .route("/v1/checkout/sessions", web::get().to(checkout_sessions))
        .route("/v1/checkout/sessions/{id}", web::get().to(one_session))
        .route("/v1/charges", web::get().to(charges))
        .route("/v1/charges/{id}", web::get().to(one_charge))
        .route("/v1/invoices/{id}", web::get().to(one_invoice))
        .route("/v1/refunds", web::get().to(refunds))
        .route("/v1/subscriptions", web::get().to(subscriptions));
}

/// The provider's answer to a refused request.
pub(crate) fn refusal(refused: Refused, request: &HttpRequest) -> HttpResponse {
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

async fn account(Admitted { account, .. }: Admitted, request: HttpRequest) -> HttpResponse {
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

/// A Stripe list answer.
fn list(data: Vec<serde_json::Value>, has_more: bool, url: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": url
    }))
}

/// The page of `items` (in list order) after the one `starting_after` names, whose ids are
/// `prefix` and the payment's stem, at most `limit` of them, and whether more follow. An id
/// that names no object starts the list over.
fn after_id<'a>(
    items: impl Iterator<Item = &'a FakePayment>,
    query: &Query,
    prefix: &str,
) -> (Vec<&'a FakePayment>, bool) {
    let items: Vec<&FakePayment> = items.collect();
    let start = query
        .starting_after()
        .and_then(|after| after.strip_prefix(prefix))
        .and_then(|stem| items.iter().position(|p| objects::stem(p) == stem))
        .map_or(0, |at| at + 1);
    let (page, has_more) = page_from(&items, start, query.limit());
    (page.to_vec(), has_more)
}

/// The held payments, newest first, as Stripe lists.
fn newest_first(state: &State) -> impl Iterator<Item = &FakePayment> {
    state.newest_first.iter().map(|&at| &state.payments[at])
}

async fn charges(Admitted { state, .. }: Admitted, query: web::Query<Query>) -> HttpResponse {
    let state = lock(&state);
    let created = newest_first(&state).filter(|p| {
        query.created_in(p.created) && query.payment_intent().is_none_or(|id| p.id == id)
    });
    let (page, has_more) = after_id(created, &query, "ch_");
    let data = page.iter().map(|p| charge(p, &query, "data.")).collect();
    list(data, has_more, "/v1/charges")
}

async fn refunds(Admitted { state, .. }: Admitted, query: web::Query<Query>) -> HttpResponse {
    let state = lock(&state);
    let mut refunded: Vec<&FakePayment> = newest_first(&state)
        .filter(|p| p.refunded_at.is_some_and(|at| query.created_in(at)))
        .collect();
    refunded.sort_by_key(|p| std::cmp::Reverse(p.refunded_at));
    let (page, has_more) = after_id(refunded.into_iter(), &query, "re_");
    let data = page.iter().map(|p| refund(p, &query)).collect();
    list(data, has_more, "/v1/refunds")
}

/// Complete sessions, each the checkout of a one-off payment or of a subscription's first
/// payment, filtered by `payment_intent` or `subscription` as asked.
async fn checkout_sessions(
    Admitted { state, .. }: Admitted,
    query: web::Query<Query>,
) -> HttpResponse {
    let state = lock(&state);
    // A lookup by payment intent is by id, as the import makes one per charge.
    let candidates: Vec<&FakePayment> = match query.payment_intent() {
        Some(id) => state
            .by_id
            .get(id)
            .map(|&at| &state.payments[at])
            .into_iter()
            .collect(),
        None => newest_first(&state).collect(),
    };
    let sessions = candidates
        .into_iter()
        .filter(|p| !p.renewal && query.created_in(p.created))
        .filter(|p| query.matches_session(p));
    let (page, has_more) = after_id(sessions, &query, "cs_live_");
    let data = page.iter().map(|p| checkout_session(p)).collect();
    list(data, has_more, "/v1/checkout/sessions")
}

/// Stripe's answer for an id that names no `object`.
fn missing(object: &str, id: &str) -> HttpResponse {
    respond(
        404,
        &json!({"error": {
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": format!("No such {object}: '{id}'"),
            "param": "id",
            "type": "invalid_request_error"
        }}),
    )
}

/// The held payment `keep` picks out, if any.
fn held_one(state: &State, keep: impl Fn(&FakePayment) -> bool) -> Option<&FakePayment> {
    state.payments.iter().find(|p| keep(p))
}

/// A payment's complete session, or the earlier one left unpaid; renewals have neither.
async fn one_session(Admitted { state, .. }: Admitted, id: web::Path<String>) -> HttpResponse {
    let state = lock(&state);
    let checkouts = || state.payments.iter().filter(|p| !p.renewal);
    if let Some(payment) = checkouts().find(|p| session_id(p) == *id) {
        return HttpResponse::Ok().json(checkout_session(payment));
    }
    match checkouts().find(|p| unpaid_session_id(p) == *id) {
        Some(payment) => HttpResponse::Ok().json(unpaid_session(payment)),
        None => missing("checkout.session", &id),
    }
}

async fn one_charge(
    Admitted { state, .. }: Admitted,
    id: web::Path<String>,
    query: web::Query<Query>,
) -> HttpResponse {
    let state = lock(&state);
    match held_one(&state, |p| charge_id(p) == *id) {
        Some(payment) => HttpResponse::Ok().json(charge(payment, &query, "")),
        None => missing("charge", &id),
    }
}

/// The invoices of subscriptions' payments, each paid by its payment's charge.
async fn one_invoice(Admitted { state, .. }: Admitted, id: web::Path<String>) -> HttpResponse {
    let state = lock(&state);
    let invoiced = |p: &FakePayment| p.subscription_id.is_some() && invoice_id(p) == *id;
    match held_one(&state, invoiced) {
        Some(payment) => HttpResponse::Ok().json(invoice(payment)),
        None => missing("invoice", &id),
    }
}

/// The held subscriptions the `status` filter lets through, newest first, after the one
/// `starting_after` names (wherever the filter puts it); an id that names none is refused, as
/// Stripe refuses a cursor object it does not have.
async fn subscriptions(Admitted { state, .. }: Admitted, query: web::Query<Query>) -> HttpResponse {
    let state = lock(&state);
    let held = &state.subscriptions;
    let start = match query.starting_after() {
        None => 0,
        Some(id) => match held.iter().position(|s| s.id == id) {
            Some(at) => at + 1,
            None => return missing("subscription", id),
        },
    };
    let listed: Vec<&FakeSubscription> = held[start..]
        .iter()
        .filter(|s| query.lists_status(s.stripe_style_status()))
        .collect();
    let (page, has_more) = page_from(&listed, 0, query.limit());
    let data = page.iter().map(|s| subscription(s, &query)).collect();
    list(data, has_more, "/v1/subscriptions")
}
