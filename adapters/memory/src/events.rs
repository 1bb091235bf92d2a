//! The raw event log, kept by sequence number (the append order), the counts computed from it,
//! and the reads and deletes that select events in it.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use async_trait::async_trait;

use datafast_domain::event::{Event, EventKind, GoalEventFilter};
use datafast_domain::goal::{GoalCount, GoalEventType, GoalName};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{EventStore, StoreResult, StoredEvent};

use crate::MemoryStore;

/// The goal type an event counts under, if it counts as a goal at all.
fn goal_event_type(kind: EventKind) -> Option<GoalEventType> {
    match kind {
        EventKind::Custom => Some(GoalEventType::Custom),
        EventKind::Payment => Some(GoalEventType::Payment),
        EventKind::Pageview | EventKind::Identify | EventKind::ExternalLink => None,
    }
}

/// Sorts custom before payment when one name was used by both, as the SQLite store does.
fn type_order(event_type: GoalEventType) -> u8 {
    match event_type {
        GoalEventType::Custom => 0,
        GoalEventType::Payment => 1,
    }
}

#[async_trait]
impl EventStore for MemoryStore {
    async fn append_events(&self, events: Vec<Event>) -> StoreResult<Vec<u64>> {
        self.write(|state| Ok(events.into_iter().map(|e| state.append_event(e)).collect()))
    }

    async fn goal_counts(&self, website: WebsiteId) -> StoreResult<Vec<GoalCount>> {
        self.read(|state| {
            // (name, type order) → (type, completions, visitors), so the output is by name.
            let mut groups: BTreeMap<(&str, u8), (GoalEventType, u64, BTreeSet<&str>)> =
                BTreeMap::new();
            for event in state.events.values().filter(|e| e.website_id == website) {
                let (Some(name), Some(event_type)) = (
                    event.goal_name.as_ref().map(GoalName::as_str),
                    goal_event_type(event.kind),
                ) else {
                    continue;
                };
                let group = groups
                    .entry((name, type_order(event_type)))
                    .or_insert_with(|| (event_type, 0, BTreeSet::new()));
                group.1 += 1;
                group.2.insert(event.visitor_id.as_str());
            }
            groups
                .into_iter()
                .map(|((name, _), (event_type, total, visitors))| GoalCount {
                    name: name.to_owned(),
                    event_type,
                    total,
                    unique_visitors: visitors.len() as u64,
                })
                .collect()
        })
    }

    async fn unique_visitors(&self, website: WebsiteId) -> StoreResult<u64> {
        self.read(|state| {
            let visitors: BTreeSet<&str> = state
                .events
                .values()
                .filter(|event| event.website_id == website)
                .map(|event| event.visitor_id.as_str())
                .collect();
            visitors.len() as u64
        })
    }

    async fn latest_pageview(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<Event>> {
        self.read(|state| {
            state
                .events
                .values()
                .rev()
                .find(|event| {
                    event.kind == EventKind::Pageview
                        && event.website_id == website
                        && event.visitor_id == visitor_id
                })
                .cloned()
        })
    }

    async fn delete_goal_events(
        &self,
        website: WebsiteId,
        filter: &GoalEventFilter,
    ) -> StoreResult<u64> {
        self.write(|state| {
            // A custom event without a goal name is no goal event, as in the SQLite store,
            // which finds candidates through the goal name.
            let doomed: Vec<u64> = state
                .events
                .iter()
                .filter(|(_, event)| {
                    event.website_id == website
                        && event.goal_name.is_some()
                        && filter.matches(event)
                })
                .map(|(seq, _)| *seq)
                .collect();
            for seq in &doomed {
                state.events.remove(seq);
            }
            Ok(doomed.len() as u64)
        })
    }

    async fn events_after(&self, after: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        self.read(|state| {
            state
                .events
                .range((Bound::Excluded(after), Bound::Unbounded))
                .take(limit)
                .map(|(seq, event)| StoredEvent {
                    seq: *seq,
                    event: event.clone(),
                })
                .collect()
        })
    }
}
