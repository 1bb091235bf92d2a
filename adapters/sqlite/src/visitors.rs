//! What the event log says about each website's visitors and goals, kept in memory and derived
//! from the log: who has events, the sequence number of each one's latest pageview, and each
//! goal's completions and the visitors who completed it. It answers what two indexes on
//! `events` used to: a visitor's latest pageview (the Website API's goal endpoint), a website's
//! count of distinct visitors, and its goal counts (tracked goals). Those indexes cost events a
//! write at a random place of a B-tree, the largest single costs of ingestion, for reads that
//! are rare; reading the new rows back here costs an event a fraction of that.
//!
//! The memory follows the log by sequence number: before every answer, and every few hundred
//! milliseconds on the checkpointer's thread, it reads the events committed since it last
//! looked. Deleting events (goal events, a payment's goal event) marks it stale, and the next
//! use reads the log from the start again, since a deletion can remove a visitor's last event.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use datafast_domain::event::EventKind;

use crate::error::Failure;
use crate::events::kind_code;

/// A stored visitor id: the compact blob of a UUID-shaped id, or the text of any other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum VisitorKey {
    /// The first `len` bytes of the buffer.
    Bytes([u8; 17], u8),
    Text(Box<str>),
}

impl VisitorKey {
    /// The key of a stored `visitor` column.
    pub(crate) fn of(value: ValueRef<'_>) -> Result<Self, Failure> {
        match value {
            ValueRef::Blob(bytes) if bytes.len() <= 17 => {
                let mut buffer = [0_u8; 17];
                buffer[..bytes.len()].copy_from_slice(bytes);
                // At most 17, so it fits.
                Ok(Self::Bytes(buffer, bytes.len() as u8))
            }
            ValueRef::Text(text) => std::str::from_utf8(text)
                .map(|text| Self::Text(text.into()))
                .map_err(|_| Failure::Corrupt("a visitor id that is not UTF-8".to_owned())),
            _ => Err(Failure::Corrupt(
                "a visitor id of an unknown shape".to_owned(),
            )),
        }
    }
}

/// The completions of one goal by events of one kind.
#[derive(Debug, Default)]
pub(crate) struct GoalTally {
    pub(crate) total: u64,
    pub(crate) visitors: HashSet<VisitorKey>,
}

/// What the memory knows of the log up to `through`.
#[derive(Debug, Default)]
pub(crate) struct Known {
    /// The last sequence number read.
    through: i64,
    /// Website dictionary id → visitor → latest pageview's sequence number, if any.
    by_website: HashMap<i64, HashMap<VisitorKey, Option<i64>>>,
    /// Website dictionary id → (goal label id, kind code) → completions, over the custom and
    /// payment events that name a goal.
    goals: HashMap<i64, HashMap<(i64, i64), GoalTally>>,
    /// Website dictionary id → sequence numbers of its custom goal events, in order: what a
    /// deletion of goal events looks through.
    custom_goal_events: HashMap<i64, Vec<i64>>,
}

impl Known {
    /// The sequence number of the visitor's latest pageview.
    pub(crate) fn latest_pageview(&self, website: i64, visitor: &VisitorKey) -> Option<i64> {
        *self.by_website.get(&website)?.get(visitor)?
    }

    /// How many distinct visitors the website's events name.
    pub(crate) fn visitor_count(&self, website: i64) -> usize {
        self.by_website.get(&website).map_or(0, HashMap::len)
    }

    /// Per goal and kind, the website's completions, in no particular order.
    pub(crate) fn goal_tallies(
        &self,
        website: i64,
    ) -> impl Iterator<Item = (i64, i64, &GoalTally)> {
        self.goals
            .get(&website)
            .into_iter()
            .flatten()
            .map(|(&(goal, kind), tally)| (goal, kind, tally))
    }

    /// The sequence numbers of the website's custom goal events, oldest first.
    pub(crate) fn custom_goal_events(&self, website: i64) -> &[i64] {
        self.custom_goal_events
            .get(&website)
            .map_or(&[], Vec::as_slice)
    }

    /// Reads the events committed after `through`, in order.
    fn catch_up(&mut self, db: &Connection) -> Result<(), Failure> {
        let mut statement = db.prepare_cached(
            "SELECT seq, website, kind, visitor, goal FROM events WHERE seq > ?1 ORDER BY seq",
        )?;
        let mut rows = statement.query([self.through])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let website: i64 = row.get(1)?;
            let kind: i64 = row.get(2)?;
            let visitor = VisitorKey::of(row.get_ref(3)?)?;
            let goal: Option<i64> = row.get(4)?;
            let completes_goal =
                kind == kind_code(EventKind::Custom) || kind == kind_code(EventKind::Payment);
            if let Some(goal) = goal
                && completes_goal
            {
                let tally = self
                    .goals
                    .entry(website)
                    .or_default()
                    .entry((goal, kind))
                    .or_default();
                tally.total += 1;
                if !tally.visitors.contains(&visitor) {
                    tally.visitors.insert(visitor.clone());
                }
                if kind == kind_code(EventKind::Custom) {
                    self.custom_goal_events
                        .entry(website)
                        .or_default()
                        .push(seq);
                }
            }
            let latest = self
                .by_website
                .entry(website)
                .or_default()
                .entry(visitor)
                .or_default();
            // Rows come in order, so the last pageview seen is the latest.
            if kind == kind_code(EventKind::Pageview) {
                *latest = Some(seq);
            }
            self.through = seq;
        }
        Ok(())
    }
}

/// The memory, shared by every connection of one store.
#[derive(Debug, Default)]
pub(crate) struct Visitors {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    known: Known,
    /// Events were deleted since the memory was built: read the log again from the start.
    stale: bool,
}

impl Visitors {
    /// Brings the memory up to date with what `db` sees, then answers from it.
    pub(crate) fn current<T>(
        &self,
        db: &Connection,
        answer: impl FnOnce(&Known) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let mut state = self.lock();
        state.refresh(db)?;
        answer(&state.known)
    }

    /// Reads what was committed since the last look, so that answers wait for little.
    pub(crate) fn follow(&self, db: &Connection) -> Result<(), Failure> {
        self.lock().refresh(db)
    }

    /// Call after events were deleted.
    pub(crate) fn forget(&self) {
        self.lock().stale = true;
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while reading leaves at worst a memory that is behind: reading on from
        // `through` (or from the start, when stale) puts it right.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    fn refresh(&mut self, db: &Connection) -> Result<(), Failure> {
        if self.stale {
            self.known = Known::default();
            self.stale = false;
        }
        let caught_up = self.known.catch_up(db);
        if caught_up.is_err() {
            // Rows read before the failure are kept; `through` says how far they go.
            tracing::warn!("the visitor memory could not read the event log");
        }
        caught_up
    }
}
