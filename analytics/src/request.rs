//! Request parsing: the raw query pairs of every analytics and visitors route, plus the
//! website's defaults, become typed requests; bad input becomes a `ValidationError` naming the
//! parameter (a 400). Parameters no route knows (`websiteId`, cache busters) are ignored;
//! unknown `filter_*` names, unknown `fields`, malformed values and empty values are refused.

use datafast_domain::ValidationError;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, ToSpan};

use crate::filter::{Dimension, Filter};

/// What the website contributes to every request, and the moment "now" for defaults.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The website's time zone, used when the request has no `timezone`.
    pub timezone: TimeZoneName,
    pub currency: Currency,
    /// The website's setting, used when the request has no `includeRenewalRevenue`.
    pub include_renewal_revenue: bool,
    pub now: Timestamp,
}

/// An inclusive range of instants, in Unix milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl TimeRange {
    pub const ALL_TIME: TimeRange = TimeRange {
        start_ms: i64::MIN,
        end_ms: i64::MAX,
    };

    pub fn contains(&self, ms: i64) -> bool {
        self.start_ms <= ms && ms <= self.end_ms
    }
}

/// What overview, timeseries, breakdowns and funnel results share: the range, the zone, the
/// filters and the revenue options.
#[derive(Debug, Clone)]
pub struct Scope {
    /// `None` is all time.
    pub range: Option<TimeRange>,
    pub timezone: TimeZoneName,
    pub filters: Vec<Filter>,
    pub include_renewal_revenue: bool,
    pub currency: Currency,
}

impl Scope {
    pub fn range_or_all(&self) -> TimeRange {
        self.range.unwrap_or(TimeRange::ALL_TIME)
    }
}

pub const OVERVIEW_FIELDS: &[&str] = &[
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

pub const TIMESERIES_FIELDS: &[&str] = &[
    "name",
    "visitors",
    "sessions",
    "revenue",
    "payments",
    "conversion_rate",
];

#[derive(Debug, Clone)]
pub struct OverviewRequest {
    pub scope: Scope,
    /// In the order of [`OVERVIEW_FIELDS`].
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Hour,
    Day,
    Week,
    Month,
}

impl Interval {
    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Hour => "hour",
            Interval::Day => "day",
            Interval::Week => "week",
            Interval::Month => "month",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TimeseriesRequest {
    /// `scope.range` is always set: the given range or the interval's default.
    pub scope: Scope,
    /// As requested, deduplicated, in request order.
    pub fields: Vec<&'static str>,
    /// After the same-day upgrade to `hour`.
    pub interval: Interval,
    pub limit: usize,
    pub offset: usize,
}

impl TimeseriesRequest {
    pub fn wants(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }
}

/// The breakdown endpoints, by their path under `/api/v1/analytics/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Pages,
    Referrers,
    Campaigns,
    Goals,
    Countries,
    Regions,
    Cities,
    Devices,
    Browsers,
    OperatingSystems,
    Hostnames,
}

pub const CAMPAIGN_FIELDS: [&str; 8] = [
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "ref",
    "source",
    "via",
];

impl Breakdown {
    pub const ALL: [Breakdown; 11] = [
        Breakdown::Pages,
        Breakdown::Referrers,
        Breakdown::Campaigns,
        Breakdown::Goals,
        Breakdown::Countries,
        Breakdown::Regions,
        Breakdown::Cities,
        Breakdown::Devices,
        Breakdown::Browsers,
        Breakdown::OperatingSystems,
        Breakdown::Hostnames,
    ];

    /// The last path segment of the route.
    pub fn path(self) -> &'static str {
        match self {
            Breakdown::Pages => "pages",
            Breakdown::Referrers => "referrers",
            Breakdown::Campaigns => "campaigns",
            Breakdown::Goals => "goals",
            Breakdown::Countries => "countries",
            Breakdown::Regions => "regions",
            Breakdown::Cities => "cities",
            Breakdown::Devices => "devices",
            Breakdown::Browsers => "browsers",
            Breakdown::OperatingSystems => "operating-systems",
            Breakdown::Hostnames => "hostnames",
        }
    }

    pub fn from_path(path: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.path() == path)
    }

    /// Every value `fields` accepts, in response order; all of them when omitted.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Breakdown::Pages => &["hostname", "path", "visitors", "revenue", "payments"],
            Breakdown::Referrers => &["referrer", "visitors", "revenue", "payments"],
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
            Breakdown::Goals => &["goal", "completions", "visitors"],
            Breakdown::Countries => &["country", "image", "visitors", "revenue", "payments"],
            Breakdown::Regions => &["region", "visitors", "revenue", "payments"],
            Breakdown::Cities => &["city", "visitors", "revenue", "payments"],
            Breakdown::Devices => &["device", "visitors", "revenue", "payments"],
            Breakdown::Browsers => &["browser", "visitors", "revenue", "payments"],
            Breakdown::OperatingSystems => &["operating_system", "visitors", "revenue", "payments"],
            Breakdown::Hostnames => &["hostname", "visitors", "revenue", "payments"],
        }
    }
}

