//! Lemon Squeezy's JSON:API as documented: `GET /v1/users/me` (with `meta.test_mode`),
//! `GET /v1/stores/{id}`; the lists `GET /v1/orders` and `GET /v1/subscription-invoices`
//! (newest first, `page[number]` and `page[size]` with `meta.page` and `links`, `filter[…]`, and
//! for orders `include=subscriptions`); and one record, `GET /v1/orders/{id}` (`include=
//! subscriptions`) and `GET /v1/subscription-invoices/{id}` (`include=subscription`), a 404
//! for an id that names none; and the subscriptions, `GET /v1/subscriptions` with the prices
//! they are on, `GET /v1/prices/{id}`, in [`subscriptions`]. Errors are `{"jsonapi", "errors":
//! [{"detail", "status", "title"}]}`. Listing is in [`list`](mod@list), the objects are built in
//! [`objects`].

mod list;
mod objects;
mod subscriptions;

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Value, json};

use crate::server::{Admitted, FakePayment, Refused, held, respond};

use list::{Query, Store, list, listed_store, newest_first};
use objects::{INITIAL_INVOICE_OFFSET, invoice, order, status, subscription};

const CONTENT_TYPE: &str = "application/vnd.api+json";

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/v1/users/me", web::get().to(me))
        .route("/v1/stores/{id}", web::get().to(store))
        .route("/v1/orders", web::get().to(orders))
        .route("/v1/orders/{id}", web::get().to(one_order))
        .route(
            "/v1/subscription-invoices",
            web::get().to(subscription_invoices),
        )
        .route(
            "/v1/subscription-invoices/{id}",
            web::get().to(one_subscription_invoice),
        )
        .route(
            "/v1/subscriptions",
            web::get().to(subscriptions::subscriptions),
        )
        .route("/v1/prices/{id}", web::get().to(subscriptions::price));
}

fn error(status: u16, title: &str, detail: &str) -> HttpResponse {
    let mut response = respond(
        status,
        &json!({
            "jsonapi": {"version": "1.0"},
            "errors": [{"detail": detail, "status": status.to_string(), "title": title}]
        }),
    );
    response.headers_mut().insert(
        actix_web::http::header::CONTENT_TYPE,
        actix_web::http::header::HeaderValue::from_static(CONTENT_TYPE),
    );
    response
}

/// The provider's answer to a refused request.
pub(crate) fn refusal(refused: Refused, _: &HttpRequest) -> HttpResponse {
    match refused {
        Refused::Unauthorized => error(401, "Unauthorized", "Unauthenticated."),
        Refused::Throttled => error(429, "Too Many Requests", "Too Many Attempts."),
        Refused::Failing => error(500, "Server Error", "Server Error"),
    }
}

async fn me(Admitted { account, .. }: Admitted) -> HttpResponse {
    HttpResponse::Ok().content_type(CONTENT_TYPE).json(json!({
        "jsonapi": {"version": "1.0"},
        "links": {"self": "https://api.lemonsqueezy.com/v1/users/1"},
        "meta": {"test_mode": account.test_mode},
        "data": {"type": "users", "id": "1", "attributes": {
            "name": account.name, "email": "owner@example.com", "color": "#898FA9",
            "avatar_url": null, "has_custom_avatar": false,
            "createdAt": "2024-05-24T14:08:31.000000Z", "updatedAt": "2024-06-15T10:03:14.000000Z"
        }}
    }))
}

fn not_found() -> HttpResponse {
    error(
        404,
        "Not Found",
        "The requested resource could not be found.",
    )
}

async fn store(Admitted { account, .. }: Admitted, id: web::Path<String>) -> HttpResponse {
    if !account.sees(&id) {
        return not_found();
    }
    HttpResponse::Ok().content_type(CONTENT_TYPE).json(json!({
        "jsonapi": {"version": "1.0"},
        "links": {"self": format!("https://api.lemonsqueezy.com/v1/stores/{id}")},
        "data": {"type": "stores", "id": id.as_str(), "attributes": {
            "name": account.name, "slug": "store", "domain": "store.lemonsqueezy.com",
            "url": "https://store.lemonsqueezy.com", "plan": "fresh", "country": "US",
            "country_nicename": "United States", "currency": account.currency,
            "total_sales": 0, "total_revenue": 0, "thirty_day_sales": 0, "thirty_day_revenue": 0,
            "created_at": "2024-05-24T14:15:06.000000Z", "updated_at": "2024-06-15T10:03:14.000000Z"
        }}
    }))
}

