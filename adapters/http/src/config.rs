//! The adapter's settings: request rate per credential, failed authentications per address,
//! body size, worker count, trusted proxies, connection limits and timeouts.

use std::time::Duration;

use datafast_domain::website::IpRule;

/// How the HTTP server behaves; the server binary fills it from its own configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Applied per credential (or per client address when a request carries none).
    pub rate_limit: RateLimit,
    /// The largest JSON body accepted on any route; larger bodies answer 413.
    pub max_body_bytes: usize,
    /// Worker threads, each with its own event loop (0 is taken as 1).
    pub workers: usize,
    /// Proxies whose forwarded client-IP headers ingestion believes; empty: only the peer.
    pub trusted_proxies: Vec<IpRule>,
    /// A second path that answers like `POST /api/events`, for sites that proxy ingestion
    /// under a path of their own (`/stats/e`). It must start with `/` and must not shadow a
    /// built-in route.
    pub extra_events_path: Option<String>,
    /// Failed authentications allowed per client address before its requests to the
    /// authenticated APIs answer 429 (`per_minute: 0` turns this off).
    pub auth_failure_limit: RateLimit,
    /// Open connections, all workers together; past it new connections wait in the operating
    /// system's accept queue until one closes (0 is taken as 1).
    pub max_connections: usize,
    /// How long a client may take to send a whole request head, from the moment the connection
    /// opens (first request) or the head's first byte arrives (later ones); then 408.
    pub head_timeout: Duration,
    /// How long a client may take to send a whole request body, from the moment its head
    /// arrived; then 408 if the handler is reading it, and the connection is closed.
    pub body_timeout: Duration,
    /// After a stop signal, how long in-flight requests may still run before their connections
    /// are dropped.
    pub shutdown_timeout: Duration,
    /// How often the summary of public traffic (ingestion, scripts, health, unknown paths) is
    /// logged at `info`, when there was any.
    pub traffic_summary_interval: Duration,
    /// The address the server is reached at from the outside, for the snippets it hands out
    /// (normalised by `parse_public_url`); `None` takes it from each request.
    pub public_url: Option<String>,
}

/// What ingestion handlers need from the configuration.
#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    pub trusted_proxies: Vec<IpRule>,
}

/// A token bucket: `burst` requests at once, refilled at `per_minute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Sustained requests per minute; 0 turns rate limiting off (for benchmarks).
    pub per_minute: u32,
    /// Requests a client may send at once before the sustained rate applies (0 is taken as 1).
    /// It is also the `X-RateLimit-Limit` clients see.
    pub burst: u32,
}

/// 64 KiB: far above any legitimate Account API body, small enough to bound memory per request.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Enough for the browsers of thousands of visitors online at once (each keeps its connection
/// at most 5 idle seconds), while capping what a flood of stalled connections can hold at about
/// 130 MB (each costs about 65 KiB, mostly the dispatcher's read buffer).
pub const DEFAULT_MAX_CONNECTIONS: usize = 2048;

/// A request head is one packet from any real client; five seconds allows for a slow network.
pub const DEFAULT_HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Bodies are at most 64 KiB; ten seconds is ample even on a poor mobile link.
pub const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// In-flight requests finish within this after a stop signal, or are dropped.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// A real client rarely fails authentication more than a few times in a row.
pub const DEFAULT_AUTH_FAILURE_LIMIT: RateLimit = RateLimit {
    per_minute: 10,
    burst: 20,
};

impl Default for RateLimit {
    fn default() -> Self {
        Self {
            per_minute: 600,
            burst: 120,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            rate_limit: RateLimit::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            workers: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            trusted_proxies: Vec::new(),
            extra_events_path: None,
            auth_failure_limit: DEFAULT_AUTH_FAILURE_LIMIT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            head_timeout: DEFAULT_HEAD_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            traffic_summary_interval: Duration::from_secs(60),
            public_url: None,
        }
    }
}
