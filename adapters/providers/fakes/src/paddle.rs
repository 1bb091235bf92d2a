//! Paddle Billing's API as documented: `GET /event-types`, which any valid key may call;
//! errors as `{"error": {"type", "code", "detail", "documentation_url"}, "meta"}`, a bad or
//! revoked key being a 403 `invalid_token`, and a 429 carrying `Retry-After`.

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{Refused, Shared, gate, respond};

pub(crate) fn routes(config: &mut ServiceConfig) {
    config.route("/event-types", web::get().to(event_types));
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
            "meta": {"request_id": "9f8e7d6c-5b4a-4392-8170-fedcba987654"}
        }),
    )
}

async fn event_types(state: Shared, request: HttpRequest) -> HttpResponse {
    match gate(&state, &request) {
        Ok(_) => HttpResponse::Ok().json(json!({
            "data": [
                {"name": "transaction.completed", "description": "Occurs when a transaction is completed.",
                 "group": "Transaction", "available_versions": [1]},
                {"name": "adjustment.updated", "description": "Occurs when an adjustment is updated.",
                 "group": "Adjustment", "available_versions": [1]}
            ],
            "meta": {"request_id": "9f8e7d6c-5b4a-4392-8170-fedcba987654"}
        })),
        Err(Refused::Unauthorized) => error(403, "invalid_token", "Invalid or revoked API key."),
        Err(Refused::Throttled) => {
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
        Err(Refused::Failing) => error(500, "internal_error", "An internal error has occurred."),
    }
}
