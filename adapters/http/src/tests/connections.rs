//! The server on a real socket against clients that misbehave below HTTP: request heads and
//! bodies that stall, malformed and oversized heads, bodies nobody reads. Each must end with an
//! answer in the error envelope where one is still possible, and with the connection closed.
//! Timeouts here are a few hundred milliseconds; each read gives up after a few seconds, which
//! only bounds the test and is not what it checks.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use serde_json::Value;

use super::api::{services, token_for, unlimited};
use crate::HttpConfig;

/// Longer than any timeout the tests configure, so "still open" means "never closed".
const PATIENCE: Duration = Duration::from_secs(5);

/// Tiny timeouts, one worker.
fn impatient() -> HttpConfig {
    HttpConfig {
        workers: 1,
        head_timeout: Duration::from_millis(300),
        body_timeout: Duration::from_millis(300),
        ..unlimited()
    }
}

struct Running {
    address: SocketAddr,
    handle: ServerHandle,
}

async fn start(config: HttpConfig, services: datafast_application::Services) -> Running {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = crate::build_server(listener, services, config).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Running { address, handle }
}

/// What a client saw on one connection.
#[derive(Debug)]
struct Exchange {
    reply: String,
    /// The server closed the connection (end of stream or reset) within [`PATIENCE`].
    closed: bool,
}

impl Exchange {
    /// The JSON body of the last response on the connection.
    fn last_body(&self) -> Value {
        let body = self.reply.rsplit("\r\n\r\n").next().unwrap_or_default();
        serde_json::from_str(body).unwrap_or(Value::Null)
    }

    #[track_caller]
    fn assert_enveloped(&self, status: u16) {
        assert!(
            self.reply.contains(&format!("HTTP/1.1 {status} ")),
            "expected {status}: {self:?}"
        );
        let body = self.last_body();
        assert_eq!(body["status"], "error", "{self:?}");
        assert_eq!(body["error"]["code"], status, "{self:?}");
        assert!(
            self.reply
                .to_ascii_lowercase()
                .contains("content-type: application/json"),
            "{self:?}"
        );
        assert!(self.closed, "the connection stayed open: {self:?}");
    }
}

/// Sends `request` on a new connection, then reads until the server closes it.
fn exchange(address: SocketAddr, request: &[u8]) -> Exchange {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(PATIENCE)).unwrap();
    stream.write_all(request).unwrap();
    read_until_closed(&mut stream)
}

fn read_until_closed(stream: &mut TcpStream) -> Exchange {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    let closed = loop {
        match stream.read(&mut buffer) {
            Ok(0) => break true,
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(error) if error.kind() == ErrorKind::ConnectionReset => break true,
            Err(_) => break false,
        }
    };
    Exchange {
        reply: String::from_utf8_lossy(&received).into_owned(),
        closed,
    }
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    actix_web::rt::task::spawn_blocking(work).await.unwrap()
}

const HEALTH: &[u8] = b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

#[actix_web::test]
async fn a_stalled_event_body_is_answered_408_and_closed() {
    let server = start(impatient(), services()).await;
    let address = server.address;
    let (stalled, fresh) = blocking(move || {
        let stalled = exchange(
            address,
            b"POST /api/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Content-Length: 400\r\n\r\n{",
        );
        (stalled, exchange(address, HEALTH))
    })
    .await;
    server.handle.stop(false).await;

    stalled.assert_enveloped(408);
    assert!(fresh.reply.starts_with("HTTP/1.1 200"), "{fresh:?}");
}

#[actix_web::test]
async fn a_stalled_admin_body_is_answered_408_and_closed() {
    let services = services();
    let token = token_for(&services, "owner@example.com").await;
    let server = start(impatient(), services).await;
    let address = server.address;
    let stalled = blocking(move || {
        let head = format!(
            "POST /api/v1/admin/websites HTTP/1.1\r\nHost: localhost\r\n\
             Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
             Content-Length: 400\r\n\r\n{{\"domain\""
        );
        exchange(address, head.as_bytes())
    })
    .await;
    server.handle.stop(false).await;

    stalled.assert_enveloped(408);
}

#[actix_web::test]
async fn a_stalled_head_is_answered_408_in_the_envelope() {
    let server = start(impatient(), services()).await;
    let address = server.address;
    let stalled = blocking(move || {
        exchange(
            address,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: drip",
        )
    })
    .await;
    server.handle.stop(false).await;

    stalled.assert_enveloped(408);
}

#[actix_web::test]
async fn malformed_heads_are_answered_400_in_the_envelope() {
    let server = start(impatient(), services()).await;
    let address = server.address;
    let requests: [&[u8]; 5] = [
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\0b\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Bad: \x01\r\n\r\n",
        b"GET /he\0alth HTTP/1.1\r\nHost: localhost\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: localhost\r\nContent-Length: x\r\n\r\n",
        // HTTP/1.1 requires a Host header.
        b"GET /health HTTP/1.1\r\n\r\n",
    ];
    let replies = blocking(move || requests.map(|request| exchange(address, request))).await;
    server.handle.stop(false).await;

    for (request, reply) in requests.iter().zip(&replies) {
        eprintln!("{}", String::from_utf8_lossy(request).escape_debug());
        reply.assert_enveloped(400);
    }
}

#[actix_web::test]
async fn a_malformed_head_after_a_good_request_keeps_the_first_answer() {
    let server = start(impatient(), services()).await;
    let address = server.address;
    let pipelined = blocking(move || {
        exchange(
            address,
            b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n\
              GET /health HTTP/1.1\r\nHost: localhost\r\nX-Bad: a\0b\r\n\r\n",
        )
    })
    .await;
    server.handle.stop(false).await;

    assert!(pipelined.reply.starts_with("HTTP/1.1 200"), "{pipelined:?}");
    assert!(
        pipelined.reply.contains(r#"{"status":"ok"}"#),
        "{pipelined:?}"
    );
    pipelined.assert_enveloped(400);
}

#[actix_web::test]
async fn an_oversized_head_is_answered_431_in_the_envelope() {
    let server = start(impatient(), services()).await;
    let address = server.address;
    let oversized = blocking(move || {
        let mut request = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Long: ".to_vec();
        request.resize(request.len() + 132 * 1024, b'a');
        exchange(address, &request)
    })
    .await;
    server.handle.stop(false).await;

    oversized.assert_enveloped(431);
}

#[actix_web::test]
async fn an_unread_chunked_body_that_stalls_is_closed() {
    let server = start(impatient(), services()).await;
    let address = server.address;
    // Nothing reads a body sent to an unknown path: the answer comes at once, and then the
    // connection must not stay open waiting for the rest of the body.
    let unread = blocking(move || {
        exchange(
            address,
            b"POST /nowhere HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n\
              1\r\n{\r\n",
        )
    })
    .await;
    server.handle.stop(false).await;

    assert!(unread.reply.starts_with("HTTP/1.1 404"), "{unread:?}");
    assert!(unread.closed, "the connection stayed open: {unread:?}");
}
