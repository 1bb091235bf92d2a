//! The memory of open sessions' acquisitions (where each visit came from), bounded by count and
//! by bytes.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, RandomState};
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;

use datafast_domain::event::VisitContext;
use datafast_domain::id::WebsiteId;
use datafast_domain::ingest::{
    AcquisitionStep, acquisition_of, brings_acquisition, inherit_acquisition, same_session,
};

use super::prehashed::Prehashed;
use super::remembered;

/// Sessions remembered at once for their acquisition before the idle ones are forgotten.
const MAX_OPEN_SESSIONS: usize = 200_000;
/// Bytes of distinct acquisitions held at once before the idle sessions are forgotten. Real
/// visits share a few hundred acquisitions of a few dozen bytes; a client that gives each
/// session its own referrer and campaign tags (up to about 3 KB each) would otherwise make the
/// memory of 200,000 sessions hold over half a gigabyte.
const MAX_ACQUISITION_BYTES: usize = 16 << 20;

/// Where each open session came from, so that the later events of a visit carry its first
/// page's source and campaign as [`AcquisitionStep`] decides. Kept in memory, 30 minutes after
/// a session's last event.
#[derive(Debug, Default)]
pub struct SessionSources {
    open: Mutex<OpenSessions>,
}

/// The part of a visit context that says where the visit came from, all a session keeps: a
/// context whose other fields are left empty.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Acquisition(VisitContext);

impl Acquisition {
    /// Heap bytes of one shared acquisition: the record, the pointer's counters, the text.
    fn bytes(&self) -> usize {
        size_of::<Self>()
            + 2 * size_of::<usize>()
            + self
                .0
                .acquisition_fields()
                .iter()
                .map(|field| field.map_or(0, str::len))
                .sum::<usize>()
    }

    fn of(context: &VisitContext) -> Self {
        Self(acquisition_of(context))
    }

    /// Whether `context` carries exactly this acquisition, compared without building one.
    fn is_in(&self, context: &VisitContext) -> bool {
        self.0.acquisition_fields() == context.acquisition_fields()
    }

    fn fill(&self, context: &mut VisitContext) {
        inherit_acquisition(context, &self.0);
    }
}

/// Open sessions by website, then by session id: looked up with the event's `&str`, so that
/// only a new session allocates its key.
///
/// A session holds its acquisition through a pointer shared with every other session that
/// arrived the same way: a handful of sources and campaigns bring most sessions, and a copy
/// per session made each entry ten strings wide. Growing and refilling a map of such entries
/// (new memory the kernel has to zero) was a twentieth of the server's CPU under ingestion
/// load.
#[derive(Debug, Default)]
struct OpenSessions {
    by_website: HashMap<WebsiteId, HashMap<String, (Arc<Acquisition>, Timestamp)>>,
    /// The sessions in `by_website`, all websites together.
    len: usize,
    shared: SharedAcquisitions,
}

/// Acquisitions recently stored, by a hash of their fields, for sessions to share. A
/// collision only costs a copy: an entry is compared field by field before it is shared.
#[derive(Debug, Default)]
struct SharedAcquisitions {
    by_hash: HashMap<u64, Arc<Acquisition>, BuildHasherDefault<Prehashed>>,
    hasher: RandomState,
    /// At least the bytes of the distinct acquisitions held (by sessions or `by_hash`):
    /// counted exactly when idle sessions are forgotten, and each new one added since.
    held_bytes: usize,
}

impl SharedAcquisitions {
    /// `context`'s acquisition as a pointer shared with the sessions that have the same one.
    fn share(&mut self, context: &VisitContext) -> Arc<Acquisition> {
        let key = self.hasher.hash_one(context.acquisition_fields());
        if let Some(known) = self.by_hash.get(&key)
            && known.is_in(context)
        {
            return Arc::clone(known);
        }
        if self.by_hash.len() >= MAX_OPEN_SESSIONS {
            self.by_hash.clear();
        }
        let acquisition = Arc::new(Acquisition::of(context));
        self.held_bytes += acquisition.bytes();
        self.by_hash.insert(key, Arc::clone(&acquisition));
        acquisition
    }
}

impl OpenSessions {
    /// Whether the memory must make room before it takes in another session or acquisition.
    fn is_full(&self) -> bool {
        self.len >= MAX_OPEN_SESSIONS || self.shared.held_bytes >= MAX_ACQUISITION_BYTES
    }

