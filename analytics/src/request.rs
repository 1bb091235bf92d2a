//! Typed requests: what every analytics and visitors query asks for, once read. Reading them
//! from a query string (parameter names, spellings, the errors naming a parameter) is the HTTP
//! adapter's job; the rules that complete them from the website's defaults are
//! [`crate::resolve_range`] and [`TimeseriesRequest::new`].

use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::Timestamp;

use crate::filter::Filter;

/// What the website contributes to every request, and the moment "now" for defaults.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The website's time zone, used when the request names none.
    pub timezone: TimeZoneName,
    pub currency: Currency,
    /// The website's setting, used when the request does not say whether to count renewals.
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
    /// All time, unfiltered, with the website's zone, currency and renewal setting.
    pub fn of_website(context: &RequestContext) -> Self {
        Self {
            range: None,
            timezone: context.timezone.clone(),
            filters: Vec::new(),
            include_renewal_revenue: context.include_renewal_revenue,
            currency: context.currency.clone(),
        }
    }

    pub fn range_or_all(&self) -> TimeRange {
        self.range.unwrap_or(TimeRange::ALL_TIME)
    }
}

/// `GET /analytics/overview`: every metric is computed; which ones a client sees is a choice
/// of the answer's shape.
#[derive(Debug, Clone)]
pub struct OverviewRequest {
    pub scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    Hour,
    Day,
    Week,
    Month,
}

/// `GET /analytics/timeseries`, built by [`TimeseriesRequest::new`].
#[derive(Debug, Clone)]
pub struct TimeseriesRequest {
    /// `scope.range` is always set: the given range or the interval's default.
    pub scope: Scope,
    /// After the same-day upgrade to `hour`.
    pub interval: Interval,
    pub limit: usize,
    pub offset: usize,
}

/// The breakdown endpoints.
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
    /// Per session, the page of its earliest selected pageview.
    EntryPages,
    /// Per session, the page of its latest selected pageview.
    ExitPages,
    /// The channel of each event's acquisition (this server's addition).
    Channels,
}

impl Breakdown {
    pub const ALL: [Breakdown; 14] = [
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
        Breakdown::EntryPages,
        Breakdown::ExitPages,
        Breakdown::Channels,
    ];
}

/// The tags a campaigns breakdown can group by, in the order of a campaign key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CampaignTag {
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Ref,
    Source,
    Via,
}

impl CampaignTag {
    pub const ALL: [CampaignTag; 8] = [
        CampaignTag::UtmSource,
        CampaignTag::UtmMedium,
        CampaignTag::UtmCampaign,
        CampaignTag::UtmTerm,
        CampaignTag::UtmContent,
        CampaignTag::Ref,
        CampaignTag::Source,
        CampaignTag::Via,
    ];
}

#[derive(Debug, Clone)]
pub struct BreakdownRequest {
    pub breakdown: Breakdown,
    pub scope: Scope,
    /// The campaigns breakdown groups by these tags (the others read `None` in its keys);
    /// other breakdowns ignore them.
    pub campaign_tags: Vec<CampaignTag>,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone)]
pub struct VisitorsRequest {
    /// `None` is all time.
    pub range: Option<TimeRange>,
    pub timezone: TimeZoneName,
    /// Exact paths: a visitor qualifies with a pageview of one of them.
    pub visited_pages: Vec<String>,
    /// Substrings, any case: a visitor qualifies with a pageview whose path holds one.
    pub page_contains: Vec<String>,
    /// Goal names: a visitor qualifies by completing one (and `lastSeenAt` is then when).
    pub completed_goals: Vec<String>,
    /// Analytics filters on the events, without page, entry page and goal filters.
    pub filters: Vec<Filter>,
    /// Only visitors with (`true`) or without (`false`) a non-refunded payment.
    pub is_customer: Option<bool>,
    pub limit: usize,
    pub offset: usize,
}
