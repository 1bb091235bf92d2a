//! The columnar side store: every event of every website as a few integer columns, strings
//! dictionary-encoded, visit contexts and pages deduplicated, plus per-visitor and per-session
//! summaries and the payments and profiles. Fed in sequence order; rebuilt from scratch after
//! deletes. About 37 bytes per event, plus the rows and text each new visitor, session, visit
//! context, page and value adds; client-chosen text is capped per website ([`crate::limits`]).

use std::collections::HashMap;
use std::sync::Arc;

use datafast_domain::event::{Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::goal::GoalName;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::{Payment, to_major_units};
use datafast_domain::profile::VisitorProfile;
use jiff::Timestamp;

use crate::limits::{Field, Kept, Limits};

/// The id of an absent optional value, and of "no such row".
pub(crate) const NONE: u32 = u32::MAX;

/// Events per block; each block remembers its time span so that range scans skip whole blocks.
pub(crate) const BLOCK: usize = 4096;

fn hash_of(value: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Strings to dense ids and back.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    pub(crate) ids: HashMap<Arc<str>, u32>,
    pub(crate) values: Vec<Arc<str>>,
}

impl Interner {
    pub(crate) fn intern(&mut self, value: &str) -> u32 {
        if let Some(id) = self.ids.get(value) {
            return *id;
        }
        let id = u32::try_from(self.values.len()).unwrap_or(NONE);
        let shared: Arc<str> = Arc::from(value);
        self.values.push(shared.clone());
        self.ids.insert(shared, id);
        id
    }

    /// Moves the value of id `old` to id `new_of_old[old]`; `new_of_old` is a permutation.
    fn renumber(&mut self, new_of_old: &[u32]) {
        let mut values = self.values.clone();
        for (old, value) in self.values.iter().enumerate() {
            values[new_of_old[old] as usize] = value.clone();
        }
        self.values = values;
        for id in self.ids.values_mut() {
            *id = new_of_old[*id as usize];
        }
    }

    pub(crate) fn get(&self, value: &str) -> Option<u32> {
        self.ids.get(value).copied()
    }

    pub(crate) fn value(&self, id: u32) -> &str {
        self.values.get(id as usize).map_or("", |v| v)
    }

    pub(crate) fn value_opt(&self, id: u32) -> Option<&str> {
        self.values.get(id as usize).map(|v| &**v)
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }
}

/// A visit context with every string as an id in [`SiteIndex::strings`] (`NONE` when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ContextRow {
    pub referrer: u32,
    pub source: u32,
    pub utm_source: u32,
    pub utm_medium: u32,
    pub utm_campaign: u32,
    pub utm_term: u32,
    pub utm_content: u32,
    pub ref_param: u32,
    pub source_param: u32,
    pub via: u32,
    pub browser: u32,
    pub browser_version: u32,
    pub os: u32,
    pub os_version: u32,
    pub device: u32,
    pub country: u32,
    pub region: u32,
    pub city: u32,
}

/// A hostname and path pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PageRow {
    pub host: u32,
    pub path: u32,
}

/// Where a visitor was first seen: the moment, the visit context and the page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Touch {
    pub ts: i64,
    pub ctx: u32,
    pub page: u32,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct VisitorRow {
    /// The earliest event of any kind.
    pub first_event: Option<Touch>,
    /// The earliest pageview; first touch prefers it.
    pub first_pageview: Option<Touch>,
}

impl VisitorRow {
    /// The visitor's first touch: the earliest pageview, or the earliest event without one.
    pub(crate) fn first_touch(&self) -> Option<Touch> {
        self.first_pageview.or(self.first_event)
    }
}

/// A whole session, whatever the query range: bounce and duration are properties of it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionRow {
    pub first_ts: i64,
    pub last_ts: i64,
    pub pageviews: u32,
    /// The earliest pageview's page, `NONE` without pageviews.
    pub entry_page: u32,
    pub entry_ts: i64,
}

/// A visitor's profile as the index keeps it: the properties as string ids, capped like every
/// client-chosen text, and the user id (one per visitor, at most 255 characters) as it is.
#[derive(Debug, Clone)]
pub(crate) struct ProfileRow {
    pub user_id: Box<str>,
    /// Property names and values, as ids in [`SiteIndex::strings`].
    pub metadata: Box<[(u32, u32)]>,
    pub identified_at: Timestamp,
}

