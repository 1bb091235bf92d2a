//! Contract cases on provider connections: one sealed credential per website and provider.

use datafast_domain::event::{Event, EventKind};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::Payment;
use datafast_domain::provider_payment::{Customer, SyncWindow};
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_domain::website::Currency;
use datafast_ports::store::{ImportRecord, ImportedPayment, Storage, StoreError};

use super::fixtures::*;

pub async fn provider_connections(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let by_provider = |mut connections: Vec<Connection>| {
        connections.sort_by_key(|c| c.provider);
        connections
    };
    let stripe = Connection {
        key_expires_at: Some(at(1_000)),
        ..connection(Provider::Stripe, &[1, 2, 3], at(10))
    };
    let paddle = connection(Provider::Paddle, &[0, 255, 0, 7], at(11));
    store.save_connection(site.id, &stripe).await.unwrap();
    store.save_connection(site.id, &paddle).await.unwrap();
    store
        .save_connection(other.id, &connection(Provider::Stripe, &[9], at(12)))
        .await
        .unwrap();
    assert_eq!(
        by_provider(store.connections(site.id).await.unwrap()),
        vec![stripe, paddle.clone()]
    );

    // Saving again replaces the website's connection to that provider.
    let reconnected = connection(Provider::Stripe, &[4, 5], at(20));
    store.save_connection(site.id, &reconnected).await.unwrap();
    assert_eq!(
        by_provider(store.connections(site.id).await.unwrap()),
        vec![reconnected.clone(), paddle]
    );

    assert!(
        store
            .delete_connection(site.id, Provider::Paddle)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_connection(site.id, Provider::Paddle)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_connection(site.id, Provider::Polar)
            .await
            .unwrap()
    );
    assert_eq!(store.connections(site.id).await.unwrap(), vec![reconnected]);
    assert_eq!(store.connections(other.id).await.unwrap().len(), 1);
    assert!(store.connections(website_id(99)).await.unwrap().is_empty());
}

pub async fn sync_state_is_kept_with_its_connection(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let stripe = connection(Provider::Stripe, &[1], at(10));
    store.save_connection(site.id, &stripe).await.unwrap();
    store
        .save_connection(other.id, &connection(Provider::Polar, &[2], at(11)))
        .await
        .unwrap();
    let midway = SyncState {
        synced_through: Some(at(50)),
        window: Some(SyncWindow {
            from: at(40),
            to: at(90),
        }),
        page: Some("c:ch_123".to_owned()),
        last_sync_at: Some(at(60)),
        last_error: Some("Invalid API Key provided".to_owned()),
        imported_payments: 7,
        halted: true,
    };
    store
        .save_sync_state(site.id, Provider::Stripe, &midway)
        .await
        .unwrap();
    // The count of imported payments is the store's to keep: a state written does not set it.
    let midway = SyncState {
        imported_payments: 0,
        ..midway
    };
    let stored = &store.connections(site.id).await.unwrap()[0];
    assert_eq!(stored.sync, midway);
    assert_eq!(stored.sealed_credentials, stripe.sealed_credentials);

    // Every website's connections, for the import to work through.
    let everything = store.all_connections().await.unwrap();
    let mut expected = vec![
        (
            site.id,
            Connection {
                sync: midway.clone(),
                ..stripe.clone()
            },
        ),
        (other.id, connection(Provider::Polar, &[2], at(11))),
    ];
    expected.sort_by_key(|(website, _)| *website);
    assert_eq!(everything, expected);

    // A connection saved again carries the state it is given.
    store.save_connection(site.id, &stripe).await.unwrap();
    assert_eq!(
        store.connections(site.id).await.unwrap()[0].sync,
        SyncState::default()
    );

    // A sync that outlived its connection finds nothing to write to.
    store
        .delete_connection(site.id, Provider::Stripe)
        .await
        .unwrap();
    assert_eq!(
        store
            .save_sync_state(site.id, Provider::Stripe, &midway)
            .await,
        Err(StoreError::NotFound)
    );
    assert!(store.connections(site.id).await.unwrap().is_empty());
}

