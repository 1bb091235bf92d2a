//! The rules that complete a request: a range's bounds become instants in the request's zone
//! (dates are whole days there), and a timeseries gets its default range, its same-day upgrade
//! to hours and its cap on buckets. Breaking a rule is a [`RuleError`], which the caller
//! reports against its own parameter names.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::request::{Interval, Scope, TimeRange, TimeseriesRequest};

/// A range bound as the request states it: a calendar date or a wall-clock time (both in the
/// request's zone), or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Date(Date),
    Local(DateTime),
    Instant(Timestamp),
}

/// A request the rules refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    /// The start, in the request's zone, is not an instant the server can represent.
    StartOutsideDates,
    /// The same for the end.
    EndOutsideDates,
    EndBeforeStart,
    /// A timeseries without a range, whose default range cannot be built from "now".
    NoDefaultRange,
    /// A timeseries whose range holds more than [`crate::MAX_BUCKETS`] buckets.
    TooManyBuckets,
}

/// The range from `start` to `end` inclusive: a date is its whole day in `zone`, a wall-clock
/// time is read in `zone`; a full-day UTC pair (midnight to 23:59) is read as those dates, as
/// the older docs promise.
///
/// # Errors
/// A bound outside the supported dates, or an end before the start.
pub fn resolve_range(start: Bound, end: Bound, zone: &TimeZone) -> Result<TimeRange, RuleError> {
    let (start, end) = match (start, end) {
        (Bound::Instant(s), Bound::Instant(e)) if is_full_utc_day_pair(s, e) => (
            Bound::Date(s.to_zoned(TimeZone::UTC).date()),
            Bound::Date(e.to_zoned(TimeZone::UTC).date()),
        ),
        other => other,
    };
    let start_ms = match start {
        Bound::Instant(t) => t.as_millisecond(),
        Bound::Local(t) => local_ms(t, zone).ok_or(RuleError::StartOutsideDates)?,
        Bound::Date(d) => day_start(d, zone).ok_or(RuleError::StartOutsideDates)?,
    };
    let end_ms = match end {
        Bound::Instant(t) => t.as_millisecond(),
        Bound::Local(t) => local_ms(t, zone).ok_or(RuleError::EndOutsideDates)?,
        Bound::Date(d) => {
            let next = d.tomorrow().map_err(|_| RuleError::EndOutsideDates)?;
            day_start(next, zone).ok_or(RuleError::EndOutsideDates)? - 1
        }
    };
    if end_ms < start_ms {
        return Err(RuleError::EndBeforeStart);
    }
    Ok(TimeRange { start_ms, end_ms })
}

fn local_ms(time: DateTime, zone: &TimeZone) -> Option<i64> {
    time.to_zoned(zone.clone())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

fn day_start(date: Date, zone: &TimeZone) -> Option<i64> {
    date.to_zoned(zone.clone())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

fn is_full_utc_day_pair(start: Timestamp, end: Timestamp) -> bool {
    let s = start.to_zoned(TimeZone::UTC).time();
    let e = end.to_zoned(TimeZone::UTC).time();
    s == Time::midnight() && e.hour() == 23 && e.minute() == 59 && start <= end
}

impl TimeseriesRequest {
    /// A timeseries of `scope` by `requested`: without a range, the interval's default range
    /// up to `now`; a range within one day in the request's zone is shown by hour.
    ///
    /// # Errors
    /// No default range from `now`, or more than 100,000 buckets.
    pub fn new(
        mut scope: Scope,
        requested: Interval,
        limit: usize,
        offset: usize,
        now: Timestamp,
    ) -> Result<Self, RuleError> {
        let zone = scope.timezone.zone();
        let (range, interval) = match scope.range {
            Some(range) => {
                let same_day = local_date(range.start_ms, &zone) == local_date(range.end_ms, &zone);
                (range, if same_day { Interval::Hour } else { requested })
            }
            None => (default_range(requested, now, &zone)?, requested),
        };
        scope.range = Some(range);
        let request = Self {
            scope,
            interval,
            limit,
            offset,
        };
        match crate::timeseries::bucket_starts(&request) {
            Some(_) => Ok(request),
            None => Err(RuleError::TooManyBuckets),
        }
    }
}

fn local_date(ms: i64, zone: &TimeZone) -> Option<Date> {
    Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_zoned(zone.clone()).date())
}

/// Without dates: `hour` is the 24 hours up to now (whole hours), `day` and `week` the 30
/// days ending today, `month` the 12 months ending this month, all in the request's zone.
fn default_range(
    interval: Interval,
    now: Timestamp,
    zone: &TimeZone,
) -> Result<TimeRange, RuleError> {
    let local = now.to_zoned(zone.clone());
    let invalid = |_| RuleError::NoDefaultRange;
    let start = match interval {
        Interval::Hour => {
            let hour = local
                .with()
                .minute(0)
                .second(0)
                .subsec_nanosecond(0)
                .build()
                .map_err(invalid)?;
            hour.timestamp()
                .checked_sub(SignedDuration::from_hours(23))
                .map_err(invalid)?
        }
        Interval::Day | Interval::Week => local
            .date()
            .checked_sub(29.days())
            .and_then(|d| d.to_zoned(zone.clone()))
            .map_err(invalid)?
            .timestamp(),
        Interval::Month => local
            .date()
            .first_of_month()
            .checked_sub(11.months())
            .and_then(|d| d.to_zoned(zone.clone()))
            .map_err(invalid)?
            .timestamp(),
    };
    Ok(TimeRange {
        start_ms: start.as_millisecond(),
        end_ms: now.as_millisecond(),
    })
}
