//! Removing events: by sequence number, with their details, and choosing the custom goal
//! events a goal-event filter removes.

use rusqlite::{Connection, Transaction};

use datafast_domain::event::GoalEventFilter;

use super::read::EventReader;
use crate::error::Failure;
use crate::visitors::Known;

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

/// The sequence numbers of the website's custom goal events that `filter` matches. The
/// candidates are the website's custom goal events, which the visitor memory lists; the
/// domain's filter decides, so every backend applies the same rule.
pub(super) fn goal_events_matching(
    db: &Connection,
    known: &Known,
    website: i64,
    filter: &GoalEventFilter,
) -> Result<Vec<i64>, Failure> {
    let mut reader = EventReader::new(db);
    let mut doomed = Vec::new();
    for &seq in known.custom_goal_events(website) {
        for stored in reader.query("WHERE e.seq = ?1", &[&seq])? {
            if filter.matches(&stored.event) {
                doomed.push(seq);
            }
        }
    }
    Ok(doomed)
}
