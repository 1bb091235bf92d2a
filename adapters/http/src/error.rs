//! Every failure as HTTP: the one mapping from [`ServiceError`] to a status, and the error
//! envelope `{"status":"error","error":{"code","message"}}` that every failure answers with,
//! including those actix itself detects (malformed JSON, wrong content type, oversized bodies,
//! unknown routes, wrong methods, rate limits).

use std::fmt;

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;

use datafast_application::ServiceError;
use datafast_domain::ValidationError;

/// A failure on its way to the client: a status, a message safe to show, and any headers the
/// status calls for (`WWW-Authenticate`, `Allow`, `Retry-After`).
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
    headers: Vec<(HeaderName, HeaderValue)>,
}

pub type ApiResult = Result<HttpResponse, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not found")
    }

    /// 405, listing the methods the path does accept.
    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        let allow = allowed.join(", ");
        let error = Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("Method not allowed; this path accepts {allow}"),
        );
        match HeaderValue::from_str(&allow) {
            Ok(value) => error.with_header(header::ALLOW, value),
            Err(_) => error,
        }
    }

    pub fn too_many_requests(retry_after_seconds: u64) -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many requests; retry in {retry_after_seconds} seconds"),
        )
        .with_header(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds))
    }

    /// 413 with the limit in the message, in KB when it is a whole number of them, as the
    /// spec's "Request body is larger than 4 KB".
    pub fn body_too_large(limit: usize) -> Self {
        let message = if limit >= 1024 && limit.is_multiple_of(1024) {
            format!("Request body is larger than {} KB", limit / 1024)
        } else {
            format!("Request body is larger than {limit} bytes")
        };
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, message)
    }

    /// 500 with a generic message; `detail` goes to the log only.
    pub fn internal(detail: &str) -> Self {
        tracing::error!(detail, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The one place where use-case outcomes become HTTP statuses.
impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(_) | ServiceError::BadRequest(_) => {
                Self::new(StatusCode::BAD_REQUEST, error.to_string())
            }
            ServiceError::Unauthenticated => Self::new(StatusCode::UNAUTHORIZED, error.to_string())
                .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer")),
            ServiceError::SignInFailed => Self::new(StatusCode::UNAUTHORIZED, error.to_string()),
            ServiceError::Throttled(_) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, error.to_string())
            }
            ServiceError::Denied(_) | ServiceError::GrantDenied(_) | ServiceError::Forbidden(_) => {
                Self::new(StatusCode::FORBIDDEN, error.to_string())
            }
            ServiceError::NotFound(_) => Self::new(StatusCode::NOT_FOUND, error.to_string()),
            ServiceError::Conflict(_) => Self::new(StatusCode::CONFLICT, error.to_string()),
            ServiceError::TooLarge(_) => {
                Self::new(StatusCode::PAYLOAD_TOO_LARGE, error.to_string())
            }
            ServiceError::BadGateway(_) => Self::new(StatusCode::BAD_GATEWAY, error.to_string()),
            ServiceError::Internal(detail) => Self::internal(&detail),
        }
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        ServiceError::Invalid(error).into()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

#[derive(Serialize)]
struct ErrorEnvelope<'a> {
    status: &'static str,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: u16,
    message: &'a str,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        for (name, value) in &self.headers {
            response.insert_header((name.clone(), value.clone()));
        }
        response.json(ErrorEnvelope {
            status: "error",
            error: ErrorBody {
                code: self.status.as_u16(),
                message: &self.message,
            },
        })
    }
}

/// `JsonConfig::error_handler`: malformed JSON, wrong content type and oversized bodies.
pub(crate) fn json_error(error: JsonPayloadError, _request: &HttpRequest) -> actix_web::Error {
    let api_error = match error {
        JsonPayloadError::OverflowKnownLength { limit, .. }
        | JsonPayloadError::Overflow { limit } => ApiError::body_too_large(limit),
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ),
        JsonPayloadError::Deserialize(error) | JsonPayloadError::Serialize(error) => {
            ApiError::bad_request(format!("Malformed JSON body: {error}"))
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
        }
        other => ApiError::bad_request(format!("Unreadable request body: {other}")),
    };
    api_error.into()
}

/// `PathConfig::error_handler`, for any handler that takes `web::Path`.
pub(crate) fn path_error(error: PathError, _request: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("Invalid path parameter: {error}")).into()
}

/// `QueryConfig::error_handler`.
pub(crate) fn query_error(error: QueryPayloadError, _request: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("Invalid query string: {error}")).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;
    use datafast_domain::access::Denied;
    use datafast_domain::permission::Permission;

    async fn body_of(error: &ApiError) -> serde_json::Value {
        let bytes = to_bytes(error.error_response().into_body()).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[actix_web::test]
    async fn every_service_error_has_its_status_and_the_envelope() {
        let cases = [
            (
                ServiceError::Invalid(ValidationError::new("domain", "bad")),
                400,
            ),
            (ServiceError::BadRequest("no".into()), 400),
            (ServiceError::Unauthenticated, 401),
            (ServiceError::SignInFailed, 401),
            (ServiceError::Throttled("wait".into()), 429),
            (
                ServiceError::Denied(Denied::MissingPermission(Permission::TeamWrite)),
                403,
            ),
            (ServiceError::Forbidden("no".into()), 403),
            (ServiceError::NotFound("Website not found".into()), 404),
            (ServiceError::Conflict("taken".into()), 409),
            (ServiceError::TooLarge("big".into()), 413),
            (
                ServiceError::BadGateway("Stripe could not be reached".into()),
                502,
            ),
            (ServiceError::Internal("disk on fire".into()), 500),
        ];
        for (service_error, status) in cases {
            let error = ApiError::from(service_error);
            assert_eq!(error.status_code().as_u16(), status);
            let body = body_of(&error).await;
            assert_eq!(body["status"], "error");
            assert_eq!(body["error"]["code"], status);
        }
    }

    #[actix_web::test]
    async fn internal_details_never_reach_the_client() {
        let error = ApiError::from(ServiceError::Internal("secret path /var/db".into()));
        let body = body_of(&error).await;
        assert_eq!(body["error"]["message"], "Internal server error");
    }

    #[test]
    fn denials_name_the_missing_permission_and_401_asks_for_a_bearer() {
        let denied = ApiError::from(ServiceError::Denied(Denied::MissingPermission(
            Permission::FunnelsWrite,
        )));
        assert!(denied.message().contains("funnels:write"));
        let response = ApiError::from(ServiceError::Unauthenticated).error_response();
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
            "Bearer"
        );
    }

    #[test]
    fn body_limits_read_in_kilobytes() {
        assert_eq!(
            ApiError::body_too_large(4096).message(),
            "Request body is larger than 4 KB"
        );
        assert_eq!(
            ApiError::body_too_large(1000).message(),
            "Request body is larger than 1000 bytes"
        );
    }
}
