//! Filters as query strings write them: `filter_<dimension>` (and the old unprefixed names)
//! with a value such as `is_not:France,DE` or `contains:/docs`.

use datafast_analytics::filter::{Dimension, Filter, Operator};
use datafast_domain::ValidationError;

use crate::wire::query_params::Params;

/// The name after `filter_` (and the old unprefixed parameter name).
fn dimension_name(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Country => "country",
        Dimension::Region => "region",
        Dimension::City => "city",
        Dimension::Device => "device",
        Dimension::Browser => "browser",
        Dimension::Os => "os",
        Dimension::Referrer => "referrer",
        Dimension::Page => "page",
        Dimension::EntryPage => "entry_page",
        Dimension::Hostname => "hostname",
        Dimension::Goal => "goal",
        Dimension::UtmSource => "utm_source",
        Dimension::UtmMedium => "utm_medium",
        Dimension::UtmCampaign => "utm_campaign",
        Dimension::UtmTerm => "utm_term",
        Dimension::UtmContent => "utm_content",
        Dimension::Ref => "ref",
        Dimension::Source => "source",
        Dimension::Via => "via",
        Dimension::Channel => "channel",
    }
}

pub(crate) fn dimension_named(name: &str) -> Option<Dimension> {
    Dimension::ALL
        .into_iter()
        .find(|d| dimension_name(*d) == name)
}

/// Reads a value such as `is_not:France,DE`, reported under `parameter`.
///
/// # Errors
/// An empty list, too many or too long values, or a substring operator on a dimension other
/// than pages.
pub(crate) fn parse_filter(
    parameter: &str,
    dimension: Dimension,
    raw: &str,
) -> Result<Filter, ValidationError> {
    let raw = raw.trim();
    let (operator, list) = if let Some(rest) = raw.strip_prefix("is_not:") {
        (Operator::IsNot, rest)
    } else if let Some(rest) = raw.strip_prefix("is:") {
        (Operator::Is, rest)
    } else if let Some(rest) = raw.strip_prefix("does_not_contain:") {
        (Operator::DoesNotContain, rest)
    } else if let Some(rest) = raw.strip_prefix("contains:") {
        (Operator::Contains, rest)
    } else {
        (Operator::Is, raw)
    };
    if matches!(operator, Operator::Contains | Operator::DoesNotContain)
        && !dimension.takes_substrings()
    {
        return Err(ValidationError::new(
            parameter,
            "contains: and does_not_contain: apply to page filters only",
        ));
    }
    let values: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    if values.is_empty() {
        return Err(ValidationError::new(
            parameter,
            "needs at least one value, such as is:value or a comma-separated list",
        ));
    }
    if values.len() > 100 || values.iter().any(|v| v.len() > 500) {
        return Err(ValidationError::new(
            parameter,
            "takes at most 100 values of at most 500 characters",
        ));
    }
    Ok(Filter {
        dimension,
        operator,
        values,
    })
}

/// Every `filter_<dimension>` and the old unprefixed names. `filter_<unknown>` is a 400.
pub(crate) fn parse_filters(params: &Params<'_>) -> Result<Vec<Filter>, ValidationError> {
    let mut filters = Vec::new();
    for (key, value) in params.pairs() {
        let dimension = match key.strip_prefix("filter_") {
            Some(name) => Some(dimension_named(name).ok_or_else(|| {
                ValidationError::new(
                    key.as_str(),
                    "unknown filter; see the documented filter_* names",
                )
            })?),
            None => dimension_named(key),
        };
        if let Some(dimension) = dimension {
            filters.push(parse_filter(key, dimension, value)?);
        }
    }
    Ok(filters)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(dimension: Dimension, raw: &str) -> Filter {
        parse_filter("filter", dimension, raw).unwrap()
    }

    #[test]
    fn operators_and_lists_parse() {
        let f = filter(Dimension::Country, "is_not:France, DE");
        assert_eq!(f.operator, Operator::IsNot);
        assert_eq!(f.values, vec!["France", "DE"]);
        assert_eq!(
            filter(Dimension::Page, "contains:/docs").operator,
            Operator::Contains
        );
        assert_eq!(filter(Dimension::Device, "mobile").operator, Operator::Is);
        assert!(parse_filter("filter_country", Dimension::Country, "contains:U").is_err());
        assert!(parse_filter("filter_country", Dimension::Country, "is:, ,").is_err());
    }

    #[test]
    fn every_dimension_has_its_own_name() {
        for dimension in Dimension::ALL {
            assert_eq!(dimension_named(dimension_name(dimension)), Some(dimension));
        }
    }
}
