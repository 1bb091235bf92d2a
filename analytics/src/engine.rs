//! The queries of the analytics routes over the index: overview, timeseries, breakdowns,
//! funnel results and realtime. Metric definitions are in `docs/analytics.md`.

use std::collections::HashMap;
use std::sync::LazyLock;

use datafast_domain::funnel::{Funnel, MAX_STEPS, StepKind};
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::channel::Channel;
use jiff::Timestamp;

use crate::funnel::{FunnelResult, funnel_response, path_matches};
use crate::index::{
    AnalyticsIndex, BOUNCED, CUSTOM, KIND_MASK, MAX_SESSION_MS, NONE, PAGEVIEW, SiteIndex,
};
use crate::request::{
    Breakdown, BreakdownRequest, OverviewRequest, Scope, TimeRange, TimeseriesRequest,
};
use crate::response::{
    BreakdownKey, BreakdownPage, BreakdownRow, BucketAggregate, Overview, OverviewAggregate,
    Revenue, Timeseries, breakdown_response, campaign_key, overview_response, timeseries_response,
};
use crate::scan::{BitSet, Selection, adds_revenue, context_channel};
use crate::timeseries::{bucket_of, bucket_starts};

static EMPTY_SITE: LazyLock<SiteIndex> = LazyLock::new(SiteIndex::default);

/// Goal names of payment and subscription lifecycles, which the goals breakdown leaves out.
pub const LIFECYCLE_GOALS: [&str; 11] = [
    "payment",
    "free_trial",
    "trial_started",
    "trial_converted",
    "subscription_started",
    "subscription_upgraded",
    "subscription_downgraded",
    "subscription_renewed",
    "subscription_cancel_scheduled",
    "subscription_reactivated",
    "subscription_ended",
];

/// How many distinct low halves each high half of `pairs` has, as counts by high half.
fn count_pairs(pairs: &mut [u64], keys: usize) -> Vec<u64> {
    pairs.sort_unstable();
    let mut counts = vec![0u64; keys];
    let mut previous = None;
    for pair in pairs.iter() {
        if previous != Some(*pair) {
            if let Some(count) = counts.get_mut((pair >> 32) as usize) {
                *count += 1;
            }
            previous = Some(*pair);
        }
    }
    counts
}

/// Collects (key, id) pairs for [`count_pairs`], skipping repeats of an id's latest key, which
/// is most of them since an id's events cluster in time.
struct PairCollector {
    last_key: Vec<u32>,
    pairs: Vec<u64>,
}

impl PairCollector {
    fn new(ids: usize) -> Self {
        Self {
            last_key: vec![NONE; ids],
            pairs: Vec::new(),
        }
    }

    #[inline]
    fn add(&mut self, key: u32, id: u32) {
        if let Some(last) = self.last_key.get_mut(id as usize)
            && *last != key
        {
            *last = key;
            self.pairs.push((u64::from(key) << 32) | u64::from(id));
        }
    }
}

/// At most this many bits of per-key sets per query (16 MiB); beyond, pairs are sorted.
const BIT_BUDGET: usize = 1 << 27;

