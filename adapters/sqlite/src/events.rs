//! The raw event log. Each event row holds only small integers: the website, the visitor, the
//! session and every label (host name, path, goal name) are interned in dictionary tables, so a
//! million events stay within a small footprint on disk.

use std::collections::HashMap;

use async_trait::async_trait;
use rusqlite::{Transaction, params};

use datafast_domain::event::{Event, EventKind};
use datafast_domain::goal::{GoalCount, GoalEventType};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{EventStore, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, count_of, millis};
use crate::error::Failure;

/// The stored code of each kind; codes are part of the schema and never change.
fn kind_code(kind: EventKind) -> i64 {
    match kind {
        EventKind::Pageview => 0,
        EventKind::Custom => 1,
        EventKind::Payment => 2,
        EventKind::Identify => 3,
        EventKind::ExternalLink => 4,
    }
}

fn goal_event_type(code: i64) -> Result<GoalEventType, Failure> {
    match code {
        1 => Ok(GoalEventType::Custom),
        2 => Ok(GoalEventType::Payment),
        other => Err(Failure::Corrupt(format!("goal event kind {other}"))),
    }
}

/// One dictionary table: its lookup and its insert.
#[derive(Clone, Copy)]
struct Dictionary {
    find: &'static str,
    add: &'static str,
}

const WEBSITES: Dictionary = Dictionary {
    find: "SELECT id FROM event_websites WHERE website_id = ?1",
    add: "INSERT INTO event_websites (website_id) VALUES (?1)",
};
const LABELS: Dictionary = Dictionary {
    find: "SELECT id FROM event_labels WHERE value = ?1",
    add: "INSERT INTO event_labels (value) VALUES (?1)",
};
const VISITORS: Dictionary = Dictionary {
    find: "SELECT id FROM event_visitors WHERE value = ?1",
    add: "INSERT INTO event_visitors (value) VALUES (?1)",
};
const SESSIONS: Dictionary = Dictionary {
    find: "SELECT id FROM event_sessions WHERE value = ?1",
    add: "INSERT INTO event_sessions (value) VALUES (?1)",
};

/// Interns values within one write transaction, remembering what this batch already resolved.
struct Interner<'a, 'c> {
    tx: &'a Transaction<'c>,
    seen: HashMap<(&'static str, String), i64>,
}

impl<'a, 'c> Interner<'a, 'c> {
    fn new(tx: &'a Transaction<'c>) -> Self {
        Self {
            tx,
            seen: HashMap::new(),
        }
    }

    fn id(&mut self, dictionary: Dictionary, value: &str) -> Result<i64, Failure> {
        let key = (dictionary.find, value.to_owned());
        if let Some(id) = self.seen.get(&key) {
            return Ok(*id);
        }
        let mut find = self.tx.prepare_cached(dictionary.find)?;
        let mut rows = find.query([value])?;
        let id = match rows.next()? {
            Some(row) => row.get(0)?,
            None => {
                self.tx.prepare_cached(dictionary.add)?.execute([value])?;
                self.tx.last_insert_rowid()
            }
        };
        self.seen.insert(key, id);
        Ok(id)
    }
}

#[async_trait]
impl EventStore for SqliteStore {
    /// One transaction for the whole batch: all events are committed (to the WAL) or none.
    async fn append_events(&self, events: &[Event]) -> StoreResult<()> {
        if events.is_empty() {
            return Ok(());
        }
        let events = events.to_vec();
        self.write(move |tx| {
            let mut interner = Interner::new(tx);
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (website, kind, occurred_at, visitor, session, hostname,
                                     path, goal)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for event in &events {
                let website = interner.id(WEBSITES, &event.website_id.to_string())?;
                let visitor = interner.id(VISITORS, &event.visitor_id)?;
                let session = interner.id(SESSIONS, &event.session_id)?;
                let hostname = interner.id(LABELS, &event.hostname)?;
                let path = interner.id(LABELS, &event.path)?;
                let goal = event
                    .goal_name
                    .as_deref()
                    .map(|goal| interner.id(LABELS, goal))
                    .transpose()?;
                insert.execute(params![
                    website,
                    kind_code(event.kind),
                    millis(event.occurred_at),
                    visitor,
                    session,
                    hostname,
                    path,
                    goal,
                ])?;
            }
            Ok(())
        })
        .await
    }

    async fn goal_counts(&self, website: WebsiteId) -> StoreResult<Vec<GoalCount>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(
                "SELECT l.value, e.kind, COUNT(*), COUNT(DISTINCT e.visitor)
                 FROM events e JOIN event_labels l ON l.id = e.goal
                 WHERE e.website = (SELECT id FROM event_websites WHERE website_id = ?1)
                   AND e.goal IS NOT NULL AND e.kind IN (1, 2)
                 GROUP BY e.goal, e.kind
                 ORDER BY l.value, e.kind",
            )?;
            all(statement.query([website.to_string()])?, |row| {
                Ok(GoalCount {
                    name: row.text(0)?,
                    event_type: goal_event_type(row.get(1)?)?,
                    total: count_of(row.get(2)?)?,
                    unique_visitors: count_of(row.get(3)?)?,
                })
            })
        })
        .await
    }

    async fn unique_visitors(&self, website: WebsiteId) -> StoreResult<u64> {
        self.read(move |db| {
            let visitors: i64 = db
                .prepare_cached(
                    "SELECT COUNT(DISTINCT visitor) FROM events
                     WHERE website = (SELECT id FROM event_websites WHERE website_id = ?1)",
                )?
                .query_row([website.to_string()], |row| row.get(0))?;
            count_of(visitors)
        })
        .await
    }
}
