//! Reading event rows back: the columns every read selects, and the reader that decodes them,
//! resolving dictionary ids, contexts and details once per read.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, Row, ToSql};

use datafast_domain::event::{Event, VisitContext};
use datafast_domain::goal::GoalName;
use datafast_domain::id::WebsiteId;
use datafast_ports::store::StoredEvent;

use super::codes::{HAS_DETAILS, kind_of, origin_of};
use super::compact_id::expand;
use super::contexts::read_context;
use super::dictionary::dictionary_value;
use crate::codec::{all, count_of, decoded};
use crate::error::Failure;

/// The columns every event read selects, in the order [`EventReader::decode`] reads them.
/// Dictionary columns are read as ids and resolved through the reader's own maps: a page of
/// events names a handful of websites, hostnames, paths and goals, and joining the dictionary
/// tables cost four index probes per row.
const EVENT_COLUMNS: &str = "e.seq, e.website, e.kind, e.occurred_at, e.visitor, e.session,
     e.hostname, e.path, e.goal, e.context, e.flags
     FROM events e";

/// Decodes event rows, loading each context and detail row once per read.
pub(super) struct EventReader<'c> {
    db: &'c Connection,
    contexts: HashMap<i64, VisitContext>,
    labels: HashMap<i64, String>,
    goals: HashMap<i64, GoalName>,
    websites: HashMap<i64, WebsiteId>,
}

impl<'c> EventReader<'c> {
    pub(super) fn new(db: &'c Connection) -> Self {
        Self {
            db,
            contexts: HashMap::new(),
            labels: HashMap::new(),
            goals: HashMap::new(),
            websites: HashMap::new(),
        }
    }

    /// Runs `SELECT {EVENT_COLUMNS} {tail}` and decodes every row.
    pub(super) fn query(
        &mut self,
        tail: &str,
        args: &[&dyn ToSql],
    ) -> Result<Vec<StoredEvent>, Failure> {
        let sql = format!("SELECT {EVENT_COLUMNS} {tail}");
        let mut statement = self.db.prepare_cached(&sql)?;
        let raw = all(statement.query(args)?, RawEvent::read)?;
        raw.into_iter().map(|row| self.decode(row)).collect()
    }

    fn decode(&mut self, row: RawEvent) -> Result<StoredEvent, Failure> {
        let context = match row.context {
            None => VisitContext::unknown(),
            Some(id) => self.context(id)?,
        };
        let (params, description) = if row.flags & HAS_DETAILS != 0 {
            self.details(row.seq)?
        } else {
            (BTreeMap::new(), None)
        };
        let goal_name = match row.goal {
            Some(id) => Some(self.goal(id)?),
            None => None,
        };
        Ok(StoredEvent {
            seq: count_of(row.seq)?,
            event: Event {
                website_id: self.website(row.website)?,
                kind: kind_of(row.kind)?,
                occurred_at: crate::codec::instant(row.occurred_at)?,
                visitor_id: row.visitor,
                session_id: row.session,
                goal_name,
                hostname: self.label(row.hostname)?,
                path: self.label(row.path)?,
                context,
                params,
                description,
                origin: origin_of(row.flags),
            },
        })
    }

    fn label(&mut self, id: i64) -> Result<String, Failure> {
        if let Some(value) = self.labels.get(&id) {
            return Ok(value.clone());
        }
        let value = dictionary_value(self.db, "event_labels", "value", id)?;
        self.labels.insert(id, value.clone());
        Ok(value)
    }

    /// A goal label, checked once per read: the dictionary shares labels with paths, so
    /// only the type says which ones are goal names.
    fn goal(&mut self, id: i64) -> Result<GoalName, Failure> {
        if let Some(goal) = self.goals.get(&id) {
            return Ok(goal.clone());
        }
        let label = self.label(id)?;
        let goal = decoded(GoalName::parse(&label).ok(), "goal name", &label)?;
        self.goals.insert(id, goal.clone());
        Ok(goal)
    }

    fn website(&mut self, id: i64) -> Result<WebsiteId, Failure> {
        if let Some(website) = self.websites.get(&id) {
            return Ok(*website);
        }
        let text = dictionary_value(self.db, "event_websites", "website_id", id)?;
        let website = text
            .parse()
            .map_err(|_| Failure::Corrupt(format!("website id {text:?}")))?;
        self.websites.insert(id, website);
        Ok(website)
    }

    fn context(&mut self, id: i64) -> Result<VisitContext, Failure> {
        if let Some(context) = self.contexts.get(&id) {
            return Ok(context.clone());
        }
        let context = read_context(self.db, id)?;
        self.contexts.insert(id, context.clone());
        Ok(context)
    }

    fn details(&mut self, seq: i64) -> Result<(BTreeMap<String, String>, Option<String>), Failure> {
        let found: Option<(String, Option<String>)> = self
            .db
            .prepare_cached("SELECT params, description FROM event_details WHERE event = ?1")?
            .query_row([seq], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        let Some((params, description)) = found else {
            return Ok((BTreeMap::new(), None));
        };
        let params = serde_json::from_str(&params)
            .map_err(|e| Failure::Corrupt(format!("event {seq} params: {e}")))?;
        Ok((params, description))
    }
}

/// One event row before its context and details are resolved.
struct RawEvent {
    seq: i64,
    website: i64,
    kind: i64,
    occurred_at: i64,
    visitor: String,
    session: String,
    hostname: i64,
    path: i64,
    goal: Option<i64>,
    context: Option<i64>,
    flags: i64,
}

impl RawEvent {
    fn read(row: &Row<'_>) -> Result<Self, Failure> {
        Ok(Self {
            seq: row.get(0)?,
            website: row.get(1)?,
            kind: row.get(2)?,
            occurred_at: row.get(3)?,
            visitor: expand(row.get_ref(4)?)?,
            session: expand(row.get_ref(5)?)?,
            hostname: row.get(6)?,
            path: row.get(7)?,
            goal: row.get(8)?,
            context: row.get(9)?,
            flags: row.get(10)?,
        })
    }
}