pub async fn an_import_page_and_its_sync_state_are_stored_together(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    store
        .save_connection(site.id, &connection(Provider::Stripe, &[1], at(10)))
        .await
        .unwrap();
    let known = payment(site.id, "pi_known", Some("v1"), at(1));
    store.record_payment(&known, None).await.unwrap();
    let fresh = payment(site.id, "pi_new", Some("v2"), at(2));
    let goal = payment_goal_event(&fresh);
    let refunded = Payment {
        amount_minor: 0,
        refunded: true,
        ..known.clone()
    };
    let page = vec![
        ImportedPayment {
            payment: fresh.clone(),
            goal_event: Some(goal),
        },
        ImportedPayment {
            payment: refunded.clone(),
            goal_event: None,
        },
        ImportedPayment {
            payment: fresh.clone(),
            goal_event: None,
        },
    ];
    let after = SyncState {
        page: Some("c:ch_2".to_owned()),
        window: Some(SyncWindow {
            from: at(0),
            to: at(100),
        }),
        imported_payments: 5,
        ..SyncState::default()
    };
    let records = store
        .store_import_page(site.id, Provider::Stripe, page.clone(), Some(after.clone()))
        .await
        .unwrap();
    // The second appearance of the new payment, in the same page, is already known.
    assert_eq!(
        records,
        vec![
            ImportRecord::New,
            ImportRecord::Settled,
            ImportRecord::Unchanged
        ]
    );
    assert_eq!(
        store.payments(site.id).await.unwrap(),
        vec![refunded.clone(), fresh.clone()]
    );
    assert_eq!(
        all_events(store).await.len(),
        1,
        "the new payment's goal event"
    );
    let saved = &store.connections(site.id).await.unwrap()[0].sync;
    assert_eq!(saved.page, after.page);
    assert_eq!(
        saved.imported_payments, 1,
        "the one new payment; the state's own count is not the store's"
    );

    // The same page again changes nothing but the state.
    let again = store
        .store_import_page(site.id, Provider::Stripe, page.clone(), Some(after.clone()))
        .await
        .unwrap();
    assert!(again.iter().all(|r| *r == ImportRecord::Unchanged));
    assert_eq!(store.payments(site.id).await.unwrap().len(), 2);

    // Payments that are no page of the import (a webhook's, a lookup's) leave the state alone
    // and still count.
    let pushed = ImportedPayment {
        payment: payment(site.id, "pi_pushed", None, at(4)),
        goal_event: None,
    };
    let records = store
        .store_import_page(site.id, Provider::Stripe, vec![pushed], None)
        .await
        .unwrap();
    assert_eq!(records, vec![ImportRecord::New]);
    let saved = &store.connections(site.id).await.unwrap()[0].sync;
    assert_eq!(saved.page, after.page);
    assert_eq!(saved.imported_payments, 2);
    assert_eq!(store.payments(site.id).await.unwrap().len(), 3);

    // Without the connection the page is refused whole.
    store
        .delete_connection(site.id, Provider::Stripe)
        .await
        .unwrap();
    let late = ImportedPayment {
        payment: payment(site.id, "pi_late", None, at(3)),
        goal_event: None,
    };
    assert_eq!(
        store
            .store_import_page(site.id, Provider::Stripe, vec![late.clone()], Some(after))
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .store_import_page(site.id, Provider::Stripe, vec![late], None)
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.payments(site.id).await.unwrap().len(), 3);
}

pub async fn a_webhook_secret_is_kept_with_its_connection(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let stripe = connection(Provider::Stripe, &[1], at(10));
    store.save_connection(site.id, &stripe).await.unwrap();
    let secret = |connections: Vec<Connection>| connections[0].sealed_webhook_secret.clone();
    assert_eq!(secret(store.connections(site.id).await.unwrap()), None);

    store
        .save_webhook_secret(site.id, Provider::Stripe, Some(vec![7, 0, 255]))
        .await
        .unwrap();
    assert_eq!(
        secret(store.connections(site.id).await.unwrap()),
        Some(vec![7, 0, 255])
    );
    // The import's writes leave it alone, and it leaves the credentials alone.
    let state = SyncState {
        page: Some("c:ch_1".to_owned()),
        ..SyncState::default()
    };
    store
        .save_sync_state(site.id, Provider::Stripe, &state)
        .await
        .unwrap();
    store
        .store_import_page(site.id, Provider::Stripe, Vec::new(), Some(state))
        .await
        .unwrap();
    let stored = store.connections(site.id).await.unwrap().remove(0);
    assert_eq!(stored.sealed_webhook_secret, Some(vec![7, 0, 255]));
    assert_eq!(stored.sealed_credentials, stripe.sealed_credentials);

    // A connection saved again carries the secret it is given.
    let with_secret = Connection {
        sealed_webhook_secret: Some(vec![9]),
        ..stripe.clone()
    };
    store.save_connection(site.id, &with_secret).await.unwrap();
    assert_eq!(
        secret(store.connections(site.id).await.unwrap()),
        Some(vec![9])
    );

    store
        .save_webhook_secret(site.id, Provider::Stripe, None)
        .await
        .unwrap();
    assert_eq!(secret(store.connections(site.id).await.unwrap()), None);
    assert_eq!(
        store
            .save_webhook_secret(site.id, Provider::Polar, Some(vec![1]))
            .await,
        Err(StoreError::NotFound)
    );
    assert!(
        store
            .connections(site.id)
            .await
            .unwrap()
            .iter()
            .all(|c| c.provider == Provider::Stripe)
    );
}

