//! The raw event log. Each event row holds small integers and two compact ids: the website,
//! every label (host name, path, goal name) and the whole visit context are interned in
//! dictionary tables, and visitor and session ids are stored as 16-byte blobs when they are
//! UUID-shaped (nearly always), so a million events stay within a small footprint on disk.
//! Appends arrive through the group-commit writer (`batch.rs`).

use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, ToSql, Transaction, params};
use sha2::{Digest, Sha256};

use datafast_domain::event::{Event, EventKind, EventOrigin, GoalEventFilter, VisitContext};
use datafast_domain::goal::{GoalCount, GoalEventType};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{EventStore, StoreResult, StoredEvent};

use crate::SqliteStore;
use crate::codec::{all, count_of, millis, sql_count};
use crate::error::Failure;
use crate::visitors::VisitorKey;

/// The stored code of each kind; codes are part of the schema and never change.
pub(crate) fn kind_code(kind: EventKind) -> i64 {
    match kind {
        EventKind::Pageview => 0,
        EventKind::Custom => 1,
        EventKind::Payment => 2,
        EventKind::Identify => 3,
        EventKind::ExternalLink => 4,
    }
}

fn kind_of(code: i64) -> Result<EventKind, Failure> {
    EventKind::ALL
        .into_iter()
        .find(|kind| kind_code(*kind) == code)
        .ok_or_else(|| Failure::Corrupt(format!("event kind {code}")))
}

/// The stored kind code of a goal event type.
fn goal_type_code(event_type: GoalEventType) -> i64 {
    match event_type {
        GoalEventType::Custom => kind_code(EventKind::Custom),
        GoalEventType::Payment => kind_code(EventKind::Payment),
    }
}

fn goal_event_type(code: i64) -> Result<GoalEventType, Failure> {
    match code {
        1 => Ok(GoalEventType::Custom),
        2 => Ok(GoalEventType::Payment),
        other => Err(Failure::Corrupt(format!("goal event kind {other}"))),
    }
}

/// `flags` bits.
const FROM_SERVER: i64 = 1;
const HAS_DETAILS: i64 = 2;

/// One dictionary table: its lookup and its insert.
#[derive(Clone, Copy)]
struct Dictionary {
    /// Its place in the writer's memory of ids ([`KnownIds`]).
    slot: usize,
    find: &'static str,
    add: &'static str,
}

const WEBSITES: Dictionary = Dictionary {
    slot: 0,
    find: "SELECT id FROM event_websites WHERE website_id = ?1",
    add: "INSERT INTO event_websites (website_id) VALUES (?1)",
};
const LABELS: Dictionary = Dictionary {
    slot: 1,
    find: "SELECT id FROM event_labels WHERE value = ?1",
    add: "INSERT INTO event_labels (value) VALUES (?1)",
};
/// How many dictionaries there are: the number of slots.
const DICTIONARIES: usize = 2;

/// A visitor or session id as stored: 16 bytes for a lowercase UUID, a 17-byte `s` + UUID for
/// the tracker's session ids, and the text itself for anything else, so that every id reads
/// back exactly as it was written. Borrowed and fixed-size: two are made for every event
/// written, and allocating them showed in the writer's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CompactId<'a> {
    /// The first `len` bytes of the buffer.
    Bytes([u8; 17], usize),
    Text(&'a str),
}

impl CompactId<'_> {
    fn value(&self) -> rusqlite::types::ValueRef<'_> {
        match self {
            CompactId::Bytes(bytes, len) => rusqlite::types::ValueRef::Blob(&bytes[..*len]),
            CompactId::Text(text) => rusqlite::types::ValueRef::Text(text.as_bytes()),
        }
    }
}

impl ToSql for CompactId<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::Borrowed(self.value()))
    }
}

/// Where each byte of a UUID starts in its hyphenated text.
const UUID_BYTE_AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// Each byte's value as a lowercase hexadecimal digit, or `NOT_HEX`: uppercase UUIDs are kept
/// as text, so that they read back as they were written.
const HEX_VALUE: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut digit = 0;
    while digit < 16 {
        table[b"0123456789abcdef"[digit] as usize] = digit as u8;
        digit += 1;
    }
    table
};
const NOT_HEX: u8 = 0xff;

