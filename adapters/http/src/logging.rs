//! The access log: method, route, status and latency. The route is the matched pattern
//! (`/api/v1/admin/websites/{websiteId}`), or `<unmatched>` when no route matched, so neither
//! ids nor whatever a client put in a path (a token, say) reach the logs; headers, bodies and
//! query strings are never logged, since they carry credentials. The Account API and the
//! Website API get a line per request at `info`; the public routes (ingestion above all, which
//! anyone can flood) get theirs at `debug` only, and are counted for the periodic summary of
//! [`crate::traffic`] instead.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;

use crate::traffic::{Class, Traffic};

/// What the log says for a path no route matched.
const UNMATCHED: &str = "<unmatched>";

pub(crate) async fn log_request(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let traffic = request.app_data::<web::Data<Traffic>>().cloned();
    let class = traffic
        .as_ref()
        .map_or(Class::Api, |t| t.classify(&method, request.path()));
    let outcome = next.call(request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = match &outcome {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    }
    .as_u16();
    if let Some(traffic) = &traffic {
        traffic.count(class, status);
    }
    let Ok(response) = &outcome else {
        tracing::warn!(method = %method, status, latency_ms, "request failed");
        return outcome;
    };
    if class == Class::Api {
        let route = response.request().match_pattern();
        let route = route.as_deref().unwrap_or(UNMATCHED);
        tracing::info!(method = %method, route = %route, status, latency_ms, "request");
    } else if tracing::enabled!(tracing::Level::DEBUG) {
        let route = response.request().match_pattern();
        let route = route.as_deref().unwrap_or(UNMATCHED);
        tracing::debug!(method = %method, route = %route, status, latency_ms, "request");
    }
    outcome
}
