//! Failed authentications per client address: a token bucket (GCRA) per address, spent by every
//! 401 and checked before authentication. Per-credential budgets cannot stop guessing, since
//! each new random value would bring a fresh budget; the address is what a guesser cannot
//! renew so cheaply. IPv6 addresses count by their /64, which one subscriber usually holds
//! whole. Memory is bounded: refilled buckets are forgotten, and past a cap new addresses are
//! not tracked (failing open, rather than refusing everyone).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::RateLimit;

/// Beyond this many tracked addresses, emptied buckets are swept before adding another.
const SWEEP_ABOVE: usize = 4096;
/// The most addresses tracked at once.
const MAX_TRACKED: usize = 65_536;

/// The shared limiter for every worker.
#[derive(Debug)]
pub(crate) struct FailureLimiter {
    /// Per address, when its bucket is full again (the GCRA's theoretical arrival time).
    full_at: Mutex<HashMap<IpAddr, Instant>>,
    /// The time one failure takes to be forgiven.
    interval: Duration,
    /// Failures allowed at once.
    burst: u32,
}

/// The key of an address: itself, or its /64 for IPv6 (IPv4-mapped addresses as IPv4).
fn key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(v6.to_bits() & !u128::from(u64::MAX))),
        },
    }
}

impl FailureLimiter {
    /// `None` when the limit is off (`per_minute: 0`).
    pub(crate) fn new(limit: RateLimit) -> Option<Self> {
        let per_minute = NonZeroU32::new(limit.per_minute)?;
        Some(Self {
            full_at: Mutex::new(HashMap::new()),
            interval: Duration::from_secs(60) / per_minute.get(),
            burst: limit.burst.max(1),
        })
    }

    /// How far ahead of `now` a bucket may be full again and still allow one more failure.
    fn tolerance(&self) -> Duration {
        self.interval.saturating_mul(self.burst - 1)
    }

    /// `Some(wait)` while `address` has no failures left: its requests are refused for `wait`.
    pub(crate) fn refusal(&self, address: IpAddr, now: Instant) -> Option<Duration> {
        let full_at = *self.lock().get(&key(address))?;
        let ahead = full_at.saturating_duration_since(now);
        (ahead > self.tolerance()).then(|| ahead - self.tolerance())
    }

    /// Spends one failure of `address`'s budget.
    pub(crate) fn record_failure(&self, address: IpAddr, now: Instant) {
        let mut full_at = self.lock();
        let key = key(address);
        if !full_at.contains_key(&key) && full_at.len() >= SWEEP_ABOVE {
            full_at.retain(|_, at| *at > now);
            if full_at.len() >= MAX_TRACKED {
                return;
            }
        }
        let at = full_at.entry(key).or_insert(now);
        *at = (*at).max(now) + self.interval;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Instant>> {
        // A panic while holding the lock cannot leave the map inconsistent: keep using it.
        self.full_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_minute: u32, burst: u32) -> FailureLimiter {
        FailureLimiter::new(RateLimit { per_minute, burst }).unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_burst_of_failures_then_a_wait_of_one_interval() {
        let limiter = limiter(60, 3);
        let now = Instant::now();
        let address = ip("192.0.2.1");
        for _ in 0..3 {
            assert_eq!(limiter.refusal(address, now), None);
            limiter.record_failure(address, now);
        }
        assert_eq!(limiter.refusal(address, now), Some(Duration::from_secs(1)));
        assert_eq!(limiter.refusal(ip("192.0.2.2"), now), None);
        // One failure is forgiven per interval.
        assert_eq!(limiter.refusal(address, now + Duration::from_secs(1)), None);
    }

    #[test]
    fn ipv6_addresses_share_their_64_and_mapped_ipv4_is_ipv4() {
        let limiter = limiter(60, 1);
        let now = Instant::now();
        limiter.record_failure(ip("2001:db8:1:2::1"), now);
        assert!(limiter.refusal(ip("2001:db8:1:2:ffff::9"), now).is_some());
        assert!(limiter.refusal(ip("2001:db8:1:3::1"), now).is_none());
        limiter.record_failure(ip("::ffff:192.0.2.9"), now);
        assert!(limiter.refusal(ip("192.0.2.9"), now).is_some());
    }

    #[test]
    fn refilled_buckets_are_swept_and_tracking_is_capped() {
        let limiter = limiter(60, 1);
        let now = Instant::now();
        for n in 0..SWEEP_ABOVE as u32 {
            limiter.record_failure(IpAddr::from(n.to_be_bytes()), now);
        }
        let later = now + Duration::from_secs(2);
        limiter.record_failure(ip("198.51.100.1"), later);
        assert_eq!(limiter.lock().len(), 1);
        assert!(limiter.refusal(ip("198.51.100.1"), later).is_some());
    }
}
