//! Query building blocks over one website's columns: filters compiled to lookup tables, the
//! scan of matching events in a range, visitor sets, and the revenue rules.

use datafast_domain::ingest::channel::{Channel, ChannelInput, channel};

use crate::filter::{Dimension, Filter};
use crate::index::{ContextRow, NONE, PaymentRow, SiteIndex};
use crate::request::TimeRange;
use crate::response::Revenue;

/// A fixed-size set of dense ids.
#[derive(Debug, Clone)]
pub(crate) struct BitSet {
    words: Vec<u64>,
}

impl BitSet {
    pub(crate) fn new(size: usize) -> Self {
        Self {
            words: vec![0; size.div_ceil(64)],
        }
    }

    /// Adds `id`; true when it was not there yet.
    pub(crate) fn insert(&mut self, id: u32) -> bool {
        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
        match self.words.get_mut(word) {
            Some(w) if *w & bit == 0 => {
                *w |= bit;
                true
            }
            _ => false,
        }
    }

    pub(crate) fn contains(&self, id: u32) -> bool {
        self.words
            .get(id as usize / 64)
            .is_some_and(|w| w & (1u64 << (id % 64)) != 0)
    }
}

/// The channel of a context row's acquisition, from its stored (capped) values.
pub(crate) fn context_channel(site: &SiteIndex, row: &ContextRow) -> Channel {
    let s = |id: u32| site.strings.value_opt(id);
    channel(&ChannelInput {
        source: site.strings.value(row.source),
        referrer: s(row.referrer),
        utm_source: s(row.utm_source),
        utm_medium: s(row.utm_medium),
        utm_campaign: s(row.utm_campaign),
        utm_term: s(row.utm_term),
        utm_content: s(row.utm_content),
        ref_param: s(row.ref_param),
        source_param: s(row.source_param),
        via: s(row.via),
    })
}

/// The values a context filter tests, from a context row.
pub(crate) fn context_candidates<'a>(
    site: &'a SiteIndex,
    row: &ContextRow,
    dimension: Dimension,
) -> [Option<&'a str>; 2] {
    let s = |id: u32| site.strings.value_opt(id);
    match dimension {
        Dimension::Country => [s(row.country), None],
        Dimension::Region => [s(row.region), None],
        Dimension::City => [s(row.city), None],
        Dimension::Device => [s(row.device), None],
        Dimension::Browser => [s(row.browser), None],
        Dimension::Os => [s(row.os), None],
        Dimension::Referrer => [s(row.referrer), s(row.source)],
        Dimension::UtmSource => [s(row.utm_source), None],
        Dimension::UtmMedium => [s(row.utm_medium), None],
        Dimension::UtmCampaign => [s(row.utm_campaign), None],
        Dimension::UtmTerm => [s(row.utm_term), None],
        Dimension::UtmContent => [s(row.utm_content), None],
        Dimension::Ref => [s(row.ref_param), None],
        Dimension::Source => [s(row.source_param), None],
        Dimension::Via => [s(row.via), None],
        Dimension::Channel => [Some(context_channel(site, row).label()), None],
        Dimension::Page | Dimension::EntryPage | Dimension::Hostname | Dimension::Goal => {
            [None, None]
        }
    }
}

fn is_context_dimension(dimension: Dimension) -> bool {
    !matches!(
        dimension,
        Dimension::Page | Dimension::EntryPage | Dimension::Hostname | Dimension::Goal
    )
}

/// Filters turned into per-id answers, so that testing an event is a few array reads.
#[derive(Debug)]
pub(crate) struct Selection<'a> {
    pub site: &'a SiteIndex,
    pub range: TimeRange,
    /// Whether any filter applies (then revenue counts only the selected visitors' payments).
    pub filtered: bool,
    context_ok: Option<Vec<bool>>,
    page_ok: Option<Vec<bool>>,
    goal_ok: Option<Vec<bool>>,
    goal_none_ok: bool,
    entry_ok: Option<Vec<bool>>,
    entry_none_ok: bool,
}

