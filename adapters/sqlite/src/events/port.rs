//! The [`EventStore`] port over the event log: appends through the group-commit writer, the
//! visitor and goal answers from the visitor memory, reads through the row reader, and
//! goal-event deletes.

use async_trait::async_trait;

use datafast_domain::event::{Event, GoalEventFilter};
use datafast_domain::goal::GoalCount;
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{EventStore, StoreResult, StoredEvent};

use super::codes::{goal_event_type, goal_type_code};
use super::compact_id::compact;
use super::delete::{delete_events, goal_events_matching};
use super::dictionary::{WEBSITES, dictionary_value, existing_id};
use super::read::EventReader;
use crate::SqliteStore;
use crate::codec::sql_count;
use crate::error::Failure;
use crate::visitors::VisitorKey;

#[async_trait]
impl EventStore for SqliteStore {
    /// Group-committed: the events join whatever other appends are waiting, and all of them
    /// are committed (to the WAL) in one transaction before any caller gets its answer.
    async fn append_events(&self, events: Vec<Event>) -> StoreResult<Vec<u64>> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.append(events).await
    }

    async fn goal_counts(&self, website: WebsiteId) -> StoreResult<Vec<GoalCount>> {
        self.read_visitors(move |db, known| {
            let Some(website) = existing_id(db, WEBSITES, &website.to_string())? else {
                return Ok(Vec::new());
            };
            let mut counts = known
                .goal_tallies(website)
                .map(|(goal, kind, tally)| {
                    Ok(GoalCount {
                        name: dictionary_value(db, "event_labels", "value", goal)?,
                        event_type: goal_event_type(kind)?,
                        total: tally.total,
                        unique_visitors: tally.visitors.len() as u64,
                    })
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            // By name, then custom before payment, as the stored kind codes order them.
            counts.sort_by(|a, b| {
                a.name
                    .cmp(&b.name)
                    .then_with(|| goal_type_code(a.event_type).cmp(&goal_type_code(b.event_type)))
            });
            Ok(counts)
        })
        .await
    }

    async fn unique_visitors(&self, website: WebsiteId) -> StoreResult<u64> {
        self.read_visitors(move |db, visitors| {
            let Some(website) = existing_id(db, WEBSITES, &website.to_string())? else {
                return Ok(0);
            };
            Ok(visitors.visitor_count(website) as u64)
        })
        .await
    }

    async fn latest_pageview(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<Event>> {
        let visitor_id = visitor_id.to_owned();
        self.read_visitors(move |db, visitors| {
            let Some(website) = existing_id(db, WEBSITES, &website.to_string())? else {
                return Ok(None);
            };
            let visitor = VisitorKey::of(compact(&visitor_id).value())?;
            let Some(seq) = visitors.latest_pageview(website, &visitor) else {
                return Ok(None);
            };
            let found = EventReader::new(db).query("WHERE e.seq = ?1", &[&seq])?;
            Ok(found.into_iter().next().map(|stored| stored.event))
        })
        .await
    }

    async fn delete_goal_events(
        &self,
        website: WebsiteId,
        filter: &GoalEventFilter,
    ) -> StoreResult<u64> {
        let filter = filter.clone();
        let deleted = self
            .write_visitors(move |tx, known| {
                let Some(website) = existing_id(tx, WEBSITES, &website.to_string())? else {
                    return Ok(0);
                };
                let doomed = goal_events_matching(tx, known, website, &filter)?;
                delete_events(tx, &doomed)?;
                Ok(doomed.len() as u64)
            })
            .await;
        if matches!(deleted, Ok(count) if count > 0) {
            self.forget_visitors();
        }
        deleted
    }

    async fn events_after(&self, after: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = sql_count(limit);
        self.read(move |db| {
            EventReader::new(db).query(
                "WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2",
                &[&after, &limit],
            )
        })
        .await
    }
}