/// A payment with its visitor resolved to a row (`NONE` when unknown) and its amount in major
/// units.
#[derive(Debug, Clone)]
pub(crate) struct PaymentRow {
    pub payment: Payment,
    pub visitor: u32,
    pub ts: i64,
    pub amount: f64,
}

/// No event at all, below every real (timestamp, position).
pub(crate) const NO_EVENT: (i64, u32) = (i64::MIN, NONE);

/// The longest session duration counted, about 24.8 days; longer ones count as this.
pub const MAX_SESSION_MS: u32 = 0x7fff_ffff;
pub(crate) const BOUNCED: u32 = 0x8000_0000;

pub(crate) const KIND_MASK: u8 = 0x7f;
pub(crate) const SERVER_ORIGIN: u8 = 0x80;

pub(crate) fn kind_code(kind: EventKind) -> u8 {
    match kind {
        EventKind::Pageview => 0,
        EventKind::Custom => 1,
        EventKind::Payment => 2,
        EventKind::Identify => 3,
        EventKind::ExternalLink => 4,
    }
}

pub(crate) const PAGEVIEW: u8 = 0;
pub(crate) const CUSTOM: u8 = 1;

/// Everything one website's queries read.
#[derive(Debug, Default)]
pub(crate) struct SiteIndex {
    pub strings: Interner,
    /// Which strings each capped field keeps, and how many.
    pub kept: Kept,
    pub visitor_ids: Interner,
    /// Sessions by (visitor row, 64-bit hash of the session id): session ids are never shown,
    /// and a collision between two sessions of one visitor is out of reach.
    pub session_ids: HashMap<(u32, u64), u32>,
    pub contexts: Vec<ContextRow>,
    pub context_ids: HashMap<ContextRow, u32>,
    pub pages: Vec<PageRow>,
    pub page_ids: HashMap<PageRow, u32>,
    // The event columns, in arrival (sequence) order.
    pub ts: Vec<i64>,
    pub seq: Vec<u64>,
    pub visitor: Vec<u32>,
    pub session: Vec<u32>,
    pub page: Vec<u32>,
    pub goal: Vec<u32>,
    pub ctx: Vec<u32>,
    /// [`kind_code`], with [`SERVER_ORIGIN`] set for events sent through the Website API.
    pub kind: Vec<u8>,
    /// Every goal name seen, as string ids.
    pub goal_names: std::collections::BTreeSet<u32>,
    /// Server-side goal descriptions, by event position.
    pub descriptions: HashMap<u32, u32>,
    /// Custom parameters (name and value string ids), by event position; most events have
    /// none and cost nothing here.
    pub params: HashMap<u32, Vec<(u32, u32)>>,
    /// Per block of [`BLOCK`] events: the earliest and latest timestamp.
    pub block_span: Vec<(i64, i64)>,
    pub visitors: Vec<VisitorRow>,
    /// Per visitor, their latest event and latest pageview as (timestamp, position), the later
    /// position winning a tie as the visitors list orders them; [`NO_EVENT`] for none. Lets an
    /// unfiltered all-time visitors list skip the scan of every event.
    pub latest_event: Vec<(i64, u32)>,
    pub latest_pageview: Vec<(i64, u32)>,
    pub sessions: Vec<SessionRow>,
    /// Per session, what overview reads, packed so that scans stay in cache: the duration in
    /// milliseconds (capped at [`MAX_SESSION_MS`]) with [`BOUNCED`] set for one pageview.
    pub session_summary: Vec<u32>,
    pub payments: Vec<PaymentRow>,
    pub profiles: HashMap<u32, ProfileRow>,
}

