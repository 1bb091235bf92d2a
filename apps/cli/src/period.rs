//! `--period` names turned into `startAt`/`endAt`, computed in the requested time zone (or the
//! local one), so `today` means the user's today rather than the server's.

use clap::ValueEnum;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{RoundMode, ToSpan, Unit, Zoned, ZonedRound};

use crate::error::{CliError, CliResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Period {
    Today,
    Yesterday,
    /// The last 24 hours up to now.
    Last24h,
    /// The last 7 calendar days, today included.
    Last7d,
    /// The last 30 calendar days, today included.
    Last30d,
    /// The last 12 calendar months, the current one included.
    Last12m,
    /// Since Monday.
    Week,
    /// Since the first of the month.
    Month,
    /// Since the first of January.
    Year,
    /// No range: all the data.
    All,
}

/// The range to send: calendar days as `YYYY-MM-DD`, the last 24 hours as timestamps with the
/// zone's offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Range {
    pub start_at: String,
    pub end_at: String,
}

fn days(start: Date, end: Date) -> Range {
    Range {
        start_at: start.to_string(),
        end_at: end.to_string(),
    }
}

fn date_arithmetic(error: jiff::Error) -> CliError {
    CliError::usage(format!("cannot compute the period: {error}"))
}

/// The range `period` covers as of `now` (whose zone is the one the range is computed in).
pub fn range(period: Period, now: &Zoned) -> CliResult<Option<Range>> {
    let today = now.date();
    let back = |span: jiff::Span| today.checked_sub(span).map_err(date_arithmetic);
    let range = match period {
        Period::All => return Ok(None),
        Period::Today => days(today, today),
        Period::Yesterday => {
            let yesterday = back(1.day())?;
            days(yesterday, yesterday)
        }
        Period::Last7d => days(back(6.days())?, today),
        Period::Last30d => days(back(29.days())?, today),
        Period::Last12m => days(back(11.months())?.first_of_month(), today),
        Period::Week => {
            let since_monday = today.weekday().to_monday_zero_offset();
            days(back(i64::from(since_monday).days())?, today)
        }
        Period::Month => days(today.first_of_month(), today),
        Period::Year => days(today.first_of_year(), today),
        Period::Last24h => {
            // Bounds are inclusive to the millisecond and sent to the second: rounding the end
            // down would leave out what happened in the current second.
            let end = now
                .round(
                    ZonedRound::new()
                        .smallest(Unit::Second)
                        .mode(RoundMode::Ceil),
                )
                .map_err(date_arithmetic)?;
            let start = end.checked_sub(24.hours()).map_err(date_arithmetic)?;
            Range {
                start_at: start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                end_at: end.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            }
        }
    };
    Ok(Some(range))
}

/// The zone periods are computed in: `--timezone` when given (it must be an IANA name), else
/// the system's.
pub fn zone(timezone: Option<&str>) -> CliResult<TimeZone> {
    match timezone {
        Some(name) => TimeZone::get(name).map_err(|_| {
            CliError::usage(format!(
                "unknown time zone '{name}' (use an IANA name such as Europe/Paris)"
            ))
        }),
        None => Ok(TimeZone::system()),
    }
}

/// The current time in `zone`: the one place the CLI reads the clock.
#[allow(clippy::disallowed_methods)] // the CLI is an edge program; its periods are relative to now
pub fn now_in(zone: TimeZone) -> Zoned {
    jiff::Timestamp::now().to_zoned(zone)
}

/// `--from`/`--to` values: a calendar day, or a timestamp with `Z` or an offset.
pub fn check_bound(flag: &str, value: &str) -> CliResult<String> {
    let value = value.trim();
    if value.parse::<Date>().is_ok() || value.parse::<jiff::Timestamp>().is_ok() {
        Ok(value.to_owned())
    } else {
        Err(CliError::usage(format!(
            "{flag} '{value}' is neither a date (YYYY-MM-DD) nor a timestamp with Z or an offset"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, zone: &str) -> Zoned {
        let ts: jiff::Timestamp = text.parse().unwrap_or_else(|e| panic!("{e}"));
        ts.to_zoned(TimeZone::get(zone).unwrap_or_else(|e| panic!("{e}")))
    }

    fn range_of(period: Period, now: &Zoned) -> (String, String) {
        let range = range(period, now)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("no range"));
        (range.start_at, range.end_at)
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_owned(), b.to_owned())
    }

    #[test]
    fn calendar_periods_are_days_in_the_given_zone() {
        // 2026-03-04 (a Wednesday) at 23:30 UTC is already Thursday the 5th in Tokyo.
        let tokyo = at("2026-03-04T23:30:00Z", "Asia/Tokyo");
        assert_eq!(
            range_of(Period::Today, &tokyo),
            pair("2026-03-05", "2026-03-05")
        );
        assert_eq!(
            range_of(Period::Yesterday, &tokyo),
            pair("2026-03-04", "2026-03-04")
        );
        assert_eq!(
            range_of(Period::Week, &tokyo),
            pair("2026-03-02", "2026-03-05")
        );
        let utc = at("2026-03-04T23:30:00Z", "UTC");
        assert_eq!(
            range_of(Period::Today, &utc),
            pair("2026-03-04", "2026-03-04")
        );
        assert_eq!(
            range_of(Period::Last7d, &utc),
            pair("2026-02-26", "2026-03-04")
        );
        assert_eq!(
            range_of(Period::Last30d, &utc),
            pair("2026-02-03", "2026-03-04")
        );
        assert_eq!(
            range_of(Period::Last12m, &utc),
            pair("2025-04-01", "2026-03-04")
        );
        assert_eq!(
            range_of(Period::Month, &utc),
            pair("2026-03-01", "2026-03-04")
        );
        assert_eq!(
            range_of(Period::Year, &utc),
            pair("2026-01-01", "2026-03-04")
        );
        assert_eq!(range(Period::All, &utc).ok().flatten(), None);
    }

    #[test]
    fn a_monday_week_starts_today() {
        let monday = at("2026-03-02T08:00:00Z", "UTC");
        assert_eq!(
            range_of(Period::Week, &monday),
            pair("2026-03-02", "2026-03-02")
        );
    }

    #[test]
    fn last24h_is_timestamps_with_the_zone_offset() {
        let paris = at("2026-07-01T10:15:00Z", "Europe/Paris");
        assert_eq!(
            range_of(Period::Last24h, &paris),
            pair("2026-06-30T12:15:00+02:00", "2026-07-01T12:15:00+02:00")
        );
        let within_a_second = at("2026-07-01T10:15:00.25Z", "Europe/Paris");
        assert_eq!(
            range_of(Period::Last24h, &within_a_second),
            pair("2026-06-30T12:15:01+02:00", "2026-07-01T12:15:01+02:00"),
            "the current second is covered"
        );
    }

    #[test]
    fn bounds_must_be_dates_or_timestamps() {
        assert!(check_bound("--from", "2026-01-01").is_ok());
        assert!(check_bound("--from", "2026-01-01T00:00:00Z").is_ok());
        assert!(check_bound("--from", "2026-01-01T00:00:00+05:30").is_ok());
        assert!(check_bound("--from", "yesterday").is_err());
        assert!(zone(Some("Mars/Olympus")).is_err());
    }
}
