//! The fakes' times: held as unix seconds, written as the RFC 3339 times the providers write,
//! and Paddle's query times read back into instants to filter by.

use jiff::Timestamp;
use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;

const NANOS: i128 = 1_000_000_000;

/// `seconds` in UTC as `YYYY-MM-DDTHH:MM:SS`, then `fraction` (`""`, `".000000"`, …: how the
/// provider writes the whole seconds the fakes hold), then `Z`. Seconds beyond the years jiff
/// covers (±9999) are clamped to its ends.
pub(crate) fn rfc3339(seconds: i64, fraction: &str) -> String {
    let at = Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    });
    format!("{}{fraction}Z", at.strftime("%Y-%m-%dT%H:%M:%S"))
}

/// An RFC 3339 date-time (`2023-04-18T17:03:26`, with or without a fraction and an offset; none
/// means UTC, as in Paddle's own examples) as nanoseconds since the epoch.
pub(crate) fn parse_nanos(text: &str) -> Option<i128> {
    let pieces = Pieces::parse(text).ok()?;
    let time = pieces.time()?;
    let offset = pieces.to_numeric_offset().unwrap_or(Offset::UTC);
    let at = offset.to_timestamp(pieces.date().to_datetime(time)).ok()?;
    Some(at.as_nanosecond())
}

/// Unix `seconds` as nanoseconds, to compare with [`parse_nanos`].
pub(crate) fn nanos(seconds: i64) -> i128 {
    i128::from(seconds) * NANOS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_and_read_back_in_utc() {
        assert_eq!(rfc3339(0, ""), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(1_709_210_096, ".000000"),
            "2024-02-29T12:34:56.000000Z"
        );
        assert_eq!(rfc3339(-1, ""), "1969-12-31T23:59:59Z");
        for seconds in [0, 951_782_400, 1_709_210_096, 4_102_444_800] {
            assert_eq!(parse_nanos(&rfc3339(seconds, "")), Some(nanos(seconds)));
        }
        assert_eq!(
            parse_nanos("2024-02-29T14:34:56.5+02:00"),
            Some(nanos(1_709_210_096) + 500_000_000)
        );
        assert_eq!(
            parse_nanos("2024-02-29T12:34:56"),
            Some(nanos(1_709_210_096))
        );
        for bad in [
            "2024-02-29",
            "2024-13-01T00:00:00Z",
            "2024-02-29T12:34:56X",
            "yesterday",
        ] {
            assert_eq!(parse_nanos(bad), None, "{bad}");
        }
    }
}
