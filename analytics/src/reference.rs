//! The naive reference model: every endpoint computed by plain loops over a `Vec` of events
//! and payments, following `docs/analytics.md` line by line, with no index, no dictionary and
//! no cleverness. The property tests check that the engine gives the same answers.

use std::collections::{BTreeMap, HashMap, HashSet};

use datafast_domain::event::{Event, EventKind};
use datafast_domain::funnel::{Funnel, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::channel::{ChannelInput, channel};
use datafast_domain::payment::{Payment, to_major_units};

use crate::engine::LIFECYCLE_GOALS;
use crate::filter::{Dimension, Filter};
use crate::funnel::{FunnelResult, funnel_response, path_matches};
use crate::index::MAX_SESSION_MS;
use crate::limits::{Field, Limits, keep_or_other};
use crate::request::{
    Breakdown, BreakdownRequest, OverviewRequest, Scope, TimeRange, TimeseriesRequest,
    VisitorsRequest,
};
use crate::response::{
    BreakdownKey, BreakdownPage, BreakdownRow, BucketAggregate, Overview, OverviewAggregate,
    Revenue, Timeseries, breakdown_response, campaign_key, overview_response, timeseries_response,
};
use crate::software::{browser_name, os_name, os_version};
use crate::timeseries::bucket_starts;

/// A visitors list row as the model sees it: id, last seen (ms), current URL, is customer.
pub type ListedVisitor = (String, i64, Option<String>, bool);

/// Events with their sequence numbers, and payments, as stored.
#[derive(Debug, Default, Clone)]
pub struct Reference {
    pub events: Vec<(u64, Event)>,
    pub payments: Vec<Payment>,
    /// What each website's goal names read as once capped ([`Reference::with_limits`]): a
    /// name past the cap reads `(other)`, which is no goal name, so it is kept beside the
    /// events rather than in them. A name missing here reads as itself.
    pub goal_labels: HashMap<(WebsiteId, GoalName), String>,
}

fn latest<'a>(list: &[&(u64, &'a Event)]) -> Option<&'a Event> {
    list.iter()
        .max_by_key(|(seq, e)| (ms(e), *seq))
        .map(|(_, e)| *e)
}

fn ms(event: &Event) -> i64 {
    event.occurred_at.as_millisecond()
}

/// A session as a whole: first and last instant, pageviews, entry path.
struct Session {
    first: i64,
    last: i64,
    pageviews: u64,
    entry: Option<(i64, u64, String)>,
}

impl Reference {
    /// The events as an index with `limits` stores them: per website and capped field, the
    /// first `cap` distinct values in sequence order keep their names and later ones read
    /// `(other)`. Browser and system names are put in their shown form first, as the index
    /// stores them. Parameters are left alone: no answer the model computes shows them.
    pub fn with_limits(mut self, limits: &Limits) -> Self {
        self.events.sort_by_key(|(seq, _)| *seq);
        let mut seen: HashMap<(WebsiteId, Field), HashSet<String>> = HashMap::new();
        let mut goal_labels = HashMap::new();
        for (_, event) in &mut self.events {
            let website = event.website_id;
            let mut keep = |field: Field, value: &mut String| {
                let kept = seen.entry((website, field)).or_default();
                *value = keep_or_other(kept, limits.cap(field), value);
            };
            let c = &mut event.context;
            c.browser = browser_name(&c.browser, &c.os).to_owned();
            c.os_version = os_version(&c.os, c.os_version.as_deref()).map(str::to_owned);
            c.os = os_name(&c.os).to_owned();
            keep(Field::Os, &mut c.os);
            keep(Field::Source, &mut c.source);
            for (field, value) in [
                (Field::Referrer, &mut c.referrer),
                (Field::UtmSource, &mut c.utm_source),
                (Field::UtmMedium, &mut c.utm_medium),
                (Field::UtmCampaign, &mut c.utm_campaign),
                (Field::UtmTerm, &mut c.utm_term),
                (Field::UtmContent, &mut c.utm_content),
                (Field::Ref, &mut c.ref_param),
                (Field::SourceParam, &mut c.source_param),
                (Field::Via, &mut c.via),
                (Field::BrowserVersion, &mut c.browser_version),
                (Field::OsVersion, &mut c.os_version),
                (Field::Description, &mut event.description),
            ] {
                if let Some(value) = value {
                    keep(field, value);
                }
            }
            keep(Field::Hostname, &mut event.hostname);
            keep(Field::Path, &mut event.path);
            if let Some(goal) = &event.goal_name {
                let mut label = goal.to_string();
                keep(Field::Goal, &mut label);
                goal_labels.insert((website, goal.clone()), label);
            }
        }
        self.goal_labels = goal_labels;
        self
    }

