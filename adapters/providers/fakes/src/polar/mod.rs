//! Polar's API as documented: `GET /v1/organizations/{id}`, `GET /v1/orders/{id}`,
//! `GET /v1/checkouts/{id}`, and the lists `GET /v1/orders/`, `GET /v1/refunds/` and
//! `GET /v1/subscriptions/` (`{items, pagination: {total_count, max_page}}`, `page` and `limit`
//! up to 100, `sorting`, repeatable filters such as `organization_id`, the orders'
//! `checkout_id` and the subscriptions' `status` and `active`); a bad token is a 401 OAuth
//! error (`error: invalid_token`, `error_description`) with `WWW-Authenticate`, a missing
//! resource `{"error": "ResourceNotFound", "detail"}`, a query it cannot use a 422
//! `RequestValidationError`, and a 429 carries `Retry-After`. The schemas are built in
//! [`objects`].

mod objects;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use crate::list::numbered;
use crate::server::{Account, Admitted, FakePayment, Refused, Shared, held, lock, respond};

use crate::subscription::FakeSubscription;

use objects::{
    Invalid, Query, billing_reason, checkout_id, listed_subscription, order, paid_checkout, refund,
    refund_id, unpaid_checkout, unpaid_checkout_id,
};

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/v1/organizations/{id}", web::get().to(organization))
        .route("/v1/orders/", web::get().to(orders))
        .route("/v1/orders/{id}", web::get().to(one_order))
        .route("/v1/checkouts/{id}", web::get().to(one_checkout))
        .route("/v1/refunds/", web::get().to(refunds))
        .route("/v1/subscriptions/", web::get().to(subscriptions));
}

/// The provider's answer to a refused request.
pub(crate) fn refusal(refused: Refused, _: &HttpRequest) -> HttpResponse {
    match refused {
        Refused::Unauthorized => {
            let mut response = respond(
                401,
                &json!({
                    "error": "invalid_token",
                    "error_description": "The access token provided is expired, revoked, malformed, or invalid for other reasons."
                }),
            );
            response.headers_mut().insert(
                actix_web::http::header::WWW_AUTHENTICATE,
                actix_web::http::header::HeaderValue::from_static(
                    "Bearer realm=\"api\", error=\"invalid_token\"",
                ),
            );
            response
        }
        Refused::Throttled => HttpResponse::TooManyRequests()
            .insert_header(("Retry-After", "1"))
            .finish(),
        Refused::Failing => respond(
            500,
            &json!({"error": "InternalServerError", "detail": "Internal Server Error"}),
        ),
    }
}

async fn organization(Admitted { account, .. }: Admitted, id: web::Path<String>) -> HttpResponse {
    if !account.sees(&id) {
        return not_found();
    }
    HttpResponse::Ok().json(json!({
        "id": id.as_str(),
        "created_at": "2025-01-01T00:00:00Z",
        "modified_at": null,
        "name": account.name,
        "slug": "acme",
        "avatar_url": null,
        "email": "support@example.com",
        "website": null,
        "status": "active",
        "default_presentment_currency": account.currency,
        "country": "US"
    }))
}

fn not_found() -> HttpResponse {
    respond(
        404,
        &json!({"error": "ResourceNotFound", "detail": "Not found"}),
    )
}

/// Polar's answer to a query parameter it cannot use.
fn invalid((parameter, message): Invalid) -> HttpResponse {
    respond(
        422,
        &json!({"error": "RequestValidationError", "detail": [{
            "type": "value_error", "loc": ["query", parameter], "msg": message, "input": null
        }]}),
    )
}

/// The organization the held payments belong to: the one the token sees, else the first one
/// the query names.
fn organization_of(account: &Account, query: &Query) -> String {
    account
        .scope
        .clone()
        .or_else(|| query.get("organization_id").map(str::to_owned))
        .unwrap_or_else(|| "1dbfc517-0bbf-4301-9ba8-555ca42b9737".to_owned())
}

/// The held payments `keep` lets through, in the order `query` sorts by (creation, or
/// `created` for refunds), when the query's organizations are ones the token sees.
fn listed(
    state: &Shared,
    account: &Account,
    query: &Query,
    created: impl Fn(&FakePayment) -> i64,
    keep: impl Fn(&FakePayment) -> bool,
) -> Result<Vec<FakePayment>, Invalid> {
    let newest_first = query.newest_first()?;
    let organizations = query.all("organization_id");
    if !organizations.is_empty() && !organizations.iter().any(|id| account.sees(id)) {
        return Ok(Vec::new());
    }
    let mut payments = held(state, keep);
    payments.sort_by(|a, b| created(a).cmp(&created(b)).then_with(|| a.id.cmp(&b.id)));
    if newest_first {
        payments.reverse();
    }
    Ok(payments)
}

