//! The dashboard's files, embedded at build time from `dashboard/`: the page shell for every
//! dashboard URL, and the scripts and styles under `/dashboard/`. Every answer carries a strict
//! Content-Security-Policy (nothing but this server's own scripts and styles), and files are
//! revalidated by `ETag` so a new binary's dashboard is never hidden by a cache.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, ApiResult};

/// Every file of `dashboard/` but its README: path under `/dashboard/`, bytes, content hash.
static ASSETS: &[(&str, &[u8], &str)] = include!(concat!(env!("OUT_DIR"), "/dashboard_assets.rs"));

const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

fn asset(path: &str) -> Option<(&'static [u8], &'static str)> {
    ASSETS
        .iter()
        .find(|(name, _, _)| *name == path)
        .map(|(_, bytes, hash)| (*bytes, *hash))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

/// `GET /dashboard/{path}`: one embedded file, or 404.
pub(crate) async fn file(request: HttpRequest, path: web::Path<String>) -> ApiResult {
    let path = path.into_inner();
    match asset(&path) {
        Some((bytes, hash)) => Ok(served(&request, StatusCode::OK, &path, bytes, hash)),
        None => Err(ApiError::new(StatusCode::NOT_FOUND, "Not found")),
    }
}

/// The page shell, for every dashboard URL: the app routes on the client.
pub(crate) async fn page(request: HttpRequest) -> ApiResult {
    shell(&request, StatusCode::OK)
}

/// The page shell with `status`, so that a dashboard URL that shows nothing still says so.
pub(crate) fn shell(request: &HttpRequest, status: StatusCode) -> ApiResult {
    let (bytes, hash) = asset("index.html")
        .ok_or_else(|| ApiError::internal("the dashboard was built without index.html"))?;
    Ok(served(request, status, "index.html", bytes, hash))
}

fn served(
    request: &HttpRequest,
    status: StatusCode,
    path: &str,
    bytes: &'static [u8],
    hash: &str,
) -> HttpResponse {
    let etag = format!("\"{hash}\"");
    let unchanged = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|sent| sent.as_bytes() == etag.as_bytes());
    let mut response = if unchanged && status == StatusCode::OK {
        HttpResponse::NotModified()
    } else {
        HttpResponse::build(status)
    };
    response
        .insert_header((header::CONTENT_TYPE, content_type(path)))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "same-origin"));
    if unchanged && status == StatusCode::OK {
        response.finish()
    } else {
        response.body(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_and_its_entry_module_are_embedded() {
        assert!(asset("index.html").is_some());
        assert!(asset("app.js").is_some());
        assert!(asset("README.md").is_none());
        assert_eq!(content_type("js/api.js"), "text/javascript; charset=utf-8");
    }
}
