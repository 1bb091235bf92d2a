//! The query strings of the analytics routes (overview, timeseries, breakdowns, realtime,
//! funnel results) read into the engine's typed requests. The website's defaults come in a
//! [`RequestContext`] from the use case's view, so a request that names no zone, range or
//! renewal setting gets the website's; breaking a rule of the engine's (a reversed range,
//! too many buckets) is reported against the parameter that broke it.

use jiff::tz::TimeZone;

use datafast_analytics::{
    Breakdown, BreakdownRequest, CampaignTag, Interval, OverviewRequest, RequestContext, RuleError,
    Scope, TimeRange, TimeseriesRequest, resolve_range,
};
use datafast_domain::ValidationError;
use datafast_domain::time::TimeZoneName;

use crate::wire::filter_query::parse_filters;
use crate::wire::query_params::{
    Params, in_canonical_order, parse_bool, parse_fields, parse_page, read_bound,
};

/// A typed request and the fields its answer shows, in the answer's order.
#[derive(Debug)]
pub(crate) struct Asked<R> {
    pub(crate) request: R,
    pub(crate) fields: Vec<&'static str>,
}

pub(crate) const OVERVIEW_FIELDS: &[&str] = &[
    "visitors",
    "sessions",
    "bounce_rate",
    "avg_session_duration",
    "currency",
    "revenue",
    "payments",
    "revenue_per_visitor",
    "conversion_rate",
];

/// The overview's fields and `mrr`, which it shows when asked, or unasked on a website that
/// leads with MRR (this server's addition: DataFast's overview has no MRR field).
pub(crate) const OVERVIEW_FIELDS_AND_MRR: &[&str] = &[
    "visitors",
    "sessions",
    "bounce_rate",
    "avg_session_duration",
    "currency",
    "revenue",
    "payments",
    "revenue_per_visitor",
    "conversion_rate",
    "mrr",
];

pub(crate) const TIMESERIES_FIELDS: &[&str] = &[
    "name",
    "visitors",
    "sessions",
    "revenue",
    "payments",
    "conversion_rate",
];

/// The campaign fields, in the order of [`CampaignTag::ALL`].
pub(crate) const CAMPAIGN_FIELDS: [&str; 8] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "ref",
    "source",
    "via",
];

/// Every value a breakdown's `fields` accepts, in answer order; all of them when omitted,
/// except on goals (see [`breakdown_default_fields`]).
pub(crate) fn breakdown_fields(breakdown: Breakdown) -> &'static [&'static str] {
    match breakdown {
        Breakdown::Pages => &["hostname", "path", "visitors", "revenue", "payments"],
        Breakdown::Referrers => &["referrer", "visitors", "revenue", "payments"],
        Breakdown::Channels => &["channel", "visitors", "revenue", "payments"],
        Breakdown::Campaigns => &[
            "utm_source",
            "utm_medium",
            "utm_campaign",
            "utm_term",
            "utm_content",
            "ref",
            "source",
            "via",
            "visitors",
            "revenue",
            "payments",
        ],
        Breakdown::Goals => &["goal", "completions", "visitors", "revenue", "payments"],
        Breakdown::Countries => &["country", "image", "visitors", "revenue", "payments"],
        Breakdown::Regions => &["region", "visitors", "revenue", "payments"],
        Breakdown::Cities => &["city", "visitors", "revenue", "payments"],
        Breakdown::Devices => &["device", "visitors", "revenue", "payments"],
        Breakdown::Browsers => &["browser", "visitors", "revenue", "payments"],
        Breakdown::OperatingSystems => &["operating_system", "visitors", "revenue", "payments"],
        Breakdown::Hostnames => &["hostname", "visitors", "revenue", "payments"],
        Breakdown::EntryPages => &[
            "hostname", "path", "visitors", "entries", "revenue", "payments",
        ],
        Breakdown::ExitPages => &["hostname", "path", "visitors", "exits", "exitRate"],
    }
}

/// The fields of a breakdown's answer when `fields` is omitted: every accepted one, except on
/// goals, which keep DataFast's documented `goal, completions, visitors` and show this
/// server's `revenue` and `payments` only when asked, so existing clients see the same shape.
pub(crate) fn breakdown_default_fields(breakdown: Breakdown) -> &'static [&'static str] {
    match breakdown {
        Breakdown::Goals => &["goal", "completions", "visitors"],
        other => breakdown_fields(other),
    }
}

/// A rule of the engine's, reported against the parameter that broke it.
pub(crate) fn rule_error(error: RuleError) -> ValidationError {
    match error {
        RuleError::StartOutsideDates => {
            ValidationError::new("startAt", "is outside the supported dates")
        }
        RuleError::EndOutsideDates => {
            ValidationError::new("endAt", "is outside the supported dates")
        }
        RuleError::EndBeforeStart => ValidationError::new("endAt", "must not be before startAt"),
        RuleError::NoDefaultRange => {
            ValidationError::new("startAt", "cannot build the default range")
        }
        RuleError::TooManyBuckets => ValidationError::new(
            "startAt",
            "the range holds too many buckets for this interval (at most 100000)",
        ),
    }
}

/// `timezone`, or the website's.
pub(crate) fn timezone(
    params: &Params<'_>,
    context: &RequestContext,
) -> Result<TimeZoneName, ValidationError> {
    match params.get("timezone") {
        Some(name) => TimeZoneName::parse(name),
        None => Ok(context.timezone.clone()),
    }
}