#[cfg(test)]
thread_local! {
    /// Lets property tests take the sorted-pairs path on small data.
    pub(crate) static FORCE_PAIRS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

#[cfg(test)]
fn force_pairs() -> bool {
    FORCE_PAIRS.with(std::cell::Cell::get)
}

#[cfg(not(test))]
fn force_pairs() -> bool {
    false
}

/// Counts distinct ids per key: a bit set per key when keys × ids is small enough (no sort,
/// one probe per event), sorted (key, id) pairs otherwise.
enum DistinctCounter {
    Bits {
        words: Vec<u64>,
        words_per_key: usize,
        counts: Vec<u64>,
    },
    Pairs(PairCollector),
}

impl DistinctCounter {
    fn new(keys: usize, ids: usize) -> Self {
        let words_per_key = ids.div_ceil(64);
        if keys.saturating_mul(words_per_key * 64) <= BIT_BUDGET && !force_pairs() {
            DistinctCounter::Bits {
                words: vec![0; keys * words_per_key],
                words_per_key,
                counts: vec![0; keys],
            }
        } else {
            DistinctCounter::Pairs(PairCollector::new(ids))
        }
    }

    #[inline]
    fn add(&mut self, key: u32, id: u32) {
        match self {
            DistinctCounter::Bits {
                words,
                words_per_key,
                counts,
            } => {
                let at = key as usize * *words_per_key + id as usize / 64;
                let bit = 1u64 << (id % 64);
                if let Some(word) = words.get_mut(at)
                    && *word & bit == 0
                {
                    *word |= bit;
                    if let Some(count) = counts.get_mut(key as usize) {
                        *count += 1;
                    }
                }
            }
            DistinctCounter::Pairs(pairs) => pairs.add(key, id),
        }
    }

    fn counts(self, keys: usize) -> Vec<u64> {
        match self {
            DistinctCounter::Bits { counts, .. } => counts,
            DistinctCounter::Pairs(mut pairs) => count_pairs(&mut pairs.pairs, keys),
        }
    }

    /// The counts, as [`DistinctCounter::counts`], and the keys of each id of `wanted` (sorted,
    /// without repeats) as (id, key) pairs sorted by id then key: one bit probe per wanted id
    /// and key, or one look-up per distinct pair.
    fn counts_and_keys_of(self, keys: usize, wanted: &[u32]) -> (Vec<u64>, Vec<(u32, u32)>) {
        let mut found: Vec<(u32, u32)> = Vec::new();
        match self {
            DistinctCounter::Bits {
                words,
                words_per_key,
                counts,
            } => {
                for id in wanted {
                    let bit = 1u64 << (id % 64);
                    for key in 0..keys {
                        let at = key * words_per_key + *id as usize / 64;
                        if words.get(at).is_some_and(|word| word & bit != 0) {
                            found.push((*id, key as u32));
                        }
                    }
                }
                (counts, found)
            }
            DistinctCounter::Pairs(mut pairs) => {
                let counts = count_pairs(&mut pairs.pairs, keys);
                let mut previous = None;
                for pair in &pairs.pairs {
                    let (key, id) = ((pair >> 32) as u32, *pair as u32);
                    if previous != Some(*pair) && wanted.binary_search(&id).is_ok() {
                        found.push((id, key));
                    }
                    previous = Some(*pair);
                }
                found.sort_unstable();
                (counts, found)
            }
        }
    }
}

impl AnalyticsIndex {
    fn site_or_empty(&self, website: WebsiteId) -> &SiteIndex {
        self.site(website).unwrap_or(&EMPTY_SITE)
    }

    /// `GET /analytics/overview`.
    pub fn overview(&self, website: WebsiteId, request: &OverviewRequest) -> Overview {
        let site = self.site_or_empty(website);
        let selection = Selection::new(site, request.scope.range_or_all(), &request.scope.filters);
        let mut agg = OverviewAggregate::default();
        let mut visitors = BitSet::new(site.visitors.len());
        let mut sessions = BitSet::new(site.sessions.len());
        selection.for_each(|at| {
            if visitors.insert(site.visitor[at]) {
                agg.visitors += 1;
            }
            let session = site.session[at];
            if sessions.insert(session)
                && let Some(summary) = site.session_summary.get(session as usize)
            {
                agg.sessions += 1;
                agg.bounces += u64::from(summary & BOUNCED != 0);
                agg.duration_ms += i64::from(summary & MAX_SESSION_MS);
            }
        });
        let include_renewal = request.scope.include_renewal_revenue;
        let mut paying = BitSet::new(site.visitors.len());
        selection.for_each_payment(&visitors, |row| {
            agg.revenue.add(row, include_renewal);
            if adds_revenue(row, include_renewal)
                && visitors.contains(row.visitor)
                && paying.insert(row.visitor)
            {
                agg.paying_visitors += 1;
            }
        });
        overview_response(request, &agg)
    }

    /// `GET /analytics/timeseries`.
    pub fn timeseries(&self, website: WebsiteId, request: &TimeseriesRequest) -> Timeseries {
        let site = self.site_or_empty(website);
        let starts = bucket_starts(request).unwrap_or_default();
        let range = request.scope.range_or_all();
        let selection = Selection::new(site, range, &request.scope.filters);
        let mut totals = BucketAggregate::default();
        let mut buckets = vec![BucketAggregate::default(); starts.len()];
        let mut visitors = BitSet::new(site.visitors.len());
        let mut sessions = BitSet::new(site.sessions.len());
        let mut visitor_pairs = DistinctCounter::new(starts.len(), site.visitors.len());
        let mut session_pairs = DistinctCounter::new(starts.len(), site.sessions.len());
        if !starts.is_empty() {
            selection.for_each(|at| {
                let bucket = bucket_of(&starts, site.ts[at]) as u32;
                let (visitor, session) = (site.visitor[at], site.session[at]);
                totals.visitors += u64::from(visitors.insert(visitor));
                totals.sessions += u64::from(sessions.insert(session));
                visitor_pairs.add(bucket, visitor);
                session_pairs.add(bucket, session);
            });
        }
        let visitor_counts = visitor_pairs.counts(starts.len());
        let session_counts = session_pairs.counts(starts.len());
        for (at, bucket) in buckets.iter_mut().enumerate() {
            bucket.visitors = visitor_counts[at];
            bucket.sessions = session_counts[at];
        }
        let include_renewal = request.scope.include_renewal_revenue;
        if !starts.is_empty() {
            selection.for_each_payment(&visitors, |row| {
                totals.revenue.add(row, include_renewal);
                if let Some(bucket) = buckets.get_mut(bucket_of(&starts, row.ts)) {
                    bucket.revenue.add(row, include_renewal);
                }
            });
        }
        let series: Vec<(i64, BucketAggregate)> = starts.into_iter().zip(buckets).collect();
        timeseries_response(request, &series, &totals)
    }

    /// Every breakdown route.
    pub fn breakdown(&self, website: WebsiteId, request: &BreakdownRequest) -> BreakdownPage {
        let site = self.site_or_empty(website);
        let items = match request.breakdown {
            Breakdown::EntryPages => session_edge_items(site, request, Edge::Entry),
            Breakdown::ExitPages => session_edge_items(site, request, Edge::Exit),
            _ => breakdown_items(site, request),
        };
        breakdown_response(request, items)
    }

    /// `GET /analytics/funnels/{id}` for an active funnel of this website (the caller checks
    /// ownership and soft deletion).
    pub fn funnel(&self, website: WebsiteId, funnel: &Funnel, scope: &Scope) -> FunnelResult {
        let site = self.site_or_empty(website);
        let selection = Selection::new(site, scope.range_or_all(), &scope.filters);
        let steps = StepMasks::new(site, funnel);
        let step_count = funnel.steps.len().min(MAX_STEPS);
        // One scan: the selected visitors, and the funnel walked in one pass, which holds while
        // each visitor's events come in time order (always after `compact()`).
        let mut selected = BitSet::new(site.visitors.len());
        let mut walk = OnePassFunnel::new(step_count, site.visitors.len());
        // Without filters, revenue does not depend on the selected visitors.
        let track_visitors = selection.filtered;
        selection.for_each(|at| {
            if track_visitors {
                selected.insert(site.visitor[at]);
            }
            let mask = steps.mask(site, at);
            if mask != 0 {
                walk.feed(site.visitor[at], (site.ts[at], at as u32), mask);
            }
        });
        let reached = walk.finish().unwrap_or_else(|| {
            let mut candidates: Vec<(u32, (i64, u32), u8)> = Vec::new();
            selection.for_each(|at| {
                let mask = steps.mask(site, at);
                if mask != 0 {
                    candidates.push((site.visitor[at], (site.ts[at], at as u32), mask));
                }
            });
            funnel_step_by_step(&candidates, step_count, site.visitors.len())
        });
        let include_renewal = scope.include_renewal_revenue;
        let mut steps: Vec<(u64, f64)> = reached.iter().map(|(_, count)| (*count, 0.0)).collect();
        selection.for_each_payment(&selected, |row| {
            if !adds_revenue(row, include_renewal) || row.visitor == NONE {
                return;
            }
            for ((set, _), step) in reached.iter().zip(steps.iter_mut()) {
                if set.contains(row.visitor) {
                    step.1 += row.amount;
                }
            }
        });
        funnel_response(&steps)
    }

    /// `GET /analytics/realtime`: visitors with an event in the 10 minutes up to `now`.
    pub fn realtime(&self, website: WebsiteId, now: Timestamp) -> crate::Realtime {
        let site = self.site_or_empty(website);
        let selection = Selection::new(site, realtime_window(now), &[]);
        let (_, visitors) = selection.visitor_set();
        crate::Realtime { visitors }
    }
}

/// The realtime window: the 10 minutes up to `now`, inclusive.
pub(crate) fn realtime_window(now: Timestamp) -> TimeRange {
    let end = now.as_millisecond();
    TimeRange {
        start_ms: end - 10 * 60 * 1000,
        end_ms: end,
    }
}

/// Visitors reaching each step when each visitor's matching events come in time order: one
/// pass, each event advancing its visitor by at most one step. Gives up (`finish` is `None`)
/// as soon as a visitor's events go back in time.
struct OnePassFunnel {
    step_count: usize,
    /// Per visitor, the index of their state, `NONE` until met.
    slot: Vec<u32>,
    /// Visitor, steps completed, latest event seen.
    state: Vec<(u32, usize, (i64, u32))>,
    in_order: bool,
}

impl OnePassFunnel {
    fn new(step_count: usize, visitor_count: usize) -> Self {
        Self {
            step_count,
            slot: vec![NONE; visitor_count],
            state: Vec::new(),
            in_order: true,
        }
    }

    #[inline]
    fn feed(&mut self, visitor: u32, here: (i64, u32), mask: u8) {
        if !self.in_order {
            return;
        }
        let index = &mut self.slot[visitor as usize];
        if *index == NONE {
            *index = self.state.len() as u32;
            self.state.push((visitor, 0, (i64::MIN, 0)));
        }
        let (_, done, last) = &mut self.state[*index as usize];
        if here < *last {
            self.in_order = false;
            return;
        }
        *last = here;
        if *done < self.step_count && mask & (1 << *done) != 0 {
            *done += 1;
        }
    }

    fn finish(self) -> Option<Vec<(BitSet, u64)>> {
        if !self.in_order {
            return None;
        }
        let visitor_count = self.slot.len();
        let mut reached: Vec<(BitSet, u64)> = (0..self.step_count)
            .map(|_| (BitSet::new(visitor_count), 0))
            .collect();
        for (visitor, done, _) in &self.state {
            for (set, count) in reached.iter_mut().take(*done) {
                set.insert(*visitor);
                *count += 1;
            }
        }
        Some(reached)
    }
}

/// The same as [`OnePassFunnel`] for events in any order: one pass per step, keeping
/// each visitor's earliest completion of the previous step.
fn funnel_step_by_step(
    candidates: &[(u32, (i64, u32), u8)],
    step_count: usize,
    visitor_count: usize,
) -> Vec<(BitSet, u64)> {
    const UNREACHED: (i64, u32) = (i64::MAX, NONE);
    let mut reached: Vec<(BitSet, u64)> = Vec::new();
    // Per visitor, the earliest (timestamp, position) completing the previous step and the
    // current one; only the touched entries are reset between steps.
    let mut previous = vec![UNREACHED; visitor_count];
    let mut current = vec![UNREACHED; visitor_count];
    let mut previous_touched: Vec<u32> = Vec::new();
    for index in 0..step_count {
        let mut touched: Vec<u32> = Vec::new();
        for (visitor, here, mask) in candidates {
            if mask & (1 << index) == 0 {
                continue;
            }
            let v = *visitor as usize;
            let after_previous = index == 0 || *here > previous[v];
            if after_previous && *here < current[v] {
                if current[v] == UNREACHED {
                    touched.push(*visitor);
                }
                current[v] = *here;
            }
        }
        let mut set = BitSet::new(visitor_count);
        for visitor in &touched {
            set.insert(*visitor);
        }
        reached.push((set, touched.len() as u64));
        for visitor in &previous_touched {
            previous[*visitor as usize] = UNREACHED;
        }
        std::mem::swap(&mut previous, &mut current);
        previous_touched = touched;
    }
    reached
}

/// Which funnel steps an event completes, as a bit mask: by page for pageview steps, by goal
/// name for goal steps.
struct StepMasks {
    by_page: Vec<u8>,
    by_goal: Vec<(u32, u8)>,
}

impl StepMasks {
    fn new(site: &SiteIndex, funnel: &Funnel) -> Self {
        let mut by_page = vec![0u8; site.pages.len()];
        let mut by_goal: Vec<(u32, u8)> = Vec::new();
        // Funnels have at most MAX_STEPS (8) steps, one bit each.
        for (index, step) in funnel.steps.iter().take(MAX_STEPS).enumerate() {
            let bit = 1u8 << index;
            match &step.kind {
                StepKind::Pageview { url } => {
                    for (page, mask) in by_page.iter_mut().enumerate() {
                        if path_matches(url, site.page_path(page as u32)) {
                            *mask |= bit;
                        }
                    }
                }
                StepKind::Goal { goal_name } => {
                    if let Some(goal) = site.strings.get(goal_name.as_str()) {
                        by_goal.push((goal, bit));
                    }
                }
            }
        }
        Self { by_page, by_goal }
    }

    #[inline]
    fn mask(&self, site: &SiteIndex, at: usize) -> u8 {
        if site.kind[at] & KIND_MASK == PAGEVIEW {
            return self.by_page[site.page[at] as usize];
        }
        let goal = site.goal[at];
        if goal == NONE {
            return 0;
        }
        self.by_goal
            .iter()
            .filter(|(id, _)| *id == goal)
            .fold(0, |mask, (_, bit)| mask | bit)
    }
}

/// Where a breakdown's key comes from: a table from context ids or page ids to keys, or the
/// goal name.
enum KeySource {
    Context(Vec<u32>),
    Page(Vec<u32>),
    Goal(Vec<u32>),
}

fn breakdown_items(site: &SiteIndex, request: &BreakdownRequest) -> Vec<BreakdownRow> {
    let by_context = |field: fn(&crate::index::ContextRow) -> u32| {
        KeySource::Context(site.contexts.iter().map(field).collect())
    };
    let mut campaign_labels: Vec<[Option<String>; 8]> = Vec::new();
    let source = match request.breakdown {
        Breakdown::Pages | Breakdown::EntryPages | Breakdown::ExitPages => {
            KeySource::Page((0..site.pages.len() as u32).collect())
        }
        Breakdown::Hostnames => KeySource::Page(site.pages.iter().map(|p| p.host).collect()),
        Breakdown::Referrers => by_context(|c| c.source),
        Breakdown::Channels => KeySource::Context(
            site.contexts
                .iter()
                .map(|c| context_channel(site, c).index() as u32)
                .collect(),
        ),
        Breakdown::Countries => by_context(|c| c.country),
        Breakdown::Regions => by_context(|c| c.region),
        Breakdown::Cities => by_context(|c| c.city),
        Breakdown::Devices => by_context(|c| c.device),
        Breakdown::Browsers => by_context(|c| c.browser),
        Breakdown::OperatingSystems => by_context(|c| c.os),
        Breakdown::Goals => {
            let mut map = vec![NONE; site.strings.len()];
            for goal in &site.goal_names {
                if !LIFECYCLE_GOALS.contains(&site.strings.value(*goal)) {
                    map[*goal as usize] = *goal;
                }
            }
            KeySource::Goal(map)
        }
        Breakdown::Campaigns => {
            let selected = &request.campaign_tags;
            let mut ids: HashMap<[Option<String>; 8], u32> = HashMap::new();
            let keys = site
                .contexts
                .iter()
                .map(|c| {
                    let s = |id| site.strings.value_opt(id);
                    let values = [
                        s(c.utm_source),
                        s(c.utm_medium),
                        s(c.utm_campaign),
                        s(c.utm_term),
                        s(c.utm_content),
                        s(c.ref_param),
                        s(c.source_param),
                        s(c.via),
                    ];
                    match campaign_key(selected, values) {
                        Some(key) => *ids.entry(key.clone()).or_insert_with(|| {
                            campaign_labels.push(key);
                            campaign_labels.len() as u32 - 1
                        }),
                        None => NONE,
                    }
                })
                .collect();
            KeySource::Context(keys)
        }
    };
    let raw_count = match request.breakdown {
        Breakdown::Pages | Breakdown::EntryPages | Breakdown::ExitPages => site.pages.len(),
        Breakdown::Campaigns => campaign_labels.len(),
        Breakdown::Channels => Channel::ALL.len(),
        _ => site.strings.len(),
    };
    // Dense keys: only the values the tables can give, numbered from 0, so that per-key
    // tables stay small. `raw_of` turns them back for labels.
    let mut dense_of = vec![NONE; raw_count];
    let mut raw_of: Vec<u32> = Vec::new();
    let mut densify = |map: Vec<u32>| -> Vec<u32> {
        map.into_iter()
            .map(|raw| match dense_of.get_mut(raw as usize) {
                Some(dense) => {
                    if *dense == NONE {
                        *dense = raw_of.len() as u32;
                        raw_of.push(raw);
                    }
                    *dense
                }
                None => NONE,
            })
            .collect()
    };
    let source = match source {
        KeySource::Context(map) => KeySource::Context(densify(map)),
        KeySource::Page(map) => KeySource::Page(densify(map)),
        KeySource::Goal(map) => KeySource::Goal(densify(map)),
    };
    let key_count = raw_of.len();
    let pageviews_only = matches!(request.breakdown, Breakdown::Pages | Breakdown::Hostnames);
    let selection = Selection::new(site, request.scope.range_or_all(), &request.scope.filters);
    let mut selected = BitSet::new(site.visitors.len());
    let mut distinct = DistinctCounter::new(key_count, site.visitors.len());
    let mut completions = vec![0u64; key_count];
    selection.for_each(|at| {
        let visitor = site.visitor[at];
        selected.insert(visitor);
        let kind = site.kind[at] & KIND_MASK;
        let key = match &source {
            KeySource::Context(map) => map[site.ctx[at] as usize],
            KeySource::Page(map) if !pageviews_only || kind == PAGEVIEW => {
                map[site.page[at] as usize]
            }
            KeySource::Goal(map) if kind == CUSTOM => {
                let goal = site.goal[at];
                if goal == NONE {
                    NONE
                } else {
                    map[goal as usize]
                }
            }
            _ => NONE,
        };
        if key != NONE {
            completions[key as usize] += 1;
            distinct.add(key, visitor);
        }
    });
    let mut revenue = vec![Revenue::default(); key_count];
    let include_renewal = request.scope.include_renewal_revenue;
    let visitors = if matches!(source, KeySource::Goal(_)) {
        goal_revenue(
            distinct,
            key_count,
            &selection,
            &selected,
            include_renewal,
            &mut revenue,
        )
    } else {
        let visitors = distinct.counts(key_count);
        selection.for_each_payment(&selected, |row| {
            let Some(touch) = site
                .visitors
                .get(row.visitor as usize)
                .and_then(|v| v.first_touch())
            else {
                return;
            };
            let key = match &source {
                KeySource::Context(map) => map[touch.ctx as usize],
                KeySource::Page(map) => map[touch.page as usize],
                KeySource::Goal(_) => NONE,
            };
            if let Some(slot) = revenue.get_mut(key as usize) {
                slot.add(row, include_renewal);
            }
        });
        visitors
    };
    let label = |dense: u32| -> BreakdownKey {
        let key = raw_of.get(dense as usize).copied().unwrap_or(NONE);
        match request.breakdown {
            Breakdown::Pages | Breakdown::EntryPages | Breakdown::ExitPages => BreakdownKey::Page {
                host: site.page_host(key).to_owned(),
                path: site.page_path(key).to_owned(),
            },
            Breakdown::Campaigns => BreakdownKey::Campaign(
                campaign_labels
                    .get(key as usize)
                    .cloned()
                    .unwrap_or_default(),
            ),
            Breakdown::Channels => BreakdownKey::Label(
                Channel::ALL
                    .get(key as usize)
                    .map_or("", |c| c.label())
                    .to_owned(),
            ),
            _ => BreakdownKey::Label(site.strings.value(key).to_owned()),
        }
    };
    visitors
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(key, count)| BreakdownRow {
            key: label(key as u32),
            visitors: *count,
            completions: completions[key],
            revenue: revenue[key].revenue(include_renewal),
            payments: revenue[key].payments,
            pageviews: 0,
        })
        .collect()
}

