//! The connection guard: a layer between the socket and actix's HTTP/1 dispatcher that checks
//! every request head with actix's own decoder before the dispatcher sees any of it. A head that
//! is malformed, too large or too slow never reaches the dispatcher, which would answer with a
//! bare, bodiless 400, 431 or 408 of its own; the guard hands it a stand-in request instead,
//! which the application answers in the error envelope (see [`crate::rejection`]). The guard
//! also ends connections whose request body is still incomplete past its deadline when nothing
//! reads it (a body left unread is drained by the dispatcher without any timer of its own).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use actix_codec::{AsyncRead, AsyncWrite, Decoder, ReadBuf};
use actix_http::Extensions;
use actix_http::error::ParseError;
use actix_http::h1::{Codec, Message, MessageType};
use actix_web::rt::net::TcpStream;
use actix_web::rt::time::{Instant, Sleep, sleep_until};
use actix_web::web::BytesMut;

use crate::rejection::{Rejection, RejectionSlot, STAND_IN_REQUEST};

/// How long a connection may take over its request heads and bodies.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardTimeouts {
    /// From the connection's start (first request) or a head's first byte (later requests).
    pub head: Duration,
    /// From a head to the end of its body; the application answers 408 at its own deadline,
    /// so this is later and only ends connections nobody answered.
    pub body: Duration,
}

/// Where the connection is in its stream of requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Between requests, or inside a head.
    Head,
    /// Inside a body.
    Body,
    /// The body's framing broke: everything goes to the dispatcher, which fails the same way.
    PassThrough,
    /// A stand-in request replaced the rest of the input; what the client sends now is dropped.
    Rejected,
    /// A body outlived its deadline: the dispatcher reads the end of the stream.
    Closed,
}

/// The socket, seen through the guard. Bytes reach the dispatcher only once the decoder has
/// accepted the head they belong to; body bytes pass as soon as they arrive.
pub(crate) struct GuardedStream {
    io: TcpStream,
    decoder: Codec,
    /// Input the decoder has not consumed yet.
    undecoded: BytesMut,
    /// The same bytes, untouched, until the decoder consumes them.
    held: BytesMut,
    /// Checked bytes waiting for the dispatcher to read them.
    checked: BytesMut,
    phase: Phase,
    deadline: Option<Instant>,
    timer: Pin<Box<Sleep>>,
    timeouts: GuardTimeouts,
    rejection: RejectionSlot,
}

impl std::fmt::Debug for GuardedStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedStream")
            .field("phase", &self.phase)
            .field("held", &self.held.len())
            .finish_non_exhaustive()
    }
}

/// How much is read from the socket at once.
const READ_CHUNK: usize = 8 * 1024;

impl GuardedStream {
    pub(crate) fn new(io: TcpStream, timeouts: GuardTimeouts) -> Self {
        // Like the dispatcher, the first head's time counts from the connection's start.
        let deadline = Instant::now() + timeouts.head;
        Self {
            io,
            decoder: Codec::default(),
            undecoded: BytesMut::new(),
            held: BytesMut::new(),
            checked: BytesMut::new(),
            phase: Phase::Head,
            deadline: Some(deadline),
            timer: Box::pin(sleep_until(deadline)),
            timeouts,
            rejection: RejectionSlot::default(),
        }
    }

    /// Lets the connection's requests see why their stand-in was sent.
    pub(crate) fn share_rejection(&self, data: &mut Extensions) {
        data.insert(self.rejection.clone());
    }

    fn arm(&mut self, after: Duration) {
        let deadline = Instant::now() + after;
        self.deadline = Some(deadline);
        self.timer.as_mut().reset(deadline);
    }