#[derive(Debug, Clone)]
pub struct BreakdownRequest {
    pub breakdown: Breakdown,
    pub scope: Scope,
    /// In the order of [`Breakdown::fields`].
    pub fields: Vec<&'static str>,
    pub limit: usize,
    pub offset: usize,
}

impl BreakdownRequest {
    pub fn wants(&self, field: &str) -> bool {
        self.fields.contains(&field)
    }
}

#[derive(Debug, Clone)]
pub struct VisitorsRequest {
    /// `None` is all time.
    pub range: Option<TimeRange>,
    pub timezone: TimeZoneName,
    /// Exact paths (`visitedPage`, alias `page`), at most 50.
    pub visited_pages: Vec<String>,
    /// Substrings (`visitedPageContains`, alias `pageContains`).
    pub page_contains: Vec<String>,
    /// Goal names (`completedGoal`, alias `goal`).
    pub completed_goals: Vec<String>,
    /// `country` to `via` and `hostname`, with the analytics filter syntax.
    pub filters: Vec<Filter>,
    /// `isCustomer`, alias `hasRevenue`.
    pub is_customer: Option<bool>,
    pub limit: usize,
    pub offset: usize,
}

/// Reads the query pairs: the first occurrence of a name wins, except filters, which all apply.
struct Params<'a> {
    pairs: &'a [(String, String)],
}

impl<'a> Params<'a> {
    /// Refuses a parameter given with an empty value: `?limit=` is a mistake to report, not a
    /// request for the default.
    fn new(pairs: &'a [(String, String)]) -> Result<Self, ValidationError> {
        match pairs.iter().find(|(_, value)| value.trim().is_empty()) {
            Some((name, _)) => Err(ValidationError::new(name.as_str(), "must not be empty")),
            None => Ok(Self { pairs }),
        }
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn either(&self, name: &str, alias: &str) -> Option<&'a str> {
        self.get(name).or_else(|| self.get(alias))
    }
}

fn timezone(
    params: &Params<'_>,
    context: &RequestContext,
) -> Result<TimeZoneName, ValidationError> {
    match params.get("timezone") {
        Some(name) => TimeZoneName::parse(name),
        None => Ok(context.timezone.clone()),
    }
}

/// A bound as written: a calendar date or a wall-clock time (both in the request's zone), or
/// an instant.
enum Bound {
    Date(Date),
    Local(jiff::civil::DateTime),
    Instant(Timestamp),
}

fn read_bound(field: &str, raw: &str) -> Result<Bound, ValidationError> {
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
        && let Ok(local) = text.parse::<jiff::civil::DateTime>()
    {
        return Ok(Bound::Local(local));
    }
    Err(ValidationError::new(
        field,
        "must be a date (YYYY-MM-DD) or an ISO 8601 timestamp such as 2026-01-31T00:00:00Z",
    ))
}

fn day_start(field: &str, date: Date, zone: &TimeZone) -> Result<i64, ValidationError> {
    date.to_zoned(zone.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| ValidationError::new(field, "is outside the supported dates"))
}

/// `startAt`/`endAt`: both or neither; dates are whole days in `zone`; a full-day UTC pair
/// (midnight to 23:59) is read as those dates, as the older docs promise.
pub(crate) fn parse_range(
    start: Option<&str>,
    end: Option<&str>,
    zone: &TimeZone,
) -> Result<Option<TimeRange>, ValidationError> {
    let (start, end) = match (start, end) {
        (None, None) => return Ok(None),
        (Some(_), None) => {
            return Err(ValidationError::new(
                "endAt",
                "startAt and endAt must be provided together",
            ));
        }
        (None, Some(_)) => {
            return Err(ValidationError::new(
                "startAt",
                "startAt and endAt must be provided together",
            ));
        }
        (Some(s), Some(e)) => (read_bound("startAt", s)?, read_bound("endAt", e)?),
    };
    let (start, end) = match (start, end) {
        (Bound::Instant(s), Bound::Instant(e)) if is_full_utc_day_pair(s, e) => (
            Bound::Date(s.to_zoned(TimeZone::UTC).date()),
            Bound::Date(e.to_zoned(TimeZone::UTC).date()),
        ),
        other => other,
    };
    let local = |field: &str, time: jiff::civil::DateTime| {
        time.to_zoned(zone.clone())
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|_| ValidationError::new(field, "is outside the supported dates"))
    };
    let start_ms = match start {
        Bound::Instant(t) => t.as_millisecond(),
        Bound::Local(t) => local("startAt", t)?,
        Bound::Date(d) => day_start("startAt", d, zone)?,
    };
    let end_ms = match end {
        Bound::Instant(t) => t.as_millisecond(),
        Bound::Local(t) => local("endAt", t)?,
        Bound::Date(d) => {
            let next = d
                .tomorrow()
                .map_err(|_| ValidationError::new("endAt", "is outside the supported dates"))?;
            day_start("endAt", next, zone)? - 1
        }
    };
    if end_ms < start_ms {
        return Err(ValidationError::new("endAt", "must not be before startAt"));
    }
    Ok(Some(TimeRange { start_ms, end_ms }))
}

