//! Ingestion and the tracker: `POST /api/events` (no authentication; the tracking id in the
//! body names the website), its CORS preflight, and our tracker script at `/js/script.js` and
//! its `.hash.js` and `.cookieless.js` variants (one source that reads its own file name).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;

use datafast_application::{IngestOutcome, IngestRequest};
use datafast_domain::ingest::client_ip;

use crate::IngestConfig;
use crate::error::{ApiError, ApiResult};
use crate::handlers::UseCases;
use crate::wire::events::read_event;

/// The tracker, built into the binary.
const TRACKER_SCRIPT: &str = include_str!("../../../../tracker/script.js");

/// One event is a few hundred bytes; anything near this is not from the tracker or the SDK.
pub(crate) const EVENT_BODY_LIMIT: usize = 16 * 1024;

/// The answer to an accepted event, as JSON: written once rather than serialised each time.
const ACCEPTED: &str = r#"{"status":"success"}"#;

/// The answer to an accepted cookieless event: it also carries the visitor id the server
/// derived, which the SDK keeps.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AcceptedCookieless {
    status: &'static str,
    visitor_id: String,
}

/// `POST /api/events`. Always 200 for an accepted event, stored or deliberately dropped,
/// since the tracker treats any other status as a failure; 400 for a malformed one, 404 for an
/// unknown tracking id, 413 past the size limit, all in the error envelope.
pub(crate) async fn collect(
    request: HttpRequest,
    payload: web::Payload,
    services: UseCases,
    config: web::Data<IngestConfig>,
) -> ApiResult {
    // Read raw so that any content type is accepted (beacons send text/plain) and an
    // oversized body still answers in the envelope.
    let body = payload
        .to_bytes_limited(EVENT_BODY_LIMIT)
        .await
        .map_err(|_| ApiError::body_too_large(EVENT_BODY_LIMIT))?
        .map_err(|_| ApiError::bad_request("The request body could not be read"))?;
    let event = read_event(&body)?;
    let peer = request
        .peer_addr()
        .map(|address| address.ip())
        .unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let headers = request.headers();
    let ip = client_ip(
        |name| headers.get(name).and_then(|value| value.to_str().ok()),
        peer,
        &config.trusted_proxies,
    );
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let outcome = services
        .ingestion()
        .ingest(IngestRequest {
            event,
            client_ip: ip,
            user_agent,
        })
        .await?;
    let visitor_id = match outcome {
        IngestOutcome::Stored {
            visitor_id,
            cookieless: true,
        } => Some(visitor_id),
        IngestOutcome::Stored { .. } => None,
        IngestOutcome::Dropped(reason) => {
            tracing::debug!(reason = reason.as_str(), "event dropped");
            None
        }
    };
    let mut response = with_cors(HttpResponse::Ok());
    Ok(match visitor_id {
        None => response
            .content_type(actix_web::http::header::ContentType::json())
            .body(ACCEPTED),
        Some(visitor_id) => response.json(AcceptedCookieless {
            status: "success",
            visitor_id,
        }),
    })
}

/// `OPTIONS /api/events`: sites post JSON from their own origin, which needs a preflight.
pub(crate) async fn preflight() -> HttpResponse {
    with_cors(HttpResponse::NoContent())
        .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type"))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
        .finish()
}

fn with_cors(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    builder
}

/// The tracker script; the variant is chosen by the script from the name it was loaded as.
pub(crate) async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        ))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(TRACKER_SCRIPT)
}
