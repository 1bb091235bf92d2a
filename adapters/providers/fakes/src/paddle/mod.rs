//! Paddle Billing's API as documented: `GET /event-types`, which any valid key may call;
//! `GET /transactions/{id}` (with `include`, a 404 `not_found` for an id that names none); and
//! the lists `GET /transactions` and `GET /adjustments`: filters as comma-separated lists, the
//! transactions' date operators (`[LT]`, `[LTE]`, `[GT]`, `[GTE]`), `order_by`, `per_page`
//! (more than the maximum answers the maximum), `include`, and paging by `after` with
//! `meta.pagination`. Errors are `{"error": {"type", "code", "detail", "documentation_url"},
//! "meta"}`, a bad or revoked key being a 403 `invalid_token`, and a 429 carries `Retry-After`.
//! Listing is in [`list`](mod@list), the entities are built in [`objects`]; the subscriptions,
//! `GET /subscriptions`, and their customers, `GET /customers`, are in [`subscriptions`].

mod list;
mod objects;
mod subscriptions;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{Account, Admitted, FakePayment, Refused, held, respond};

use list::{Query, list, order_by};
use objects::{
    adjustment, adjustment_id, created_at, customer_id, transaction, unpaid_transaction,
    unpaid_transaction_id,
};

const REQUEST_ID: &str = "9f8e7d6c-5b4a-4392-8170-fedcba987654";

const TRANSACTION_ORDERS: Orders = (
    &["billed_at", "created_at", "id", "updated_at"],
    "must be billed_at, created_at, id or updated_at, then [ASC] or [DESC]",
);
const ADJUSTMENT_ORDERS: Orders = (&["id"], "must be id[ASC] or id[DESC]");

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/event-types", web::get().to(event_types))
        .route("/transactions", web::get().to(transactions))
        .route("/transactions/{id}", web::get().to(one_transaction))
        .route("/adjustments", web::get().to(adjustments))
        .route(
            "/subscriptions",
            web::get().to(subscriptions::subscriptions),
        )
        .route("/customers", web::get().to(subscriptions::customers));
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
pub(crate) fn refusal(refused: Refused, _: &HttpRequest) -> HttpResponse {
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

async fn event_types(_: Admitted) -> HttpResponse {
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

/// How a list orders: the fields it may be ordered by, and what Paddle says of any other.
type Orders<'a> = (&'a [&'a str], &'a str);

/// A query parameter Paddle cannot use, and what it says of it.
type Invalid<'a> = (&'static str, &'a str);

/// `per_page` (its default and maximum being the list's own) and `order_by`, or the first of
/// them that Paddle cannot use.
fn paging<'q>(
    query: &'q Query,
    (default, max): (usize, usize),
    (fields, wrong_order): Orders<'q>,
) -> Result<(usize, &'q str, bool), Invalid<'q>> {
    let per_page = query
        .per_page(default, max)
        .ok_or(("per_page", "must be a positive integer"))?;
    let (field, descending) = order_by(query, fields).ok_or(("order_by", wrong_order))?;
    Ok((per_page, field, descending))
}

/// The currency Paddle pays the account out in.
fn payout(account: &Account) -> String {
    account.currency.as_deref().unwrap_or("USD").to_uppercase()
}

async fn transactions(
    Admitted { account, state }: Admitted,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    let (per_page, field, descending) = match paging(&query, (30, 30), TRANSACTION_ORDERS) {
        Ok(paging) => paging,
        Err((field, message)) => return invalid_field(field, message),
    };
    for date in ["billed_at", "created_at", "updated_at"] {
        if let Err(parameter) = query.date_allows(date, 0) {
            return invalid_field(&parameter, "must be an RFC 3339 date-time");
        }
    }
    let mut payments = held(&state, |p| billed(p, &query));
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
    let payout = payout(&account);
    let entities: Vec<_> = payments
        .iter()
        .map(|p| (p.id.clone(), transaction(p, &query, &payout)))
        .collect();
    list(&entities, &query, per_page, &request)
}

/// A held payment's transaction, or that of its purchase's checkout left unpaid.
async fn one_transaction(
    Admitted { account, state }: Admitted,
    id: web::Path<String>,
    query: web::Query<Query>,
) -> HttpResponse {
    let payout = payout(&account);
    let held = held(&state, |p| p.id == *id || unpaid_transaction_id(p) == *id);
    let entity = match held.first() {
        Some(payment) if payment.id == *id => transaction(payment, &query, &payout),
        Some(payment) => unpaid_transaction(payment, &query, &payout),
        None => return error(404, "not_found", &format!("Entity {id} not found")),
    };
    HttpResponse::Ok().json(json!({"data": entity, "meta": {"request_id": REQUEST_ID}}))
}

/// Whether the payment's transaction passes the transaction list's filters.
fn billed(payment: &FakePayment, query: &Query) -> bool {
    let origin = if payment.renewal {
        "subscription_recurring"
    } else {
        "web"
    };
    let dated = |name: &str, at: i64| query.date_allows(name, at).unwrap_or(false);
    query.allows("id", Some(&payment.id))
        && query.allows("status", Some("completed"))
        && query.allows("origin", Some(origin))
        && query.allows("customer_id", Some(&customer_id(payment)))
        && query.allows("subscription_id", payment.subscription_id.as_deref())
        && dated("billed_at", payment.created)
        && dated("created_at", created_at(payment))
        && dated("updated_at", payment.created)
}

/// Refunds only: the fakes hold no credits or chargebacks.
async fn adjustments(
    Admitted { account, state }: Admitted,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    let (per_page, descending) = match paging(&query, (10, 50), ADJUSTMENT_ORDERS) {
        Ok((per_page, _, descending)) => (per_page, descending),
        Err((field, message)) => return invalid_field(field, message),
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
    let payout = payout(&account);
    let entities: Vec<_> = refunded
        .iter()
        .map(|p| (adjustment_id(p), adjustment(p, &payout)))
        .collect();
    list(&entities, &query, per_page, &request)
}