impl<'a> Selection<'a> {
    pub(crate) fn new(site: &'a SiteIndex, range: TimeRange, filters: &[Filter]) -> Self {
        let of = |pred: &dyn Fn(&Filter) -> bool| -> Vec<&Filter> {
            filters.iter().filter(|f| pred(f)).collect()
        };
        let context_filters = of(&|f| is_context_dimension(f.dimension));
        let page_filters = of(&|f| matches!(f.dimension, Dimension::Page | Dimension::Hostname));
        let goal_filters = of(&|f| f.dimension == Dimension::Goal);
        let entry_filters = of(&|f| f.dimension == Dimension::EntryPage);

        let context_ok = (!context_filters.is_empty()).then(|| {
            site.contexts
                .iter()
                .map(|row| {
                    context_filters
                        .iter()
                        .all(|f| f.matches(&context_candidates(site, row, f.dimension)))
                })
                .collect()
        });
        let page_matches = |filters: &[&Filter], page: u32| {
            filters.iter().all(|f| {
                let value = match f.dimension {
                    Dimension::Hostname => site.page_host(page),
                    _ => site.page_path(page),
                };
                f.matches(&[Some(value)])
            })
        };
        let all_pages = 0..u32::try_from(site.pages.len()).unwrap_or(NONE);
        let page_ok = (!page_filters.is_empty()).then(|| {
            all_pages
                .clone()
                .map(|p| page_matches(&page_filters, p))
                .collect()
        });
        let entry_ok = (!entry_filters.is_empty())
            .then(|| all_pages.map(|p| page_matches(&entry_filters, p)).collect());
        let entry_none_ok = entry_filters.iter().all(|f| f.matches(&[None]));
        let goal_ok = (!goal_filters.is_empty()).then(|| {
            (0..u32::try_from(site.strings.len()).unwrap_or(NONE))
                .map(|id| {
                    let name = site.strings.value_opt(id);
                    goal_filters.iter().all(|f| f.matches(&[name]))
                })
                .collect()
        });
        let goal_none_ok = goal_filters.iter().all(|f| f.matches(&[None]));
        Self {
            site,
            range,
            filtered: !filters.is_empty(),
            context_ok,
            page_ok,
            goal_ok,
            goal_none_ok,
            entry_ok,
            entry_none_ok,
        }
    }

    /// Whether the event at `at` passes every filter (the range aside).
    #[inline]
    pub(crate) fn passes(&self, at: usize) -> bool {
        let site = self.site;
        if let Some(ok) = &self.context_ok
            && !ok[site.ctx[at] as usize]
        {
            return false;
        }
        if let Some(ok) = &self.page_ok
            && !ok[site.page[at] as usize]
        {
            return false;
        }
        if let Some(ok) = &self.goal_ok {
            let goal = site.goal[at];
            let pass = if goal == NONE {
                self.goal_none_ok
            } else {
                ok[goal as usize]
            };
            if !pass {
                return false;
            }
        }
        if let Some(ok) = &self.entry_ok {
            let entry = site
                .sessions
                .get(site.session[at] as usize)
                .map_or(NONE, |s| s.entry_page);
            let pass = if entry == NONE {
                self.entry_none_ok
            } else {
                ok[entry as usize]
            };
            if !pass {
                return false;
            }
        }
        true
    }

    /// Calls `visit` with the position of every selected event, in storage order.
    pub(crate) fn for_each(&self, mut visit: impl FnMut(usize)) {
        let (start, end) = (self.range.start_ms, self.range.end_ms);
        let ts = &self.site.ts;
        for block in self.site.blocks_in(start, end) {
            for at in block {
                let t = ts[at];
                if t >= start && t <= end && self.passes(at) {
                    visit(at);
                }
            }
        }
    }

    /// The set of visitors with a selected event.
    pub(crate) fn visitor_set(&self) -> (BitSet, u64) {
        let mut set = BitSet::new(self.site.visitors.len());
        let mut count = 0;
        let visitors = &self.site.visitor;
        self.for_each(|at| {
            if set.insert(visitors[at]) {
                count += 1;
            }
        });
        (set, count)
    }

    /// Calls `visit` for each payment that revenue metrics count: in range, not a free trial,
    /// and, when filters apply, made by a selected visitor.
    pub(crate) fn for_each_payment(&self, selected: &BitSet, mut visit: impl FnMut(&PaymentRow)) {
        for row in &self.site.payments {
            if payment_counts(row, &self.range, self.filtered, |v| selected.contains(v)) {
                visit(row);
            }
        }
    }
}

/// The payment rule shared with the reference model.
pub(crate) fn payment_counts(
    row: &PaymentRow,
    range: &TimeRange,
    filtered: bool,
    selected: impl Fn(u32) -> bool,
) -> bool {
    range.contains(row.ts)
        && !row.payment.free_trial
        && (!filtered || (row.visitor != NONE && selected(row.visitor)))
}

impl Revenue {
    /// Adds one counted payment: refunds aside, renewals apart, new revenue otherwise.
    pub(crate) fn add(&mut self, row: &PaymentRow, include_renewal: bool) {
        if row.payment.refunded {
            self.refund += row.amount;
        } else if row.payment.renewal {
            self.renewal += row.amount;
            if include_renewal {
                self.payments += 1;
            }
        } else {
            self.new += row.amount;
            self.payments += 1;
        }
    }
}

/// Whether a counted payment adds to `revenue` (and makes its visitor a paying one).
pub(crate) fn adds_revenue(row: &PaymentRow, include_renewal: bool) -> bool {
    !row.payment.refunded && (include_renewal || !row.payment.renewal)
}