    /// The event's goal name as the capped index reads it.
    fn goal_label<'a>(&'a self, event: &'a Event) -> Option<&'a str> {
        let goal = event.goal_name.as_ref()?;
        let capped = self.goal_labels.get(&(event.website_id, goal.clone()));
        Some(capped.map_or(goal.as_str(), String::as_str))
    }

    /// A session is a (visitor, session id) pair.
    fn session(&self, visitor: &str, id: &str) -> Session {
        let mut session = Session {
            first: i64::MAX,
            last: i64::MIN,
            pageviews: 0,
            entry: None,
        };
        for (seq, e) in self
            .events
            .iter()
            .filter(|(_, e)| e.visitor_id == visitor && e.session_id == id)
        {
            session.first = session.first.min(ms(e));
            session.last = session.last.max(ms(e));
            if e.kind == EventKind::Pageview {
                session.pageviews += 1;
                let candidate = (ms(e), *seq, e.path.clone());
                if session
                    .entry
                    .as_ref()
                    .is_none_or(|c| (candidate.0, candidate.1) < (c.0, c.1))
                {
                    session.entry = Some(candidate);
                }
            }
        }
        session
    }

    /// The earliest pageview by (instant, sequence), or the earliest event without one.
    fn first_touch(&self, visitor: &str) -> Option<&Event> {
        let earliest = |pageviews_only: bool| {
            self.events
                .iter()
                .filter(|(_, e)| e.visitor_id == visitor)
                .filter(|(_, e)| !pageviews_only || e.kind == EventKind::Pageview)
                .min_by_key(|(seq, e)| (ms(e), *seq))
                .map(|(_, e)| e)
        };
        earliest(true).or_else(|| earliest(false))
    }

    fn passes(&self, event: &Event, filters: &[Filter]) -> bool {
        let c = &event.context;
        filters.iter().all(|f| {
            let entry;
            let candidates: Vec<Option<&str>> = match f.dimension {
                Dimension::Country => vec![c.country.as_deref()],
                Dimension::Region => vec![c.region.as_deref()],
                Dimension::City => vec![c.city.as_deref()],
                Dimension::Device => vec![Some(c.device.as_str())],
                Dimension::Browser => vec![Some(browser_name(&c.browser, &c.os))],
                Dimension::Os => vec![Some(os_name(&c.os))],
                Dimension::Referrer => vec![c.referrer.as_deref(), Some(&c.source)],
                Dimension::Page => vec![Some(&event.path)],
                Dimension::EntryPage => {
                    entry = self
                        .session(&event.visitor_id, &event.session_id)
                        .entry
                        .map(|e| e.2);
                    vec![entry.as_deref()]
                }
                Dimension::Hostname => vec![Some(&event.hostname)],
                Dimension::Goal => vec![self.goal_label(event)],
                Dimension::UtmSource => vec![c.utm_source.as_deref()],
                Dimension::UtmMedium => vec![c.utm_medium.as_deref()],
                Dimension::UtmCampaign => vec![c.utm_campaign.as_deref()],
                Dimension::UtmTerm => vec![c.utm_term.as_deref()],
                Dimension::UtmContent => vec![c.utm_content.as_deref()],
                Dimension::Ref => vec![c.ref_param.as_deref()],
                Dimension::Source => vec![c.source_param.as_deref()],
                Dimension::Via => vec![c.via.as_deref()],
                Dimension::Channel => vec![Some(channel(&ChannelInput::of(c)).label())],
            };
            f.matches(&candidates)
        })
    }

