//! One log line per request: method, route, status and latency. The route is the matched
//! pattern (`/api/v1/admin/websites/{websiteId}`) when there is one, so ids stay out of the
//! logs; headers, bodies and query strings are never logged, since they carry credentials.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

pub(crate) async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let raw_path = request.path().to_owned();
    let outcome = next.call(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    match &outcome {
        Ok(response) => {
            let route = response.request().match_pattern().unwrap_or(raw_path);
            tracing::info!(
                method = %method,
                route = %route,
                status = response.status().as_u16(),
                latency_ms,
                "request"
            );
        }
        Err(error) => {
            tracing::warn!(
                method = %method,
                route = %raw_path,
                status = error.as_response_error().status_code().as_u16(),
                latency_ms,
                "request failed"
            );
        }
    }
    outcome
}