impl SiteIndex {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            kept: Kept::new(limits),
            ..Self::default()
        }
    }

    /// The id of `value` in `field`, or of `(other)` past the field's cap.
    fn capped(&mut self, field: Field, value: &str) -> u32 {
        self.kept.intern(&mut self.strings, field, value)
    }

    fn capped_opt(&mut self, field: Field, value: Option<&str>) -> u32 {
        self.kept.intern_opt(&mut self.strings, field, value)
    }

    fn context_id(&mut self, context: &VisitContext) -> u32 {
        use crate::software::{browser_name, os_name, os_version};
        // Browser names and devices come from fixed lists, places from the server's location
        // database: only client-chosen text is capped.
        let plain = |s: &mut Interner, value: Option<&str>| value.map_or(NONE, |v| s.intern(v));
        let row = ContextRow {
            referrer: self.capped_opt(Field::Referrer, context.referrer.as_deref()),
            source: self.capped(Field::Source, &context.source),
            utm_source: self.capped_opt(Field::UtmSource, context.utm_source.as_deref()),
            utm_medium: self.capped_opt(Field::UtmMedium, context.utm_medium.as_deref()),
            utm_campaign: self.capped_opt(Field::UtmCampaign, context.utm_campaign.as_deref()),
            utm_term: self.capped_opt(Field::UtmTerm, context.utm_term.as_deref()),
            utm_content: self.capped_opt(Field::UtmContent, context.utm_content.as_deref()),
            ref_param: self.capped_opt(Field::Ref, context.ref_param.as_deref()),
            source_param: self.capped_opt(Field::SourceParam, context.source_param.as_deref()),
            via: self.capped_opt(Field::Via, context.via.as_deref()),
            browser: self
                .strings
                .intern(browser_name(&context.browser, &context.os)),
            browser_version: self
                .capped_opt(Field::BrowserVersion, context.browser_version.as_deref()),
            os: self.capped(Field::Os, os_name(&context.os)),
            os_version: self.capped_opt(
                Field::OsVersion,
                os_version(&context.os, context.os_version.as_deref()),
            ),
            device: self.strings.intern(context.device.as_str()),
            country: plain(&mut self.strings, context.country.as_deref()),
            region: plain(&mut self.strings, context.region.as_deref()),
            city: plain(&mut self.strings, context.city.as_deref()),
        };
        if let Some(id) = self.context_ids.get(&row) {
            return *id;
        }
        let id = u32::try_from(self.contexts.len()).unwrap_or(NONE);
        self.contexts.push(row);
        self.context_ids.insert(row, id);
        id
    }

    /// Keeps [`SiteIndex::latest_event`] and [`SiteIndex::latest_pageview`] for an event at
    /// `position`.
    fn note_latest(&mut self, visitor: usize, ts: i64, position: usize, is_pageview: bool) {
        let here = (ts, u32::try_from(position).unwrap_or(NONE));
        if let Some(latest) = self.latest_event.get_mut(visitor) {
            *latest = (*latest).max(here);
        }
        if is_pageview && let Some(latest) = self.latest_pageview.get_mut(visitor) {
            *latest = (*latest).max(here);
        }
    }

    fn page_id(&mut self, host: &str, path: &str) -> u32 {
        let row = PageRow {
            host: self.capped(Field::Hostname, host),
            path: self.capped(Field::Path, path),
        };
        if let Some(id) = self.page_ids.get(&row) {
            return *id;
        }
        let id = u32::try_from(self.pages.len()).unwrap_or(NONE);
        self.pages.push(row);
        self.page_ids.insert(row, id);
        id
    }

    pub(crate) fn visitor_row(&mut self, visitor_id: &str) -> u32 {
        let id = self.visitor_ids.intern(visitor_id);
        if id as usize >= self.visitors.len() {
            self.visitors.push(VisitorRow {
                first_event: None,
                first_pageview: None,
            });
            self.latest_event.push(NO_EVENT);
            self.latest_pageview.push(NO_EVENT);
        }
        id
    }

    fn apply_event(&mut self, seq: u64, event: &Event) {
        let ts = event.occurred_at.as_millisecond();
        let visitor = self.visitor_row(&event.visitor_id);
        let ctx = self.context_id(&event.context);
        let page = self.page_id(&event.hostname, &event.path);
        let goal = self.capped_opt(Field::Goal, event.goal_name.as_ref().map(GoalName::as_str));
        if goal != NONE {
            self.goal_names.insert(goal);
        }
        let is_pageview = event.kind == EventKind::Pageview;
        let session = self.session_row(visitor, &event.session_id, ts);
        self.note_session(session, ts, page, is_pageview);
        self.note_first_touch(visitor, Touch { ts, ctx, page }, is_pageview);
        let position = self.ts.len();
        self.note_latest(visitor as usize, ts, position, is_pageview);
        self.note_block(position, ts);
        self.note_text(position, event);
        self.ts.push(ts);
        self.seq.push(seq);
        self.visitor.push(visitor);
        self.session.push(session);
        self.page.push(page);
        self.goal.push(goal);
        self.ctx.push(ctx);
        let origin = match event.origin {
            EventOrigin::Client => 0,
            EventOrigin::Server => SERVER_ORIGIN,
        };
        self.kind.push(kind_code(event.kind) | origin);
    }

    /// The row of the visitor's session of this id, added on its first event (at `ts`).
    fn session_row(&mut self, visitor: u32, session_id: &str, ts: i64) -> u32 {
        let session_key = (visitor, hash_of(session_id));
        let next_session = u32::try_from(self.sessions.len()).unwrap_or(NONE);
        let session = *self.session_ids.entry(session_key).or_insert(next_session);
        if session as usize >= self.sessions.len() {
            self.sessions.push(SessionRow {
                first_ts: ts,
                last_ts: ts,
                pageviews: 0,
                entry_page: NONE,
                entry_ts: i64::MAX,
            });
        }
        if session as usize >= self.session_summary.len() {
            self.session_summary.push(0);
        }
        session
    }

    /// Widens the session to an event at `ts`, counts its pageviews and keeps its entry page
    /// and its summary (duration, bounce) up to date.
    fn note_session(&mut self, session: u32, ts: i64, page: u32, is_pageview: bool) {
        let Some(row) = self.sessions.get_mut(session as usize) else {
            return;
        };
        row.first_ts = row.first_ts.min(ts);
        row.last_ts = row.last_ts.max(ts);
        if is_pageview {
            row.pageviews += 1;
            // Strictly earlier only: among equal instants the lower sequence wins.
            if ts < row.entry_ts {
                row.entry_ts = ts;
                row.entry_page = page;
            }
        }
        let duration = u32::try_from(row.last_ts - row.first_ts)
            .unwrap_or(MAX_SESSION_MS)
            .min(MAX_SESSION_MS);
        let bounced = if row.pageviews == 1 { BOUNCED } else { 0 };
        if let Some(summary) = self.session_summary.get_mut(session as usize) {
            *summary = duration | bounced;
        }
    }

    /// Keeps the visitor's earliest event and earliest pageview.
    fn note_first_touch(&mut self, visitor: u32, touch: Touch, is_pageview: bool) {
        if let Some(row) = self.visitors.get_mut(visitor as usize) {
            if row.first_event.is_none_or(|t| touch.ts < t.ts) {
                row.first_event = Some(touch);
            }
            if is_pageview && row.first_pageview.is_none_or(|t| touch.ts < t.ts) {
                row.first_pageview = Some(touch);
            }
        }
    }

    /// Widens the time span of the block holding `position`, starting a new block at each
    /// multiple of [`BLOCK`].
    fn note_block(&mut self, position: usize, ts: i64) {
        if position.is_multiple_of(BLOCK) {
            self.block_span.push((ts, ts));
        } else if let Some(span) = self.block_span.last_mut() {
            span.0 = span.0.min(ts);
            span.1 = span.1.max(ts);
        }
    }

    /// The event's description and parameters, capped, by its position.
    fn note_text(&mut self, position: usize, event: &Event) {
        let at = u32::try_from(position).unwrap_or(NONE);
        if let Some(description) = &event.description {
            let id = self.capped(Field::Description, description);
            self.descriptions.insert(at, id);
        }
        if !event.params.is_empty() {
            let params = event
                .params
                .iter()
                .map(|(name, value)| {
                    let name = self.capped(Field::ParamName, name);
                    (name, self.capped(Field::ParamValue, value))
                })
                .collect();
            self.params.insert(at, params);
        }
    }

    /// Gives visitors new ids in the order they first appeared, so that the visitors of a
    /// day are close together in every per-visitor table.
    fn renumber_visitors(&mut self) {
        let mut by_arrival: Vec<u32> = (0..self.visitors.len() as u32).collect();
        by_arrival.sort_by_key(|v| {
            self.visitors[*v as usize]
                .first_event
                .map_or(i64::MAX, |t| t.ts)
        });
        let mut new_of_old = vec![0u32; by_arrival.len()];
        for (new, old) in by_arrival.iter().enumerate() {
            new_of_old[*old as usize] = new as u32;
        }
        let remap = |v: u32| {
            if v == NONE {
                NONE
            } else {
                new_of_old[v as usize]
            }
        };
        self.visitor_ids.renumber(&new_of_old);
        self.visitors = by_arrival
            .iter()
            .map(|old| self.visitors[*old as usize])
            .collect();
        for visitor in &mut self.visitor {
            *visitor = remap(*visitor);
        }
        for payment in &mut self.payments {
            payment.visitor = remap(payment.visitor);
        }
        self.profiles = std::mem::take(&mut self.profiles)
            .into_iter()
            .map(|(v, profile)| (remap(v), profile))
            .collect();
        self.session_ids = std::mem::take(&mut self.session_ids)
            .into_iter()
            .map(|((v, hash), session)| ((remap(v), hash), session))
            .collect();
    }

    /// Gives sessions new ids in the order of the (sorted) events, so that scans read the
    /// session tables front to back.
    fn renumber_sessions(&mut self) {
        let mut new_of_old = vec![NONE; self.sessions.len()];
        let mut by_new: Vec<u32> = Vec::with_capacity(self.sessions.len());
        for session in &mut self.session {
            let slot = &mut new_of_old[*session as usize];
            if *slot == NONE {
                *slot = by_new.len() as u32;
                by_new.push(*session);
            }
            *session = *slot;
        }
        // Sessions without events cannot exist (a session is created by an event), but keep
        // any stray row rather than lose it.
        for (old, slot) in new_of_old.iter_mut().enumerate() {
            if *slot == NONE {
                *slot = by_new.len() as u32;
                by_new.push(old as u32);
            }
        }
        self.sessions = by_new
            .iter()
            .map(|old| self.sessions[*old as usize])
            .collect();
        self.session_summary = by_new
            .iter()
            .map(|old| self.session_summary[*old as usize])
            .collect();
        for session in self.session_ids.values_mut() {
            *session = new_of_old[*session as usize];
        }
    }

    fn sort_by_time(&mut self) {
        const DAY_MS: i64 = 86_400_000;
        self.renumber_visitors();
        let mut order: Vec<u32> = (0..self.ts.len() as u32).collect();
        // Days in time order, so that range scans skip whole blocks; within a day, visitor by
        // visitor, so that per-visitor and per-session state is read in runs rather than at
        // random. The sort is stable: one visitor's events at one instant keep their
        // sequence order, which is the tie-break every query uses within a visitor.
        order.sort_by_key(|at| {
            let at = *at as usize;
            (
                self.ts[at].div_euclid(DAY_MS),
                self.visitor[at],
                self.ts[at],
            )
        });
        fn permute<T: Copy>(column: &mut Vec<T>, order: &[u32]) {
            let sorted: Vec<T> = order.iter().map(|at| column[*at as usize]).collect();
            *column = sorted;
        }
        permute(&mut self.ts, &order);
        permute(&mut self.seq, &order);
        permute(&mut self.visitor, &order);
        permute(&mut self.session, &order);
        permute(&mut self.page, &order);
        permute(&mut self.goal, &order);
        permute(&mut self.ctx, &order);
        permute(&mut self.kind, &order);
        if !self.descriptions.is_empty() || !self.params.is_empty() {
            let mut new_position = vec![0u32; order.len()];
            for (position, old) in order.iter().enumerate() {
                new_position[*old as usize] = position as u32;
            }
            self.descriptions = self
                .descriptions
                .iter()
                .map(|(old, text)| (new_position[*old as usize], *text))
                .collect();
            self.params = std::mem::take(&mut self.params)
                .into_iter()
                .map(|(old, params)| (new_position[old as usize], params))
                .collect();
        }
        self.renumber_sessions();
        // Positions and visitor numbers both changed: the latest events are found again.
        self.latest_event.fill(NO_EVENT);
        self.latest_pageview.fill(NO_EVENT);
        for position in 0..self.ts.len() {
            let is_pageview = self.kind[position] & KIND_MASK == PAGEVIEW;
            let (visitor, ts) = (self.visitor[position] as usize, self.ts[position]);
            self.note_latest(visitor, ts, position, is_pageview);
        }
        self.block_span = self
            .ts
            .chunks(BLOCK)
            .map(|chunk| {
                let low = chunk.iter().copied().min().unwrap_or(i64::MAX);
                let high = chunk.iter().copied().max().unwrap_or(i64::MIN);
                (low, high)
            })
            .collect();
    }

    fn shrink_to_fit(&mut self) {
        self.ts.shrink_to_fit();
        self.seq.shrink_to_fit();
        self.visitor.shrink_to_fit();
        self.session.shrink_to_fit();
        self.page.shrink_to_fit();
        self.goal.shrink_to_fit();
        self.ctx.shrink_to_fit();
        self.kind.shrink_to_fit();
        self.visitors.shrink_to_fit();
        self.latest_event.shrink_to_fit();
        self.latest_pageview.shrink_to_fit();
        self.sessions.shrink_to_fit();
        self.session_summary.shrink_to_fit();
        self.session_ids.shrink_to_fit();
    }

    /// The positions of the events whose timestamp may fall in `[start, end]`, block by block.
    pub(crate) fn blocks_in(
        &self,
        start: i64,
        end: i64,
    ) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let total = self.ts.len();
        self.block_span
            .iter()
            .enumerate()
            .filter(move |(_, (low, high))| *high >= start && *low <= end)
            .map(move |(block, _)| block * BLOCK..((block + 1) * BLOCK).min(total))
    }

    pub(crate) fn page_path(&self, page: u32) -> &str {
        self.pages
            .get(page as usize)
            .map_or("", |p| self.strings.value(p.path))
    }

    pub(crate) fn page_host(&self, page: u32) -> &str {
        self.pages
            .get(page as usize)
            .map_or("", |p| self.strings.value(p.host))
    }
}

