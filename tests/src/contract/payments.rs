//! Contract cases on payments: round trips, transaction ids unique per website, a payment stored
//! with its goal event, and deletes that take the goal events along.

use jiff::Timestamp;

use datafast_domain::event::{Event, EventKind};
use datafast_domain::goal::GoalEventType;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::website::Currency;
use datafast_ports::store::Storage;

use super::fixtures::*;

/// The transaction ids of the website's payments, oldest first.
async fn transaction_ids(store: &dyn Storage, website: WebsiteId) -> Vec<String> {
    ids(&store.payments(website).await.unwrap(), |p| {
        p.transaction_id.clone()
    })
}

/// The transaction ids the website's stored goal events carry, in order.
async fn goal_event_transactions(store: &dyn Storage, website: WebsiteId) -> Vec<String> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| e.event.website_id == website && e.event.kind == EventKind::Payment)
        .filter_map(|e| e.event.params.get("transaction_id").cloned())
        .collect()
}

pub async fn payments_round_trip_oldest_first(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    assert!(store.payments(site).await.unwrap().is_empty());
    let fine = Timestamp::new(EPOCH_SECOND + 5, 987_654_321).unwrap();
    let full = Payment {
        amount_minor: 150_000,
        currency: Currency::parse("JPY").unwrap(),
        email: Some("o'brien+pay@example.com".to_owned()),
        name: Some(AWKWARD_TEXT[3].to_owned()),
        customer_id: Some("cus_%_1".to_owned()),
        renewal: true,
        refunded: true,
        free_trial: true,
        ..payment(site, "tx_full", Some("v1"), fine)
    };
    let anonymous = payment(site, "tx_anonymous", None, at(1));
    let tie_b = payment(site, "tx_b", Some("v2"), at(3));
    let tie_a = payment(site, "tx_a", Some("v3"), at(3));
    let elsewhere = payment(other, "tx_other", Some("v1"), at(0));
    for recorded in [&full, &anonymous, &tie_b, &tie_a, &elsewhere] {
        assert_eq!(
            store.record_payment(recorded, None).await.unwrap(),
            PaymentRecord::Recorded
        );
    }
    let full_kept = Payment {
        occurred_at: Timestamp::new(EPOCH_SECOND + 5, 987_000_000).unwrap(),
        ..full
    };
    assert_eq!(
        store.payments(site).await.unwrap(),
        vec![anonymous, tie_a, tie_b, full_kept]
    );
    assert_eq!(store.payments(other).await.unwrap(), vec![elsewhere]);
    assert!(store.payments(website_id(99)).await.unwrap().is_empty());
    // Without a goal event, nothing enters the event log.
    assert!(all_events(store).await.is_empty());
}

pub async fn a_repeated_transaction_id_is_a_duplicate_on_its_website_only(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let original = payment(site, "tx_1", Some("v1"), at(1));
    assert_eq!(
        store
            .record_payment(&original, Some(payment_goal_event(&original)))
            .await
            .unwrap(),
        PaymentRecord::Recorded
    );
    let again = Payment {
        amount_minor: 1,
        visitor_id: Some("v2".to_owned()),
        free_trial: true,
        occurred_at: at(2),
        ..original.clone()
    };
    assert_eq!(
        store
            .record_payment(&again, Some(payment_goal_event(&again)))
            .await
            .unwrap(),
        PaymentRecord::Duplicate
    );
    assert_eq!(
        store.record_payment(&again, None).await.unwrap(),
        PaymentRecord::Duplicate
    );
    // Nothing of the duplicate was stored: neither the payment nor its goal event.
    assert_eq!(store.payments(site).await.unwrap(), vec![original.clone()]);
    assert_eq!(
        store.goal_counts(site).await.unwrap(),
        vec![count("payment", GoalEventType::Payment, 1, 1)]
    );
    assert_eq!(all_events(store).await.len(), 1);

    // The same transaction id on another website is another payment.
    let elsewhere = Payment {
        website_id: other,
        ..original.clone()
    };
    assert_eq!(
        store
            .record_payment(&elsewhere, Some(payment_goal_event(&elsewhere)))
            .await
            .unwrap(),
        PaymentRecord::Recorded
    );
    assert_eq!(store.payments(other).await.unwrap(), vec![elsewhere]);
    assert_eq!(store.payments(site).await.unwrap(), vec![original]);
}