    /// [`forget_idle`] over every website's sessions, counted together, by number and by the
    /// bytes of their acquisitions. The maps of websites with live sessions are emptied rather
    /// than dropped, so that filling them again does not grow them again; a website's map goes
    /// once none of its sessions is live.
    fn forget_idle(&mut self, now: Timestamp) {
        for sessions in self.by_website.values_mut() {
            sessions.retain(|_, (_, last)| same_session(*last, now));
        }
        self.by_website.retain(|_, sessions| !sessions.is_empty());
        self.shared.by_hash.clear();
        self.len = self.by_website.values().map(HashMap::len).sum();
        self.shared.held_bytes = self.held_bytes();
        if self.len >= MAX_OPEN_SESSIONS / 2 || self.shared.held_bytes >= MAX_ACQUISITION_BYTES / 2
        {
            self.by_website.values_mut().for_each(HashMap::clear);
            self.len = 0;
            self.shared.held_bytes = 0;
        }
    }

    /// The bytes of the distinct acquisitions the sessions hold, each shared one once.
    fn held_bytes(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        self.by_website
            .values()
            .flat_map(HashMap::values)
            .filter(|(acquisition, _)| seen.insert(Arc::as_ptr(acquisition)))
            .map(|(acquisition, _)| acquisition.bytes())
            .sum()
    }
}