/// The analytics index of every website. Hold it behind an `RwLock`: queries take `&self`.
#[derive(Debug, Default)]
pub struct AnalyticsIndex {
    pub(crate) sites: HashMap<WebsiteId, SiteIndex>,
    events: usize,
    limits: Limits,
}

impl AnalyticsIndex {
    /// An empty index with the default caps ([`Limits::DEFAULT`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty index with other caps on distinct values per website and field.
    pub fn with_limits(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// How many distinct values of `field` the website keeps under their own names (values
    /// past the cap are all `(other)`).
    pub fn distinct_values(&self, website: WebsiteId, field: Field) -> u32 {
        self.sites
            .get(&website)
            .map_or(0, |site| site.kept.count(field))
    }

    fn site_mut(&mut self, website: WebsiteId) -> &mut SiteIndex {
        let limits = self.limits;
        self.sites
            .entry(website)
            .or_insert_with(|| SiteIndex::new(limits))
    }

    /// Forgets everything, for a rebuild.
    pub fn clear(&mut self) {
        self.sites.clear();
        self.events = 0;
    }

    /// The number of events applied since the last clear.
    pub fn event_count(&self) -> usize {
        self.events
    }

    /// Adds one stored event. Feed events in increasing `seq`; websites may be mixed.
    pub fn apply_event(&mut self, seq: u64, event: &Event) {
        self.site_mut(event.website_id).apply_event(seq, event);
        self.events += 1;
    }

    /// Adds one payment (in any order relative to events). Its amount is converted to major
    /// units with its own currency's exponent.
    pub fn apply_payment(&mut self, payment: &Payment) {
        let site = self.site_mut(payment.website_id);
        let visitor = match &payment.visitor_id {
            Some(id) => site.visitor_row(id),
            None => NONE,
        };
        site.payments.push(PaymentRow {
            payment: payment.clone(),
            visitor,
            ts: payment.occurred_at.as_millisecond(),
            amount: to_major_units(payment.amount_minor, &payment.currency),
        });
    }

    /// Sets a visitor's profile; a later identify replaces it. Property names and values are
    /// capped like event parameters.
    pub fn apply_profile(&mut self, profile: &VisitorProfile) {
        let site = self.site_mut(profile.website_id);
        let visitor = site.visitor_row(&profile.visitor_id);
        let metadata = profile
            .metadata
            .iter()
            .map(|(name, value)| {
                let name = site.capped(Field::PropertyName, name);
                (name, site.capped(Field::PropertyValue, value))
            })
            .collect();
        let row = ProfileRow {
            user_id: profile.user_id.as_str().into(),
            metadata,
            identified_at: profile.identified_at,
        };
        site.profiles.insert(visitor, row);
    }

    /// Reorders every website's events by day, then visitor, then time, and returns spare
    /// capacity. Answers do not change; range queries then read only the blocks of their
    /// range instead of every block. Call it after a rebuild, whose events arrive in
    /// sequence order rather than time order; events that arrive later in time order keep
    /// the blocks tight without it. Takes about two seconds per 10 million events.
    pub fn compact(&mut self) {
        for site in self.sites.values_mut() {
            site.sort_by_time();
            site.shrink_to_fit();
        }
    }

    pub(crate) fn site(&self, website: WebsiteId) -> Option<&SiteIndex> {
        self.sites.get(&website)
    }
}
