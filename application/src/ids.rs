//! What every use case that mints an id or a secret needs from the clock and randomness ports.

use datafast_ports::system::RandomSource;
use jiff::Timestamp;

/// `N` random bytes from `random`.
pub(crate) fn random_array<const N: usize>(random: &dyn RandomSource) -> [u8; N] {
    let mut bytes = [0u8; N];
    random.fill(&mut bytes);
    bytes
}

/// Seconds since the epoch as the 32-bit id prefix; saturates outside 1970..2106.
pub(crate) fn id_seconds(now: Timestamp) -> u32 {
    u32::try_from(now.as_second().max(0)).unwrap_or(u32::MAX)
}
