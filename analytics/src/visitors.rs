//! Visitor-level answers: the visitors list, one visitor's profile, and the realtime map.

use std::collections::{BTreeMap, HashMap, HashSet};

use datafast_domain::event::EventKind;
use datafast_domain::id::WebsiteId;
use datafast_domain::time::iso_millis;
use jiff::Timestamp;
use serde::Serialize;

use crate::engine::realtime_window;
use crate::filter::Filter;
use crate::index::{
    AnalyticsIndex, ContextRow, KIND_MASK, NONE, PAGEVIEW, ProfileRow, SERVER_ORIGIN, SiteIndex,
};
use crate::request::{TimeRange, VisitorsRequest};
use crate::scan::{BitSet, Selection};

fn iso(ms: i64) -> String {
    Timestamp::from_millisecond(ms)
        .map(iso_millis)
        .unwrap_or_default()
}

fn kind_of(code: u8) -> EventKind {
    match code & KIND_MASK {
        0 => EventKind::Pageview,
        1 => EventKind::Custom,
        2 => EventKind::Payment,
        3 => EventKind::Identify,
        _ => EventKind::ExternalLink,
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ListIdentity {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub browser: String,
    pub os: String,
    pub device: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Params {
    #[serde(rename = "ref")]
    pub ref_param: Option<String>,
    pub source: Option<String>,
    pub via: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Acquisition {
    pub referrer: Option<String>,
    pub params: Params,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitorListRow {
    #[serde(rename = "visitorId")]
    pub visitor_id: String,
    #[serde(rename = "lastSeenAt")]
    pub last_seen_at: String,
    #[serde(rename = "currentUrl")]
    pub current_url: Option<String>,
    pub identity: ListIdentity,
    pub acquisition: Acquisition,
    #[serde(rename = "isCustomer")]
    pub is_customer: bool,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct VisitorsPagination {
    pub offset: usize,
    pub limit: usize,
    #[serde(rename = "hasMore")]
    pub has_more: bool,
}

/// `GET /visitors`: `{"data": [...], "pagination": {offset, limit, hasMore}}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitorsResponse {
    pub data: Vec<VisitorListRow>,
    pub pagination: VisitorsPagination,
}

fn s(site: &SiteIndex, id: u32) -> Option<String> {
    site.strings.value_opt(id).map(str::to_owned)
}

fn params_of(site: &SiteIndex, c: &ContextRow) -> Params {
    Params {
        ref_param: s(site, c.ref_param),
        source: s(site, c.source_param),
        via: s(site, c.via),
        utm_source: s(site, c.utm_source),
        utm_medium: s(site, c.utm_medium),
        utm_campaign: s(site, c.utm_campaign),
        utm_content: s(site, c.utm_content),
        utm_term: s(site, c.utm_term),
    }
}

fn url_of(site: &SiteIndex, page: u32) -> String {
    format!("{}{}", site.page_host(page), site.page_path(page))
}

/// What the list keeps per visitor while scanning: the latest (timestamp, position) of any
/// selected event, of a pageview, and of a matching goal, and whether page conditions held.
#[derive(Debug, Clone, Copy)]
struct Seen {
    last: (i64, u32),
    last_pageview: (i64, u32),
    last_goal: (i64, u32),
    visited_page: bool,
    page_contains: bool,
}

const NEVER: (i64, u32) = (i64::MIN, NONE);

/// Visitors with a non-refunded payment, ever.
fn customers(site: &SiteIndex) -> BitSet {
    let mut set = BitSet::new(site.visitors.len());
    for row in &site.payments {
        if !row.payment.refunded && row.visitor != NONE {
            set.insert(row.visitor);
        }
    }
    set
}

/// The visitors with a selected event in `range` that meet `request`'s criteria, as
/// (lastSeenAt, visitor, latest selected event, latest selected pageview), unordered.
fn scan_visitors(
    site: &SiteIndex,
    range: TimeRange,
    request: &VisitorsRequest,
    customers: &BitSet,
) -> Vec<(i64, u32, u32, Option<u32>)> {
    let selection = Selection::new(site, range, &request.filters);
    let goal_ids: Vec<u32> = request
        .completed_goals
        .iter()
        .filter_map(|g| site.strings.get(g))
        .collect();
    // Per page: (is a visited page asked for, contains an asked substring).
    let page_hits: Vec<(bool, bool)> = (0..site.pages.len() as u32)
        .map(|page| {
            let path = site.page_path(page);
            let lower = path.to_ascii_lowercase();
            (
                request.visited_pages.iter().any(|p| p == path),
                request
                    .page_contains
                    .iter()
                    .any(|p| lower.contains(&p.to_ascii_lowercase())),
            )
        })
        .collect();
    let unseen = Seen {
        last: NEVER,
        last_pageview: NEVER,
        last_goal: NEVER,
        visited_page: false,
        page_contains: false,
    };
    // Per visitor, the index of their entry in `seen`, which holds only the visitors met.
    let mut slot = vec![NONE; site.visitors.len()];
    let mut seen: Vec<Seen> = Vec::new();
    let mut touched: Vec<u32> = Vec::new();
    selection.for_each(|at| {
        let visitor = site.visitor[at];
        let index = &mut slot[visitor as usize];
        if *index == NONE {
            *index = seen.len() as u32;
            seen.push(unseen);
            touched.push(visitor);
        }
        let entry = &mut seen[*index as usize];
        let here = (site.ts[at], at as u32);
        entry.last = entry.last.max(here);
        let kind = site.kind[at] & KIND_MASK;
        if kind == PAGEVIEW {
            entry.last_pageview = entry.last_pageview.max(here);
            let (visited, contains) = page_hits[site.page[at] as usize];
            entry.visited_page |= visited;
            entry.page_contains |= contains;
        } else if goal_ids.contains(&site.goal[at]) {
            entry.last_goal = entry.last_goal.max(here);
        }
    });
    touched
        .into_iter()
        .filter_map(|visitor| {
            let s = &seen[slot[visitor as usize] as usize];
            let keep = (request.visited_pages.is_empty() || s.visited_page)
                && (request.page_contains.is_empty() || s.page_contains)
                && (request.completed_goals.is_empty() || s.last_goal != NEVER)
                && request
                    .is_customer
                    .is_none_or(|wanted| customers.contains(visitor) == wanted);
            // Searching by goal, lastSeenAt is when the goal was completed.
            let seen_at = if request.completed_goals.is_empty() {
                s.last.0
            } else {
                s.last_goal.0
            };
            let pageview = (s.last_pageview != NEVER).then_some(s.last_pageview.1);
            keep.then_some((seen_at, visitor, s.last.1, pageview))
        })
        .collect()
}

/// One list row, from the visitor's latest selected event and pageview.
pub(crate) fn list_row(
    site: &SiteIndex,
    visitor: u32,
    last_seen: i64,
    latest_at: u32,
    latest_pageview: Option<u32>,
    is_customer: bool,
) -> VisitorListRow {
    let context = site
        .contexts
        .get(site.ctx[latest_at as usize] as usize)
        .copied();
    let first = site
        .visitors
        .get(visitor as usize)
        .and_then(|v| v.first_touch())
        .and_then(|t| site.contexts.get(t.ctx as usize).copied());
    let identity = match context {
        Some(c) => ListIdentity {
            country: s(site, c.country),
            region: s(site, c.region),
            city: s(site, c.city),
            browser: site.strings.value(c.browser).to_owned(),
            os: site.strings.value(c.os).to_owned(),
            device: site.strings.value(c.device).to_owned(),
        },
        None => ListIdentity {
            country: None,
            region: None,
            city: None,
            browser: String::new(),
            os: String::new(),
            device: String::new(),
        },
    };
    let acquisition = match first {
        Some(c) => Acquisition {
            referrer: s(site, c.referrer),
            params: params_of(site, &c),
        },
        None => Acquisition {
            referrer: None,
            params: params_of(site, &EMPTY_CONTEXT),
        },
    };
    VisitorListRow {
        visitor_id: site.visitor_ids.value(visitor).to_owned(),
        last_seen_at: iso(last_seen),
        current_url: latest_pageview.map(|at| url_of(site, site.page[at as usize])),
        identity,
        acquisition,
        is_customer,
    }
}

const EMPTY_CONTEXT: ContextRow = ContextRow {
    referrer: NONE,
    source: NONE,
    utm_source: NONE,
    utm_medium: NONE,
    utm_campaign: NONE,
    utm_term: NONE,
    utm_content: NONE,
    ref_param: NONE,
    source_param: NONE,
    via: NONE,
    browser: NONE,
    browser_version: NONE,
    os: NONE,
    os_version: NONE,
    device: NONE,
    country: NONE,
    region: NONE,
    city: NONE,
};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Named {
    pub name: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Versioned {
    pub name: String,
    pub version: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeviceInfo {
    #[serde(rename = "type")]
    pub kind: String,
    pub vendor: Option<String>,
    pub model: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitorIdentity {
    pub country: Option<String>,
    #[serde(rename = "countryCode")]
    pub country_code: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub params: Params,
    pub browser: Versioned,
    pub os: Versioned,
    pub device: DeviceInfo,
    pub viewport: Option<serde_json::Value>,
    #[serde(rename = "adClickIds")]
    pub ad_click_ids: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitedPage {
    pub url: String,
    pub timestamp: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CompletedGoal {
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "isServer")]
    pub is_server: bool,
    /// `manual` or `payment_provider`; absent in `completedCustomGoals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'static str>,
    pub timestamp: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitorActivity {
    #[serde(rename = "visitCount")]
    pub visit_count: u64,
    #[serde(rename = "pageViewCount")]
    pub page_view_count: u64,
    #[serde(rename = "timeSinceFirstVisit")]
    pub time_since_first_visit: i64,
    #[serde(rename = "timeSinceCurrentVisit")]
    pub time_since_current_visit: i64,
    #[serde(rename = "firstVisitAt")]
    pub first_visit_at: String,
    #[serde(rename = "lastVisitAt")]
    pub last_visit_at: String,
    #[serde(rename = "currentUrl")]
    pub current_url: Option<String>,
    #[serde(rename = "visitedPages")]
    pub visited_pages: Vec<VisitedPage>,
    #[serde(rename = "completedCustomGoals")]
    pub completed_custom_goals: Vec<CompletedGoal>,
    #[serde(rename = "completedGoals")]
    pub completed_goals: Vec<CompletedGoal>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProfileView {
    #[serde(rename = "userId")]
    pub user_id: String,
    pub metadata: BTreeMap<String, String>,
    #[serde(rename = "identifiedAt")]
    pub identified_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitorDetail {
    #[serde(rename = "visitorId")]
    pub visitor_id: String,
    pub identity: VisitorIdentity,
    pub activity: VisitorActivity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileView>,
    /// Always `null`: no conversion modelling.
    pub prediction: Option<serde_json::Value>,
}

/// `GET /visitors/{id}`: `{"data": {...}}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct VisitorResponse {
    pub data: VisitorDetail,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapLocation {
    pub city: Option<String>,
    pub region: Option<String>,
    #[serde(rename = "countryCode")]
    pub country_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapSystem {
    pub browser: Named,
    pub os: Named,
    pub device: DeviceType,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeviceType {
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ProfileData {
    #[serde(rename = "displayName")]
    pub display_name: Option<String>,
    #[serde(rename = "userId")]
    pub user_id: Option<String>,
    #[serde(rename = "hasProfile")]
    pub has_profile: bool,
    #[serde(rename = "isRandomName")]
    pub is_random_name: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapVisitor {
    #[serde(rename = "visitorId")]
    pub visitor_id: String,
    pub location: MapLocation,
    pub system: MapSystem,
    #[serde(rename = "currentUrl")]
    pub current_url: Option<String>,
    pub referrer: Option<String>,
    #[serde(rename = "sessionStartTime")]
    pub session_start_time: String,
    #[serde(rename = "visitCount")]
    pub visit_count: u64,
    pub params: Params,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    #[serde(rename = "isCustomer")]
    pub is_customer: bool,
    #[serde(rename = "customerName")]
    pub customer_name: Option<String>,
    #[serde(rename = "customerEmail")]
    pub customer_email: Option<String>,
    #[serde(rename = "profileData")]
    pub profile_data: ProfileData,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapEvent {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "visitorId")]
    pub visitor_id: String,
    pub timestamp: String,
    pub path: String,
    #[serde(rename = "countryCode")]
    pub country_code: Option<String>,
    #[serde(rename = "extraData")]
    pub extra_data: BTreeMap<String, String>,
    pub referrer: Option<String>,
    #[serde(rename = "customerName")]
    pub customer_name: Option<String>,
    pub amount: Option<f64>,
    #[serde(rename = "displayName")]
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MapPayment {
    #[serde(rename = "_id")]
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub timestamp: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub amount: f64,
    pub currency: String,
    pub renewal: bool,
    #[serde(rename = "displayName")]
    pub display_name: Option<String>,
    #[serde(rename = "isNew")]
    pub is_new: bool,
    pub visible: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RealtimeMap {
    pub count: u64,
    pub visitors: Vec<MapVisitor>,
    #[serde(rename = "hasConversionPredictions")]
    pub has_conversion_predictions: bool,
    #[serde(rename = "recentEvents")]
    pub recent_events: Vec<MapEvent>,
    #[serde(rename = "recentPayments")]
    pub recent_payments: Vec<MapPayment>,
}

/// `GET /analytics/realtime/map`: `{"data": {...}}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RealtimeMapResponse {
    pub data: RealtimeMap,
}

/// At most this many recent events and payments on the realtime map.
pub const RECENT_LIMIT: usize = 50;

fn display_name(site: &SiteIndex, visitor: u32) -> Option<String> {
    let profile = site.profiles.get(&visitor)?;
    profile
        .metadata
        .iter()
        .find(|(name, _)| site.strings.value(*name) == "name")
        .map(|(_, value)| site.strings.value(*value).to_owned())
}

/// A profile's properties by name; names past their cap all read `(other)`, and the last of
/// them wins.
fn metadata_of(site: &SiteIndex, profile: &ProfileRow) -> BTreeMap<String, String> {
    profile
        .metadata
        .iter()
        .map(|(name, value)| {
            (
                site.strings.value(*name).to_owned(),
                site.strings.value(*value).to_owned(),
            )
        })
        .collect()
}

impl AnalyticsIndex {
    /// `GET /visitors`.
    pub fn visitors(&self, website: WebsiteId, request: &VisitorsRequest) -> VisitorsResponse {
        let pagination = |has_more| VisitorsPagination {
            offset: request.offset,
            limit: request.limit,
            has_more,
        };
        let Some(site) = self.site(website) else {
            return VisitorsResponse {
                data: Vec::new(),
                pagination: pagination(false),
            };
        };
        let customers = customers(site);
        let range = request.range.unwrap_or(TimeRange::ALL_TIME);
        let unfiltered = range == TimeRange::ALL_TIME
            && request.filters.is_empty()
            && request.visited_pages.is_empty()
            && request.page_contains.is_empty()
            && request.completed_goals.is_empty();
        // Per listed visitor: (lastSeenAt, visitor, latest selected event, latest selected
        // pageview). Unfiltered and all time, every visitor's latest events are kept by the
        // index; otherwise the selected events are scanned.
        let mut matches: Vec<(i64, u32, u32, Option<u32>)> = if unfiltered {
            (0..site.visitors.len() as u32)
                .filter(|visitor| {
                    request
                        .is_customer
                        .is_none_or(|wanted| customers.contains(*visitor) == wanted)
                })
                .filter_map(|visitor| {
                    let latest = site.latest_event.get(visitor as usize).copied()?;
                    let pageview = site.latest_pageview.get(visitor as usize).copied();
                    (latest != NEVER).then(|| {
                        let pageview = pageview.filter(|p| *p != NEVER).map(|p| p.1);
                        (latest.0, visitor, latest.1, pageview)
                    })
                })
                .collect()
        } else {
            scan_visitors(site, range, request, &customers)
        };
        // Latest first, then by visitor id; rows are built for the page only. Only the rows up
        // to the page's end need an order: they are selected first (linear), then sorted, so
        // an all-time list of a million visitors does not sort them all.
        let order = |a: &(i64, u32, u32, Option<u32>), b: &(i64, u32, u32, Option<u32>)| {
            b.0.cmp(&a.0)
                .then_with(|| site.visitor_ids.value(a.1).cmp(site.visitor_ids.value(b.1)))
        };
        let page_end = request.offset.saturating_add(request.limit);
        let has_more = matches.len() > page_end;
        if has_more && page_end > 0 {
            matches.select_nth_unstable_by(page_end, order);
            matches.truncate(page_end);
        }
        matches.sort_unstable_by(order);
        let data = matches
            .into_iter()
            .skip(request.offset)
            .take(request.limit)
            .map(|(seen_at, visitor, latest, pageview)| {
                list_row(
                    site,
                    visitor,
                    seen_at,
                    latest,
                    pageview,
                    customers.contains(visitor),
                )
            })
            .collect();
        VisitorsResponse {
            data,
            pagination: pagination(has_more),
        }
    }

    /// `GET /visitors/{id}`: `None` when the visitor has no pageview on this website (a 404).
    pub fn visitor(
        &self,
        website: WebsiteId,
        visitor_id: &str,
        now: Timestamp,
    ) -> Option<VisitorResponse> {
        let site = self.site(website)?;
        let visitor = site.visitor_ids.get(visitor_id)?;
        let mut events: Vec<usize> = (0..site.ts.len())
            .filter(|at| site.visitor[*at] == visitor)
            .collect();
        events.sort_by_key(|at| (site.ts[*at], *at));
        let pageviews: Vec<usize> = events
            .iter()
            .copied()
            .filter(|at| site.kind[*at] & KIND_MASK == PAGEVIEW)
            .collect();
        let latest_pageview = *pageviews.last()?;
        let first = *events.first()?;
        let latest = *events.last()?;
        let context = site.contexts.get(site.ctx[latest] as usize).copied()?;
        let first_touch = site
            .visitors
            .get(visitor as usize)
            .and_then(|v| v.first_touch())
            .and_then(|t| site.contexts.get(t.ctx as usize).copied())
            .unwrap_or(context);
        let sessions: HashSet<u32> = events.iter().map(|at| site.session[*at]).collect();
        let current_start = site
            .sessions
            .get(site.session[latest] as usize)
            .map_or(site.ts[latest], |s| s.first_ts);
        let now_ms = now.as_millisecond();
        let goal = |at: usize, with_origin: bool| CompletedGoal {
            name: site.strings.value(site.goal[at]).to_owned(),
            description: site
                .descriptions
                .get(&(at as u32))
                .map(|d| site.strings.value(*d).to_owned()),
            is_server: site.kind[at] & SERVER_ORIGIN != 0,
            origin: with_origin.then_some(if kind_of(site.kind[at]) == EventKind::Payment {
                "payment_provider"
            } else {
                "manual"
            }),
            timestamp: iso(site.ts[at]),
        };
        let custom: Vec<CompletedGoal> = events
            .iter()
            .filter(|at| kind_of(site.kind[**at]) == EventKind::Custom)
            .map(|at| goal(*at, false))
            .collect();
        let all_goals: Vec<CompletedGoal> = events
            .iter()
            .filter(|at| {
                matches!(
                    kind_of(site.kind[**at]),
                    EventKind::Custom | EventKind::Payment
                ) && site.goal[**at] != NONE
            })
            .map(|at| goal(*at, true))
            .collect();
        let country = s(site, context.country);
        Some(VisitorResponse {
            data: VisitorDetail {
                visitor_id: visitor_id.to_owned(),
                identity: VisitorIdentity {
                    country: country.clone(),
                    country_code: country,
                    region: s(site, context.region),
                    city: s(site, context.city),
                    params: params_of(site, &first_touch),
                    browser: Versioned {
                        name: site.strings.value(context.browser).to_owned(),
                        version: s(site, context.browser_version),
                    },
                    os: Versioned {
                        name: site.strings.value(context.os).to_owned(),
                        version: s(site, context.os_version),
                    },
                    device: DeviceInfo {
                        kind: site.strings.value(context.device).to_owned(),
                        vendor: None,
                        model: None,
                    },
                    viewport: None,
                    ad_click_ids: BTreeMap::new(),
                },
                activity: VisitorActivity {
                    visit_count: sessions.len() as u64,
                    page_view_count: pageviews.len() as u64,
                    time_since_first_visit: (now_ms - site.ts[first]).max(0),
                    time_since_current_visit: (now_ms - current_start).max(0),
                    first_visit_at: iso(site.ts[first]),
                    last_visit_at: iso(current_start),
                    current_url: Some(url_of(site, site.page[latest_pageview])),
                    visited_pages: pageviews
                        .iter()
                        .map(|at| VisitedPage {
                            url: url_of(site, site.page[*at]),
                            timestamp: iso(site.ts[*at]),
                        })
                        .collect(),
                    completed_custom_goals: custom,
                    completed_goals: all_goals,
                },
                profile: site.profiles.get(&visitor).map(|p| ProfileView {
                    user_id: p.user_id.to_string(),
                    metadata: metadata_of(site, p),
                    identified_at: iso_millis(p.identified_at),
                }),
                prediction: None,
            },
        })
    }

    /// `GET /analytics/realtime/map`: the visitors active in the 10 minutes up to `now`
    /// (latest first), the latest events and payments of that window.
    pub fn realtime_map(&self, website: WebsiteId, now: Timestamp) -> RealtimeMapResponse {
        let empty = RealtimeMap {
            count: 0,
            visitors: Vec::new(),
            has_conversion_predictions: false,
            recent_events: Vec::new(),
            recent_payments: Vec::new(),
        };
        let Some(site) = self.site(website) else {
            return RealtimeMapResponse { data: empty };
        };
        let window = realtime_window(now);
        let selection = Selection::new(site, window, &[] as &[Filter]);
        let mut recent: Vec<usize> = Vec::new();
        selection.for_each(|at| recent.push(at));
        recent.sort_by_key(|at| std::cmp::Reverse((site.ts[*at], site.seq[*at])));
        let mut latest: Vec<usize> = Vec::new();
        let mut active = BitSet::new(site.visitors.len());
        for at in &recent {
            if active.insert(site.visitor[*at]) {
                latest.push(*at);
            }
        }
        // Their visits of all time: one pass over the visitor column.
        let mut visits: HashMap<u32, HashSet<u32>> = HashMap::new();
        for at in 0..site.ts.len() {
            if active.contains(site.visitor[at]) {
                visits
                    .entry(site.visitor[at])
                    .or_default()
                    .insert(site.session[at]);
            }
        }
        let customers = customers(site);
        let latest_payment = |visitor: u32| {
            site.payments
                .iter()
                .filter(|p| p.visitor == visitor && !p.payment.refunded)
                .max_by_key(|p| p.ts)
        };
        let visitors = latest
            .iter()
            .map(|at| {
                let visitor = site.visitor[*at];
                let c = site
                    .contexts
                    .get(site.ctx[*at] as usize)
                    .copied()
                    .unwrap_or(EMPTY_CONTEXT);
                let current_page = recent
                    .iter()
                    .find(|e| {
                        site.visitor[**e] == visitor && site.kind[**e] & KIND_MASK == PAGEVIEW
                    })
                    .map(|e| site.page_path(site.page[*e]).to_owned());
                let payment = latest_payment(visitor);
                let profile = site.profiles.get(&visitor);
                let name = display_name(site, visitor);
                MapVisitor {
                    visitor_id: site.visitor_ids.value(visitor).to_owned(),
                    location: MapLocation {
                        city: s(site, c.city),
                        region: s(site, c.region),
                        country_code: s(site, c.country),
                    },
                    system: MapSystem {
                        browser: Named {
                            name: site.strings.value(c.browser).to_owned(),
                        },
                        os: Named {
                            name: site.strings.value(c.os).to_owned(),
                        },
                        device: DeviceType {
                            kind: site.strings.value(c.device).to_owned(),
                        },
                    },
                    current_url: current_page,
                    referrer: s(site, c.referrer),
                    session_start_time: iso(site
                        .sessions
                        .get(site.session[*at] as usize)
                        .map_or(site.ts[*at], |s| s.first_ts)),
                    visit_count: visits.get(&visitor).map_or(1, |v| v.len() as u64),
                    params: params_of(site, &c),
                    latitude: None,
                    longitude: None,
                    is_customer: customers.contains(visitor),
                    customer_name: payment.and_then(|p| p.payment.name.clone()),
                    customer_email: payment.and_then(|p| p.payment.email.clone()),
                    profile_data: ProfileData {
                        is_random_name: name.is_none(),
                        display_name: name,
                        user_id: profile.map(|p| p.user_id.to_string()),
                        has_profile: profile.is_some(),
                    },
                }
            })
            .collect::<Vec<_>>();
        let recent_events = recent
            .iter()
            .take(RECENT_LIMIT)
            .map(|at| {
                let visitor = site.visitor[*at];
                let c = site
                    .contexts
                    .get(site.ctx[*at] as usize)
                    .copied()
                    .unwrap_or(EMPTY_CONTEXT);
                MapEvent {
                    id: site.seq[*at].to_string(),
                    kind: kind_of(site.kind[*at]).as_str().to_owned(),
                    visitor_id: site.visitor_ids.value(visitor).to_owned(),
                    timestamp: iso(site.ts[*at]),
                    path: site.page_path(site.page[*at]).to_owned(),
                    country_code: s(site, c.country),
                    extra_data: site
                        .params
                        .get(&(*at as u32))
                        .map(|params| {
                            params
                                .iter()
                                .map(|(name, value)| {
                                    (
                                        site.strings.value(*name).to_owned(),
                                        site.strings.value(*value).to_owned(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    referrer: s(site, c.referrer),
                    customer_name: None,
                    amount: None,
                    display_name: display_name(site, visitor),
                }
            })
            .collect();
        let mut payments: Vec<_> = site
            .payments
            .iter()
            .filter(|p| window.contains(p.ts))
            .collect();
        payments.sort_by_key(|p| std::cmp::Reverse(p.ts));
        let recent_payments = payments
            .into_iter()
            .take(RECENT_LIMIT)
            .map(|p| MapPayment {
                id: p.payment.transaction_id.clone(),
                kind: "payment_received",
                timestamp: iso(p.ts),
                name: p.payment.name.clone(),
                email: p.payment.email.clone(),
                amount: crate::response::round2(p.amount),
                currency: p.payment.currency.as_str().to_owned(),
                renewal: p.payment.renewal,
                display_name: if p.visitor == NONE {
                    None
                } else {
                    display_name(site, p.visitor)
                },
                is_new: !p.payment.renewal,
                visible: true,
            })
            .collect();
        RealtimeMapResponse {
            data: RealtimeMap {
                count: visitors.len() as u64,
                visitors,
                has_conversion_predictions: false,
                recent_events,
                recent_payments,
            },
        }
    }
}