    fn selected(&self, range: TimeRange, filters: &[Filter]) -> Vec<&Event> {
        self.events
            .iter()
            .map(|(_, e)| e)
            .filter(|e| range.contains(ms(e)) && self.passes(e, filters))
            .collect()
    }

    /// The payments revenue metrics count, in storage order.
    fn counted(&self, scope: &Scope, visitors: &HashSet<&str>) -> Vec<&Payment> {
        let range = scope.range_or_all();
        self.payments
            .iter()
            .filter(|p| range.contains(p.occurred_at.as_millisecond()) && !p.free_trial)
            .filter(|p| {
                scope.filters.is_empty()
                    || p.visitor_id
                        .as_deref()
                        .is_some_and(|v| visitors.contains(v))
            })
            .collect()
    }

    fn add(revenue: &mut Revenue, payment: &Payment, include_renewal: bool) {
        let amount = to_major_units(payment.amount_minor, &payment.currency);
        if payment.refunded {
            revenue.refund += amount;
        } else if payment.renewal {
            revenue.renewal += amount;
            revenue.payments += u64::from(include_renewal);
        } else {
            revenue.new += amount;
            revenue.payments += 1;
        }
    }

    pub fn overview(&self, request: &OverviewRequest) -> Overview {
        let scope = &request.scope;
        let events = self.selected(scope.range_or_all(), &scope.filters);
        let visitors: HashSet<&str> = events.iter().map(|e| e.visitor_id.as_str()).collect();
        let sessions: HashSet<(&str, &str)> = events
            .iter()
            .map(|e| (e.visitor_id.as_str(), e.session_id.as_str()))
            .collect();
        let mut agg = OverviewAggregate {
            visitors: visitors.len() as u64,
            sessions: sessions.len() as u64,
            ..OverviewAggregate::default()
        };
        for (visitor, id) in &sessions {
            let session = self.session(visitor, id);
            agg.bounces += u64::from(session.pageviews == 1);
            agg.duration_ms += (session.last - session.first).min(i64::from(MAX_SESSION_MS));
        }
        let mut paying = HashSet::new();
        for p in self.counted(scope, &visitors) {
            Self::add(&mut agg.revenue, p, scope.include_renewal_revenue);
            if !p.refunded
                && (scope.include_renewal_revenue || !p.renewal)
                && let Some(v) = p.visitor_id.as_deref()
                && visitors.contains(v)
            {
                paying.insert(v);
            }
        }
        agg.paying_visitors = paying.len() as u64;
        overview_response(request, &agg)
    }

    pub fn timeseries(&self, request: &TimeseriesRequest) -> Timeseries {
        let scope = &request.scope;
        let starts = bucket_starts(request).unwrap_or_default();
        let bucket = |t: i64| starts.iter().rposition(|s| *s <= t);
        let events = self.selected(scope.range_or_all(), &scope.filters);
        let visitors: HashSet<&str> = events.iter().map(|e| e.visitor_id.as_str()).collect();
        let mut totals = BucketAggregate {
            visitors: visitors.len() as u64,
            sessions: events
                .iter()
                .map(|e| (&e.visitor_id, &e.session_id))
                .collect::<HashSet<_>>()
                .len() as u64,
            ..BucketAggregate::default()
        };
        let mut series: Vec<(i64, BucketAggregate)> = starts
            .iter()
            .enumerate()
            .map(|(index, start)| {
                let inside: Vec<&&Event> = events
                    .iter()
                    .filter(|e| bucket(ms(e)) == Some(index))
                    .collect();
                let agg = BucketAggregate {
                    visitors: inside
                        .iter()
                        .map(|e| &e.visitor_id)
                        .collect::<HashSet<_>>()
                        .len() as u64,
                    sessions: inside
                        .iter()
                        .map(|e| (&e.visitor_id, &e.session_id))
                        .collect::<HashSet<_>>()
                        .len() as u64,
                    ..BucketAggregate::default()
                };
                (*start, agg)
            })
            .collect();
        if !starts.is_empty() {
            for p in self.counted(scope, &visitors) {
                Self::add(&mut totals.revenue, p, scope.include_renewal_revenue);
                if let Some(index) = bucket(p.occurred_at.as_millisecond()) {
                    Self::add(
                        &mut series[index].1.revenue,
                        p,
                        scope.include_renewal_revenue,
                    );
                }
            }
        }
        if starts.is_empty() {
            totals = BucketAggregate::default();
        }
        timeseries_response(request, &series, &totals)
    }

