//! Paddle Billing's API as documented: `GET /event-types`, which any valid key may call, and
//! the lists `GET /transactions` and `GET /adjustments`: filters as comma-separated lists, the
//! transactions' date operators (`[LT]`, `[LTE]`, `[GT]`, `[GTE]`), `order_by`, `per_page`
//! (more than the maximum answers the maximum), `include`, and paging by `after` with
//! `meta.pagination`. Errors are `{"error": {"type", "code", "detail", "documentation_url"},
//! "meta"}`, a bad or revoked key being a 403 `invalid_token`, and a 429 carries `Retry-After`.
//! Listing is in [`list`](mod@list), the entities are built in [`objects`].

mod list;
mod objects;
pub(crate) mod time;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{FakePayment, Refused, Shared, gate, lock, respond};

use list::{Query, list, order_by};
use objects::{adjustment, adjustment_id, created_at, customer_id, transaction};

const REQUEST_ID: &str = "9f8e7d6c-5b4a-4392-8170-fedcba987654";

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/event-types", web::get().to(event_types))
        .route("/transactions", web::get().to(transactions))
        .route("/adjustments", web::get().to(adjustments));
}

fn error(status: u16, code: &str, detail: &str) -> HttpResponse {
    respond(
        status,
        &json!({
            "error": {
                "type": if status >= 500 { "api_error" } else { "request_error" },
                "code": code,
                "detail": detail,
                "documentation_url": format!("https://developer.paddle.com/errors/shared/{code}")
            },
            "meta": {"request_id": REQUEST_ID}
        }),
    )
}

/// A 400 naming the query parameter Paddle could not use.
fn invalid_field(field: &str, message: &str) -> HttpResponse {
    respond(
        400,
        &json!({
            "error": {
                "type": "request_error",
                "code": "invalid_field",
                "detail": "Request does not pass validation.",
                "documentation_url": "https://developer.paddle.com/errors/shared/invalid_field",
                "errors": [{"field": field, "message": message}]
            },
            "meta": {"request_id": REQUEST_ID}
        }),
    )
}

/// The provider's answer to a refused request.
fn refusal(refused: Refused) -> HttpResponse {
    match refused {
        Refused::Unauthorized => error(403, "invalid_token", "Invalid or revoked API key."),
        Refused::Throttled => {
            let mut response = error(
                429,
                "too_many_requests",
                "IP address exceeded the allowed rate limit. Retry after the number of seconds in the Retry-After header.",
            );
            response.headers_mut().insert(
                actix_web::http::header::RETRY_AFTER,
                actix_web::http::header::HeaderValue::from_static("1"),
            );
            response
        }
        Refused::Failing => error(500, "internal_error", "An internal error has occurred."),
    }
}

async fn event_types(state: Shared, request: HttpRequest) -> HttpResponse {
    if let Err(refused) = gate(&state, &request) {
        return refusal(refused);
    }
    HttpResponse::Ok().json(json!({
        "data": [
            {"name": "transaction.completed", "description": "Occurs when a transaction is completed.",
             "group": "Transaction", "available_versions": [1]},
            {"name": "adjustment.updated", "description": "Occurs when an adjustment is updated.",
             "group": "Adjustment", "available_versions": [1]}
        ],
        "meta": {"request_id": REQUEST_ID}
    }))
}

/// The held payments that `keep` lets through.
fn held(state: &Shared, keep: impl Fn(&FakePayment) -> bool) -> Vec<FakePayment> {
    lock(state)
        .payments
        .iter()
        .filter(|p| keep(p))
        .cloned()
        .collect()
}

async fn transactions(
    state: Shared,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    let account = match gate(&state, &request) {
        Ok(account) => account,
        Err(refused) => return refusal(refused),
    };
    let Some(per_page) = query.per_page(30, 30) else {
        return invalid_field("per_page", "must be a positive integer");
    };
    let Some((field, descending)) =
        order_by(&query, &["billed_at", "created_at", "id", "updated_at"])
    else {
        return invalid_field(
            "order_by",
            "must be billed_at, created_at, id or updated_at, then [ASC] or [DESC]",
        );
    };
    for date in ["billed_at", "created_at", "updated_at"] {
        if let Err(parameter) = query.date_allows(date, 0) {
            return invalid_field(&parameter, "must be an RFC 3339 date-time");
        }
    }
    let dated = |name: &str, at: i64| query.date_allows(name, at).unwrap_or(false);
    let mut payments = held(&state, |p| {
        let origin = if p.renewal {
            "subscription_recurring"
        } else {
            "web"
        };
        query.allows("id", Some(&p.id))
            && query.allows("status", Some("completed"))
            && query.allows("origin", Some(origin))
            && query.allows("customer_id", Some(&customer_id(p)))
            && query.allows("subscription_id", p.subscription_id.as_deref())
            && dated("billed_at", p.created)
            && dated("created_at", created_at(p))
            && dated("updated_at", p.created)
    });
    payments.sort_by(|a, b| {
        let key = |p: &FakePayment| match field {
            "created_at" => created_at(p),
            "billed_at" | "updated_at" => p.created,
            _ => 0,
        };
        key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
    });
    if descending {
        payments.reverse();
    }
    let payout = account.currency.as_deref().unwrap_or("USD").to_uppercase();
    let entities: Vec<_> = payments
        .iter()
        .map(|p| (p.id.clone(), transaction(p, &query, &payout)))
        .collect();
    list(&entities, &query, per_page, &request)
}

/// Refunds only: the fakes hold no credits or chargebacks.
async fn adjustments(
    state: Shared,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    let account = match gate(&state, &request) {
        Ok(account) => account,
        Err(refused) => return refusal(refused),
    };
    let Some(per_page) = query.per_page(10, 50) else {
        return invalid_field("per_page", "must be a positive integer");
    };
    let Some((_, descending)) = order_by(&query, &["id"]) else {
        return invalid_field("order_by", "must be id[ASC] or id[DESC]");
    };
    let mut refunded = held(&state, |p| {
        p.refunded_minor > 0
            && query.allows("action", Some("refund"))
            && query.allows("status", Some("approved"))
            && query.allows("id", Some(&adjustment_id(p)))
            && query.allows("transaction_id", Some(&p.id))
            && query.allows("customer_id", Some(&customer_id(p)))
            && query.allows("subscription_id", p.subscription_id.as_deref())
    });
    refunded.sort_by_key(adjustment_id);
    if descending {
        refunded.reverse();
    }
    let payout = account.currency.as_deref().unwrap_or("USD").to_uppercase();
    let entities: Vec<_> = refunded
        .iter()
        .map(|p| (adjustment_id(p), adjustment(p, &payout)))
        .collect();
    list(&entities, &query, per_page, &request)
}