/// The 16 bytes of a lowercase hyphenated UUID, or `None` for any other text. Reads each
/// byte's two digits at their fixed place through a table, and checks them all at once: this
/// runs for two ids of every event written.
fn uuid_bytes(text: &str) -> Option<[u8; 16]> {
    let bytes: &[u8; 36] = text.as_bytes().try_into().ok()?;
    if [8, 13, 18, 23].iter().any(|&i| bytes[i] != b'-') {
        return None;
    }
    let mut out = [0_u8; 16];
    let mut any_not_hex = 0;
    for (byte, at) in out.iter_mut().zip(UUID_BYTE_AT) {
        let high = HEX_VALUE[usize::from(bytes[at])];
        let low = HEX_VALUE[usize::from(bytes[at + 1])];
        any_not_hex |= high | low;
        *byte = (high << 4) | (low & 0x0f);
    }
    (any_not_hex & 0xf0 == 0).then_some(out)
}

/// The lowercase hyphenated text of a 16-byte UUID. Each group is encoded straight into its
/// place in one buffer: this runs for two ids of every event read, and formatting through
/// `format!` was an eighth of the time to build the analytics index at start.
fn uuid_text(bytes: &[u8]) -> Result<String, Failure> {
    const GROUPS: [(usize, usize, usize); 5] =
        [(0, 4, 0), (4, 6, 9), (6, 8, 14), (8, 10, 19), (10, 16, 24)];
    let mut text = [b'-'; 36];
    for (from, to, at) in GROUPS {
        let (Some(group), Some(place)) =
            (bytes.get(from..to), text.get_mut(at..at + 2 * (to - from)))
        else {
            return Err(Failure::Corrupt(format!("a UUID of {} bytes", bytes.len())));
        };
        hex::encode_to_slice(group, place)
            .map_err(|e| Failure::Corrupt(format!("UUID bytes: {e}")))?;
    }
    String::from_utf8(text.to_vec()).map_err(|_| Failure::Corrupt("UUID text".to_owned()))
}

/// The marker byte of an `s` + UUID session id.
const SESSION_MARK: u8 = b's';

fn compact(id: &str) -> CompactId<'_> {
    let mut out = [0_u8; 17];
    if let Some(bytes) = uuid_bytes(id) {
        out[..16].copy_from_slice(&bytes);
        return CompactId::Bytes(out, 16);
    }
    if let Some(bytes) = id.strip_prefix('s').and_then(uuid_bytes) {
        out[0] = SESSION_MARK;
        out[1..].copy_from_slice(&bytes);
        return CompactId::Bytes(out, 17);
    }
    CompactId::Text(id)
}

fn expand(value: rusqlite::types::ValueRef<'_>) -> Result<String, Failure> {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Text(text) => String::from_utf8(text.to_vec())
            .map_err(|_| Failure::Corrupt("id is not UTF-8".to_owned())),
        ValueRef::Blob(bytes) if bytes.len() == 16 => uuid_text(bytes),
        ValueRef::Blob(bytes) if bytes.len() == 17 && bytes[0] == SESSION_MARK => {
            let mut session = String::with_capacity(37);
            session.push('s');
            session.push_str(&uuid_text(&bytes[1..])?);
            Ok(session)
        }
        other => Err(Failure::Corrupt(format!("id column holds {other:?}"))),
    }
}

