//! The request body deadline: a request's body must arrive within the body timeout, counted
//! from the moment the request reached the application. The payload is read through the
//! deadline, so a stalled body fails whichever handler or extractor reads it; the request then
//! answers 408 in the error envelope and its connection is closed, whatever the handler made of
//! the failed read.

use std::cell::Cell;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_http::ConnectionType;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::rt::time::{Sleep, sleep};
use actix_web::web::{self, Bytes};
use actix_web::{Error, HttpMessage, ResponseError};
use futures_core::Stream;

use crate::error::ApiError;

/// The configured body timeout, as app data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTimeout(pub Duration);

/// A payload that fails once its deadline passes.
struct TimedPayload {
    inner: Payload,
    deadline: Pin<Box<Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl Stream for TimedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.expired.get() {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending if this.deadline.as_mut().poll(cx).is_ready() => {
                this.expired.set(true);
                Poll::Ready(Some(Err(PayloadError::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the request body did not arrive in time",
                )))))
            }
            other => other,
        }
    }
}

fn timed_out() -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "Request timeout: the request body did not arrive in time",
    )
}

/// The middleware: puts the deadline on the payload, and answers 408 if it passed.
pub(crate) async fn limit_body_time(
    mut request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let limit = request.app_data::<web::Data<BodyTimeout>>().map(|t| t.0);
    let payload = request.take_payload();
    let (Some(limit), false) = (limit, matches!(payload, Payload::None)) else {
        request.set_payload(payload);
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    let expired = Rc::new(Cell::new(false));
    request.set_payload(Payload::Stream {
        payload: Box::pin(TimedPayload {
            inner: payload,
            deadline: Box::pin(sleep(limit)),
            expired: Rc::clone(&expired),
        }),
    });
    let response = next.call(request).await?.map_into_boxed_body();
    if !expired.get() {
        return Ok(response);
    }
    let (request, _) = response.into_parts();
    let mut answer = timed_out().error_response();
    answer.head_mut().set_connection_type(ConnectionType::Close);
    Ok(ServiceResponse::new(request, answer))
}
