//! The realtime map (`GET /analytics/realtime/map`): the visitors active in the realtime
//! window, and its latest events and payments.

use std::collections::{BTreeMap, HashMap, HashSet};

use datafast_domain::event::EventKind;
use datafast_domain::id::WebsiteId;
use datafast_domain::website::Currency;
use jiff::Timestamp;

use crate::engine::realtime_window;
use crate::filter::Filter;
use crate::index::{AnalyticsIndex, ContextRow, KIND_MASK, NONE, PAGEVIEW, PaymentRow, SiteIndex};
use crate::request::TimeRange;
use crate::scan::{BitSet, Selection};
use crate::visitors::{
    CampaignParams, EMPTY_CONTEXT, customers, display_name, kind_of, params_of, s,
};

/// At most this many recent events and payments on the realtime map.
pub const RECENT_LIMIT: usize = 50;

/// An active visitor, as of their latest event in the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapVisitor {
    pub visitor_id: String,
    pub city: Option<String>,
    pub region: Option<String>,
    pub country_code: Option<String>,
    pub browser: String,
    pub os: String,
    pub device: String,
    /// The path of their latest pageview in the window.
    pub current_url: Option<String>,
    pub referrer: Option<String>,
    pub session_start_ms: i64,
    /// Their sessions of all time.
    pub visit_count: u64,
    pub params: CampaignParams,
    pub is_customer: bool,
    /// From their latest non-refunded payment.
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    /// The `name` property of their profile.
    pub display_name: Option<String>,
    pub user_id: Option<String>,
    pub has_profile: bool,
}

/// One of the latest events of the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEvent {
    /// The event's sequence number.
    pub seq: u64,
    pub kind: EventKind,
    pub visitor_id: String,
    pub at_ms: i64,
    pub path: String,
    pub country_code: Option<String>,
    /// The event's parameters.
    pub extra_data: BTreeMap<String, String>,
    pub referrer: Option<String>,
    pub display_name: Option<String>,
}

/// One of the latest payments of the window.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPayment {
    pub transaction_id: String,
    pub at_ms: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    /// In major units, rounded to 2 decimals.
    pub amount: f64,
    pub currency: Currency,
    pub renewal: bool,
    /// The payer's, when the payment has a visitor.
    pub display_name: Option<String>,
}

/// Visitors latest first, events and payments latest first (at most [`RECENT_LIMIT`] each).
#[derive(Debug, Clone, PartialEq)]
pub struct RealtimeMap {
    pub visitors: Vec<MapVisitor>,
    pub recent_events: Vec<MapEvent>,
    pub recent_payments: Vec<MapPayment>,
}

impl RealtimeMap {
    fn empty() -> Self {
        Self {
            visitors: Vec::new(),
            recent_events: Vec::new(),
            recent_payments: Vec::new(),
        }
    }
}

fn context_at(site: &SiteIndex, at: usize) -> ContextRow {
    site.contexts
        .get(site.ctx[at] as usize)
        .copied()
        .unwrap_or(EMPTY_CONTEXT)
}

/// The window's events, latest first.
fn recent_events(site: &SiteIndex, window: TimeRange) -> Vec<usize> {
    let selection = Selection::new(site, window, &[] as &[Filter]);
    let mut recent: Vec<usize> = Vec::new();
    selection.for_each(|at| recent.push(at));
    recent.sort_by_key(|at| std::cmp::Reverse((site.ts[*at], site.seq[*at])));
    recent
}

/// The active visitors' sessions of all time: one pass over the visitor column.
fn visits_of(site: &SiteIndex, active: &BitSet) -> HashMap<u32, HashSet<u32>> {
    let mut visits: HashMap<u32, HashSet<u32>> = HashMap::new();
    for at in 0..site.ts.len() {
        if active.contains(site.visitor[at]) {
            visits
                .entry(site.visitor[at])
                .or_default()
                .insert(site.session[at]);
        }
    }
    visits
}

fn latest_payment(site: &SiteIndex, visitor: u32) -> Option<&PaymentRow> {
    site.payments
        .iter()
        .filter(|p| p.visitor == visitor && !p.payment.refunded)
        .max_by_key(|p| p.ts)
}

