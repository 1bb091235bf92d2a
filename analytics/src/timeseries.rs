//! Calendar buckets for the timeseries: hours, days, weeks (starting Monday) and months in the
//! request's time zone, so that a day across a daylight-saving change has 23 or 25 hours.

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan, Zoned};

use crate::request::{Interval, TimeseriesRequest};

/// More buckets than this is a 400: hours over decades help nobody.
pub const MAX_BUCKETS: usize = 100_000;

fn floor(instant: Timestamp, interval: Interval, zone: &TimeZone) -> Option<Zoned> {
    let local = instant.to_zoned(zone.clone());
    match interval {
        Interval::Hour => local
            .with()
            .minute(0)
            .second(0)
            .subsec_nanosecond(0)
            .build()
            .ok(),
        Interval::Day => local.start_of_day().ok(),
        Interval::Week => {
            let back = i64::from(local.weekday().to_monday_zero_offset());
            local
                .date()
                .checked_sub(back.days())
                .ok()?
                .to_zoned(zone.clone())
                .ok()
        }
        Interval::Month => local.date().first_of_month().to_zoned(zone.clone()).ok(),
    }
}

fn next(start: &Zoned, interval: Interval, zone: &TimeZone) -> Option<Zoned> {
    match interval {
        // Absolute hours: the repeated hour of a fall-back night is two buckets.
        Interval::Hour => start
            .timestamp()
            .checked_add(SignedDuration::from_hours(1))
            .ok()
            .map(|t| t.to_zoned(zone.clone())),
        Interval::Day => start.date().tomorrow().ok()?.to_zoned(zone.clone()).ok(),
        Interval::Week => start
            .date()
            .checked_add(7.days())
            .ok()?
            .to_zoned(zone.clone())
            .ok(),
        Interval::Month => start
            .date()
            .checked_add(1.month())
            .ok()?
            .to_zoned(zone.clone())
            .ok(),
    }
}

/// The start of every bucket that overlaps the request's range, in Unix milliseconds; `None`
/// when there would be more than [`MAX_BUCKETS`].
pub(crate) fn bucket_starts(request: &TimeseriesRequest) -> Option<Vec<i64>> {
    let range = request.scope.range?;
    let zone = request.scope.timezone.zone();
    let first = Timestamp::from_millisecond(range.start_ms).ok()?;
    let mut current = floor(first, request.interval, &zone)?;
    let mut starts = Vec::new();
    while current.timestamp().as_millisecond() <= range.end_ms {
        if starts.len() == MAX_BUCKETS {
            return None;
        }
        starts.push(current.timestamp().as_millisecond());
        current = next(&current, request.interval, &zone)?;
    }
    Some(starts)
}

/// The bucket holding `ms`, given sorted starts and `ms` not before the first.
#[inline]
pub(crate) fn bucket_of(starts: &[i64], ms: i64) -> usize {
    starts.partition_point(|s| *s <= ms).saturating_sub(1)
}
