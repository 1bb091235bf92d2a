//! The stored codes of an event row: its kind, a goal event's type, and its flag bits. Codes
//! are part of the schema and never change.

use datafast_domain::event::{Event, EventKind, EventOrigin};
use datafast_domain::goal::GoalEventType;

use crate::error::Failure;

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

/// The kind a stored code names.
pub(super) fn kind_of(code: i64) -> Result<EventKind, Failure> {
    EventKind::ALL
        .into_iter()
        .find(|kind| kind_code(*kind) == code)
        .ok_or_else(|| Failure::Corrupt(format!("event kind {code}")))
}

/// The stored kind code of a goal event type.
pub(super) fn goal_type_code(event_type: GoalEventType) -> i64 {
    match event_type {
        GoalEventType::Custom => kind_code(EventKind::Custom),
        GoalEventType::Payment => kind_code(EventKind::Payment),
    }
}

pub(super) fn goal_event_type(code: i64) -> Result<GoalEventType, Failure> {
    match code {
        1 => Ok(GoalEventType::Custom),
        2 => Ok(GoalEventType::Payment),
        other => Err(Failure::Corrupt(format!("goal event kind {other}"))),
    }
}

/// `flags` bits.
pub(super) const FROM_SERVER: i64 = 1;
pub(super) const HAS_DETAILS: i64 = 2;

/// The `flags` of `event`'s row: where it came from, and whether it has a details row.
pub(super) fn flags_of(event: &Event) -> i64 {
    let has_details = !event.params.is_empty() || event.description.is_some();
    let mut flags = 0;
    if event.origin == EventOrigin::Server {
        flags |= FROM_SERVER;
    }
    if has_details {
        flags |= HAS_DETAILS;
    }
    flags
}

/// The origin `flags` record.
pub(super) fn origin_of(flags: i64) -> EventOrigin {
    if flags & FROM_SERVER != 0 {
        EventOrigin::Server
    } else {
        EventOrigin::Client
    }
}
