//! Time and randomness as ports, so use cases stay deterministic under test.

use jiff::Timestamp;

/// The current time.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// Cryptographically secure random bytes (the OS source in production).
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait RandomSource: Send + Sync {
    /// Fills `buffer` with random bytes.
    fn fill(&self, buffer: &mut [u8]);
}

/// Helpers every use case needs from the two ports above.
pub(crate) fn random_array<const N: usize>(random: &dyn RandomSource) -> [u8; N] {
    let mut bytes = [0u8; N];
    random.fill(&mut bytes);
    bytes
}

/// Seconds since the epoch as the 32-bit id prefix; saturates outside 1970..2106.
pub(crate) fn id_seconds(now: Timestamp) -> u32 {
    u32::try_from(now.as_second().max(0)).unwrap_or(u32::MAX)
}
