//! Public dashboards over HTTP: `/share/{domain}` (the page, 404 when the website's owner has
//! not made it public) and `/api/share/{domain}/...`, the Website API's routes read signed out
//! as the website's [`PublicShare`](datafast_domain::access::Credential::PublicShare)
//! principal. Only the aggregate analytics routes are mounted (never the visitors routes, whose
//! journeys and profiles stay private), and the policy lets that principal read analytics and
//! nothing else. When `isPublicDataEnabled` is off, revenue figures
//! are taken out of every answer before it leaves.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde_json::Value;

use datafast_domain::access::Principal;

use crate::error::{ApiError, ApiResult};
use crate::handlers::UseCases;
use crate::handlers::dashboard::shell;

/// The path the public API is mounted under; `{domain}` names the website.
pub(crate) const SHARE_API_PREFIX: &str = "/api/share/{domain}";

/// The principal a public dashboard request reads as, set by [`open_dashboard`].
#[derive(Debug, Clone)]
pub(crate) struct SharedPrincipal(pub(crate) Principal);

/// Answer keys that carry revenue, taken out when the owner keeps revenue private. The
/// overview's `conversionRate` counts paying visitors, so it goes too.
fn is_revenue_key(key: &str, overview: bool) -> bool {
    let plain: String = key
        .chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    plain.contains("revenue")
        || plain.contains("payment")
        || matches!(plain.as_str(), "mrr" | "amount" | "customers")
        || (overview && plain == "conversionrate")
}

/// The middleware of `/api/share/{domain}`: resolves the public dashboard or answers 404,
/// then strips revenue from the answer when the owner keeps it private.
pub(crate) async fn open_dashboard(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(services) = request.app_data::<UseCases>().cloned() else {
        let error = ApiError::internal("Services missing from app data").error_response();
        return Ok(request.into_response(error));
    };
    let domain = request
        .match_info()
        .get("domain")
        .unwrap_or_default()
        .to_owned();
    let dashboard = match services.public_dashboards().open(&domain).await {
        Ok(dashboard) => dashboard,
        Err(error) => return Ok(request.into_response(ApiError::from(error).error_response())),
    };
    request
        .extensions_mut()
        .insert(SharedPrincipal(dashboard.principal));
    let overview = request.path().ends_with("/analytics/overview");
    let response = next.call(request).await?.map_into_boxed_body();
    if dashboard.shows_revenue {
        return Ok(response);
    }
    without_revenue(response, overview).await
}

async fn without_revenue(
    response: ServiceResponse<BoxBody>,
    overview: bool,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let (request, response) = response.into_parts();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body())
        .await
        .map_err(|_| ApiError::internal("could not read an answer to filter it"))?;
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut json) => {
            strip_revenue(&mut json, overview);
            serde_json::to_vec(&json).unwrap_or_default()
        }
        Err(_) => bytes.to_vec(),
    };
    let mut filtered = HttpResponse::build(status).body(body);
    for (name, value) in &headers {
        if name != header::CONTENT_LENGTH {
            filtered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(request, filtered))
}

fn strip_revenue(value: &mut Value, overview: bool) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| !is_revenue_key(key, overview));
            map.values_mut()
                .for_each(|inner| strip_revenue(inner, overview));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|inner| strip_revenue(inner, overview)),
        _ => {}
    }
}

/// `GET /share/{domain}`: the dashboard's page, or the same page with 404 when the domain has
/// no public dashboard (the app then says so).
pub(crate) async fn page(
    request: HttpRequest,
    services: UseCases,
    domain: web::Path<String>,
) -> ApiResult {
    let status = match services.public_dashboards().open(&domain).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::NOT_FOUND,
    };
    let mut response = shell(&request, status)?;
    // A public page may be linked to from anywhere, but never framed.
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn revenue_keys_go_at_every_depth_and_counts_stay() {
        let mut answer = json!({"status": "success", "data": [{
            "visitors": 3, "revenue": 12.5, "revenue_per_visitor": 4.1, "payments": 2,
            "conversionRate": 0.5, "mrr": 19,
            "steps": [{"visitors": 2, "revenue": 5.0, "conversionRate": 0.66}]
        }]});
        strip_revenue(&mut answer, false);
        assert_eq!(
            answer,
            json!({"status": "success", "data": [{
                "visitors": 3, "conversionRate": 0.5,
                "steps": [{"visitors": 2, "conversionRate": 0.66}]
            }]})
        );
        strip_revenue(&mut answer, true);
        assert!(answer["data"][0].get("conversionRate").is_none());
    }
}
