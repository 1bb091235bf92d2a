//! The visitors list, and what every visitor-level answer reads from the index: a visitor's
//! campaign parameters, identity and URLs, and who is a customer.

use std::collections::BTreeMap;

use datafast_domain::event::EventKind;
use datafast_domain::id::WebsiteId;

use crate::index::{AnalyticsIndex, ContextRow, KIND_MASK, NONE, PAGEVIEW, ProfileRow, SiteIndex};
use crate::request::{TimeRange, VisitorsRequest};
use crate::scan::{BitSet, Selection};

pub(crate) fn kind_of(code: u8) -> EventKind {
    match code & KIND_MASK {
        0 => EventKind::Pageview,
        1 => EventKind::Custom,
        2 => EventKind::Payment,
        3 => EventKind::Identify,
        _ => EventKind::ExternalLink,
    }
}

/// The campaign parameters of a visit's landing URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignParams {
    pub ref_param: Option<String>,
    pub source: Option<String>,
    pub via: Option<String>,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_content: Option<String>,
    pub utm_term: Option<String>,
}

/// Where a listed visitor is and what they use, from their latest selected event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListIdentity {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub browser: String,
    pub os: String,
    pub device: String,
}

/// How a visitor first came: their first touch's referrer and campaign parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acquisition {
    pub referrer: Option<String>,
    pub params: CampaignParams,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorListRow {
    pub visitor_id: String,
    /// Unix milliseconds: the latest selected event, or the latest matching goal when the
    /// list is searched by goal.
    pub last_seen_ms: i64,
    /// Host and path of the latest selected pageview.
    pub current_url: Option<String>,
    pub identity: ListIdentity,
    pub acquisition: Acquisition,
    pub is_customer: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitorsPagination {
    pub offset: usize,
    pub limit: usize,
    pub has_more: bool,
}

/// `GET /visitors`: the page of visitors asked for, latest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorsList {
    pub rows: Vec<VisitorListRow>,
    pub pagination: VisitorsPagination,
}

pub(crate) fn s(site: &SiteIndex, id: u32) -> Option<String> {
    site.strings.value_opt(id).map(str::to_owned)
}

pub(crate) fn params_of(site: &SiteIndex, c: &ContextRow) -> CampaignParams {
    CampaignParams {
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

pub(crate) fn url_of(site: &SiteIndex, page: u32) -> String {
    format!("{}{}", site.page_host(page), site.page_path(page))
}

/// Visitors with a non-refunded payment, ever.
pub(crate) fn customers(site: &SiteIndex) -> BitSet {
    let mut set = BitSet::new(site.visitors.len());
    for row in &site.payments {
        if !row.payment.refunded && row.visitor != NONE {
            set.insert(row.visitor);
        }
    }
    set
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

/// The visitors with a selected event in `range` that meet `request`'s criteria, as
/// (lastSeenAt, visitor, latest selected event, latest selected pageview), unordered.
fn scan_visitors(
    site: &SiteIndex,
    range: TimeRange,
    request: &VisitorsRequest,
    customers: &BitSet,
) -> Vec<Match> {
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
fn list_row(
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
        last_seen_ms: last_seen,
        current_url: latest_pageview.map(|at| url_of(site, site.page[at as usize])),
        identity,
        acquisition,
        is_customer,
    }
}

pub(crate) const EMPTY_CONTEXT: ContextRow = ContextRow {
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

pub(crate) fn display_name(site: &SiteIndex, visitor: u32) -> Option<String> {
    let profile = site.profiles.get(&visitor)?;
    profile
        .metadata
        .iter()
        .find(|(name, _)| site.strings.value(*name) == "name")
        .map(|(_, value)| site.strings.value(*value).to_owned())
}

/// A profile's properties by name; names past their cap all read `(other)`, and the last of
/// them wins.
pub(crate) fn metadata_of(site: &SiteIndex, profile: &ProfileRow) -> BTreeMap<String, String> {
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

/// A listed visitor: (lastSeenAt, visitor, latest selected event, latest selected pageview).
type Match = (i64, u32, u32, Option<u32>);

/// Every visitor with an event, from the latest events the index keeps per visitor: the list
/// all time and unfiltered, without a scan.
fn all_visitors(site: &SiteIndex, request: &VisitorsRequest, customers: &BitSet) -> Vec<Match> {
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
}

/// Latest first, then by visitor id, and only the page asked for. Only the rows up to the
/// page's end need an order: they are selected first (linear), then sorted, so that an
/// all-time list of a million visitors does not sort them all. Says whether more follow.
fn page_of(
    site: &SiteIndex,
    mut matches: Vec<Match>,
    request: &VisitorsRequest,
) -> (Vec<Match>, bool) {
    let order = |a: &Match, b: &Match| {
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
    let page = matches
        .into_iter()
        .skip(request.offset)
        .take(request.limit)
        .collect();
    (page, has_more)
}

impl AnalyticsIndex {
    /// `GET /visitors`.
    pub fn visitors(&self, website: WebsiteId, request: &VisitorsRequest) -> VisitorsList {
        let pagination = |has_more| VisitorsPagination {
            offset: request.offset,
            limit: request.limit,
            has_more,
        };
        let Some(site) = self.site(website) else {
            return VisitorsList {
                rows: Vec::new(),
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
        // Unfiltered and all time, every visitor's latest events are kept by the index;
        // otherwise the selected events are scanned.
        let matches = if unfiltered {
            all_visitors(site, request, &customers)
        } else {
            scan_visitors(site, range, request, &customers)
        };
        let (page, has_more) = page_of(site, matches, request);
        let rows = page
            .into_iter()
            .map(|(seen_at, visitor, latest, pageview)| {
                let is_customer = customers.contains(visitor);
                list_row(site, visitor, seen_at, latest, pageview, is_customer)
            })
            .collect();
        VisitorsList {
            rows,
            pagination: pagination(has_more),
        }
    }
}
