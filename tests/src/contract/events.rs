//! Contract cases on the event log: sequence numbers, paging across websites, large batches, round
//! trips with every detail, distinct visitors and each visitor's latest pageview.

use std::collections::BTreeMap;

use jiff::Timestamp;

use datafast_domain::event::{Event, EventKind, EventOrigin, GoalEventFilter};
use datafast_domain::payment::PaymentFilter;
use datafast_ports::store::Storage;

use super::fixtures::*;

pub async fn unique_visitors_from_appended_events(store: &dyn Storage) {
    let site = website_id(1);
    let other = website_id(2);
    assert_eq!(store.unique_visitors(site).await.unwrap(), 0);
    store
        .append_events(vec![
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Custom, "v2", Some("signup")),
            event(other, EventKind::Pageview, "v3", None),
        ])
        .await
        .unwrap();
    store
        .append_events(vec![
            event(site, EventKind::Identify, "v3", None),
            event(site, EventKind::ExternalLink, "v2", None),
            // Visitor ids are compared exactly: case makes another visitor.
            event(site, EventKind::Pageview, "V1", None),
        ])
        .await
        .unwrap();
    assert_eq!(store.unique_visitors(site).await.unwrap(), 4);
    assert_eq!(store.unique_visitors(other).await.unwrap(), 1);
    assert_eq!(store.unique_visitors(website_id(99)).await.unwrap(), 0);
}

pub async fn sequence_numbers_grow_and_are_never_reused(store: &dyn Storage) {
    let site = website_id(1);
    assert_eq!(
        store.append_events(Vec::new()).await.unwrap(),
        Vec::<u64>::new()
    );
    let first = store
        .append_events(vec![
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Custom, "v1", Some("signup")),
            event(website_id(2), EventKind::Pageview, "v2", None),
        ])
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    assert!(strictly_increasing(&first), "{first:?}");

    // The newest events go: their numbers must not come back.
    let doomed = store
        .append_events(vec![
            event(site, EventKind::Custom, "v9", Some("doomed")),
            event(site, EventKind::Custom, "v9", Some("doomed")),
        ])
        .await
        .unwrap();
    assert!(doomed[0] > first[2] && strictly_increasing(&doomed));
    let filter = GoalEventFilter {
        visitor_id: Some("v9".to_owned()),
        ..GoalEventFilter::default()
    };
    assert_eq!(store.delete_goal_events(site, &filter).await.unwrap(), 2);
    let paid = payment(site, "tx_doomed", Some("v9"), at(70));
    record_paid(store, &paid).await;
    let by_id = PaymentFilter {
        transaction_id: Some("tx_doomed".to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 1);

    let after = store
        .append_events(vec![event(site, EventKind::Pageview, "v3", None)])
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    // Above the deleted goal events and the deleted payment's goal event alike.
    assert!(after[0] > doomed[1] + 1, "{after:?} after {doomed:?}");

    let stored = all_events(store).await;
    let seqs: Vec<u64> = stored.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [first, after].concat());
    assert_eq!(stored[3].event.visitor_id, "v3");
}

pub async fn events_after_pages_in_order_across_websites(store: &dyn Storage) {
    let (one, two) = (website_id(1), website_id(2));
    let mut appended = Vec::new();
    for batch in 0..3_i64 {
        let events = vec![
            event_at(one, EventKind::Pageview, "v1", None, 100 - batch),
            event_at(two, EventKind::Custom, "v2", Some("signup"), batch),
            event_at(one, EventKind::Identify, "v3", None, 50),
        ];
        let seqs = store.append_events(events.clone()).await.unwrap();
        appended.extend(seqs.into_iter().zip(events));
    }

    // Pages of two, each resuming after the last number seen.
    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page = store.events_after(after, 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = last.seq;
        paged.extend(page.into_iter().map(|e| (e.seq, e.event)));
    }
    assert_eq!(paged, appended);

    let (third_seq, _) = &appended[2];
    let rest = store.events_after(*third_seq, 100).await.unwrap();
    assert_eq!(rest.len(), appended.len() - 3);
    assert_eq!(
        (rest[0].seq, &rest[0].event),
        (appended[3].0, &appended[3].1)
    );
    assert!(store.events_after(0, 0).await.unwrap().is_empty());
    assert!(store.events_after(after, 10).await.unwrap().is_empty());
    assert!(store.events_after(u64::MAX, 10).await.unwrap().is_empty());
}

/// One append far larger than a backend's internal chunks (the SQLite writer inserts several
/// rows per statement): every event comes back once, in order, under the number the append
/// returned, with its own details, and the numbers only grow.
pub async fn a_large_mixed_batch_keeps_its_order_numbers_and_details(store: &dyn Storage) {
    let (one, two) = (website_id(1), website_id(2));
    let events: Vec<Event> = (0..53_i64)
        .map(|n| {
            let site = if n % 5 == 0 { two } else { one };
            let visitor = format!("visitor-{n}");
            let mut event = if n % 3 == 0 {
                event_at(site, EventKind::Custom, &visitor, Some("signup"), n)
            } else {
                event_at(site, EventKind::Pageview, &visitor, None, n)
            };
            if n % 3 == 0 {
                event.params.insert("plan".to_owned(), format!("plan {n}"));
            }
            if n % 7 == 0 {
                event.description = Some(format!("described {n}"));
            }
            event.path = format!("/page/{}", n % 4);
            event
        })
        .collect();
    let seqs = store.append_events(events.clone()).await.unwrap();
    assert_eq!(seqs.len(), events.len());
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");

    let stored = store.events_after(0, 1000).await.unwrap();
    let read: Vec<(u64, Event)> = stored.into_iter().map(|s| (s.seq, s.event)).collect();
    let expected: Vec<(u64, Event)> = seqs.into_iter().zip(events).collect();
    assert_eq!(read, expected);
}

