//! Answers for request heads the connection guard refused. The guard cannot write a response
//! itself without racing the dispatcher, so it hands the dispatcher a stand-in request for a
//! reserved path instead and records why on the connection; the handler here turns that into
//! the error envelope and closes the connection. A client asking for the reserved path itself
//! finds nothing recorded and gets an ordinary 404.

use std::cell::Cell;
use std::rc::Rc;

use actix_http::ConnectionType;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::error::ApiError;

/// The one spelling of the reserved path.
macro_rules! rejected_path {
    () => {
        "/.datafast/rejected-request"
    };
}

/// The reserved path of the stand-in request.
pub(crate) const REJECTED_PATH: &str = rejected_path!();

/// What the guard hands the dispatcher in place of a refused head (HTTP/1.1 requires `Host`).
pub(crate) const STAND_IN_REQUEST: &[u8] = concat!(
    "GET ",
    rejected_path!(),
    " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
)
.as_bytes();

/// Why a head was refused before it reached the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// The request line or a header is not valid HTTP (a NUL byte in a value, say).
    Malformed,
    /// The head is larger than the decoder accepts.
    TooLarge,
    /// The head did not arrive within the head timeout.
    HeadTimeout,
}

impl Rejection {
    fn error(self) -> ApiError {
        match self {
            Rejection::Malformed => ApiError::bad_request(
                "Malformed request: the request line or a header is not valid HTTP",
            ),
            Rejection::TooLarge => ApiError::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "Request header fields too large",
            ),
            Rejection::HeadTimeout => ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "Request timeout: the request head did not arrive in time",
            ),
        }
    }
}

/// One connection's record of its refused head, shared by the guard (on the connection's
/// worker thread) and the connection's requests.
#[derive(Debug, Clone, Default)]
pub(crate) struct RejectionSlot(Rc<Cell<Option<Rejection>>>);

impl RejectionSlot {
    pub(crate) fn set(&self, rejection: Rejection) {
        self.0.set(Some(rejection));
    }

    fn take(&self) -> Option<Rejection> {
        self.0.take()
    }
}

/// The handler of [`REJECTED_PATH`].
pub(crate) async fn answer(request: HttpRequest) -> HttpResponse {
    let recorded = request
        .conn_data::<RejectionSlot>()
        .and_then(RejectionSlot::take);
    match recorded {
        Some(rejection) => {
            let mut response = rejection.error().error_response();
            response
                .head_mut()
                .set_connection_type(ConnectionType::Close);
            response
        }
        None => ApiError::not_found().error_response(),
    }
}