/// One-off payments and subscriptions' first payments, as orders.
async fn orders(Admitted { account, state }: Admitted, query: web::Query<Query>) -> HttpResponse {
    let Some(store) = listed_store(&account, &query) else {
        return list::<FakePayment>(&[], &query, "orders", |_| (Vec::new(), None));
    };
    let held: Vec<FakePayment> = newest_first(&state)
        .into_iter()
        .filter(|p| !p.renewal)
        .filter(|p| {
            query
                .filter("user_email")
                .is_none_or(|e| p.email.as_deref() == Some(e))
        })
        .filter(|p| query.filter("order_number").is_none_or(|n| p.id == n))
        .collect();
    let include = query.includes("subscriptions");
    list(&held, &query, "orders", |page| {
        let data = page.iter().map(|p| order(p, store, include)).collect();
        let included =
            include.then(|| page.iter().filter_map(|p| subscription(p, store)).collect());
        (data, included)
    })
}

/// Renewals, and the `initial` invoice of each subscription's first payment.
async fn subscription_invoices(
    Admitted { account, state }: Admitted,
    query: web::Query<Query>,
) -> HttpResponse {
    let Some(store) = listed_store(&account, &query) else {
        return list::<(FakePayment, i64, &str)>(&[], &query, "subscription-invoices", |_| {
            (Vec::new(), None)
        });
    };
    let refunded = |p: &FakePayment| status(p) == "refunded";
    let invoices: Vec<(FakePayment, i64, &str)> = newest_first(&state)
        .into_iter()
        .filter(|p| p.subscription_id.is_some())
        .filter(|p| query.filter("status").is_none_or(|s| status(p) == s))
        .filter(|p| {
            query
                .filter("refunded")
                .is_none_or(|r| (r == "true") == refunded(p))
        })
        .filter(|p| {
            query
                .filter("subscription_id")
                .is_none_or(|s| p.subscription_id.as_deref() == Some(s))
        })
        .map(|p| {
            let id: i64 = p.id.parse().unwrap_or_default();
            if p.renewal {
                (p, id, "renewal")
            } else {
                (p, id + INITIAL_INVOICE_OFFSET, "initial")
            }
        })
        .collect();
    list(&invoices, &query, "subscription-invoices", |page| {
        let data = page
            .iter()
            .map(|(p, id, reason)| invoice(p, *id, reason, store))
            .collect();
        (data, None)
    })
}

/// A JSON:API answer of one `record` of `kind`, with `included` beside it when asked for.
fn one(kind: &str, id: &str, record: Value, included: Option<Vec<Value>>) -> HttpResponse {
    let mut body = json!({
        "jsonapi": {"version": "1.0"},
        "links": {"self": format!("https://api.lemonsqueezy.com/v1/{kind}/{id}")},
        "data": record
    });
    if let Some(included) = included {
        body["included"] = json!(included);
    }
    HttpResponse::Ok().content_type(CONTENT_TYPE).json(body)
}

/// A one-off payment or a subscription's first payment, by its order id. Its store is the
/// key's (the first store when the key sees every one, as a key of a user with several does).
async fn one_order(
    Admitted { account, state }: Admitted,
    id: web::Path<String>,
    query: web::Query<Query>,
) -> HttpResponse {
    let found = held(&state, |p| !p.renewal && p.id == *id);
    let (Some(payment), Some(store)) = (found.first(), listed_store(&account, &Query::default()))
    else {
        return not_found();
    };
    let include = query.includes("subscriptions");
    let included = include.then(|| subscription(payment, store).into_iter().collect());
    one("orders", &id, order(payment, store, include), included)
}

/// A renewal's invoice, or a subscription's `initial` one, by its number; the subscription it
/// belongs to (as opened by its first payment's order) included when asked for.
async fn one_subscription_invoice(
    Admitted { account, state }: Admitted,
    id: web::Path<String>,
    query: web::Query<Query>,
) -> HttpResponse {
    let payments = held(&state, |p| p.subscription_id.is_some());
    let found = payments
        .iter()
        .find(|p| p.lemonsqueezy_invoice_id().as_deref() == Some(id.as_str()));
    let store = listed_store(&account, &Query::default());
    let (Some(payment), Some(store), Ok(number)) = (found, store, id.parse::<i64>()) else {
        return not_found();
    };
    let reason = if payment.renewal {
        "renewal"
    } else {
        "initial"
    };
    let mut record = invoice(payment, number, reason, store);
    let opener = payments
        .iter()
        .find(|p| !p.renewal && p.subscription_id == payment.subscription_id);
    let included = opener
        .filter(|_| query.includes("subscription"))
        .map(|opener| include_subscription(&mut record, opener, store));
    one("subscription-invoices", &id, record, included)
}

/// The subscription `opener` opened, as `record` includes it: named in its relationships and
/// given beside it.
fn include_subscription(record: &mut Value, opener: &FakePayment, store: Store) -> Vec<Value> {
    record["relationships"]["subscription"]["data"] =
        json!({"type": "subscriptions", "id": opener.subscription_id});
    subscription(opener, store).into_iter().collect()
}