/// The context's key in `event_contexts`: the first 8 bytes of a SHA-256 over every field,
/// each length-prefixed and marked present or absent, so distinct contexts never share an
/// encoding. A collision of two of them would need about 2^32 distinct contexts to become
/// likely, far beyond what one installation sees. The versions (added later) are hashed only
/// when one is present, so a context without them keeps the digest it was first stored under.
fn context_digest(context: &VisitContext) -> i64 {
    let others: [Option<&str>; 6] = [
        Some(&context.browser),
        Some(&context.os),
        Some(&context.device),
        context.country.as_deref(),
        context.region.as_deref(),
        context.city.as_deref(),
    ];
    let versions = [
        context.browser_version.as_deref(),
        context.os_version.as_deref(),
    ];
    let with_versions = versions.iter().any(Option::is_some);
    let mut hasher = Sha256::new();
    // The order is part of the stored digests: acquisition, software and place, versions.
    let all = context
        .acquisition_fields()
        .into_iter()
        .chain(others)
        .chain(versions.into_iter().filter(|_| with_versions));
    for field in all {
        match field {
            None => hasher.update([0]),
            Some(text) => {
                hasher.update([1]);
                hasher.update((text.len() as u64).to_be_bytes());
                hasher.update(text.as_bytes());
            }
        }
    }
    let digest = hasher.finalize();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// Dictionary ids the event writer has seen committed, kept across transactions so that most
/// events resolve their website, hostname, path, goal and context without an index probe.
/// Dictionary rows are never deleted or renumbered, so a committed id stays right forever.
#[derive(Debug, Default)]
pub(crate) struct KnownIds {
    values: [HashMap<String, i64>; DICTIONARIES],
    /// The website dictionary again, by website id: formatting an id to look it up as text
    /// showed in the writer's profile.
    websites: HashMap<WebsiteId, i64>,
    contexts: HashMap<i64, i64>,
    /// What the entries above hold, counted as [`entry_bytes`] says.
    bytes: usize,
}

/// Bytes remembered at most, text and entries together; past it the memory starts over (a
/// site with endless distinct paths must not grow the writer without bound). Real values are a
/// few dozen bytes, so this is about 200,000 of them; made-up values of 256 bytes, 50,000.
const MAX_KNOWN_BYTES: usize = 16 << 20;
/// What one remembered id costs besides its text: its key and id in a table slot, with the
/// table's spare room.
const ENTRY_BYTES: usize = 48;
/// Longest dictionary value remembered.
const MAX_KNOWN_VALUE_BYTES: usize = 256;

/// What remembering a value of `len` bytes costs, by the count [`MAX_KNOWN_BYTES`] bounds.
fn entry_bytes(len: usize) -> usize {
    ENTRY_BYTES + len
}

impl KnownIds {
    fn value(&self, dictionary: Dictionary, value: &str) -> Option<i64> {
        self.values[dictionary.slot].get(value).copied()
    }

    /// Adds what a transaction resolved; call only once that transaction has committed, since
    /// the ids it created do not exist otherwise.
    pub(crate) fn learn(&mut self, learned: Learned) {
        let ids = learned.websites.len() + learned.contexts.len();
        let learning = ids * ENTRY_BYTES
            + learned
                .values
                .keys()
                .map(|(_, value)| value.len())
                .filter(|len| *len <= MAX_KNOWN_VALUE_BYTES)
                .map(entry_bytes)
                .sum::<usize>();
        if self.bytes + learning > MAX_KNOWN_BYTES {
            *self = Self::default();
        }
        // Long values (made-up paths, say) are looked up in the database each time rather than
        // held here: the memory stays small whatever the traffic sends.
        for ((dictionary, value), id) in learned.values {
            if value.len() <= MAX_KNOWN_VALUE_BYTES {
                self.bytes += entry_bytes(value.len());
                self.values[dictionary].insert(value, id);
            }
        }
        self.bytes += ids * ENTRY_BYTES;
        self.websites.extend(learned.websites);
        self.contexts.extend(learned.contexts);
    }
}

/// What one transaction's [`Interner`] resolved, for [`KnownIds::learn`] after the commit.
#[derive(Debug, Default)]
pub(crate) struct Learned {
    values: HashMap<(usize, String), i64>,
    websites: Vec<(WebsiteId, i64)>,
    contexts: HashMap<i64, i64>,
}

/// Interns values within one write transaction: from the writer's committed memory first,
/// then from what this transaction already resolved, then from the database.
pub(crate) struct Interner<'a, 'c> {
    tx: &'a Transaction<'c>,
    known: &'a KnownIds,
    seen: HashMap<(usize, String), i64>,
    websites: Vec<(WebsiteId, i64)>,
    contexts: HashMap<i64, i64>,
}

impl<'a, 'c> Interner<'a, 'c> {
    pub(crate) fn new(tx: &'a Transaction<'c>, known: &'a KnownIds) -> Self {
        Self {
            tx,
            known,
            seen: HashMap::new(),
            websites: Vec::new(),
            contexts: HashMap::new(),
        }
    }

    /// What this transaction resolved that the writer's memory did not have.
    pub(crate) fn learned(self) -> Learned {
        Learned {
            values: self.seen,
            websites: self.websites,
            contexts: self.contexts,
        }
    }

    /// The dictionary id of a website, looked up by its id before its text is made.
    fn website(&mut self, website: WebsiteId) -> Result<i64, Failure> {
        if let Some(id) = self.known.websites.get(&website) {
            return Ok(*id);
        }
        if let Some((_, id)) = self.websites.iter().find(|(known, _)| *known == website) {
            return Ok(*id);
        }
        let id = self.id(WEBSITES, &website.to_string())?;
        self.websites.push((website, id));
        Ok(id)
    }

    fn id(&mut self, dictionary: Dictionary, value: &str) -> Result<i64, Failure> {
        if let Some(id) = self.known.value(dictionary, value) {
            return Ok(id);
        }
        let key = (dictionary.slot, value.to_owned());
        if let Some(id) = self.seen.get(&key) {
            return Ok(*id);
        }
        let found: Option<i64> = self
            .tx
            .prepare_cached(dictionary.find)?
            .query_row([value], |row| row.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                self.tx.prepare_cached(dictionary.add)?.execute([value])?;
                self.tx.last_insert_rowid()
            }
        };
        self.seen.insert(key, id);
        Ok(id)
    }

    fn context(&mut self, context: &VisitContext) -> Result<i64, Failure> {
        let digest = context_digest(context);
        if let Some(id) = self.known.contexts.get(&digest) {
            return Ok(*id);
        }
        if let Some(id) = self.contexts.get(&digest) {
            return Ok(*id);
        }
        let found: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM event_contexts WHERE digest = ?1")?
            .query_row([digest], |row| row.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                self.tx
                    .prepare_cached(
                        "INSERT INTO event_contexts (digest, referrer, source, utm_source,
                             utm_medium, utm_campaign, utm_term, utm_content, ref_param,
                             source_param, via, browser, os, device, country, region, city,
                             browser_version, os_version)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,
                                 ?15, ?16, ?17, ?18, ?19)",
                    )?
                    .execute(params![
                        digest,
                        context.referrer,
                        context.source,
                        context.utm_source,
                        context.utm_medium,
                        context.utm_campaign,
                        context.utm_term,
                        context.utm_content,
                        context.ref_param,
                        context.source_param,
                        context.via,
                        context.browser,
                        context.os,
                        context.device,
                        context.country,
                        context.region,
                        context.city,
                        context.browser_version,
                        context.os_version,
                    ])?;
                self.tx.last_insert_rowid()
            }
        };
        self.contexts.insert(digest, id);
        Ok(id)
    }
}

