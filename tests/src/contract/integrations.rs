//! Contract cases on provider connections: one sealed credential per website and provider.

use datafast_domain::integration::{Connection, Provider};
use datafast_ports::store::Storage;

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
