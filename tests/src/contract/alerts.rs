//! Contract cases on alerts: round trips, the per-website limit (also under concurrent inserts),
//! updates, deletion that keeps the history, alerts of a goal, and the delivery history.

use datafast_domain::alert::{Alert, DeliveryCounts, DeliveryStatus, MAX_ALERTS_PER_WEBSITE};
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

pub async fn alerts_round_trip_oldest_first(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let newer = alert(1, site.id, "signup", at(30));
    let mut older = alert(2, site.id, "payment", at(10));
    older.webhook_url = None;
    older.is_enabled = false;
    let elsewhere = alert(3, other.id, "signup", at(5));
    for alert in [&newer, &older, &elsewhere] {
        store
            .insert_alert(alert, MAX_ALERTS_PER_WEBSITE)
            .await
            .unwrap();
    }

    assert_eq!(
        store.alerts(site.id).await.unwrap(),
        vec![older.clone(), newer.clone()]
    );
    assert_eq!(store.alert(site.id, older.id).await.unwrap(), Some(older));
    assert_eq!(store.alert(other.id, newer.id).await.unwrap(), None);
    assert_eq!(store.alert(site.id, alert_id(99)).await.unwrap(), None);
    assert_eq!(store.alerts(other.id).await.unwrap(), vec![elsewhere]);
}

pub async fn alert_limit_at_the_edge(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let limit = MAX_ALERTS_PER_WEBSITE;
    for n in 0..limit {
        let n = u32::try_from(n).unwrap();
        store
            .insert_alert(&alert(n, site.id, "signup", at(i64::from(n))), limit)
            .await
            .unwrap();
    }
    let one_more = alert(100, site.id, "signup", at(100));
    assert_eq!(
        store.insert_alert(&one_more, limit).await,
        Err(StoreError::LimitReached)
    );
    assert_eq!(store.alerts(site.id).await.unwrap().len(), limit);
    assert_eq!(store.alert(site.id, one_more.id).await.unwrap(), None);

    store
        .insert_alert(&alert(200, other.id, "signup", at(1)), limit)
        .await
        .unwrap();
    assert_eq!(
        store
            .insert_alert(&alert(201, other.id, "signup", at(2)), 1)
            .await,
        Err(StoreError::LimitReached)
    );

    store.delete_alert(site.id, alert_id(0)).await.unwrap();
    store.insert_alert(&one_more, limit).await.unwrap();
    assert_eq!(store.alerts(site.id).await.unwrap().len(), limit);
}

pub async fn alert_limit_holds_under_concurrent_inserts(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let limit = MAX_ALERTS_PER_WEBSITE;
    for n in 0..limit - 1 {
        let n = u32::try_from(n).unwrap();
        store
            .insert_alert(&alert(n, site.id, "signup", at(0)), limit)
            .await
            .unwrap();
    }
    let racers = [101, 102, 103].map(|n| alert(n, site.id, "signup", at(1)));
    let (first, second, third) = tokio::join!(
        store.insert_alert(&racers[0], limit),
        store.insert_alert(&racers[1], limit),
        store.insert_alert(&racers[2], limit),
    );
    let outcomes = [first, second, third];
    assert_eq!(outcomes.iter().filter(|o| o.is_ok()).count(), 1);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == Err(StoreError::LimitReached))
            .count(),
        2
    );
    assert_eq!(store.alerts(site.id).await.unwrap().len(), limit);
}

pub async fn updating_an_alert(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let original = alert(1, site.id, "signup", at(10));
    store.insert_alert(&original, 25).await.unwrap();

    let changed = Alert {
        name: "Renamed".to_owned(),
        goal_name: goal("payment"),
        subject: "Paid!".to_owned(),
        message: "Someone paid for the product.".to_owned(),
        webhook_url: None,
        is_enabled: false,
        updated_at: at(40),
        ..original.clone()
    };
    store.update_alert(&changed).await.unwrap();
    assert_eq!(
        store.alert(site.id, original.id).await.unwrap(),
        Some(changed.clone())
    );

    assert_eq!(
        store
            .update_alert(&alert(99, site.id, "signup", at(1)))
            .await,
        Err(StoreError::NotFound)
    );
    let moved = Alert {
        website_id: other.id,
        ..changed.clone()
    };
    assert_eq!(store.update_alert(&moved).await, Err(StoreError::NotFound));
    assert!(store.alerts(other.id).await.unwrap().is_empty());
    assert_eq!(store.alerts(site.id).await.unwrap(), vec![changed]);
}