/// Inserts `events` in the open transaction and returns their sequence numbers.
pub(crate) fn insert_events(tx: &Transaction<'_>, events: &[Event]) -> Result<Vec<u64>, Failure> {
    let known = KnownIds::default();
    insert_events_with(tx, events, &mut Interner::new(tx, &known))
}

/// Like [`insert_events`], resolving dictionary ids through `interner`, which the event writer
/// shares across a whole batch and feeds from its memory of committed ids.
pub(crate) fn insert_events_with(
    tx: &Transaction<'_>,
    events: &[Event],
    interner: &mut Interner<'_, '_>,
) -> Result<Vec<u64>, Failure> {
    let mut all = insert_appends(tx, &[events], interner)?;
    Ok(all.pop().unwrap_or_default())
}

/// Inserts each append's events in order and returns each append's sequence numbers. The
/// statements are prepared once for all of them: the writer's batches are many appends of one
/// event each.
pub(crate) fn insert_appends(
    tx: &Transaction<'_>,
    appends: &[&[Event]],
    interner: &mut Interner<'_, '_>,
) -> Result<Vec<Vec<u64>>, Failure> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO events (website, kind, occurred_at, visitor, session, hostname, path, goal,
                             context, flags)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    let mut details = tx.prepare_cached(
        "INSERT INTO event_details (event, params, description) VALUES (?1, ?2, ?3)",
    )?;
    let mut all = Vec::with_capacity(appends.len());
    for &events in appends {
        let mut seqs = Vec::with_capacity(events.len());
        for event in events {
            let website = interner.website(event.website_id)?;
            let hostname = interner.id(LABELS, &event.hostname)?;
            let path = interner.id(LABELS, &event.path)?;
            let goal = event
                .goal_name
                .as_deref()
                .map(|goal| interner.id(LABELS, goal))
                .transpose()?;
            let context = interner.context(&event.context)?;
            let has_details = !event.params.is_empty() || event.description.is_some();
            let mut flags = 0;
            if event.origin == EventOrigin::Server {
                flags |= FROM_SERVER;
            }
            if has_details {
                flags |= HAS_DETAILS;
            }
            insert.execute(params![
                website,
                kind_code(event.kind),
                millis(event.occurred_at),
                compact(&event.visitor_id),
                compact(&event.session_id),
                hostname,
                path,
                goal,
                context,
                flags,
            ])?;
            let seq = tx.last_insert_rowid();
            if has_details {
                let params = serde_json::to_string(&event.params)
                    .map_err(|e| Failure::Corrupt(format!("event params: {e}")))?;
                details.execute(params![seq, params, event.description])?;
            }
            seqs.push(count_of(seq)?);
        }
        all.push(seqs);
    }
    Ok(all)
}