fn is_full_utc_day_pair(start: Timestamp, end: Timestamp) -> bool {
    let s = start.to_zoned(TimeZone::UTC).time();
    let e = end.to_zoned(TimeZone::UTC).time();
    s == jiff::civil::Time::midnight() && e.hour() == 23 && e.minute() == 59 && start <= end
}

fn parse_fields(
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

/// Keeps the canonical order of `allowed` for endpoints whose rows have a fixed shape.
fn in_canonical_order(allowed: &[&'static str], chosen: &[&'static str]) -> Vec<&'static str> {
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
fn parse_page(params: &Params<'_>, max: usize) -> Result<(usize, usize), ValidationError> {
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

fn parse_bool(name: &str, raw: &str) -> Result<bool, ValidationError> {
    match raw.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ValidationError::new(name, "must be true or false")),
    }
}

/// Every `filter_<dimension>` and the old unprefixed names. `filter_<unknown>` is a 400.
fn parse_filters(params: &Params<'_>) -> Result<Vec<Filter>, ValidationError> {
    let mut filters = Vec::new();
    for (key, value) in params.pairs {
        let dimension = match key.strip_prefix("filter_") {
            Some(name) => Some(Dimension::from_name(name).ok_or_else(|| {
                ValidationError::new(
                    key.as_str(),
                    "unknown filter; see the documented filter_* names",
                )
            })?),
            None => Dimension::from_name(key),
        };
        if let Some(dimension) = dimension {
            filters.push(Filter::parse(key, dimension, value)?);
        }
    }
    Ok(filters)
}