pub async fn a_payment_and_its_goal_event_are_stored_together(store: &dyn Storage) {
    let site = website_id(1);
    let paid = payment(site, "tx_1", Some("v1"), at(1));
    let mut goal_event = payment_goal_event(&paid);
    goal_event.context = full_context("paid");
    goal_event.session_id = "session-paid".to_owned();
    let trial = Payment {
        free_trial: true,
        ..payment(site, "tx_2", Some("v2"), at(2))
    };
    let repeat = payment(site, "tx_3", Some("v1"), at(3));
    store
        .record_payment(&paid, Some(goal_event.clone()))
        .await
        .unwrap();
    store
        .record_payment(&trial, Some(payment_goal_event(&trial)))
        .await
        .unwrap();
    store
        .record_payment(&repeat, Some(payment_goal_event(&repeat)))
        .await
        .unwrap();
    store
        .record_payment(&payment(site, "tx_4", None, at(4)), None)
        .await
        .unwrap();
    store
        .append_events(vec![event(site, EventKind::Custom, "v3", Some("payment"))])
        .await
        .unwrap();

    let stored = all_events(store).await;
    let events: Vec<Event> = stored.iter().map(|e| e.event.clone()).collect();
    assert_eq!(
        events,
        vec![
            goal_event,
            payment_goal_event(&trial),
            payment_goal_event(&repeat),
            event(site, EventKind::Custom, "v3", Some("payment")),
        ]
    );
    assert!(strictly_increasing(
        &stored.iter().map(|e| e.seq).collect::<Vec<_>>()
    ));
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("free_trial", GoalEventType::Payment, 1, 1),
            count("payment", GoalEventType::Custom, 1, 1),
            count("payment", GoalEventType::Payment, 2, 1),
        ]
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 3);
    assert_eq!(store.payments(site).await.unwrap().len(), 4);
}

pub async fn deleting_payments_removes_their_goal_events(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let payments = [
        payment(site, "tx_1", Some("v1"), at(10)),
        payment(site, "tx_2", Some("v1"), at(20)),
        payment(site, "tx_3", Some("v2"), at(30)),
        payment(site, "tx_4", Some("v2"), at(40)),
        payment(site, "tx_5", None, at(50)),
        payment(site, "tx_6", Some("v3"), at(60)),
        payment(other, "tx_1", Some("v1"), at(10)),
    ];
    for paid in &payments {
        store
            .record_payment(paid, Some(payment_goal_event(paid)))
            .await
            .unwrap();
    }
    store
        .append_events(vec![event_at(
            site,
            EventKind::Custom,
            "v1",
            Some("payment"),
            20,
        )])
        .await
        .unwrap();

    // A transaction id selects that payment alone, whatever else the filter says.
    let by_id = PaymentFilter {
        transaction_id: Some("tx_1".to_owned()),
        visitor_id: Some("v2".to_owned()),
        from: Some(at(1000)),
        to: None,
    };
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 1);
    assert_eq!(
        transaction_ids(store, site).await,
        ["tx_2", "tx_3", "tx_4", "tx_5", "tx_6"]
    );
    assert_eq!(
        goal_event_transactions(store, site).await,
        ["tx_2", "tx_3", "tx_4", "tx_5", "tx_6"]
    );
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 0);

    let by_visitor = PaymentFilter {
        visitor_id: Some("v2".to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_visitor).await.unwrap(), 2);
    assert_eq!(transaction_ids(store, site).await, ["tx_2", "tx_5", "tx_6"]);
    assert_eq!(
        goal_event_transactions(store, site).await,
        ["tx_2", "tx_5", "tx_6"]
    );

    // Both bounds are inclusive.
    let by_range = PaymentFilter {
        from: Some(at(20)),
        to: Some(at(50)),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_range).await.unwrap(), 2);
    assert_eq!(transaction_ids(store, site).await, ["tx_6"]);
    assert_eq!(goal_event_transactions(store, site).await, ["tx_6"]);
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("payment", GoalEventType::Custom, 1, 1),
            count("payment", GoalEventType::Payment, 1, 1),
        ]
    );

    // Another website's payment with the same id, and the custom goal, were never touched.
    assert_eq!(transaction_ids(store, other).await, ["tx_1"]);
    assert_eq!(goal_event_transactions(store, other).await, ["tx_1"]);
    assert_eq!(
        store
            .delete_payments(website_id(99), &PaymentFilter::default())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_payments(site, &PaymentFilter::default())
            .await
            .unwrap(),
        1
    );
    assert!(store.payments(site).await.unwrap().is_empty());
    // A deleted transaction id may be recorded again.
    assert_eq!(
        store
            .record_payment(&payments[0], Some(payment_goal_event(&payments[0])))
            .await
            .unwrap(),
        PaymentRecord::Recorded
    );
    assert_eq!(goal_event_transactions(store, site).await, ["tx_1"]);
}