    /// Whether the armed deadline has passed (registering the waker when it has not).
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.is_some() && self.timer.as_mut().poll(cx).is_ready()
    }

    /// Copies checked bytes into the dispatcher's buffer.
    fn hand_over(&mut self, buf: &mut ReadBuf<'_>) {
        let n = self.checked.len().min(buf.remaining());
        buf.put_slice(&self.checked.split_to(n));
    }

    /// New input from the socket.
    fn take_in(&mut self, bytes: &[u8]) {
        if self.phase == Phase::PassThrough {
            self.checked.extend_from_slice(bytes);
            return;
        }
        self.undecoded.extend_from_slice(bytes);
        self.held.extend_from_slice(bytes);
        self.decode();
        if self.phase == Phase::Head && !self.held.is_empty() && self.deadline.is_none() {
            // The first bytes of a later request's head: its time starts now.
            self.arm(self.timeouts.head);
        }
    }

    /// Runs the decoder over the input, releasing what it consumed.
    fn decode(&mut self) {
        loop {
            let before = self.undecoded.len();
            let decoded = self.decoder.decode(&mut self.undecoded);
            let consumed = before - self.undecoded.len();
            // On an error the decoder may have consumed part of the bad message already: none
            // of it is released.
            let message = match decoded {
                Ok(message) => message,
                Err(error) => return self.refuse(&error),
            };
            self.checked.unsplit(self.held.split_to(consumed));
            match message {
                Some(Message::Item(_)) => self.head_done(),
                Some(Message::Chunk(Some(_))) => {}
                Some(Message::Chunk(None)) => self.message_done(),
                None => return,
            }
        }
    }

    fn head_done(&mut self) {
        if self.decoder.message_type() == MessageType::None {
            self.message_done();
        } else {
            self.phase = Phase::Body;
            self.arm(self.timeouts.body);
        }
    }

    fn message_done(&mut self) {
        self.phase = Phase::Head;
        self.deadline = None;
    }

    fn refuse(&mut self, error: &ParseError) {
        if self.phase == Phase::Body {
            // The head was already handed over; the dispatcher meets the same error.
            self.checked.unsplit(self.held.split());
            self.undecoded.clear();
            self.phase = Phase::PassThrough;
            self.deadline = None;
            return;
        }
        let rejection = match error {
            ParseError::TooLarge => Rejection::TooLarge,
            _ => Rejection::Malformed,
        };
        tracing::debug!(%error, "request head refused");
        self.reject(rejection);
    }

    /// Replaces the rest of the input with the stand-in request.
    fn reject(&mut self, rejection: Rejection) {
        self.rejection.set(rejection);
        self.undecoded = BytesMut::new();
        self.held = BytesMut::new();
        self.checked.extend_from_slice(STAND_IN_REQUEST);
        self.phase = Phase::Rejected;
        self.deadline = None;
    }

    /// Reads the socket into a scratch buffer; `Ok(None)` at the end of the stream.
    fn read_socket(
        &mut self,
        cx: &mut Context<'_>,
        scratch: &mut [u8; READ_CHUNK],
    ) -> Poll<io::Result<Option<usize>>> {
        let mut buf = ReadBuf::new(scratch);
        ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
        let n = buf.filled().len();
        Poll::Ready(Ok((n > 0).then_some(n)))
    }

    /// After a rejection: drops whatever the client still sends, until it stops.
    fn discard_input(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut scratch = [0u8; READ_CHUNK];
        loop {
            if ready!(self.read_socket(cx, &mut scratch))?.is_none() {
                return Poll::Ready(Ok(()));
            }
        }
    }

    /// The deadline passed: a head is answered 408, a body ends the connection.
    fn deadline_passed(&mut self) {
        if self.phase == Phase::Body {
            tracing::debug!("request body still incomplete at its deadline; closing");
            self.phase = Phase::Closed;
            self.deadline = None;
        } else {
            self.reject(Rejection::HeadTimeout);
        }
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let mut scratch = [0u8; READ_CHUNK];
        loop {
            if !this.checked.is_empty() {
                this.hand_over(buf);
                return Poll::Ready(Ok(()));
            }
            match this.phase {
                Phase::Closed => return Poll::Ready(Ok(())),
                Phase::Rejected => return this.discard_input(cx),
                _ => {}
            }
            if this.expired(cx) {
                this.deadline_passed();
                continue;
            }
            match ready!(this.read_socket(cx, &mut scratch))? {
                Some(n) => this.take_in(&scratch[..n]),
                // The end of the stream; an incomplete head held back dies with it.
                None => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