/// The columns every event read selects, in the order [`EventReader::decode`] reads them.
/// Dictionary columns are read as ids and resolved through the reader's own maps: a page of
/// events names a handful of websites, hostnames, paths and goals, and joining the dictionary
/// tables cost four index probes per row.
const EVENT_COLUMNS: &str = "e.seq, e.website, e.kind, e.occurred_at, e.visitor, e.session,
     e.hostname, e.path, e.goal, e.context, e.flags
     FROM events e";

/// The text stored under `id` in one of the event dictionaries (`table`, its `column`).
fn dictionary_value(
    db: &Connection,
    table: &str,
    column: &str,
    id: i64,
) -> Result<String, Failure> {
    db.prepare_cached(&format!("SELECT {column} FROM {table} WHERE id = ?1"))?
        .query_row([id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Failure::Corrupt(format!("no row {id} in {table}")))
}

/// Decodes event rows, loading each context and detail row once per read.
struct EventReader<'c> {
    db: &'c Connection,
    contexts: HashMap<i64, VisitContext>,
    labels: HashMap<i64, String>,
    websites: HashMap<i64, WebsiteId>,
}

impl<'c> EventReader<'c> {
    fn new(db: &'c Connection) -> Self {
        Self {
            db,
            contexts: HashMap::new(),
            labels: HashMap::new(),
            websites: HashMap::new(),
        }
    }