    fn breakdown_key(&self, request: &BreakdownRequest, event: &Event) -> Option<BreakdownKey> {
        let c = &event.context;
        let label = |value: Option<&String>| value.map(|v| BreakdownKey::Label(v.clone()));
        let pageview = event.kind == EventKind::Pageview;
        match request.breakdown {
            // Entry and exit pages key sessions, not events: see `Reference::session_edges`.
            Breakdown::Pages | Breakdown::EntryPages | Breakdown::ExitPages => {
                pageview.then(|| BreakdownKey::Page {
                    host: event.hostname.clone(),
                    path: event.path.clone(),
                })
            }
            Breakdown::Hostnames => pageview.then(|| BreakdownKey::Label(event.hostname.clone())),
            Breakdown::Referrers => label(Some(&c.source)),
            Breakdown::Channels => Some(BreakdownKey::Label(
                channel(&ChannelInput::of(c)).label().to_owned(),
            )),
            Breakdown::Countries => label(c.country.as_ref()),
            Breakdown::Regions => label(c.region.as_ref()),
            Breakdown::Cities => label(c.city.as_ref()),
            Breakdown::Devices => Some(BreakdownKey::Label(c.device.as_str().to_owned())),
            Breakdown::Browsers => Some(BreakdownKey::Label(
                browser_name(&c.browser, &c.os).to_owned(),
            )),
            Breakdown::OperatingSystems => Some(BreakdownKey::Label(os_name(&c.os).to_owned())),
            Breakdown::Goals => match (&event.kind, self.goal_label(event)) {
                (EventKind::Custom, Some(name)) if !LIFECYCLE_GOALS.contains(&name) => {
                    Some(BreakdownKey::Label(name.to_owned()))
                }
                _ => None,
            },
            Breakdown::Campaigns => campaign_key(
                &request.campaign_tags,
                [
                    c.utm_source.as_deref(),
                    c.utm_medium.as_deref(),
                    c.utm_campaign.as_deref(),
                    c.utm_term.as_deref(),
                    c.utm_content.as_deref(),
                    c.ref_param.as_deref(),
                    c.source_param.as_deref(),
                    c.via.as_deref(),
                ],
            )
            .map(BreakdownKey::Campaign),
        }
    }

    pub fn breakdown(&self, request: &BreakdownRequest) -> BreakdownPage {
        if matches!(
            request.breakdown,
            Breakdown::EntryPages | Breakdown::ExitPages
        ) {
            return breakdown_response(request, self.session_edges(request));
        }
        let scope = &request.scope;
        let events = self.selected(scope.range_or_all(), &scope.filters);
        let visitors: HashSet<&str> = events.iter().map(|e| e.visitor_id.as_str()).collect();
        let mut rows: BTreeMap<BreakdownKey, (HashSet<&str>, u64, Revenue)> = BTreeMap::new();
        for e in &events {
            if let Some(key) = self.breakdown_key(request, e) {
                let row = rows.entry(key).or_default();
                row.0.insert(&e.visitor_id);
                row.1 += 1;
            }
        }
        if request.breakdown == Breakdown::Goals {
            // Each counted payment adds to every goal its visitor completed in the selection.
            for p in self.counted(scope, &visitors) {
                let Some(payer) = p.visitor_id.as_deref() else {
                    continue;
                };
                for row in rows.values_mut().filter(|row| row.0.contains(payer)) {
                    Self::add(&mut row.2, p, scope.include_renewal_revenue);
                }
            }
        } else {
            for p in self.counted(scope, &visitors) {
                let touch = p.visitor_id.as_deref().and_then(|v| self.first_touch(v));
                // The first touch's page counts for pages even when it is not a pageview.
                let key = touch.and_then(|t| match request.breakdown {
                    Breakdown::Pages => Some(BreakdownKey::Page {
                        host: t.hostname.clone(),
                        path: t.path.clone(),
                    }),
                    Breakdown::Hostnames => Some(BreakdownKey::Label(t.hostname.clone())),
                    _ => self.breakdown_key(request, t),
                });
                if let Some(row) = key.and_then(|k| rows.get_mut(&k)) {
                    Self::add(&mut row.2, p, scope.include_renewal_revenue);
                }
            }
        }
        let items = rows
            .into_iter()
            .map(|(key, (visitors, completions, revenue))| BreakdownRow {
                key,
                visitors: visitors.len() as u64,
                completions,
                revenue: revenue.revenue(scope.include_renewal_revenue),
                payments: revenue.payments,
                pageviews: 0,
            })
            .collect();
        breakdown_response(request, items)
    }

