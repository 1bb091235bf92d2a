//! An estimate of the index's heap memory from the lengths and capacities of its tables: what
//! tests and the hostile-events benchmark compare, since a counting allocator would need
//! unsafe code. Hash tables are counted at their bucket count (capacity rounded up as the
//! standard library's tables grow) with one control byte per bucket; strings at their length
//! plus a shared pointer's two counters. Allocator rounding is not counted.

use std::collections::HashMap;

use crate::index::{AnalyticsIndex, Interner, PaymentRow, SiteIndex};

fn vec_bytes<T>(column: &Vec<T>) -> usize {
    column.capacity() * size_of::<T>()
}

fn map_bytes<K, V, S>(map: &HashMap<K, V, S>) -> usize {
    if map.capacity() == 0 {
        return 0;
    }
    let buckets = (map.capacity() * 8 / 7).next_power_of_two();
    buckets * (size_of::<(K, V)>() + 1)
}

/// An `Arc<str>`: two counters and the text.
fn shared_text_bytes(text: &str) -> usize {
    2 * size_of::<usize>() + text.len()
}

fn text_bytes(text: &str) -> usize {
    text.len()
}

impl Interner {
    pub(crate) fn heap_bytes(&self) -> usize {
        // Each value is held once, shared by the list and the map.
        vec_bytes(&self.values)
            + map_bytes(&self.ids)
            + self
                .values
                .iter()
                .map(|v| shared_text_bytes(v))
                .sum::<usize>()
    }
}

fn payment_bytes(row: &PaymentRow) -> usize {
    let p = &row.payment;
    [
        Some(p.transaction_id.as_str()),
        p.visitor_id.as_deref(),
        p.email.as_deref(),
        p.name.as_deref(),
        p.customer_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(text_bytes)
    .sum()
}

impl SiteIndex {
    fn column_bytes(&self) -> usize {
        vec_bytes(&self.ts)
            + vec_bytes(&self.seq)
            + vec_bytes(&self.visitor)
            + vec_bytes(&self.session)
            + vec_bytes(&self.page)
            + vec_bytes(&self.goal)
            + vec_bytes(&self.ctx)
            + vec_bytes(&self.kind)
            + vec_bytes(&self.block_span)
    }

    fn row_bytes(&self) -> usize {
        vec_bytes(&self.contexts)
            + map_bytes(&self.context_ids)
            + vec_bytes(&self.pages)
            + map_bytes(&self.page_ids)
            + map_bytes(&self.session_ids)
            + vec_bytes(&self.visitors)
            + vec_bytes(&self.latest_event)
            + vec_bytes(&self.latest_pageview)
            + vec_bytes(&self.sessions)
            + vec_bytes(&self.session_summary)
    }

    fn detail_bytes(&self) -> usize {
        let params: usize = self.params.values().map(vec_bytes).sum();
        let profiles: usize = self
            .profiles
            .values()
            .map(|p| text_bytes(&p.user_id) + std::mem::size_of_val(&*p.metadata))
            .sum();
        let payments: usize = self.payments.iter().map(payment_bytes).sum();
        // A B-tree node holds up to 11 keys and a few words of bookkeeping.
        let goal_names = self.goal_names.len() * (size_of::<u32>() + 2 * size_of::<usize>());
        map_bytes(&self.descriptions)
            + map_bytes(&self.params)
            + params
            + map_bytes(&self.profiles)
            + profiles
            + vec_bytes(&self.payments)
            + payments
            + goal_names
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.strings.heap_bytes()
            + self.kept.heap_bytes()
            + self.visitor_ids.heap_bytes()
            + self.column_bytes()
            + self.row_bytes()
            + self.detail_bytes()
    }
}

impl AnalyticsIndex {
    /// An estimate of the heap memory the index holds, in bytes (see `docs/operations.md`,
    /// "Analytics memory and start-up").
    pub fn heap_bytes(&self) -> usize {
        map_bytes(&self.sites)
            + self
                .sites
                .values()
                .map(SiteIndex::heap_bytes)
                .sum::<usize>()
    }
}
