//! One visitor's profile (`GET /visitors/{id}`): identity from their latest event, campaign
//! parameters from their first touch, and their activity of all time.

use std::collections::{BTreeMap, HashSet};

use datafast_domain::event::EventKind;
use datafast_domain::id::WebsiteId;
use jiff::Timestamp;

use crate::index::{
    AnalyticsIndex, ContextRow, KIND_MASK, NONE, PAGEVIEW, SERVER_ORIGIN, SiteIndex,
};
use crate::visitors::{CampaignParams, kind_of, metadata_of, params_of, s, url_of};

/// A browser or system name and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Versioned {
    pub name: String,
    pub version: Option<String>,
}

/// Where the visitor is and what they use, from their latest event; the campaign parameters
/// of their first touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorIdentity {
    /// The country code.
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
    pub params: CampaignParams,
    pub browser: Versioned,
    pub os: Versioned,
    pub device: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitedPage {
    /// Host and path.
    pub url: String,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedGoal {
    pub name: String,
    pub description: Option<String>,
    /// Sent by the server API rather than the tracking script.
    pub is_server: bool,
    /// `Payment` for the goals a payment provider records, `Custom` for the others.
    pub kind: EventKind,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorActivity {
    /// Distinct sessions.
    pub visit_count: u64,
    pub page_view_count: u64,
    pub time_since_first_visit_ms: i64,
    pub time_since_current_visit_ms: i64,
    /// The first event.
    pub first_visit_ms: i64,
    /// The start of the session of the latest event.
    pub current_visit_ms: i64,
    /// Host and path of the latest pageview.
    pub current_url: String,
    pub visited_pages: Vec<VisitedPage>,
    /// Custom events, in time order.
    pub completed_custom_goals: Vec<CompletedGoal>,
    /// Custom and payment events with a goal name, in time order.
    pub completed_goals: Vec<CompletedGoal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileView {
    pub user_id: String,
    pub metadata: BTreeMap<String, String>,
    pub identified_at: Timestamp,
}

/// `GET /visitors/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorDetail {
    pub visitor_id: String,
    pub identity: VisitorIdentity,
    pub activity: VisitorActivity,
    pub profile: Option<ProfileView>,
}

/// A visitor's events in time order, and their pageviews among them.
struct Events {
    all: Vec<usize>,
    pageviews: Vec<usize>,
}

fn events_of(site: &SiteIndex, visitor: u32) -> Events {
    let mut all: Vec<usize> = (0..site.ts.len())
        .filter(|at| site.visitor[*at] == visitor)
        .collect();
    all.sort_by_key(|at| (site.ts[*at], *at));
    let pageviews = all
        .iter()
        .copied()
        .filter(|at| site.kind[*at] & KIND_MASK == PAGEVIEW)
        .collect();
    Events { all, pageviews }
}

fn identity_of(
    site: &SiteIndex,
    context: &ContextRow,
    first_touch: &ContextRow,
) -> VisitorIdentity {
    VisitorIdentity {
        country: s(site, context.country),
        region: s(site, context.region),
        city: s(site, context.city),
        params: params_of(site, first_touch),
        browser: Versioned {
            name: site.strings.value(context.browser).to_owned(),
            version: s(site, context.browser_version),
        },
        os: Versioned {
            name: site.strings.value(context.os).to_owned(),
            version: s(site, context.os_version),
        },
        device: site.strings.value(context.device).to_owned(),
    }
}

fn goal_at(site: &SiteIndex, at: usize) -> CompletedGoal {
    CompletedGoal {
        name: site.strings.value(site.goal[at]).to_owned(),
        description: site
            .descriptions
            .get(&(at as u32))
            .map(|d| site.strings.value(*d).to_owned()),
        is_server: site.kind[at] & SERVER_ORIGIN != 0,
        kind: kind_of(site.kind[at]),
        at_ms: site.ts[at],
    }
}

/// The custom goals, and every goal (custom or from a payment), in time order.
fn goals_of(site: &SiteIndex, events: &[usize]) -> (Vec<CompletedGoal>, Vec<CompletedGoal>) {
    let custom = events
        .iter()
        .filter(|at| kind_of(site.kind[**at]) == EventKind::Custom)
        .map(|at| goal_at(site, *at))
        .collect();
    let all = events
        .iter()
        .filter(|at| {
            matches!(
                kind_of(site.kind[**at]),
                EventKind::Custom | EventKind::Payment
            ) && site.goal[**at] != NONE
        })
        .map(|at| goal_at(site, *at))
        .collect();
    (custom, all)
}

/// The activity of a visitor with at least one pageview, as of `now_ms`.
fn activity_of(site: &SiteIndex, events: &Events, now_ms: i64) -> Option<VisitorActivity> {
    let latest_pageview = *events.pageviews.last()?;
    let first = *events.all.first()?;
    let latest = *events.all.last()?;
    let sessions: HashSet<u32> = events.all.iter().map(|at| site.session[*at]).collect();
    let current_start = site
        .sessions
        .get(site.session[latest] as usize)
        .map_or(site.ts[latest], |s| s.first_ts);
    let (completed_custom_goals, completed_goals) = goals_of(site, &events.all);
    Some(VisitorActivity {
        visit_count: sessions.len() as u64,
        page_view_count: events.pageviews.len() as u64,
        time_since_first_visit_ms: (now_ms - site.ts[first]).max(0),
        time_since_current_visit_ms: (now_ms - current_start).max(0),
        first_visit_ms: site.ts[first],
        current_visit_ms: current_start,
        current_url: url_of(site, site.page[latest_pageview]),
        visited_pages: events
            .pageviews
            .iter()
            .map(|at| VisitedPage {
                url: url_of(site, site.page[*at]),
                at_ms: site.ts[*at],
            })
            .collect(),
        completed_custom_goals,
        completed_goals,
    })
}

impl AnalyticsIndex {
    /// `GET /visitors/{id}`: `None` when the visitor has no pageview on this website (a 404).
    pub fn visitor(
        &self,
        website: WebsiteId,
        visitor_id: &str,
        now: Timestamp,
    ) -> Option<VisitorDetail> {
        let site = self.site(website)?;
        let visitor = site.visitor_ids.get(visitor_id)?;
        let events = events_of(site, visitor);
        let activity = activity_of(site, &events, now.as_millisecond())?;
        let latest = *events.all.last()?;
        let context = site.contexts.get(site.ctx[latest] as usize).copied()?;
        let first_touch = site
            .visitors
            .get(visitor as usize)
            .and_then(|v| v.first_touch())
            .and_then(|t| site.contexts.get(t.ctx as usize).copied())
            .unwrap_or(context);
        Some(VisitorDetail {
            visitor_id: visitor_id.to_owned(),
            identity: identity_of(site, &context, &first_touch),
            activity,
            profile: site.profiles.get(&visitor).map(|p| ProfileView {
                user_id: p.user_id.to_string(),
                metadata: metadata_of(site, p),
                identified_at: p.identified_at,
            }),
        })
    }
}