/// The active visitors, latest first, each as of their latest event in the window.
fn map_visitors(site: &SiteIndex, recent: &[usize]) -> Vec<MapVisitor> {
    let mut latest: Vec<usize> = Vec::new();
    let mut active = BitSet::new(site.visitors.len());
    for at in recent {
        if active.insert(site.visitor[*at]) {
            latest.push(*at);
        }
    }
    let visits = visits_of(site, &active);
    let customers = customers(site);
    latest
        .iter()
        .map(|at| {
            let visitor = site.visitor[*at];
            let current_url = recent
                .iter()
                .find(|e| site.visitor[**e] == visitor && site.kind[**e] & KIND_MASK == PAGEVIEW)
                .map(|e| site.page_path(site.page[*e]).to_owned());
            let visit_count = visits.get(&visitor).map_or(1, |v| v.len() as u64);
            map_visitor(site, *at, visit_count, current_url, &customers)
        })
        .collect()
}

/// A visitor as of their event at `at`.
fn map_visitor(
    site: &SiteIndex,
    at: usize,
    visit_count: u64,
    current_url: Option<String>,
    customers: &BitSet,
) -> MapVisitor {
    let visitor = site.visitor[at];
    let c = context_at(site, at);
    let payment = latest_payment(site, visitor);
    let profile = site.profiles.get(&visitor);
    MapVisitor {
        visitor_id: site.visitor_ids.value(visitor).to_owned(),
        city: s(site, c.city),
        region: s(site, c.region),
        country_code: s(site, c.country),
        browser: site.strings.value(c.browser).to_owned(),
        os: site.strings.value(c.os).to_owned(),
        device: site.strings.value(c.device).to_owned(),
        current_url,
        referrer: s(site, c.referrer),
        session_start_ms: site
            .sessions
            .get(site.session[at] as usize)
            .map_or(site.ts[at], |s| s.first_ts),
        visit_count,
        params: params_of(site, &c),
        is_customer: customers.contains(visitor),
        customer_name: payment.and_then(|p| p.payment.name.clone()),
        customer_email: payment.and_then(|p| p.payment.email.clone()),
        display_name: display_name(site, visitor),
        user_id: profile.map(|p| p.user_id.to_string()),
        has_profile: profile.is_some(),
    }
}

fn map_event(site: &SiteIndex, at: usize) -> MapEvent {
    let visitor = site.visitor[at];
    let c = context_at(site, at);
    let extra_data = site
        .params
        .get(&(at as u32))
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
        .unwrap_or_default();
    MapEvent {
        seq: site.seq[at],
        kind: kind_of(site.kind[at]),
        visitor_id: site.visitor_ids.value(visitor).to_owned(),
        at_ms: site.ts[at],
        path: site.page_path(site.page[at]).to_owned(),
        country_code: s(site, c.country),
        extra_data,
        referrer: s(site, c.referrer),
        display_name: display_name(site, visitor),
    }
}

/// The window's payments, latest first.
fn map_payments(site: &SiteIndex, window: TimeRange) -> Vec<MapPayment> {
    let mut payments: Vec<_> = site
        .payments
        .iter()
        .filter(|p| window.contains(p.ts))
        .collect();
    payments.sort_by_key(|p| std::cmp::Reverse(p.ts));
    payments
        .into_iter()
        .take(RECENT_LIMIT)
        .map(|p| MapPayment {
            transaction_id: p.payment.transaction_id.clone(),
            at_ms: p.ts,
            name: p.payment.name.clone(),
            email: p.payment.email.clone(),
            amount: crate::response::round2(p.amount),
            currency: p.payment.currency.clone(),
            renewal: p.payment.renewal,
            display_name: if p.visitor == NONE {
                None
            } else {
                display_name(site, p.visitor)
            },
        })
        .collect()
}

impl AnalyticsIndex {
    /// `GET /analytics/realtime/map`: the visitors active in the 10 minutes up to `now`
    /// (latest first), the latest events and payments of that window.
    pub fn realtime_map(&self, website: WebsiteId, now: Timestamp) -> RealtimeMap {
        let Some(site) = self.site(website) else {
            return RealtimeMap::empty();
        };
        let window = realtime_window(now);
        let recent = recent_events(site, window);
        RealtimeMap {
            visitors: map_visitors(site, &recent),
            recent_events: recent
                .iter()
                .take(RECENT_LIMIT)
                .map(|at| map_event(site, *at))
                .collect(),
            recent_payments: map_payments(site, window),
        }
    }
}
