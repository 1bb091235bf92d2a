//! When a visit's session goes on, and where the visit came from: the session rules as a state
//! machine with no clock, IO, locks or randomness. Given what is remembered of a session (or
//! nothing), an event's facts and the time, a step says whether the event continues that
//! session or starts a new one, which acquisition the event carries, and what to remember
//! next. The caller keeps the memory and applies the steps.
//!
//! Two memories, each with its own step:
//! - [`SessionStep`], per cookieless visitor: such clients send a throw-away session id, so the
//!   server decides which session an event belongs to. A visitor's events belong to one session
//!   until [`SESSION_TIMEOUT`] passes without one (DataFast's rule). A new session's id is
//!   derived from the visitor and the session's start ([`cookieless_session_id`]), not drawn at
//!   random: the same visitor starting at the same millisecond gets the same id.
//! - [`AcquisitionStep`], per session of any visitor: a visit's source is decided by its first
//!   page. The pages after it arrive with a same-site referrer (or none) and no campaign tags,
//!   and would otherwise count as direct traffic; they inherit their session's acquisition, so
//!   that every event of a visit from Google says Google. A page that does bring an outside
//!   referrer or campaign tags gives the session that acquisition from then on.
//!
//! Events may arrive out of order (the SDK queues and retries), so gaps are measured in either
//! direction, and any two times make a step: none panics.

use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::event::VisitContext;

/// A session ends after this long without an event, as the tracker's session cookie does.
pub const SESSION_TIMEOUT: SignedDuration = SignedDuration::from_mins(30);

/// Whether an event at `now` continues a session whose last event was at `previous`.
///
/// Events may arrive out of order (the SDK queues and retries), so the gap is measured in
/// either direction.
pub fn same_session(previous: Timestamp, now: Timestamp) -> bool {
    now.duration_since(previous).abs() < SESSION_TIMEOUT
}

/// Which session an event of a cookieless visitor belongs to. `S` is the remembered session as
/// the caller holds it (its id, its entry in a map), handed back when the event continues it;
/// the rule itself needs only the time of the session's latest event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStep<S> {
    /// The event continues the remembered `session`, whose latest event is now at `last_seen`
    /// (an earlier event arriving late leaves it where it was).
    Continue { session: S, last_seen: Timestamp },
    /// The event starts a new session at `started`, which replaces any remembered one: its id
    /// is [`cookieless_session_id`] of the visitor and `started`, its latest event `started`.
    Start { started: Timestamp },
}

impl<S> SessionStep<S> {
    /// The step for an event at `now` of a visitor whose remembered session (`None`: none) is
    /// given with the time of its latest event.
    pub fn next(remembered: Option<(S, Timestamp)>, now: Timestamp) -> Self {
        match remembered {
            Some((session, last)) if same_session(last, now) => Self::Continue {
                session,
                last_seen: last.max(now),
            },
            _ => Self::Start { started: now },
        }
    }
}

/// The id of a cookieless visitor's session that started at `started`: shaped like the
/// tracker's (`s` + 36 characters), unique per visitor and start.
pub fn cookieless_session_id(visitor_id: &str, started: Timestamp) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::new()
        .chain_update(visitor_id.as_bytes())
        .chain_update(started.as_millisecond().to_be_bytes())
        .finalize();
    let mut id = String::with_capacity(37);
    id.push('s');
    // 16 bytes as hex in groups of 8-4-4-4-12 digits.
    for (n, byte) in digest.iter().take(16).enumerate() {
        if matches!(n, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    id
}

/// Which acquisition an event carries. `S` is the remembered session as the caller holds it
/// (the acquisition it arrived with, its entry in a map), handed back when the step changes it;
/// the rule itself needs only the time of the latest event that brought or inherited it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcquisitionStep<S> {
    /// The event brings its own acquisition and keeps it. The session remembers that one from
    /// now on, used last at `last_seen`: in place of the `remembered` one, or as a new memory
    /// when there was none.
    Own {
        remembered: Option<S>,
        last_seen: Timestamp,
    },
    /// The event brings none and continues the remembered `session`, which did: it takes that
    /// acquisition ([`inherit_acquisition`]), now used last at `last_seen`.
    Inherit { session: S, last_seen: Timestamp },
    /// The event brings none and no live session did: it stays as it is (direct), and the
    /// memory is left as it was.
    Direct,
}

impl<S> AcquisitionStep<S> {
    /// The step for an event at `now` that brings its own acquisition or not
    /// ([`brings_acquisition`]), in a session whose remembered acquisition (`None`: none) is
    /// given with the time it was last used.
    pub fn next(remembered: Option<(S, Timestamp)>, brings_own: bool, now: Timestamp) -> Self {
        match remembered {
            // An arrival sets the time to its own, earlier or later (continuing keeps the later
            // of the two), and replaces even an expired memory: it follows the latest arrival.
            remembered if brings_own => Self::Own {
                remembered: remembered.map(|(session, _)| session),
                last_seen: now,
            },
            Some((session, last)) if same_session(last, now) => Self::Inherit {
                session,
                last_seen: last.max(now),
            },
            _ => Self::Direct,
        }
    }
}

/// Whether an event's context itself says where the visit came from: an outside referrer
/// (same-site ones are already left out) or any campaign tag. Its `source` follows from the
/// referrer, so it is not looked at.
pub fn brings_acquisition(context: &VisitContext) -> bool {
    context.referrer.is_some()
        || [
            &context.utm_source,
            &context.utm_medium,
            &context.utm_campaign,
            &context.utm_term,
            &context.utm_content,
            &context.ref_param,
            &context.source_param,
            &context.via,
        ]
        .iter()
        .any(|tag| tag.is_some())
}

/// The acquisition of `context` alone, as a session remembers it: a context with the fields of
/// [`VisitContext::acquisition_fields`] and every other field left empty.
pub fn acquisition_of(context: &VisitContext) -> VisitContext {
    VisitContext {
        referrer: context.referrer.clone(),
        source: context.source.clone(),
        utm_source: context.utm_source.clone(),
        utm_medium: context.utm_medium.clone(),
        utm_campaign: context.utm_campaign.clone(),
        utm_term: context.utm_term.clone(),
        utm_content: context.utm_content.clone(),
        ref_param: context.ref_param.clone(),
        source_param: context.source_param.clone(),
        via: context.via.clone(),
        ..VisitContext::default()
    }
}

/// Gives `context` the acquisition of `session` (one made by [`acquisition_of`]), keeping its
/// other fields (software, location).
pub fn inherit_acquisition(context: &mut VisitContext, session: &VisitContext) {
    // `clone_from` reuses the event's buffers where it can.
    context.referrer.clone_from(&session.referrer);
    context.source.clone_from(&session.source);
    context.utm_source.clone_from(&session.utm_source);
    context.utm_medium.clone_from(&session.utm_medium);
    context.utm_campaign.clone_from(&session.utm_campaign);
    context.utm_term.clone_from(&session.utm_term);
    context.utm_content.clone_from(&session.utm_content);
    context.ref_param.clone_from(&session.ref_param);
    context.source_param.clone_from(&session.source_param);
    context.via.clone_from(&session.via);
}

#[cfg(test)]
mod tests;