    /// Runs `SELECT {EVENT_COLUMNS} {tail}` and decodes every row.
    fn query(&mut self, tail: &str, args: &[&dyn ToSql]) -> Result<Vec<StoredEvent>, Failure> {
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
            Some(id) => Some(self.label(id)?),
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
                origin: if row.flags & FROM_SERVER != 0 {
                    EventOrigin::Server
                } else {
                    EventOrigin::Client
                },
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
        let context = self
            .db
            .prepare_cached(
                "SELECT referrer, source, utm_source, utm_medium, utm_campaign, utm_term,
                        utm_content, ref_param, source_param, via, browser, os, device,
                        country, region, city, browser_version, os_version
                 FROM event_contexts WHERE id = ?1",
            )?
            .query_row([id], |row| {
                Ok(VisitContext {
                    referrer: row.get(0)?,
                    source: row.get(1)?,
                    utm_source: row.get(2)?,
                    utm_medium: row.get(3)?,
                    utm_campaign: row.get(4)?,
                    utm_term: row.get(5)?,
                    utm_content: row.get(6)?,
                    ref_param: row.get(7)?,
                    source_param: row.get(8)?,
                    via: row.get(9)?,
                    browser: row.get(10)?,
                    browser_version: row.get(16)?,
                    os: row.get(11)?,
                    os_version: row.get(17)?,
                    device: row.get(12)?,
                    country: row.get(13)?,
                    region: row.get(14)?,
                    city: row.get(15)?,
                })
            })?;
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

/// The dictionary id of a value, if it was ever stored.
fn existing_id(
    db: &Connection,
    dictionary: Dictionary,
    value: &str,
) -> Result<Option<i64>, Failure> {
    Ok(db
        .prepare_cached(dictionary.find)?
        .query_row([value], |row| row.get(0))
        .optional()?)
}

/// Removes events by sequence number, with their details.
pub(crate) fn delete_events(tx: &Transaction<'_>, seqs: &[i64]) -> Result<(), Failure> {
    let mut event = tx.prepare_cached("DELETE FROM events WHERE seq = ?1")?;
    let mut details = tx.prepare_cached("DELETE FROM event_details WHERE event = ?1")?;
    for seq in seqs {
        event.execute([seq])?;
        details.execute([seq])?;
    }
    Ok(())
}

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
                // The candidates are the website's custom goal events, which the visitor memory
                // lists; the domain's filter decides, so every backend applies the same rule.
                let mut reader = EventReader::new(tx);
                let mut doomed = Vec::new();
                for &seq in known.custom_goal_events(website) {
                    for stored in reader.query("WHERE e.seq = ?1", &[&seq])? {
                        if filter.matches(&stored.event) {
                            doomed.push(seq);
                        }
                    }
                }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_change_the_digest_only_when_present() {
        let plain = VisitContext::unknown();
        let mut versioned = plain.clone();
        versioned.browser_version = Some("131.0".into());
        let mut other_version = plain.clone();
        other_version.os_version = Some("131.0".into());
        let digests = [
            context_digest(&plain),
            context_digest(&versioned),
            context_digest(&other_version),
        ];
        assert_ne!(digests[0], digests[1]);
        assert_ne!(digests[1], digests[2]);
        // Contexts stored before versions existed keep their digest (computed independently
        // from the documented encoding: 16 fields, each absent or length-prefixed).
        assert_eq!(digests[0], 3_318_979_313_007_841_890);
    }

    proptest::proptest! {
        #[test]
        fn any_id_reads_back_exactly(id in ".{0,40}") {
            proptest::prop_assert_eq!(expand(compact(&id).value()).unwrap(), id);
        }

        #[test]
        fn every_lowercase_uuid_is_stored_as_bytes(bytes in proptest::array::uniform16(0_u8..)) {
            let id = uuid_text(&bytes).unwrap();
            proptest::prop_assert_eq!(uuid_bytes(&id), Some(bytes));
            let session = format!("s{id}");
            proptest::prop_assert!(matches!(compact(&session), CompactId::Bytes(_, 17)));
            proptest::prop_assert_eq!(expand(compact(&session).value()).unwrap(), session);
        }
    }

    #[test]
    fn the_writer_remembers_at_most_16_mib_of_dictionary_values() {
        let mut known = KnownIds::default();
        // Made-up paths of 250 bytes, a thousand per transaction: 25 MB of text in all.
        for batch in 0..100 {
            let values = (0..1000)
                .map(|n| {
                    let value = format!("/{batch}/{n}/{}", "p".repeat(240));
                    ((LABELS.slot, value), i64::from(batch * 1000 + n))
                })
                .collect();
            known.learn(Learned {
                values,
                websites: Vec::new(),
                contexts: HashMap::new(),
            });
        }
        // Each remembered value: its text, and its key and id in a table slot (48 bytes).
        let held: usize = known
            .values
            .iter()
            .flat_map(HashMap::keys)
            .map(|value| value.len() + 48)
            .sum();
        assert!(held <= 16 << 20, "{held} bytes of dictionary values held");
        assert!(held > 0, "recent values are remembered");
    }

    #[test]
    fn compact_ids_read_back_exactly() {
        for id in [
            "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
            "s7a403e54-0983-4d84-bd9e-f82db331bb8e",
            "0C424A08-3676-4E3A-A7E0-4AC419BB8C6C",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8c6g",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8cC6",
            "visitor-1",
            "",
            "s",
            "session-0c424a08-3676-4e3a-a7e0-4ac419bb8c6c",
        ] {
            assert_eq!(expand(compact(id).value()).unwrap(), id);
        }
        assert!(matches!(
            compact("0c424a08-3676-4e3a-a7e0-4ac419bb8c6c"),
            CompactId::Bytes(_, 16)
        ));
        assert!(matches!(
            compact("s0c424a08-3676-4e3a-a7e0-4ac419bb8c6c"),
            CompactId::Bytes(_, 17)
        ));
        for not_lowercase_hex in [
            "0C424A08-3676-4E3A-A7E0-4AC419BB8C6C",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8c6g",
            "0c424a08-3676-4e3a-a7e0-4ac419bb8cC6",
        ] {
            assert!(matches!(compact(not_lowercase_hex), CompactId::Text(_)));
        }
    }
}
