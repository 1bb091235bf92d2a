//! Polar's API as documented: `GET /v1/organizations/{id}`; a bad token is a 401 OAuth error
//! (`error: invalid_token`, `error_description`) with `WWW-Authenticate`, a missing resource
//! `{"error": "ResourceNotFound", "detail"}`, and a 429 carries `Retry-After`.

use actix_web::web::{self, ServiceConfig};
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

use crate::server::{Refused, Shared, gate, respond};

pub(crate) fn routes(config: &mut ServiceConfig) {
    config.route("/v1/organizations/{id}", web::get().to(organization));
}

/// The provider's answer to a refused request.
fn refusal(refused: Refused) -> HttpResponse {
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

async fn organization(state: Shared, request: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let account = match gate(&state, &request) {
        Ok(account) => account,
        Err(refused) => return refusal(refused),
    };
    if !account.sees(&id) {
        return respond(
            404,
            &json!({"error": "ResourceNotFound", "detail": "Not found"}),
        );
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