    /// Entry pages and exit pages, as `docs/analytics.md` defines them: each session with a
    /// selected pageview counts once, under the page of its earliest selected pageview
    /// (entry; ties to the lower sequence) or its latest (exit; ties to the higher). Entry
    /// rows get the revenue of the visitors whose first touch is on their page; exit rows
    /// get the selected pageviews of their page.
    fn session_edges(&self, request: &BreakdownRequest) -> Vec<BreakdownRow> {
        let scope = &request.scope;
        let range = scope.range_or_all();
        let exit = request.breakdown == Breakdown::ExitPages;
        let page = |e: &Event| BreakdownKey::Page {
            host: e.hostname.clone(),
            path: e.path.clone(),
        };
        let selected: Vec<(u64, &Event)> = self
            .events
            .iter()
            .filter(|(_, e)| range.contains(ms(e)) && self.passes(e, &scope.filters))
            .map(|(seq, e)| (*seq, e))
            .collect();
        let visitors: HashSet<&str> = selected
            .iter()
            .map(|(_, e)| e.visitor_id.as_str())
            .collect();
        let mut ends: HashMap<(&str, &str), (i64, u64, &Event)> = HashMap::new();
        let mut pageviews: HashMap<BreakdownKey, u64> = HashMap::new();
        for (seq, e) in selected
            .iter()
            .filter(|(_, e)| e.kind == EventKind::Pageview)
        {
            *pageviews.entry(page(e)).or_default() += 1;
            let candidate = (ms(e), *seq, *e);
            ends.entry((&e.visitor_id, &e.session_id))
                .and_modify(|end| {
                    let better = if exit {
                        (candidate.0, candidate.1) > (end.0, end.1)
                    } else {
                        (candidate.0, candidate.1) < (end.0, end.1)
                    };
                    if better {
                        *end = candidate;
                    }
                })
                .or_insert(candidate);
        }
        let mut rows: BTreeMap<BreakdownKey, (HashSet<&str>, u64, Revenue)> = BTreeMap::new();
        for ((visitor, _), (_, _, e)) in &ends {
            let row = rows.entry(page(e)).or_default();
            row.0.insert(visitor);
            row.1 += 1;
        }
        if !exit {
            for p in self.counted(scope, &visitors) {
                let touch = p.visitor_id.as_deref().and_then(|v| self.first_touch(v));
                if let Some(row) = touch.and_then(|t| rows.get_mut(&page(t))) {
                    Self::add(&mut row.2, p, scope.include_renewal_revenue);
                }
            }
        }
        rows.into_iter()
            .map(|(key, (visitors, sessions, revenue))| BreakdownRow {
                pageviews: if exit { pageviews[&key] } else { 0 },
                key,
                visitors: visitors.len() as u64,
                completions: sessions,
                revenue: revenue.revenue(scope.include_renewal_revenue),
                payments: revenue.payments,
            })
            .collect()
    }

