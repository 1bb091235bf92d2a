//! Unix seconds as the RFC 3339 times the providers write, and Paddle's query times back into
//! instants. The fakes hold times as unix seconds and have no calendar library, so the civil
//! calendar is worked out here; the Lemon Squeezy and Polar fakes write their times with it
//! too.

const DAY: i64 = 86_400;
const NANOS: i128 = 1_000_000_000;

/// `seconds` in UTC as `YYYY-MM-DDTHH:MM:SS`, then `fraction` (`""`, `".000000"`, …), then `Z`.
pub(crate) fn rfc3339(seconds: i64, fraction: &str) -> String {
    let (year, month, day) = civil(seconds.div_euclid(DAY));
    let of_day = seconds.rem_euclid(DAY);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{fraction}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// An RFC 3339 date-time (`2023-04-18T17:03:26`, with or without a fraction and an offset; none
/// means UTC, as in Paddle's own examples) as nanoseconds since the epoch.
pub(crate) fn parse_nanos(text: &str) -> Option<i128> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let field = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|(at, byte)| bytes[*at] != *byte) {
        return None;
    }
    let (year, month, day) = (field(0..4)?, field(5..7)?, field(8..10)?);
    let (hour, minute, second) = (field(11..13)?, field(14..16)?, field(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut fraction: i128 = 0;
    if let Some(digits) = rest.strip_prefix('.') {
        let length = digits.bytes().take_while(u8::is_ascii_digit).count();
        if length == 0 || length > 9 {
            return None;
        }
        fraction = digits[..length].parse::<i128>().ok()? * 10_i128.pow(9 - length as u32);
        rest = &digits[length..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (hours, minutes) = rest[1..].split_once(':')?;
            sign * (hours.parse::<i64>().ok()? * 3600 + minutes.parse::<i64>().ok()? * 60)
        }
    };
    let seconds = days(year, month, day) * DAY + hour * 3600 + minute * 60 + second - offset;
    Some(i128::from(seconds) * NANOS + fraction)
}

/// Unix `seconds` as nanoseconds, to compare with [`parse_nanos`].
pub(crate) fn nanos(seconds: i64) -> i128 {
    i128::from(seconds) * NANOS
}

/// The civil date of a day counted from 1970-01-01 (proleptic Gregorian).
fn civil(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let of_era = shifted - era * 146_097;
    let year_of_era = (of_era - of_era / 1460 + of_era / 36_524 - of_era / 146_096) / 365;
    let day_of_year = of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The day, counted from 1970-01-01, of a civil date.
fn days(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + of_era - 719_468
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
