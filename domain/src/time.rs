//! Time as the API shows it: instants in UTC with milliseconds, and validated IANA zone names.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;

/// Formats an instant the way DataFast does: `2026-05-21T00:00:00.000Z`.
pub fn iso_millis(instant: Timestamp) -> String {
    instant.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Reads a range bound given as an ISO 8601 instant (`2026-01-31T23:59:59Z`) or a bare date
/// (`2026-01-31`), which means that day in UTC: its first millisecond for a start, its last for
/// an end, so that a range of dates includes both days.
///
/// # Errors
/// Anything else, reported under `field`.
pub fn parse_bound(field: &str, input: &str, is_end: bool) -> Result<Timestamp, ValidationError> {
    let text = input.trim();
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant);
    }
    let invalid = || {
        ValidationError::new(
            field,
            "must be a date (YYYY-MM-DD) or an ISO 8601 timestamp such as 2026-01-31T00:00:00Z",
        )
    };
    let date: jiff::civil::Date = text.parse().map_err(|_| invalid())?;
    let start = date
        .to_zoned(TimeZone::UTC)
        .map_err(|_| invalid())?
        .timestamp();
    if !is_end {
        return Ok(start);
    }
    let next = date
        .tomorrow()
        .and_then(|d| d.to_zoned(TimeZone::UTC))
        .map_err(|_| invalid())?
        .timestamp();
    next.checked_sub(jiff::SignedDuration::from_millis(1))
        .map_err(|_| invalid())
}

/// An IANA time zone name that the bundled time zone database knows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let name = input.trim();
        if name.is_empty() || name.len() > 64 {
            return Err(ValidationError::new(
                "timezone",
                "must be an IANA time zone name such as America/New_York",
            ));
        }
        match TimeZone::get(name) {
            Ok(zone) => Ok(Self(zone.iana_name().unwrap_or(name).to_owned())),
            Err(_) => Err(ValidationError::new(
                "timezone",
                format!("unknown time zone '{name}'; use an IANA name such as America/New_York"),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone itself, for calendar math.
    pub fn zone(&self) -> TimeZone {
        TimeZone::get(&self.0).unwrap_or(TimeZone::UTC)
    }
}

impl Default for TimeZoneName {
    fn default() -> Self {
        Self("UTC".to_owned())
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(value: TimeZoneName) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_with_milliseconds() {
        let instant: Timestamp = "2026-05-21T00:00:00Z".parse().unwrap();
        assert_eq!(iso_millis(instant), "2026-05-21T00:00:00.000Z");
    }

    #[test]
    fn accepts_iana_names_and_refuses_others() {
        assert_eq!(
            TimeZoneName::parse("America/New_York").unwrap().as_str(),
            "America/New_York"
        );
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }
}