    pub fn funnel(&self, funnel: &Funnel, scope: &Scope) -> FunnelResult {
        let mut events: Vec<(u64, &Event)> = self
            .events
            .iter()
            .filter(|(_, e)| scope.range_or_all().contains(ms(e)) && self.passes(e, &scope.filters))
            .map(|(seq, e)| (*seq, e))
            .collect();
        events.sort_by_key(|(seq, e)| (ms(e), *seq));
        let mut progress: HashMap<&str, usize> = HashMap::new();
        for (_, e) in &events {
            let done = progress.entry(&e.visitor_id).or_insert(0);
            if let Some(step) = funnel.steps.get(*done) {
                let hit = match &step.kind {
                    StepKind::Pageview { url } => {
                        e.kind == EventKind::Pageview && path_matches(url, &e.path)
                    }
                    StepKind::Goal { goal_name } => {
                        e.kind != EventKind::Pageview
                            && self.goal_label(e) == Some(goal_name.as_str())
                    }
                };
                if hit {
                    *done += 1;
                }
            }
        }
        let visitors: HashSet<&str> = events.iter().map(|(_, e)| e.visitor_id.as_str()).collect();
        let counted = self.counted(scope, &visitors);
        let steps: Vec<(u64, f64)> = (1..=funnel.steps.len())
            .map(|reached| {
                let who: HashSet<&str> = progress
                    .iter()
                    .filter(|(_, done)| **done >= reached)
                    .map(|(v, _)| *v)
                    .collect();
                let revenue = counted
                    .iter()
                    .filter(|p| !p.refunded && (scope.include_renewal_revenue || !p.renewal))
                    .filter(|p| p.visitor_id.as_deref().is_some_and(|v| who.contains(v)))
                    .map(|p| to_major_units(p.amount_minor, &p.currency))
                    .sum();
                (who.len() as u64, revenue)
            })
            .collect();
        funnel_response(&steps)
    }

    /// The visitors list as (visitor id, last seen in ms, current URL, is customer), in order,
    /// and whether more follow.
    pub fn visitors(&self, request: &VisitorsRequest) -> (Vec<ListedVisitor>, bool) {
        let range = request.range.unwrap_or(TimeRange::ALL_TIME);
        let events = self.selected(range, &request.filters);
        let ids: HashSet<&str> = events.iter().map(|e| e.visitor_id.as_str()).collect();
        let customer = |v: &str| {
            self.payments
                .iter()
                .any(|p| !p.refunded && p.visitor_id.as_deref() == Some(v))
        };
        let mut rows = Vec::new();
        for id in ids {
            let mine: Vec<(u64, &Event)> = self
                .events
                .iter()
                .filter(|(_, e)| e.visitor_id == id && events.iter().any(|s| std::ptr::eq(*s, e)))
                .map(|(seq, e)| (*seq, e))
                .collect();
            let pageviews: Vec<&(u64, &Event)> = mine
                .iter()
                .filter(|(_, e)| e.kind == EventKind::Pageview)
                .collect();
            if !request.visited_pages.is_empty()
                && !pageviews
                    .iter()
                    .any(|(_, e)| request.visited_pages.contains(&e.path))
            {
                continue;
            }
            if !request.page_contains.is_empty()
                && !pageviews.iter().any(|(_, e)| {
                    request
                        .page_contains
                        .iter()
                        .any(|p| e.path.to_lowercase().contains(&p.to_lowercase()))
                })
            {
                continue;
            }
            let goals: Vec<&(u64, &Event)> = mine
                .iter()
                .filter(|(_, e)| {
                    e.kind != EventKind::Pageview
                        && self
                            .goal_label(e)
                            .is_some_and(|g| request.completed_goals.iter().any(|c| c == g))
                })
                .collect();
            if !request.completed_goals.is_empty() && goals.is_empty() {
                continue;
            }
            if request
                .is_customer
                .is_some_and(|wanted| customer(id) != wanted)
            {
                continue;
            }
            let all: Vec<&(u64, &Event)> = mine.iter().collect();
            let seen = if request.completed_goals.is_empty() {
                latest(&all)
            } else {
                latest(&goals)
            };
            let url = latest(&pageviews).map(|e| format!("{}{}", e.hostname, e.path));
            rows.push((id.to_owned(), seen.map_or(0, ms), url, customer(id)));
        }
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let has_more = rows.len() > request.offset + request.limit;
        (
            rows.into_iter()
                .skip(request.offset)
                .take(request.limit)
                .collect(),
            has_more,
        )
    }
}
