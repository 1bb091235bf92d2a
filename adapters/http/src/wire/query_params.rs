//! Reading the query pairs of the analytics and visitors routes: the first occurrence of a
//! name wins (filters excepted, which all apply), an empty value is refused, and counts,
//! booleans, `fields` lists and range bounds have one spelling each. Errors name the
//! parameter.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};

use datafast_analytics::Bound;
use datafast_domain::ValidationError;

/// The query pairs of one request.
pub(crate) struct Params<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Params<'a> {
    /// Refuses a parameter given with an empty value: `?limit=` is a mistake to report, not a
    /// request for the default.
    pub(crate) fn new(pairs: &'a [(String, String)]) -> Result<Self, ValidationError> {
        match pairs.iter().find(|(_, value)| value.trim().is_empty()) {
            Some((name, _)) => Err(ValidationError::new(name.as_str(), "must not be empty")),
            None => Ok(Self { pairs }),
        }
    }

    /// Every pair, in request order.
    pub(crate) fn pairs(&self) -> &'a [(String, String)] {
        self.pairs
    }

    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn either(&self, name: &str, alias: &str) -> Option<&'a str> {
        self.get(name).or_else(|| self.get(alias))
    }
}

/// `startAt` or `endAt`: a date, a wall-clock time or an instant.
pub(crate) fn read_bound(field: &str, raw: &str) -> Result<Bound, ValidationError> {
    let text = raw.trim();
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(Bound::Instant(instant));
    }
    if text.len() == 10
        && let Ok(date) = text.parse::<Date>()
    {
        return Ok(Bound::Date(date));
    }
    if text.len() > 10
        && let Ok(local) = text.parse::<DateTime>()
    {
        return Ok(Bound::Local(local));
    }
    Err(ValidationError::new(
        field,
        "must be a date (YYYY-MM-DD) or an ISO 8601 timestamp such as 2026-01-31T00:00:00Z",
    ))
}

/// `fields`, a comma-separated list of `allowed` names (or their `aliases`), deduplicated in
/// request order; `None` when absent.
pub(crate) fn parse_fields(
    params: &Params<'_>,
    allowed: &'static [&'static str],
    aliases: &[(&str, &'static str)],
) -> Result<Option<Vec<&'static str>>, ValidationError> {
    let Some(raw) = params.get("fields") else {
        return Ok(None);
    };
    let mut fields: Vec<&'static str> = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let name = aliases
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, canonical)| *canonical);
        let Some(field) = allowed.iter().find(|f| **f == name) else {
            return Err(ValidationError::new(
                "fields",
                format!(
                    "unknown field '{name}'; valid fields: {}",
                    allowed.join(", ")
                ),
            ));
        };
        if !fields.contains(field) {
            fields.push(field);
        }
    }
    if fields.is_empty() {
        return Err(ValidationError::new(
            "fields",
            format!("must list at least one of: {}", allowed.join(", ")),
        ));
    }
    Ok(Some(fields))
}

/// Keeps the canonical order of `allowed` for answers whose rows have a fixed shape.
pub(crate) fn in_canonical_order(
    allowed: &[&'static str],
    chosen: &[&'static str],
) -> Vec<&'static str> {
    allowed
        .iter()
        .copied()
        .filter(|f| chosen.contains(f))
        .collect()
}

fn parse_count(name: &str, raw: &str, min: usize, max: usize) -> Result<usize, ValidationError> {
    match raw.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(ValidationError::new(
            name,
            format!("must be an integer from {min} to {max}"),
        )),
    }
}

/// `limit` (default 100, at most `max`) and `offset` (at least 0).
pub(crate) fn parse_page(
    params: &Params<'_>,
    max: usize,
) -> Result<(usize, usize), ValidationError> {
    let limit = match params.get("limit") {
        Some(raw) => parse_count("limit", raw, 1, max)?,
        None => 100,
    };
    let offset = match params.get("offset") {
        Some(raw) => parse_count("offset", raw, 0, u32::MAX as usize)?,
        None => 0,
    };
    Ok((limit, offset))
}

pub(crate) fn parse_bool(name: &str, raw: &str) -> Result<bool, ValidationError> {
    match raw.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ValidationError::new(name, "must be true or false")),
    }
}