fn subscription(
    id: &str,
    status: SubscriptionStatus,
    visitor: Option<&str>,
) -> ProviderSubscription {
    ProviderSubscription {
        provider: Provider::Stripe,
        id: id.to_owned(),
        status,
        amount_minor: 2_900,
        currency: Currency::parse("EUR").unwrap(),
        interval: BillingInterval {
            unit: IntervalUnit::Year,
            count: 1,
        },
        started_at: at(100),
        ended_at: None,
        cancel_scheduled: false,
        customer: Customer {
            id: Some("cus_1".to_owned()),
            email: Some("ann@example.com".to_owned()),
            name: Some("Ann".to_owned()),
        },
        visitor_id: visitor.map(str::to_owned),
    }
}

fn goal_names(events: &[Event]) -> Vec<(String, String)> {
    let mut names: Vec<_> = events
        .iter()
        .filter_map(|e| {
            Some((
                e.params.get("subscription_id")?.clone(),
                e.goal_name.as_ref()?.as_str().to_owned(),
            ))
        })
        .collect();
    names.sort();
    names
}

async fn stored_events(store: &dyn Storage) -> Vec<Event> {
    all_events(store)
        .await
        .into_iter()
        .map(|stored| stored.event)
        .collect()
}

pub async fn subscriptions_fire_their_goals_once_and_go_with_their_connection(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    store
        .save_connection(site.id, &connection(Provider::Stripe, &[1], at(10)))
        .await
        .unwrap();
    let visit = |visitor: &str| event(site.id, EventKind::Pageview, visitor, None);
    let first = vec![
        (
            subscription("sub_a", SubscriptionStatus::Active, Some("v1")),
            Some(visit("v1")),
        ),
        (
            subscription("sub_b", SubscriptionStatus::Trialing, Some("v2")),
            Some(visit("v2")),
        ),
        (
            subscription("sub_c", SubscriptionStatus::Active, None),
            None,
        ),
    ];
    let fired = store
        .save_subscriptions(site.id, Provider::Stripe, first.clone(), at(500))
        .await
        .unwrap();
    assert_eq!(
        goal_names(&fired),
        vec![
            ("sub_a".to_owned(), "subscription_started".to_owned()),
            ("sub_b".to_owned(), "trial_started".to_owned()),
        ]
    );
    let mut kept = store.subscriptions(site.id).await.unwrap();
    kept.sort_by(|a, b| a.id.cmp(&b.id));
    let listed: Vec<ProviderSubscription> = first.iter().map(|(s, _)| s.clone()).collect();
    assert_eq!(kept, listed);

    // Listed again unchanged: no goal fires twice.
    let again = store
        .save_subscriptions(site.id, Provider::Stripe, first.clone(), at(600))
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");

    // The trial converts and the first one ends.
    let mut ended = subscription("sub_a", SubscriptionStatus::Ended, Some("v1"));
    ended.ended_at = Some(at(650));
    let changes = vec![
        (ended.clone(), Some(visit("v1"))),
        (
            subscription("sub_b", SubscriptionStatus::Active, Some("v2")),
            Some(visit("v2")),
        ),
    ];
    let fired = store
        .save_subscriptions(site.id, Provider::Stripe, changes, at(700))
        .await
        .unwrap();
    assert_eq!(
        goal_names(&fired),
        vec![
            ("sub_a".to_owned(), "subscription_ended".to_owned()),
            ("sub_b".to_owned(), "subscription_started".to_owned()),
            ("sub_b".to_owned(), "trial_converted".to_owned()),
        ]
    );
    // The converted one moves to a dearer plan: compared with its saved amount.
    let dearer = ProviderSubscription {
        amount_minor: 5_000,
        ..subscription("sub_b", SubscriptionStatus::Active, Some("v2"))
    };
    let fired = store
        .save_subscriptions(
            site.id,
            Provider::Stripe,
            vec![(dearer, Some(visit("v2")))],
            at(750),
        )
        .await
        .unwrap();
    assert_eq!(
        goal_names(&fired),
        vec![("sub_b".to_owned(), "subscription_upgraded".to_owned())]
    );
    let stored_goals = goal_names(&stored_events(store).await);
    assert_eq!(
        stored_goals.len(),
        6,
        "each goal stored once: {stored_goals:?}"
    );
    let kept = store.subscriptions(site.id).await.unwrap();
    assert!(kept.contains(&ended));

    // A website without the connection stores nothing; disconnecting removes the listing.
    assert_eq!(
        store
            .save_subscriptions(other.id, Provider::Stripe, first, at(800))
            .await,
        Err(StoreError::NotFound)
    );
    assert!(store.subscriptions(other.id).await.unwrap().is_empty());
    store
        .delete_connection(site.id, Provider::Stripe)
        .await
        .unwrap();
    assert!(store.subscriptions(site.id).await.unwrap().is_empty());
    assert_eq!(
        goal_names(&stored_events(store).await).len(),
        6,
        "fired goals stay"
    );
}
