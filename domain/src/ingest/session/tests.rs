//! Tests of the session rules: the 30-minute rule at its edges, the ids of new sessions, the
//! fields of an acquisition, and properties over whole visits, driven through a memory that
//! applies the steps as the application does.

use std::collections::HashMap;

use super::*;
use crate::event::DeviceKind;
use proptest::prelude::*;

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The session timeout in milliseconds, the unit the properties step in.
const TIMEOUT_MS: i64 = SESSION_TIMEOUT.as_millis() as i64;

#[test]
fn sessions_end_after_thirty_idle_minutes() {
    let start = at("2026-05-21T10:00:00Z");
    assert!(same_session(start, at("2026-05-21T10:29:59Z")));
    assert!(!same_session(start, at("2026-05-21T10:30:00Z")));
    assert!(same_session(at("2026-05-21T10:10:00Z"), start));
    assert!(!same_session(start, at("2026-05-22T10:00:00Z")));
}

#[test]
fn a_new_session_id_depends_on_its_visitor_and_start_only() {
    let start = Timestamp::from_second(1_800_000_000).unwrap();
    let id = cookieless_session_id("v1", start);
    // The id the server has always given this visitor and start.
    assert_eq!(id, "s6c190da4-bd18-58f6-80a1-8e8a40decab8");
    assert_eq!(cookieless_session_id("v1", start), id);
    assert_ne!(cookieless_session_id("v2", start), id);
    let later = start + SignedDuration::from_millis(1);
    assert_ne!(cookieless_session_id("v1", later), id);
}

/// A context with every field set, each to its own name.
fn full_context() -> VisitContext {
    let some = |name: &str| Some(name.to_owned());
    VisitContext {
        referrer: some("referrer"),
        source: "source".into(),
        utm_source: some("utm_source"),
        utm_medium: some("utm_medium"),
        utm_campaign: some("utm_campaign"),
        utm_term: some("utm_term"),
        utm_content: some("utm_content"),
        ref_param: some("ref"),
        source_param: some("source_param"),
        via: some("via"),
        browser: "browser".into(),
        browser_version: some("browser_version"),
        os: "os".into(),
        os_version: some("os_version"),
        device: DeviceKind::Tablet,
        country: some("country"),
        region: some("region"),
        city: some("city"),
    }
}

#[test]
fn an_acquisition_is_the_referrer_source_and_tags_alone() {
    let arrival = full_context();
    let acquisition = acquisition_of(&arrival);
    assert_eq!(
        acquisition.acquisition_fields(),
        arrival.acquisition_fields()
    );
    assert_eq!(
        VisitContext {
            browser: String::new(),
            browser_version: None,
            os: String::new(),
            os_version: None,
            device: DeviceKind::default(),
            country: None,
            region: None,
            city: None,
            ..arrival.clone()
        },
        acquisition
    );
    let mut later = VisitContext::unknown();
    later.city = Some("Lyon".into());
    inherit_acquisition(&mut later, &acquisition);
    assert_eq!(later.acquisition_fields(), arrival.acquisition_fields());
    assert_eq!(
        (later.browser.as_str(), later.city.as_deref()),
        ("Unknown", Some("Lyon"))
    );
}

#[test]
fn an_event_brings_an_acquisition_with_a_referrer_or_any_tag() {
    assert!(!brings_acquisition(&VisitContext::unknown()));
    // The source follows the referrer: alone it says nothing.
    let named = VisitContext {
        source: "Google".into(),
        ..VisitContext::unknown()
    };
    assert!(!brings_acquisition(&named));
    let full = full_context();
    let fields: [fn(&mut VisitContext) -> &mut Option<String>; 9] = [
        |c| &mut c.referrer,
        |c| &mut c.utm_source,
        |c| &mut c.utm_medium,
        |c| &mut c.utm_campaign,
        |c| &mut c.utm_term,
        |c| &mut c.utm_content,
        |c| &mut c.ref_param,
        |c| &mut c.source_param,
        |c| &mut c.via,
    ];
    for field in fields {
        let mut context = VisitContext::unknown();
        *field(&mut context) = field(&mut full.clone()).clone();
        assert!(brings_acquisition(&context), "{context:?}");
    }
}

/// One cookieless visitor as the application remembers it, applying each step: its session
/// (numbered in the order they started) and each session's acquisition (a letter), with the
/// times the steps said to remember.
#[derive(Debug, Default)]
struct Visitor {
    session: Option<(u32, Timestamp)>,
    started: u32,
    acquisitions: HashMap<u32, (char, Timestamp)>,
}

impl Visitor {
    /// The session and the acquisition of an event at `now` that brings `own` or none.
    fn event(&mut self, now: Timestamp, own: Option<char>) -> (u32, Option<char>) {
        let session = match SessionStep::next(remembered(self.session.as_mut()), now) {
            SessionStep::Continue { session, last_seen } => {
                session.1 = last_seen;
                session.0
            }
            SessionStep::Start { started } => {
                self.started += 1;
                self.session = Some((self.started, started));
                self.started
            }
        };
        let kept = remembered(self.acquisitions.get_mut(&session));
        let acquisition = match AcquisitionStep::next(kept, own.is_some(), now) {
            AcquisitionStep::Own {
                remembered: Some(kept),
                last_seen,
            } => {
                *kept = (own.unwrap(), last_seen);
                own
            }
            AcquisitionStep::Own {
                remembered: None,
                last_seen,
            } => {
                self.acquisitions.insert(session, (own.unwrap(), last_seen));
                own
            }
            AcquisitionStep::Inherit {
                session: kept,
                last_seen,
            } => {
                kept.1 = last_seen;
                Some(kept.0)
            }
            AcquisitionStep::Direct => None,
        };
        (session, acquisition)
    }
}