/// `startAt`/`endAt`: both or neither, read in `zone`.
pub(crate) fn parse_range(
    params: &Params<'_>,
    zone: &TimeZone,
) -> Result<Option<TimeRange>, ValidationError> {
    match (params.get("startAt"), params.get("endAt")) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ValidationError::new(
            "endAt",
            "startAt and endAt must be provided together",
        )),
        (None, Some(_)) => Err(ValidationError::new(
            "startAt",
            "startAt and endAt must be provided together",
        )),
        (Some(start), Some(end)) => {
            let (start, end) = (read_bound("startAt", start)?, read_bound("endAt", end)?);
            resolve_range(start, end, zone)
                .map(Some)
                .map_err(rule_error)
        }
    }
}

fn parse_scope(params: &Params<'_>, context: &RequestContext) -> Result<Scope, ValidationError> {
    let timezone = timezone(params, context)?;
    let range = parse_range(params, &timezone.zone())?;
    let include_renewal_revenue = match params.get("includeRenewalRevenue") {
        Some(raw) => parse_bool("includeRenewalRevenue", raw)?,
        None => context.include_renewal_revenue,
    };
    Ok(Scope {
        range,
        timezone,
        filters: parse_filters(params)?,
        include_renewal_revenue,
        currency: context.currency.clone(),
    })
}

/// `GET /analytics/overview`.
///
/// # Errors
/// A 400 naming the bad parameter.
pub(crate) fn overview(
    pairs: &[(String, String)],
    context: &RequestContext,
    leads_with_mrr: bool,
) -> Result<Asked<OverviewRequest>, ValidationError> {
    let params = Params::new(pairs)?;
    let scope = parse_scope(&params, context)?;
    let fields = match parse_fields(&params, OVERVIEW_FIELDS_AND_MRR, &[])? {
        Some(chosen) => in_canonical_order(OVERVIEW_FIELDS_AND_MRR, &chosen),
        None if leads_with_mrr => OVERVIEW_FIELDS_AND_MRR.to_vec(),
        None => OVERVIEW_FIELDS.to_vec(),
    };
    Ok(Asked {
        request: OverviewRequest { scope },
        fields,
    })
}

/// `GET /analytics/funnels/{id}`: range, zone, filters and revenue options.
///
/// # Errors
/// A 400 naming the bad parameter.
pub(crate) fn funnel(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<Scope, ValidationError> {
    parse_scope(&Params::new(pairs)?, context)
}

/// `GET /analytics/<breakdown>`.
///
/// # Errors
/// A 400 naming the bad parameter.
pub(crate) fn breakdown(
    breakdown: Breakdown,
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<Asked<BreakdownRequest>, ValidationError> {
    let params = Params::new(pairs)?;
    let scope = parse_scope(&params, context)?;
    let allowed = breakdown_fields(breakdown);
    let aliases: &[(&str, &'static str)] = match breakdown {
        Breakdown::Goals => &[("name", "goal")],
        Breakdown::OperatingSystems => &[("os", "operating_system")],
        _ => &[],
    };
    let fields = match parse_fields(&params, allowed, aliases)? {
        Some(chosen) => in_canonical_order(allowed, &chosen),
        None => breakdown_default_fields(breakdown).to_vec(),
    };
    let campaign_tags: Vec<CampaignTag> = CampaignTag::ALL
        .into_iter()
        .zip(CAMPAIGN_FIELDS)
        .filter(|(_, name)| fields.contains(name))
        .map(|(tag, _)| tag)
        .collect();
    if breakdown == Breakdown::Campaigns && campaign_tags.is_empty() {
        return Err(ValidationError::new(
            "fields",
            "must include at least one campaign field (utm_source, ..., via)",
        ));
    }
    let (limit, offset) = parse_page(&params, 1000)?;
    let request = BreakdownRequest {
        breakdown,
        scope,
        campaign_tags,
        limit,
        offset,
    };
    Ok(Asked { request, fields })
}

/// `interval`, required.
fn parse_interval(params: &Params<'_>) -> Result<Interval, ValidationError> {
    match params.get("interval").map(str::trim) {
        Some("hour") => Ok(Interval::Hour),
        Some("day") => Ok(Interval::Day),
        Some("week") => Ok(Interval::Week),
        Some("month") => Ok(Interval::Month),
        Some(_) => Err(ValidationError::new(
            "interval",
            "must be hour, day, week or month",
        )),
        None => Err(ValidationError::new(
            "interval",
            "is required; choose one of hour, day, week or month",
        )),
    }
}

/// `GET /analytics/timeseries`: `fields` and `interval` are required; `fields` keep their
/// request order.
///
/// # Errors
/// A 400 naming the bad parameter, including ranges with more than 100,000 buckets.
pub(crate) fn timeseries(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<Asked<TimeseriesRequest>, ValidationError> {
    let params = Params::new(pairs)?;
    let scope = parse_scope(&params, context)?;
    let fields = parse_fields(&params, TIMESERIES_FIELDS, &[])?.ok_or_else(|| {
        ValidationError::new(
            "fields",
            format!(
                "is required; choose one or more of {}, separated by commas \
                 (fields=visitors,revenue)",
                TIMESERIES_FIELDS.join(", ")
            ),
        )
    })?;
    let interval = parse_interval(&params)?;
    let (limit, offset) = parse_page(&params, 1000)?;
    let request =
        TimeseriesRequest::new(scope, interval, limit, offset, context.now).map_err(rule_error)?;
    Ok(Asked { request, fields })
}

/// `GET /analytics/realtime` and `/realtime/map`: dates and filters are ignored; `fields`
/// accepts only `visitors`.
///
/// # Errors
/// Any other field.
pub(crate) fn realtime(pairs: &[(String, String)]) -> Result<(), ValidationError> {
    parse_fields(&Params::new(pairs)?, &["visitors"], &[]).map(|_| ())
}
