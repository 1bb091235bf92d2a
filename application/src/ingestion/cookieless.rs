//! The memory of cookieless visitors' sessions: which session each visitor is in, bounded.

use std::collections::HashMap;
use std::sync::Mutex;

use jiff::Timestamp;

use datafast_domain::ingest::{SessionStep, cookieless_session_id, same_session};

use super::remembered;

/// Cookieless visitors remembered at once before the idle ones are forgotten.
const MAX_COOKIELESS_VISITORS: usize = 100_000;

/// Sessions of cookieless visitors, whose clients send a throw-away session id: which session
/// each visitor is in and when its latest event happened, as [`SessionStep`] decides (a
/// visitor's events belong to one session until 30 minutes pass without one). Kept in memory
/// only, so a restart starts new sessions.
#[derive(Debug, Default)]
pub struct CookielessSessions {
    open: Mutex<HashMap<String, (String, Timestamp)>>,
}

impl CookielessSessions {
    /// The session an event of `visitor_id` at `now` belongs to, opening one when needed.
    pub fn session_for(&self, visitor_id: &str, now: Timestamp) -> String {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let started = match SessionStep::next(remembered(open.get_mut(visitor_id)), now) {
            SessionStep::Continue { session, last_seen } => {
                session.1 = last_seen;
                return session.0.clone();
            }
            SessionStep::Start { started } => started,
        };
        if open.len() >= MAX_COOKIELESS_VISITORS {
            forget_idle(&mut open, now, MAX_COOKIELESS_VISITORS);
        }
        let session = cookieless_session_id(visitor_id, started);
        open.insert(visitor_id.to_owned(), (session.clone(), started));
        session
    }
}

/// Makes room in a full session map: drops the sessions idle for 30 minutes, and when that
/// frees nothing (more open sessions than the map holds), everything. Without the second step
/// a full map of live sessions would be scanned on every event, which stalls ingestion; with
/// it each scan is paid for by the inserts that filled the map again. The price is that the
/// sessions open at that moment start afresh.
fn forget_idle<K: Eq + std::hash::Hash, V>(
    open: &mut HashMap<K, (V, Timestamp)>,
    now: Timestamp,
    capacity: usize,
) {
    open.retain(|_, (_, last)| same_session(*last, now));
    if open.len() >= capacity / 2 {
        open.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_full_of_live_sessions_is_emptied_not_rescanned() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let mut open: HashMap<u32, ((), Timestamp)> = (0..100).map(|n| (n, ((), now))).collect();
        forget_idle(&mut open, now, 100);
        assert!(open.is_empty());
        let old = now - jiff::SignedDuration::from_mins(45);
        let mut mixed: HashMap<u32, ((), Timestamp)> = (0..100)
            .map(|n| (n, ((), if n < 90 { old } else { now })))
            .collect();
        forget_idle(&mut mixed, now, 100);
        assert_eq!(mixed.len(), 10, "idle sessions go, live ones stay");
    }

    #[test]
    fn cookieless_sessions_end_after_thirty_idle_minutes() {
        let sessions = CookielessSessions::default();
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let first = sessions.session_for("v1", start);
        assert_eq!(first.len(), 37);
        let later = start + jiff::SignedDuration::from_mins(29);
        assert_eq!(sessions.session_for("v1", later), first);
        // 29 minutes after the last event, so the session goes on.
        let still = later + jiff::SignedDuration::from_mins(29);
        assert_eq!(sessions.session_for("v1", still), first);
        let gone = still + jiff::SignedDuration::from_mins(31);
        assert_ne!(sessions.session_for("v1", gone), first);
        assert_ne!(sessions.session_for("v2", start), first);
    }
}