impl SessionSources {
    /// Fills `context`'s acquisition from the session when the event brings none of its own,
    /// and remembers the session's acquisition otherwise: the memory's side of
    /// [`AcquisitionStep`].
    pub(super) fn attribute(
        &self,
        website: WebsiteId,
        session_id: &str,
        context: &mut VisitContext,
        now: Timestamp,
    ) {
        let mut guard = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let open = &mut *guard;
        let brings_own = brings_acquisition(context);
        // Checked before any lookup: each call adds at most one acquisition, so the memory
        // never goes past its bounds by more than one.
        if brings_own && open.is_full() {
            open.forget_idle(now);
        }
        let kept = open
            .by_website
            .get_mut(&website)
            .and_then(|sessions| sessions.get_mut(session_id));
        match AcquisitionStep::next(remembered(kept), brings_own, now) {
            AcquisitionStep::Own {
                remembered: Some((acquisition, last)),
                last_seen,
            } => {
                // Most events of a visit repeat its arrival's referrer or tags.
                if !acquisition.is_in(context) {
                    *acquisition = open.shared.share(context);
                }
                *last = last_seen;
            }
            AcquisitionStep::Own {
                remembered: None,
                last_seen,
            } => {
                let acquisition = open.shared.share(context);
                open.by_website
                    .entry(website)
                    .or_default()
                    .insert(session_id.to_owned(), (acquisition, last_seen));
                open.len += 1;
            }
            AcquisitionStep::Inherit {
                session: (acquisition, last),
                last_seen,
            } => {
                *last = last_seen;
                acquisition.fill(context);
            }
            AcquisitionStep::Direct => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_session_memory_is_emptied_across_websites() {
        let sources = SessionSources::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let tagged = VisitContext {
            referrer: Some("google.com".into()),
            ..VisitContext::unknown()
        };
        for n in 0..MAX_OPEN_SESSIONS - 1 {
            let site = WebsiteId::from_parts(1, [(n % 3) as u8; 8]);
            sources.attribute(site, &format!("s{n}"), &mut tagged.clone(), now);
        }
        // The same session again is no new one; the same id on another website is.
        let site = WebsiteId::from_parts(1, [0; 8]);
        sources.attribute(site, "s0", &mut tagged.clone(), now);
        assert_eq!(sources.open.lock().unwrap().len, MAX_OPEN_SESSIONS - 1);
        let other = WebsiteId::from_parts(1, [1; 8]);
        sources.attribute(other, "s0", &mut tagged.clone(), now);
        assert_eq!(sources.open.lock().unwrap().len, MAX_OPEN_SESSIONS);
        sources.attribute(site, "new", &mut tagged.clone(), now);
        let open = sources.open.lock().unwrap();
        assert_eq!(open.len, 1);
        assert_eq!(open.by_website.values().map(HashMap::len).sum::<usize>(), 1);
    }

    /// A visit that arrived from `referrer`, which the sources call `source`.
    fn arrival(referrer: &str, source: &str) -> VisitContext {
        VisitContext {
            referrer: Some(referrer.into()),
            source: source.into(),
            ..VisitContext::unknown()
        }
    }

    #[test]
    fn sessions_that_arrived_the_same_way_share_one_acquisition() {
        let sources = SessionSources::default();
        let site = WebsiteId::from_parts(1, [1; 8]);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let from_google = arrival("google.com", "Google");
        let from_x = arrival("x.com", "X");
        sources.attribute(site, "s1", &mut from_google.clone(), now);
        sources.attribute(site, "s2", &mut from_google.clone(), now);
        sources.attribute(site, "s3", &mut from_x.clone(), now);
        let open = sources.open.lock().unwrap();
        let sessions = &open.by_website[&site];
        assert!(Arc::ptr_eq(&sessions["s1"].0, &sessions["s2"].0));
        assert!(!Arc::ptr_eq(&sessions["s1"].0, &sessions["s3"].0));
        assert_eq!(sessions["s3"].0.0.source, "X");
    }

    #[test]
    fn a_shared_acquisition_is_compared_before_it_is_reused() {
        let mut shared = SharedAcquisitions::default();
        let from_google = arrival("google.com", "Google");
        let from_x = arrival("x.com", "X");
        // A colliding entry: another acquisition stored under this context's hash.
        let key = shared.hasher.hash_one(from_google.acquisition_fields());
        shared
            .by_hash
            .insert(key, Arc::new(Acquisition::of(&from_x)));
        let acquisition = shared.share(&from_google);
        assert_eq!(*acquisition, Acquisition::of(&from_google));
        assert!(Arc::ptr_eq(&shared.share(&from_google), &acquisition));
    }

    #[test]
    fn later_pages_of_a_session_keep_its_source_until_a_new_one_arrives() {
        let sources = SessionSources::default();
        let site = WebsiteId::from_parts(1, [1; 8]);
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let from_google = VisitContext {
            referrer: Some("google.com".into()),
            source: "Google".into(),
            utm_campaign: Some("spring".into()),
            ..VisitContext::unknown()
        };
        let mut first = from_google.clone();
        sources.attribute(site, "s1", &mut first, start);
        assert_eq!(first, from_google);

        let mut next = VisitContext::unknown();
        sources.attribute(
            site,
            "s1",
            &mut next,
            start + jiff::SignedDuration::from_mins(5),
        );
        assert_eq!(next.source, "Google");
        assert_eq!(next.utm_campaign.as_deref(), Some("spring"));

        // Another session, and the same one after 30 idle minutes, stay direct.
        let mut other = VisitContext::unknown();
        sources.attribute(site, "s2", &mut other, start);
        assert_eq!(other.source, "Direct/None");
        let mut late = VisitContext::unknown();
        sources.attribute(
            site,
            "s1",
            &mut late,
            start + jiff::SignedDuration::from_mins(40),
        );
        assert_eq!(late.source, "Direct/None");

        // A new outside referrer starts a new acquisition.
        let from_x = VisitContext {
            referrer: Some("x.com".into()),
            source: "X".into(),
            ..VisitContext::unknown()
        };
        let mut arrival = from_x.clone();
        sources.attribute(
            site,
            "s2",
            &mut arrival,
            start + jiff::SignedDuration::from_mins(1),
        );
        let mut after = VisitContext::unknown();
        sources.attribute(
            site,
            "s2",
            &mut after,
            start + jiff::SignedDuration::from_mins(2),
        );
        assert_eq!(after.source, "X");
        assert_eq!(after.utm_campaign, None);
    }

    /// The text of the distinct acquisitions the session memory holds, through its sessions
    /// or its shared map.
    fn held_acquisition_text(open: &OpenSessions) -> usize {
        let mut seen = std::collections::HashSet::new();
        open.by_website
            .values()
            .flat_map(HashMap::values)
            .map(|(acquisition, _)| acquisition)
            .chain(open.shared.by_hash.values())
            .filter(|acquisition| seen.insert(Arc::as_ptr(acquisition)))
            .flat_map(|acquisition| acquisition.0.acquisition_fields())
            .map(|field| field.map_or(0, str::len))
            .sum()
    }

    #[test]
    fn hostile_acquisitions_stay_within_the_memory_budget() {
        let sources = SessionSources::default();
        let site = WebsiteId::from_parts(1, [1; 8]);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        // Each session arrives with its own long referrer and campaign tags: about 2.3 KB of
        // text that no other session shares.
        let tag = |n: usize, letter: &str| Some(format!("{n}{}", letter.repeat(250)));
        for n in 0..20_000 {
            let mut context = VisitContext {
                referrer: tag(n, "r"),
                source: format!("{n}{}", "r".repeat(250)),
                utm_source: tag(n, "a"),
                utm_medium: tag(n, "b"),
                utm_campaign: tag(n, "c"),
                utm_term: tag(n, "d"),
                utm_content: tag(n, "e"),
                ref_param: tag(n, "f"),
                source_param: tag(n, "g"),
                via: tag(n, "h"),
                ..VisitContext::unknown()
            };
            sources.attribute(site, &format!("s{n}"), &mut context, now);
        }
        let open = sources.open.lock().unwrap();
        let held = held_acquisition_text(&open);
        assert!(held <= 16 << 20, "{held} bytes of acquisitions held");
        assert!(open.len > 0, "the latest sessions are remembered");
    }
}
