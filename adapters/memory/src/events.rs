//! The raw event log, kept in arrival order, and the counts computed from it.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use datafast_domain::event::{Event, EventKind};
use datafast_domain::goal::{GoalCount, GoalEventType};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{EventStore, StoreResult};

use crate::MemoryStore;
use crate::state::to_millis;

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
    async fn append_events(&self, events: &[Event]) -> StoreResult<()> {
        self.write(|state| {
            state.events.extend(events.iter().map(|event| Event {
                occurred_at: to_millis(event.occurred_at),
                ..event.clone()
            }));
            Ok(())
        })
    }

    async fn goal_counts(&self, website: WebsiteId) -> StoreResult<Vec<GoalCount>> {
        self.read(|state| {
            // (name, type order) → (type, completions, visitors), so the output is by name.
            let mut groups: BTreeMap<(&str, u8), (GoalEventType, u64, BTreeSet<&str>)> =
                BTreeMap::new();
            for event in state.events.iter().filter(|e| e.website_id == website) {
                let (Some(name), Some(event_type)) =
                    (event.goal_name.as_deref(), goal_event_type(event.kind))
                else {
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
                .iter()
                .filter(|event| event.website_id == website)
                .map(|event| event.visitor_id.as_str())
                .collect();
            visitors.len() as u64
        })
    }
}
