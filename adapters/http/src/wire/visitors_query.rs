//! The query string of `GET /visitors` read into a [`VisitorsRequest`]: its own unprefixed
//! parameters (with their aliases), the unprefixed analytics filters but page and goal ones,
//! `limit` at most 250.

use datafast_analytics::filter::{Dimension, Filter};
use datafast_analytics::{RequestContext, VisitorsRequest};
use datafast_domain::ValidationError;

use crate::wire::analytics_query::{parse_range, timezone};
use crate::wire::filter_query::{dimension_named, parse_filter};
use crate::wire::query_params::{Params, parse_bool, parse_page};

/// A comma-separated list under `name` or `alias`: at most 50 values of at most 500
/// characters.
fn list(params: &Params<'_>, name: &str, alias: &str) -> Result<Vec<String>, ValidationError> {
    let values: Vec<String> = params
        .either(name, alias)
        .map(|raw| {
            raw.split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if values.len() > 50 || values.iter().any(|v| v.len() > 500) {
        return Err(ValidationError::new(
            name,
            "takes at most 50 values of at most 500 characters",
        ));
    }
    Ok(values)
}

/// The unprefixed filter names, except those the list has its own parameters for.
fn filters(params: &Params<'_>) -> Result<Vec<Filter>, ValidationError> {
    let mut filters = Vec::new();
    for (key, value) in params.pairs() {
        let dimension = dimension_named(key)
            .filter(|d| !matches!(d, Dimension::Page | Dimension::EntryPage | Dimension::Goal));
        if let Some(dimension) = dimension {
            filters.push(parse_filter(key, dimension, value)?);
        }
    }
    Ok(filters)
}

/// `GET /visitors`.
///
/// # Errors
/// A 400 naming the bad parameter.
pub(crate) fn visitors(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<VisitorsRequest, ValidationError> {
    let params = Params::new(pairs)?;
    let timezone = timezone(&params, context)?;
    let range = parse_range(&params, &timezone.zone())?;
    let visited_pages = list(&params, "visitedPage", "page")?;
    let page_contains = list(&params, "visitedPageContains", "pageContains")?;
    let completed_goals = list(&params, "completedGoal", "goal")?;
    let is_customer = match params.either("isCustomer", "hasRevenue") {
        Some(raw) => Some(parse_bool("isCustomer", raw)?),
        None => None,
    };
    if is_customer.is_some() && !completed_goals.is_empty() {
        return Err(ValidationError::new(
            "isCustomer",
            "cannot be combined with completedGoal",
        ));
    }
    let filters = filters(&params)?;
    let (limit, offset) = parse_page(&params, 250)?;
    Ok(VisitorsRequest {
        range,
        timezone,
        visited_pages,
        page_contains,
        completed_goals,
        filters,
        is_customer,
        limit,
        offset,
    })
}