/// Goals: each counted payment goes to every goal its visitor completed among the selected
/// events, read from the per-goal visitor sets `distinct` already holds. Returns the visitors
/// per goal, and adds each goal's revenue to `revenue`.
fn goal_revenue(
    distinct: DistinctCounter,
    key_count: usize,
    selection: &Selection<'_>,
    selected: &BitSet,
    include_renewal: bool,
    revenue: &mut [Revenue],
) -> Vec<u64> {
    let mut paying: Vec<u32> = Vec::new();
    selection.for_each_payment(selected, |row| {
        if row.visitor != NONE {
            paying.push(row.visitor);
        }
    });
    paying.sort_unstable();
    paying.dedup();
    let (visitors, goals_of) = distinct.counts_and_keys_of(key_count, &paying);
    if !goals_of.is_empty() {
        selection.for_each_payment(selected, |row| {
            let from = goals_of.partition_point(|(id, _)| *id < row.visitor);
            for (_, key) in goals_of[from..]
                .iter()
                .take_while(|(id, _)| *id == row.visitor)
            {
                revenue[*key as usize].add(row, include_renewal);
            }
        });
    }
    visitors
}

/// Which end of a session the entry and exit pages breakdowns read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edge {
    /// The earliest selected pageview, ties to the lower sequence number.
    Entry,
    /// The latest selected pageview, ties to the higher sequence number.
    Exit,
}

