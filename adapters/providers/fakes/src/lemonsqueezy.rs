//! Lemon Squeezy's JSON:API as documented: `GET /v1/users/me` (with `meta.test_mode`) and
//! `GET /v1/stores/{id}`, errors as `{"jsonapi", "errors": [{"detail", "status", "title"}]}`.

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{Refused, Shared, gate, respond};

const CONTENT_TYPE: &str = "application/vnd.api+json";

pub(crate) fn routes(config: &mut ServiceConfig) {
    config
        .route("/v1/users/me", web::get().to(me))
        .route("/v1/stores/{id}", web::get().to(store));
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
fn refusal(refused: Refused) -> HttpResponse {
    match refused {
        Refused::Unauthorized => error(401, "Unauthorized", "Unauthenticated."),
        Refused::Throttled => error(429, "Too Many Requests", "Too Many Attempts."),
        Refused::Failing => error(500, "Server Error", "Server Error"),
    }
}

async fn me(state: Shared, request: HttpRequest) -> HttpResponse {
    let account = match gate(&state, &request) {
        Ok(account) => account,
        Err(refused) => return refusal(refused),
    };
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

async fn store(state: Shared, request: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let account = match gate(&state, &request) {
        Ok(account) => account,
        Err(refused) => return refusal(refused),
    };
    if !account.sees(&id) {
        return error(
            404,
            "Not Found",
            "The requested resource could not be found.",
        );
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
