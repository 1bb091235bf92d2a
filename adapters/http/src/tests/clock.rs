//! The one driven port these tests fake: a clock held at one instant, so every timestamp a
//! test sees is the same from run to run.

use jiff::Timestamp;

use datafast_ports::Clock;

pub(super) struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}