/// Entry and exit pages: one scan keeps, per session, the position of its earliest (entry)
/// or latest (exit) selected pageview, then each session counts once under that page. The
/// session table the index keeps cannot answer alone, since a range or a filter moves a
/// session's ends; per session the query holds one position (4 bytes), touched only by
/// pageviews. Entry rows carry first-touch revenue as the pages breakdown does; exit rows
/// carry the page's selected pageviews for the exit rate instead.
fn session_edge_items(
    site: &SiteIndex,
    request: &BreakdownRequest,
    edge: Edge,
) -> Vec<BreakdownRow> {
    let selection = Selection::new(site, request.scope.range_or_all(), &request.scope.filters);
    let page_count = site.pages.len();
    let mut selected = BitSet::new(site.visitors.len());
    let mut chosen = vec![NONE; site.sessions.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut pageviews = vec![0u64; if edge == Edge::Exit { page_count } else { 0 }];
    selection.for_each(|at| {
        selected.insert(site.visitor[at]);
        if site.kind[at] & KIND_MASK != PAGEVIEW {
            return;
        }
        if let Some(count) = pageviews.get_mut(site.page[at] as usize) {
            *count += 1;
        }
        let session = site.session[at];
        let Some(slot) = chosen.get_mut(session as usize) else {
            return;
        };
        if *slot == NONE {
            touched.push(session);
            *slot = at as u32;
            return;
        }
        let current = *slot as usize;
        let (here, there) = (site.ts[at], site.ts[current]);
        let replaces = match edge {
            Edge::Entry => here < there || (here == there && site.seq[at] < site.seq[current]),
            Edge::Exit => here > there || (here == there && site.seq[at] > site.seq[current]),
        };
        if replaces {
            *slot = at as u32;
        }
    });
    let mut distinct = DistinctCounter::new(page_count, site.visitors.len());
    let mut sessions = vec![0u64; page_count];
    for session in &touched {
        let at = chosen[*session as usize] as usize;
        let page = site.page[at];
        sessions[page as usize] += 1;
        distinct.add(page, site.visitor[at]);
    }
    let visitors = distinct.counts(page_count);
    let include_renewal = request.scope.include_renewal_revenue;
    let mut revenue = vec![Revenue::default(); page_count];
    if edge == Edge::Entry {
        selection.for_each_payment(&selected, |row| {
            let touch = site
                .visitors
                .get(row.visitor as usize)
                .and_then(|v| v.first_touch());
            if let Some(slot) = touch.and_then(|t| revenue.get_mut(t.page as usize)) {
                slot.add(row, include_renewal);
            }
        });
    }
    visitors
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(page, count)| BreakdownRow {
            key: BreakdownKey::Page {
                host: site.page_host(page as u32).to_owned(),
                path: site.page_path(page as u32).to_owned(),
            },
            visitors: *count,
            completions: sessions[page],
            revenue: revenue[page].revenue(include_renewal),
            payments: revenue[page].payments,
            pageviews: pageviews.get(page).copied().unwrap_or(0),
        })
        .collect()
}
