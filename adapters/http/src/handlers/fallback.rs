//! What answers when no handler does: the health check, unknown paths (404) and known paths
//! asked with a method they do not accept (405 with `Allow`), all in the envelope.

use actix_web::HttpResponse;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

#[derive(Serialize)]
struct Health {
    status: &'static str,
}

/// `GET /health`: the process is up and serving. No authentication, no rate limit.
pub(crate) async fn health() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

pub(crate) async fn not_found() -> ApiResult {
    Err(ApiError::not_found())
}
