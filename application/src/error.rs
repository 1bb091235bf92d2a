//! The one error the use cases return. Each variant is a business outcome with a stable HTTP
//! status (mapped in exactly one place, the HTTP adapter); `Internal` is the opaque rest, whose
//! detail goes to logs and never to clients.

use datafast_domain::ValidationError;
use datafast_domain::access::Denied;
use datafast_domain::token::GrantDenied;

use datafast_ports::secrets::VaultError;
use datafast_ports::store::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// 400: the input broke a domain rule.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// 400: the request is well-formed but not acceptable (self-invite, key limit, ...).
    #[error("{0}")]
    BadRequest(String),
    /// 401: no credential, or one that is unknown or revoked.
    #[error("Missing or invalid API key")]
    Unauthenticated,
    /// 401: a sign-in with an unknown email or a wrong password (never saying which).
    #[error("Invalid email or password")]
    SignInFailed,
    /// 403: the policy refused.
    #[error("{0}")]
    Denied(#[from] Denied),
    /// 403: a token asked for more than its creator holds.
    #[error("{0}")]
    GrantDenied(#[from] GrantDenied),
    /// 403: allowed, but not available (website deletion).
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409.
    #[error("{0}")]
    Conflict(String),
    /// 413.
    #[error("{0}")]
    TooLarge(String),
    /// 429: too many attempts; the message says when to try again.
    #[error("{0}")]
    Throttled(String),
    /// 502: a service we depend on (a payment provider) failed or could not be reached.
    #[error("{0}")]
    BadGateway(String),
    /// 500: detail for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ServiceError {
    pub fn not_found(what: &str) -> Self {
        ServiceError::NotFound(format!("{what} not found"))
    }
}

impl From<StoreError> for ServiceError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ServiceError::NotFound("Not found".to_owned()),
            StoreError::Conflict(what) => ServiceError::Conflict(format!("Conflict on {what}")),
            StoreError::LimitReached => ServiceError::BadRequest("Limit reached".to_owned()),
            StoreError::Backend(detail) => ServiceError::Internal(detail),
        }
    }
}

impl From<VaultError> for ServiceError {
    fn from(error: VaultError) -> Self {
        ServiceError::Internal(error.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