pub async fn deleting_an_alert_keeps_its_history(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let doomed = alert(1, site.id, "signup", at(10));
    store.insert_alert(&doomed, 25).await.unwrap();
    let log = alert_log(1, &doomed, DeliveryStatus::Sent, at(20));
    store.insert_alert_log(&log).await.unwrap();

    assert_eq!(
        store.delete_alert(other.id, doomed.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_alert(site.id, alert_id(99)).await,
        Err(StoreError::NotFound)
    );
    store.delete_alert(site.id, doomed.id).await.unwrap();
    assert_eq!(store.alert(site.id, doomed.id).await.unwrap(), None);
    assert!(store.alerts(site.id).await.unwrap().is_empty());
    assert_eq!(
        store.delete_alert(site.id, doomed.id).await,
        Err(StoreError::NotFound)
    );

    assert_eq!(
        store
            .alert_logs(site.id, Some(doomed.id), 50)
            .await
            .unwrap(),
        vec![log.clone()]
    );
    assert_eq!(
        store.alert_logs(site.id, None, 50).await.unwrap(),
        vec![log]
    );
    assert_eq!(
        store.alert_counts(site.id, None).await.unwrap(),
        DeliveryCounts { sent: 1, failed: 0 }
    );
}

pub async fn alerts_for_a_goal(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let later = alert(1, site.id, "signup", at(30));
    let earlier = alert(2, site.id, "signup", at(10));
    let disabled = Alert {
        is_enabled: false,
        ..alert(3, site.id, "signup", at(20))
    };
    let other_goal = alert(4, site.id, "payment", at(5));
    let other_site = alert(5, other.id, "signup", at(1));
    for alert in [&later, &earlier, &disabled, &other_goal, &other_site] {
        store.insert_alert(alert, 25).await.unwrap();
    }

    assert_eq!(
        store
            .alerts_for_goal(site.id, &goal("signup"))
            .await
            .unwrap(),
        vec![earlier, later]
    );
    assert_eq!(
        store
            .alerts_for_goal(site.id, &goal("payment"))
            .await
            .unwrap(),
        vec![other_goal]
    );
    assert!(
        store
            .alerts_for_goal(site.id, &goal("newsletter"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn alert_history_limit_order_and_counts(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let first = alert(1, site.id, "signup", at(1));
    let second = alert(2, site.id, "payment", at(2));
    let foreign = alert(3, other.id, "signup", at(3));
    for alert in [&first, &second, &foreign] {
        store.insert_alert(alert, 25).await.unwrap();
    }
    // Inserted out of time order, so the order must come from the instants.
    let logs = [
        alert_log(1, &first, DeliveryStatus::Sent, at(30)),
        alert_log(2, &first, DeliveryStatus::Sent, at(10)),
        alert_log(3, &second, DeliveryStatus::Failed, at(25)),
        alert_log(4, &first, DeliveryStatus::Failed, at(20)),
        alert_log(5, &second, DeliveryStatus::Sent, at(15)),
        alert_log(6, &foreign, DeliveryStatus::Sent, at(40)),
    ];
    for log in &logs {
        store.insert_alert_log(log).await.unwrap();
    }

    let newest_first = store.alert_logs(site.id, None, 50).await.unwrap();
    assert_eq!(
        ids(&newest_first, |l| l.id),
        [1, 3, 4, 5, 2].map(alert_log_id)
    );
    assert_eq!(newest_first[1], logs[2]);
    assert_eq!(
        ids(&store.alert_logs(site.id, None, 2).await.unwrap(), |l| l.id),
        [1, 3].map(alert_log_id)
    );
    assert_eq!(
        ids(
            &store.alert_logs(site.id, Some(first.id), 2).await.unwrap(),
            |l| l.id
        ),
        [1, 4].map(alert_log_id)
    );
    assert_eq!(
        ids(
            &store
                .alert_logs(site.id, Some(second.id), 100)
                .await
                .unwrap(),
            |l| l.id
        ),
        [3, 5].map(alert_log_id)
    );
    // Another website's alert is not in this website's history.
    assert!(
        store
            .alert_logs(site.id, Some(foreign.id), 50)
            .await
            .unwrap()
            .is_empty()
    );

    // Counts cover the whole selection, whatever a page would hold.
    assert_eq!(
        store.alert_counts(site.id, None).await.unwrap(),
        DeliveryCounts { sent: 3, failed: 2 }
    );
    assert_eq!(
        store.alert_counts(site.id, Some(first.id)).await.unwrap(),
        DeliveryCounts { sent: 2, failed: 1 }
    );
    assert_eq!(
        store.alert_counts(site.id, Some(foreign.id)).await.unwrap(),
        DeliveryCounts::default()
    );
    assert_eq!(
        store.alert_counts(other.id, None).await.unwrap(),
        DeliveryCounts { sent: 1, failed: 0 }
    );
    assert_eq!(
        store.alert_counts(website_id(99), None).await.unwrap(),
        DeliveryCounts::default()
    );
}
