//! Contract cases on deleting goal events: by visitor, by name and inclusive time range, and what
//! the visitor answers make of the deletions.

use jiff::Timestamp;

use datafast_domain::event::{EventKind, GoalEventFilter};
use datafast_domain::goal::GoalEventType;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::PaymentFilter;
use datafast_ports::store::Storage;

use super::fixtures::*;

/// The goal names and visitors of the website's stored events, in order.
async fn goal_events_of(
    store: &dyn Storage,
    website: WebsiteId,
) -> Vec<(EventKind, String, String)> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| e.event.website_id == website && e.event.goal_name.is_some())
        .map(|e| {
            let name = e.event.goal_name.map(|g| g.to_string()).unwrap_or_default();
            (e.event.kind, e.event.visitor_id, name)
        })
        .collect()
}

fn goal_row(kind: EventKind, visitor: &str, name: &str) -> (EventKind, String, String) {
    (kind, visitor.to_owned(), name.to_owned())
}

/// Distinct visitors and latest pageviews follow deletions: a visitor whose only events were
/// goal events (or a payment's goal event) that got deleted no longer counts, and the others
/// keep their answers, including pageviews appended after the deletion.
pub async fn a_visitor_whose_events_are_all_deleted_is_no_longer_counted(store: &dyn Storage) {
    let site = website_id(1);
    let paid = payment(site, "tx_1", Some("buyer"), at(5));
    record_paid(store, &paid).await;
    store
        .append_events(vec![
            event_at(site, EventKind::Custom, "goal-only", Some("signup"), 10),
            event_at(site, EventKind::Pageview, "reader", None, 11),
        ])
        .await
        .unwrap();
    assert_eq!(store.unique_visitors(site).await.unwrap(), 3);

    let by_visitor = GoalEventFilter {
        visitor_id: Some("goal-only".to_owned()),
        ..GoalEventFilter::default()
    };
    assert_eq!(
        store.delete_goal_events(site, &by_visitor).await.unwrap(),
        1
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 2);
    let by_id = PaymentFilter {
        transaction_id: Some("tx_1".to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 1);
    assert_eq!(store.unique_visitors(site).await.unwrap(), 1);

    store
        .append_events(vec![event_at(
            site,
            EventKind::Pageview,
            "reader",
            None,
            20,
        )])
        .await
        .unwrap();
    let latest = store
        .latest_pageview(site, "reader")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.occurred_at, at(20));
    assert!(
        store
            .latest_pageview(site, "goal-only")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 1);
}

pub async fn deleting_goal_events_by_visitor(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let paid = payment(site, "tx_1", Some("v1"), at(15));
    record_paid(store, &paid).await;
    store
        .append_events(vec![
            event_at(site, EventKind::Custom, "v1", Some("signup"), 10),
            event_at(site, EventKind::Pageview, "v1", None, 11),
            event_at(site, EventKind::Custom, "v1", Some("newsletter"), 12),
            event_at(site, EventKind::Custom, "v2", Some("signup"), 13),
            event_at(other, EventKind::Custom, "v1", Some("signup"), 14),
        ])
        .await
        .unwrap();

    let by_visitor = GoalEventFilter {
        visitor_id: Some("v1".to_owned()),
        ..GoalEventFilter::default()
    };
    assert_eq!(
        store.delete_goal_events(site, &by_visitor).await.unwrap(),
        2
    );
    // The payment's goal event, the pageview, another visitor and another website stay.
    assert_eq!(
        goal_events_of(store, site).await,
        vec![
            goal_row(EventKind::Payment, "v1", "payment"),
            goal_row(EventKind::Custom, "v2", "signup"),
        ]
    );
    assert_eq!(all_events(store).await.len(), 4);
    assert_eq!(
        goal_events_of(store, other).await,
        vec![goal_row(EventKind::Custom, "v1", "signup")]
    );
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("payment", GoalEventType::Payment, 1, 1),
            count("signup", GoalEventType::Custom, 1, 1),
        ]
    );
    assert_eq!(
        store.delete_goal_events(site, &by_visitor).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_goal_events(website_id(99), &by_visitor)
            .await
            .unwrap(),
        0
    );
    // With no condition, every custom goal event of the website goes, and nothing else.
    assert_eq!(
        store
            .delete_goal_events(site, &GoalEventFilter::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        goal_events_of(store, site).await,
        vec![goal_row(EventKind::Payment, "v1", "payment")]
    );
    assert_eq!(store.payments(site).await.unwrap(), vec![paid]);
}

pub async fn deleting_goal_events_by_name_and_inclusive_range(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    store
        .append_events(vec![
            event_at(site, EventKind::Custom, "v1", Some("signup"), 29),
            event_at(site, EventKind::Custom, "v1", Some("signup"), 30),
            event_at(site, EventKind::Custom, "v2", Some("signup"), 35),
            event_at(site, EventKind::Custom, "v3", Some("signup"), 40),
            event_at(site, EventKind::Custom, "v1", Some("signup"), 41),
            event_at(site, EventKind::Custom, "v1", Some("signup-2"), 35),
            event_at(site, EventKind::Custom, "v1", Some("newsletter"), 35),
            event_at(site, EventKind::Payment, "v1", Some("signup"), 35),
            event_at(other, EventKind::Custom, "v1", Some("signup"), 35),
        ])
        .await
        .unwrap();

    // Names compare exactly (`signup-2` is another goal); both bounds are inclusive. Case
    // cannot differ: a goal name is lowercase by type.
    let signups_in_range = GoalEventFilter {
        goal_name: Some(goal("signup")),
        from: Some(at(30)),
        to: Some(at(40)),
        ..GoalEventFilter::default()
    };
    assert_eq!(
        store
            .delete_goal_events(site, &signups_in_range)
            .await
            .unwrap(),
        3
    );
    let left: Vec<(String, Timestamp)> = all_events(store)
        .await
        .into_iter()
        .filter(|e| e.event.website_id == site)
        .map(|e| {
            let name = e.event.goal_name.map(|g| g.to_string()).unwrap_or_default();
            (name, e.event.occurred_at)
        })
        .collect();
    assert_eq!(
        left,
        vec![
            ("signup".to_owned(), at(29)),
            ("signup".to_owned(), at(41)),
            ("signup-2".to_owned(), at(35)),
            ("newsletter".to_owned(), at(35)),
            ("signup".to_owned(), at(35)),
        ]
    );
    assert_eq!(goal_events_of(store, other).await.len(), 1);

    // An open range on one side.
    let from_41 = GoalEventFilter {
        from: Some(at(41)),
        ..GoalEventFilter::default()
    };
    assert_eq!(store.delete_goal_events(site, &from_41).await.unwrap(), 1);
    let until_29 = GoalEventFilter {
        to: Some(at(29)),
        ..GoalEventFilter::default()
    };
    assert_eq!(store.delete_goal_events(site, &until_29).await.unwrap(), 1);
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("newsletter", GoalEventType::Custom, 1, 1),
            count("signup", GoalEventType::Payment, 1, 1),
            count("signup-2", GoalEventType::Custom, 1, 1),
        ]
    );
}