/// A memory entry as the steps take it: with the time it holds.
fn remembered<T>(entry: Option<&mut (T, Timestamp)>) -> Option<(&mut (T, Timestamp), Timestamp)> {
    entry.map(|entry| {
        let last = entry.1;
        (entry, last)
    })
}

/// A time between 1970 and 2100, to the millisecond, from which a visit can go on for years.
fn a_start() -> impl Strategy<Value = Timestamp> {
    (0..4_102_444_800_000i64).prop_map(|ms| Timestamp::from_millisecond(ms).unwrap())
}

/// Any time jiff can hold, to the nanosecond.
fn any_time() -> impl Strategy<Value = Timestamp> {
    let seconds = Timestamp::MIN.as_second()..=Timestamp::MAX.as_second();
    (seconds, 0..1_000_000_000i32)
        .prop_map(|(second, nano)| Timestamp::new(second, nano).unwrap_or(Timestamp::MAX))
}

fn ms(n: i64) -> SignedDuration {
    SignedDuration::from_millis(n)
}

proptest! {
    #[test]
    fn events_less_than_thirty_minutes_apart_stay_in_one_session(
        start in a_start(),
        gaps in prop::collection::vec(0..TIMEOUT_MS, 1..40),
    ) {
        let mut visitor = Visitor::default();
        let (first, _) = visitor.event(start, None);
        let mut now = start;
        for gap in gaps {
            now += ms(gap);
            prop_assert_eq!(visitor.event(now, None).0, first, "{} ms after the last", gap);
        }
    }

    #[test]
    fn a_gap_of_thirty_minutes_or_more_starts_a_new_session(
        start in a_start(),
        gaps in prop::collection::vec(0..TIMEOUT_MS, 0..10),
        // Exactly 30 minutes as often as any longer gap.
        idle in prop_oneof![Just(TIMEOUT_MS), TIMEOUT_MS..=10 * 365 * 24 * 3_600_000],
        backwards: bool,
    ) {
        let mut visitor = Visitor::default();
        let (first, _) = visitor.event(start, Some('g'));
        let latest = gaps.iter().fold(start, |now, gap| now + ms(*gap));
        for now in gaps.iter().scan(start, |now, gap| { *now += ms(*gap); Some(*now) }) {
            visitor.event(now, None);
        }
        let now = if backwards { latest - ms(idle) } else { latest + ms(idle) };
        let (session, acquisition) = visitor.event(now, None);
        prop_assert_ne!(session, first, "{} ms idle", idle);
        // The new session did not arrive from anywhere: it does not inherit the old one's.
        prop_assert_eq!(acquisition, None);
        prop_assert_eq!(visitor.session, Some((session, now)));
    }

    #[test]
    fn the_first_events_acquisition_holds_for_the_whole_session(
        start in a_start(),
        // Each event within 30 minutes of the session's latest, before or after it.
        steps in prop::collection::vec(1 - TIMEOUT_MS..TIMEOUT_MS, 1..40),
    ) {
        let mut visitor = Visitor::default();
        let (first, acquisition) = visitor.event(start, Some('g'));
        prop_assert_eq!(acquisition, Some('g'));
        let mut latest = start;
        for step in steps {
            let now = latest + ms(step);
            prop_assert_eq!(visitor.event(now, None), (first, Some('g')), "{} ms from the latest", step);
            latest = latest.max(now);
        }
    }

    #[test]
    fn a_later_arrival_replaces_the_acquisition_for_the_rest_of_the_session(
        start in a_start(),
        arrivals in prop::collection::vec((0..TIMEOUT_MS, prop::option::of(prop::char::range('a', 'z'))), 1..40),
    ) {
        let mut visitor = Visitor::default();
        let (first, _) = visitor.event(start, Some('g'));
        let (mut now, mut latest) = (start, 'g');
        for (gap, own) in arrivals {
            now += ms(gap);
            latest = own.unwrap_or(latest);
            prop_assert_eq!(visitor.event(now, own), (first, Some(latest)));
        }
    }

    #[test]
    fn any_two_times_make_a_step(previous in any_time(), now in any_time(), brings_own: bool) {
        let apart = now.duration_since(previous).abs() < SESSION_TIMEOUT;
        let expected = if apart {
            SessionStep::Continue { session: 's', last_seen: previous.max(now) }
        } else {
            SessionStep::Start { started: now }
        };
        prop_assert_eq!(SessionStep::next(Some(('s', previous)), now), expected);
        prop_assert_eq!(SessionStep::<char>::next(None, now), SessionStep::Start { started: now });
        let expected = match (brings_own, apart) {
            (true, _) => AcquisitionStep::Own { remembered: Some('a'), last_seen: now },
            (false, true) => AcquisitionStep::Inherit { session: 'a', last_seen: previous.max(now) },
            (false, false) => AcquisitionStep::Direct,
        };
        prop_assert_eq!(AcquisitionStep::next(Some(('a', previous)), brings_own, now), expected);
        let expected = if brings_own {
            AcquisitionStep::Own { remembered: None, last_seen: now }
        } else {
            AcquisitionStep::Direct
        };
        prop_assert_eq!(AcquisitionStep::<char>::next(None, brings_own, now), expected);
    }
}