pub async fn events_round_trip_with_every_detail(store: &dyn Storage) {
    let site = website_id(1);
    let fine = Timestamp::new(EPOCH_SECOND, 123_456_789).unwrap();
    let kept = Timestamp::new(EPOCH_SECOND, 123_000_000).unwrap();

    let mut rich = event(site, EventKind::Custom, "v1", Some("signup"));
    rich.occurred_at = fine;
    rich.context = full_context("Zoë ✓ 'quoted'");
    rich.params = AWKWARD_TEXT
        .iter()
        .enumerate()
        .map(|(index, text)| (format!("{text} {index}"), (*text).to_owned()))
        .chain([("empty".to_owned(), String::new())])
        .collect();
    rich.description = Some(AWKWARD_TEXT[0].to_owned());
    rich.origin = EventOrigin::Server;

    // Contexts that differ in one field, or only in an empty versus a missing value, stay apart.
    let mut near = rich.clone();
    near.kind = EventKind::Pageview;
    near.goal_name = None;
    near.context.city = Some("Elsewhere".to_owned());
    near.params = BTreeMap::new();
    near.description = None;
    near.origin = EventOrigin::Client;
    let mut empty_fields = near.clone();
    empty_fields.context.referrer = Some(String::new());
    empty_fields.context.utm_term = Some(String::new());
    let mut only_description = event(site, EventKind::Custom, "v2", Some("signup"));
    only_description.description = Some("described".to_owned());
    let mut outbound = event(site, EventKind::ExternalLink, "v2", None);
    outbound.params = [
        (
            "url".to_owned(),
            "https://out.example.com/?a=1&b=2".to_owned(),
        ),
        ("text".to_owned(), "Out".to_owned()),
    ]
    .into_iter()
    .collect();

    // Visitor and session ids read back exactly, whatever their shape: UUIDs in either case,
    // the tracker's `s` + UUID sessions, near-UUIDs and the empty id of an anonymous payment.
    const UUID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let shaped_ids = [
        (UUID.to_owned(), format!("s{UUID}")),
        (UUID.to_ascii_uppercase(), format!("S{UUID}")),
        (
            format!("{UUID}0"),
            format!("s{}", UUID.to_ascii_uppercase()),
        ),
        (UUID.replace('e', "g"), format!("s{UUID}s")),
        (UUID.replace('-', "_"), UUID.to_owned()),
        (String::new(), String::new()),
    ];
    let mut events = vec![
        rich.clone(),
        near.clone(),
        empty_fields.clone(),
        event(site, EventKind::Pageview, "v2", None),
        only_description.clone(),
        outbound.clone(),
    ];
    for (visitor, session) in &shaped_ids {
        let mut shaped = event(site, EventKind::Custom, visitor, Some("signup"));
        shaped.session_id.clone_from(session);
        events.push(shaped);
    }
    store.append_events(events.clone()).await.unwrap();

    let expected: Vec<Event> = events
        .into_iter()
        .map(|e| Event {
            occurred_at: if e.occurred_at == fine {
                kept
            } else {
                e.occurred_at
            },
            ..e
        })
        .collect();
    let stored: Vec<Event> = all_events(store)
        .await
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(
        store.latest_pageview(site, "v1").await.unwrap(),
        Some(expected[2].clone())
    );
    assert_eq!(
        store.unique_visitors(site).await.unwrap(),
        2 + shaped_ids.len() as u64
    );
}

pub async fn latest_pageview_is_the_visitors_last_appended_pageview(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    assert_eq!(store.latest_pageview(site, "v1").await.unwrap(), None);

    let mut first = event_at(site, EventKind::Pageview, "v1", None, 10);
    first.context = full_context("first");
    store
        .append_events(vec![
            first.clone(),
            event_at(site, EventKind::Custom, "v1", Some("signup"), 20),
            event_at(site, EventKind::Identify, "v1", None, 21),
            event_at(site, EventKind::ExternalLink, "v1", None, 22),
            event_at(other, EventKind::Pageview, "v1", None, 23),
            event_at(site, EventKind::Pageview, "v2", None, 24),
            event_at(site, EventKind::Pageview, "V1", None, 25),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.latest_pageview(site, "v1").await.unwrap(),
        Some(first)
    );

    // Append order decides, not the instant the event carries.
    let mut later = event_at(site, EventKind::Pageview, "v1", None, 5);
    later.context = full_context("later");
    store.append_events(vec![later.clone()]).await.unwrap();
    assert_eq!(
        store.latest_pageview(site, "v1").await.unwrap(),
        Some(later)
    );
    assert_eq!(
        store.latest_pageview(other, "v1").await.unwrap(),
        Some(event_at(other, EventKind::Pageview, "v1", None, 23))
    );
    assert_eq!(store.latest_pageview(site, "v9").await.unwrap(), None);
    assert_eq!(
        store.latest_pageview(website_id(99), "v1").await.unwrap(),
        None
    );
}