fn parse_scope(params: &Params<'_>, context: &RequestContext) -> Result<Scope, ValidationError> {
    let timezone = timezone(params, context)?;
    let range = parse_range(params.get("startAt"), params.get("endAt"), &timezone.zone())?;
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
pub fn parse_overview(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<OverviewRequest, ValidationError> {
    let params = Params::new(pairs)?;
    let scope = parse_scope(&params, context)?;
    let fields = match parse_fields(&params, OVERVIEW_FIELDS, &[])? {
        Some(chosen) => in_canonical_order(OVERVIEW_FIELDS, &chosen),
        None => OVERVIEW_FIELDS.to_vec(),
    };
    Ok(OverviewRequest { scope, fields })
}

/// `GET /analytics/funnels/{id}`: range, zone, filters and revenue options.
///
/// # Errors
/// A 400 naming the bad parameter.
pub fn parse_funnel(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<Scope, ValidationError> {
    parse_scope(&Params::new(pairs)?, context)
}

/// `GET /analytics/<breakdown>`.
///
/// # Errors
/// A 400 naming the bad parameter.
pub fn parse_breakdown(
    breakdown: Breakdown,
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<BreakdownRequest, ValidationError> {
    let params = Params::new(pairs)?;
    let scope = parse_scope(&params, context)?;
    let allowed = breakdown.fields();
    let aliases: &[(&str, &'static str)] = match breakdown {
        Breakdown::Goals => &[("name", "goal")],
        Breakdown::OperatingSystems => &[("os", "operating_system")],
        _ => &[],
    };
    let fields = match parse_fields(&params, allowed, aliases)? {
        Some(chosen) => in_canonical_order(allowed, &chosen),
        None => allowed.to_vec(),
    };
    if breakdown == Breakdown::Campaigns && !fields.iter().any(|f| CAMPAIGN_FIELDS.contains(f)) {
        return Err(ValidationError::new(
            "fields",
            "must include at least one campaign field (utm_source, ..., via)",
        ));
    }
    let (limit, offset) = parse_page(&params, 1000)?;
    Ok(BreakdownRequest {
        breakdown,
        scope,
        fields,
        limit,
        offset,
    })
}

/// `GET /analytics/timeseries`: `fields` and `interval` are required.
///
/// # Errors
/// A 400 naming the bad parameter, including ranges with more than 100,000 buckets.
pub fn parse_timeseries(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<TimeseriesRequest, ValidationError> {
    let params = Params::new(pairs)?;
    let mut scope = parse_scope(&params, context)?;
    let fields = parse_fields(&params, TIMESERIES_FIELDS, &[])?.ok_or_else(|| {
        ValidationError::new(
            "fields",
            format!("is required: {}", TIMESERIES_FIELDS.join(", ")),
        )
    })?;
    let requested = match params.get("interval").map(str::trim) {
        Some("hour") => Interval::Hour,
        Some("day") => Interval::Day,
        Some("week") => Interval::Week,
        Some("month") => Interval::Month,
        Some(_) => {
            return Err(ValidationError::new(
                "interval",
                "must be hour, day, week or month",
            ));
        }
        None => {
            return Err(ValidationError::new(
                "interval",
                "is required: hour, day, week or month",
            ));
        }
    };
    let zone = scope.timezone.zone();
    let (range, interval) = match scope.range {
        Some(range) => {
            let same_day = local_date(range.start_ms, &zone) == local_date(range.end_ms, &zone);
            (range, if same_day { Interval::Hour } else { requested })
        }
        None => (default_range(requested, context.now, &zone)?, requested),
    };
    scope.range = Some(range);
    let (limit, offset) = parse_page(&params, 1000)?;
    let request = TimeseriesRequest {
        scope,
        fields,
        interval,
        limit,
        offset,
    };
    if crate::timeseries::bucket_starts(&request).is_none() {
        return Err(ValidationError::new(
            "startAt",
            "the range holds too many buckets for this interval (at most 100000)",
        ));
    }
    Ok(request)
}

pub(crate) fn local_date(ms: i64, zone: &TimeZone) -> Option<Date> {
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
) -> Result<TimeRange, ValidationError> {
    let local = now.to_zoned(zone.clone());
    let invalid = |_| ValidationError::new("startAt", "cannot build the default range");
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

/// `GET /analytics/realtime` and `/realtime/map`: dates and filters are ignored; `fields`
/// accepts only `visitors`.
///
/// # Errors
/// Any other field.
pub fn parse_realtime(pairs: &[(String, String)]) -> Result<(), ValidationError> {
    parse_fields(&Params::new(pairs)?, &["visitors"], &[]).map(|_| ())
}

/// `GET /visitors`: its own unprefixed parameters, `limit` at most 250.
///
/// # Errors
/// A 400 naming the bad parameter.
pub fn parse_visitors(
    pairs: &[(String, String)],
    context: &RequestContext,
) -> Result<VisitorsRequest, ValidationError> {
    let params = Params::new(pairs)?;
    let timezone = timezone(&params, context)?;
    let range = parse_range(params.get("startAt"), params.get("endAt"), &timezone.zone())?;
    let list = |name: &str, alias: &str| -> Result<Vec<String>, ValidationError> {
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
    };
    let visited_pages = list("visitedPage", "page")?;
    let page_contains = list("visitedPageContains", "pageContains")?;
    let completed_goals = list("completedGoal", "goal")?;
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
    let mut filters = Vec::new();
    for (key, value) in pairs {
        let dimension = Dimension::from_name(key)
            .filter(|d| !matches!(d, Dimension::Page | Dimension::EntryPage | Dimension::Goal));
        if let Some(dimension) = dimension {
            filters.push(Filter::parse(key, dimension, value)?);
        }
    }
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

#[cfg(test)]
mod empty_value_tests {
    use super::*;

    fn context() -> RequestContext {
        RequestContext {
            timezone: TimeZoneName::parse("UTC").unwrap(),
            currency: Currency::parse("USD").unwrap(),
            include_renewal_revenue: true,
            now: Timestamp::UNIX_EPOCH,
        }
    }

    fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
        raw.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// An empty value is refused on every route's parser, naming the parameter, known or not.
    #[test]
    fn an_empty_value_is_refused_naming_its_parameter() {
        let c = context();
        for name in [
            "limit",
            "visitedPage",
            "country",
            "filter_country",
            "cachebust",
        ] {
            let raw = pairs(&[("websiteId", "x"), (name, " ")]);
            let errors = [
                parse_overview(&raw, &c).err(),
                parse_funnel(&raw, &c).err(),
                parse_breakdown(Breakdown::Pages, &raw, &c).err(),
                parse_timeseries(&raw, &c).err(),
                parse_realtime(&raw).err(),
                parse_visitors(&raw, &c).err(),
            ];
            for error in errors {
                let error = error.expect("refused");
                assert_eq!(error.field, name);
                assert_eq!(error.message, "must not be empty");
            }
        }
        assert!(parse_visitors(&pairs(&[("limit", "5")]), &c).is_ok());
    }
}
