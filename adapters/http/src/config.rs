//! The adapter's settings: request rate per credential, body size, worker count, trusted
//! proxies.

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
        }
    }
}