/// A Polar list page of `objects`.
fn list(objects: Vec<Value>, query: &Query) -> HttpResponse {
    let (page, limit) = match query.page() {
        Ok(page) => page,
        Err(reason) => return invalid(reason),
    };
    let total = objects.len();
    HttpResponse::Ok().json(json!({
        "items": objects[numbered(total, page, limit)],
        "pagination": {"total_count": total, "max_page": total.div_ceil(limit)}
    }))
}

async fn orders(Admitted { account, state }: Admitted, query: web::Query<Query>) -> HttpResponse {
    let organization = organization_of(&account, &query);
    let kept = listed(
        &state,
        &account,
        &query,
        |p| p.created,
        |p| {
            query.allows("customer_id", p.customer_id.as_deref())
                && query.allows("subscription_id", p.subscription_id.as_deref())
                && query.allows("billing_reason", Some(billing_reason(p)))
                && query.allows("checkout_id", checkout_id(p).as_deref())
        },
    );
    match kept {
        Ok(payments) => list(
            payments.iter().map(|p| order(p, &organization)).collect(),
            &query,
        ),
        Err(reason) => invalid(reason),
    }
}

async fn one_order(Admitted { account, state }: Admitted, id: web::Path<String>) -> HttpResponse {
    let found = lock(&state).payments.iter().find(|p| p.id == *id).cloned();
    match found {
        Some(payment) => {
            let organization = organization_of(&account, &Query::default());
            HttpResponse::Ok().json(order(&payment, &organization))
        }
        None => not_found(),
    }
}

/// The checkout that made a held payment, or the one of its purchase left open.
async fn one_checkout(
    Admitted { account, state }: Admitted,
    id: web::Path<String>,
) -> HttpResponse {
    let organization = organization_of(&account, &Query::default());
    let found = held(&state, |_| true).iter().find_map(|p| {
        if checkout_id(p).as_deref() == Some(id.as_str()) {
            paid_checkout(p, &organization)
        } else if unpaid_checkout_id(p) == *id && !p.renewal {
            Some(unpaid_checkout(p, &organization))
        } else {
            None
        }
    });
    match found {
        Some(checkout) => HttpResponse::Ok().json(checkout),
        None => not_found(),
    }
}

/// One refund per refunded payment, of all it gave back, made when it last gave some back.
async fn refunds(Admitted { account, state }: Admitted, query: web::Query<Query>) -> HttpResponse {
    let organization = organization_of(&account, &query);
    let refunded_at = |p: &FakePayment| p.refunded_at.unwrap_or(p.created);
    let kept = listed(&state, &account, &query, refunded_at, |p| {
        p.refunded_minor > 0
            && query.allows("id", Some(&refund_id(p)))
            && query.allows("order_id", Some(&p.id))
            && query.allows("subscription_id", p.subscription_id.as_deref())
            && query.get("succeeded").is_none_or(|s| s == "true")
    });
    match kept {
        Ok(payments) => list(
            payments.iter().map(|p| refund(p, &organization)).collect(),
            &query,
        ),
        Err(reason) => invalid(reason),
    }
}

/// The held subscriptions the query's filters keep, latest started first unless asked for the
/// earliest, when the query's organizations are ones the token sees.
async fn subscriptions(
    Admitted { account, state }: Admitted,
    query: web::Query<Query>,
) -> HttpResponse {
    let latest_first = match query.latest_started_first() {
        Ok(latest_first) => latest_first,
        Err(reason) => return invalid(reason),
    };
    let organization = organization_of(&account, &query);
    let organizations = query.all("organization_id");
    let visible = organizations.is_empty() || organizations.iter().any(|id| account.sees(id));
    let keep = |s: &&FakeSubscription| {
        let status = s.stripe_style_status();
        query.allows("status", Some(status))
            && query.allows_activity(status)
            && query.allows("customer_id", s.customer_id.as_deref())
    };
    let mut kept: Vec<FakeSubscription> = if visible {
        lock(&state)
            .subscriptions
            .iter()
            .filter(keep)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    kept.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    if latest_first {
        kept.reverse();
    }
    let objects = kept
        .iter()
        .map(|s| listed_subscription(s, &organization))
        .collect();
    list(objects, &query)
}
