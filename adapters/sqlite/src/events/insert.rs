//! Writing event rows: each event's dictionary ids resolved through an interner, its row in
//! `events`, and its params and description (when it has any) in `event_details`.

use rusqlite::{Transaction, params};

use datafast_domain::event::Event;

use super::codes::{HAS_DETAILS, flags_of, kind_code};
use super::compact_id::compact;
use super::dictionary::LABELS;
use super::interner::{Interner, KnownIds};
use crate::codec::{count_of, millis};
use crate::error::Failure;

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
                .as_ref()
                .map(|goal| interner.id(LABELS, goal.as_str()))
                .transpose()?;
            let context = interner.context(&event.context)?;
            let flags = flags_of(event);
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
            if flags & HAS_DETAILS != 0 {
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
