//! A lean HTTP/1.1 keep-alive client on hyper's connection API: one TCP connection per worker,
//! so the load generator spends as little of the shared CPU as possible.

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A current desktop Chrome user agent.
pub const BROWSER_AGENT: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) \
     AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// One open connection.
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    user_agent: Option<&'static str>,
}

/// A response's status and, when it has one, its JSON body.
pub struct Reply {
    pub status: u16,
    pub json: Option<serde_json::Value>,
}

/// What one worker saw: latencies in microseconds and the number of failures.
#[derive(Debug, Default)]
pub struct Outcome {
    pub latencies_us: Vec<u32>,
    pub errors: u64,
}

impl Outcome {
    pub fn merge(&mut self, other: Outcome) {
        self.latencies_us.extend(other.latencies_us);
        self.errors += other.errors;
    }
}

impl Connection {
    pub async fn open(address: SocketAddr) -> Result<Self, String> {
        let stream = TcpStream::connect(address)
            .await
            .map_err(|e| format!("connecting to {address}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (sender, connection) = handshake(TokioIo::new(stream))
            .await
            .map_err(|e| format!("handshake: {e}"))?;
        tokio::spawn(connection);
        Ok(Self {
            sender,
            user_agent: None,
        })
    }

    /// A connection whose requests carry a desktop browser's user agent, as tracker and SDK
    /// traffic does (the server drops requests without one as bots).
    pub async fn open_as_browser(address: SocketAddr) -> Result<Self, String> {
        let mut connection = Self::open(address).await?;
        connection.user_agent = Some(BROWSER_AGENT);
        Ok(connection)
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Result<Reply, String> {
        let payload = body.map(|json| Bytes::from(json.to_string()));
        let (status, bytes) = self.exchange(method, path, token, payload).await?;
        Ok(Reply {
            status,
            json: serde_json::from_slice(&bytes).ok(),
        })
    }

    /// Sends `body` (JSON already serialised, so the load generator spends no time on it) and
    /// records the latency, or an error for a non-2xx status; the answer is read, not parsed.
    pub async fn timed_raw(
        &mut self,
        outcome: &mut Outcome,
        method: &str,
        path: &str,
        body: Option<Bytes>,
    ) -> Result<(), String> {
        let started = Instant::now();
        let (status, _) = self.exchange(method, path, None, body).await?;
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        if (200..300).contains(&status) {
            outcome.latencies_us.push(micros);
        } else {
            outcome.errors += 1;
        }
        Ok(())
    }

    /// One request and its whole answer: the status and the body's bytes.
    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Bytes>,
    ) -> Result<(u16, Bytes), String> {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost");
        if let Some(agent) = self.user_agent {
            builder = builder.header("user-agent", agent);
        }
        if let Some(token) = token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        let request = builder
            .body(Full::new(body.unwrap_or_default()))
            .map_err(|e| e.to_string())?;
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, bytes))
    }

    /// Sends one request, records its latency (or an error for a non-2xx status), and hands
    /// back the JSON body.
    pub async fn timed(
        &mut self,
        outcome: &mut Outcome,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Result<Option<serde_json::Value>, String> {
        let started = Instant::now();
        let reply = self.request(method, path, token, body).await?;
        let micros = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
        if (200..300).contains(&reply.status) {
            outcome.latencies_us.push(micros);
        } else {
            outcome.errors += 1;
        }
        Ok(reply.json)
    }
}
