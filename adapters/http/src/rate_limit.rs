//! Rate limiting of the authenticated APIs. First, per client address, failed authentications
//! (see [`crate::auth_failures`]): an address that has used up that budget is refused before
//! its credential is even looked at. Then per credential: a GCRA token bucket (the `governor`
//! crate) keyed by a SHA-256 digest of the bearer value (or of the dashboard's session cookie),
//! so raw credentials are never kept in memory, or by the client's address when the request
//! carries nothing that looks like a credential (so that random garbage values cannot each buy
//! a fresh budget). The client's
//! address is the one ingestion uses: the peer, or what a trusted proxy forwarded. Every
//! response past the first check carries `X-RateLimit-Limit` (the burst size),
//! `X-RateLimit-Remaining` and `X-RateLimit-Reset` (seconds until the full burst is available
//! again); a refused request answers 429 in the error envelope with `Retry-After`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use sha2::{Digest, Sha256};

use datafast_domain::credential::CredentialKind;
use datafast_domain::session::OpaqueSecret;

use crate::IngestConfig;
use crate::auth_failures::FailureLimiter;
use crate::config::RateLimit;
use crate::error::ApiError;
use crate::extract::{bearer_value, client_address};
use crate::session_cookie::SESSION_COOKIE;

/// Whose budget a request spends.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ClientKey {
    Credential([u8; 32]),
    Address(IpAddr),
    Unknown,
}

type KeyedLimiter = RateLimiter<
    ClientKey,
    DefaultKeyedStateStore<ClientKey>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// Forgotten buckets are swept after this many checks, which bounds memory without a timer.
const SWEEP_EVERY: u64 = 4096;

/// The shared limiter for every worker.
#[derive(Debug)]
pub(crate) struct AdminRateLimiter {
    limiter: KeyedLimiter,
    burst: u32,
    refill_interval: Duration,
    checks: AtomicU64,
}

/// The state of one client's budget after a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Budget {
    limit: u32,
    remaining: u32,
    reset_seconds: u64,
}

enum Decision {
    Allowed(Budget),
    Refused {
        budget: Budget,
        retry_after_seconds: u64,
    },
}

fn whole_seconds(duration: Duration) -> u64 {
    let seconds = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        seconds + 1
    } else {
        seconds
    }
}

impl AdminRateLimiter {
    /// `None` when limiting is off (`per_minute: 0`).
    pub(crate) fn new(settings: RateLimit) -> Option<Self> {
        let per_minute = NonZeroU32::new(settings.per_minute)?;
        let burst = NonZeroU32::new(settings.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        Some(Self {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            burst: burst.get(),
            refill_interval: quota.replenish_interval(),
            checks: AtomicU64::new(0),
        })
    }

    fn budget(&self, remaining: u32) -> Budget {
        let missing = self.burst.saturating_sub(remaining);
        Budget {
            limit: self.burst,
            remaining,
            reset_seconds: whole_seconds(self.refill_interval.saturating_mul(missing)),
        }
    }

    fn check(&self, key: &ClientKey) -> Decision {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        match self.limiter.check_key(key) {
            Ok(snapshot) => Decision::Allowed(self.budget(snapshot.remaining_burst_capacity())),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                Decision::Refused {
                    budget: self.budget(0),
                    retry_after_seconds: whole_seconds(wait).max(1),
                }
            }
        }
    }
}

impl Budget {
    fn write_to(self, headers: &mut HeaderMap) {
        for (name, value) in [
            ("x-ratelimit-limit", u64::from(self.limit)),
            ("x-ratelimit-remaining", u64::from(self.remaining)),
            ("x-ratelimit-reset", self.reset_seconds),
        ] {
            headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
        }
    }
}

fn client_key(request: &ServiceRequest, address: IpAddr) -> ClientKey {
    if let Some(bearer) = bearer_value(request.headers())
        && CredentialKind::of(bearer).is_some()
    {
        return ClientKey::Credential(Sha256::digest(bearer.as_bytes()).into());
    }
    if let Some(session) = request.cookie(SESSION_COOKIE)
        && OpaqueSecret::parse(session.value()).is_some()
    {
        return ClientKey::Credential(Sha256::digest(session.value().as_bytes()).into());
    }
    if request.peer_addr().is_none() {
        return ClientKey::Unknown;
    }
    ClientKey::Address(address)
}

/// The client's address: the peer, or what a trusted proxy forwarded (never a header from
/// anyone else, which a client could set to anything).
fn resolved_address(request: &ServiceRequest) -> IpAddr {
    let trusted = request
        .app_data::<web::Data<IngestConfig>>()
        .map(|config| config.trusted_proxies.as_slice())
        .unwrap_or_default();
    client_address(request.headers(), request.peer_addr(), trusted)
}

/// The middleware: refuses addresses out of failed authentications, spends one unit of the
/// caller's budget or refuses with 429, and charges a 401 to the address.
pub(crate) async fn limit_rate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let address = resolved_address(&request);
    let failures = request.app_data::<web::Data<FailureLimiter>>().cloned();
    if let Some(wait) = failures
        .as_ref()
        .and_then(|failures| failures.refusal(address, Instant::now()))
    {
        let refused = ApiError::too_many_requests(whole_seconds(wait).max(1)).error_response();
        return Ok(request.into_response(refused));
    }
    let response = spend_budget(request, next, address).await?;
    if response.status() == StatusCode::UNAUTHORIZED
        && let Some(failures) = failures
    {
        failures.record_failure(address, Instant::now());
    }
    Ok(response)
}

/// The per-credential budget.
async fn spend_budget(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    address: IpAddr,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(limiter) = request.app_data::<web::Data<AdminRateLimiter>>().cloned() else {
        return Ok(next.call(request).await?.map_into_boxed_body());
    };
    match limiter.check(&client_key(&request, address)) {
        Decision::Allowed(budget) => {
            let mut response = next.call(request).await?.map_into_boxed_body();
            budget.write_to(response.headers_mut());
            Ok(response)
        }
        Decision::Refused {
            budget,
            retry_after_seconds,
        } => {
            let mut response = ApiError::too_many_requests(retry_after_seconds).error_response();
            budget.write_to(response.headers_mut());
            Ok(request.into_response(response))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> AdminRateLimiter {
        AdminRateLimiter::new(RateLimit { per_minute, burst }).unwrap()
    }

    #[test]
    fn zero_per_minute_disables_limiting() {
        assert!(
            AdminRateLimiter::new(RateLimit {
                per_minute: 0,
                burst: 10
            })
            .is_none()
        );
    }

    #[test]
    fn a_burst_is_spent_then_refused_with_a_wait() {
        let limiter = limiter(60, 3);
        let key = ClientKey::Credential([1; 32]);
        let mut remaining = Vec::new();
        for _ in 0..3 {
            match limiter.check(&key) {
                Decision::Allowed(budget) => {
                    assert_eq!(budget.limit, 3);
                    remaining.push(budget.remaining);
                }
                Decision::Refused { .. } => panic!("refused within the burst"),
            }
        }
        assert_eq!(remaining, vec![2, 1, 0]);
        match limiter.check(&key) {
            Decision::Refused {
                budget,
                retry_after_seconds,
            } => {
                assert_eq!(budget.remaining, 0);
                // One request per second refills at 60 per minute.
                assert_eq!(retry_after_seconds, 1);
                assert_eq!(budget.reset_seconds, 3);
            }
            Decision::Allowed(_) => panic!("allowed past the burst"),
        }
        // Another client has its own budget.
        assert!(matches!(
            limiter.check(&ClientKey::Credential([2; 32])),
            Decision::Allowed(_)
        ));
    }
}
