//! Contract cases on website API keys: round trips, unique hashes, the per-website limit (also
//! under concurrent inserts), rolling, deleting and touching.

use datafast_domain::apikey::{ApiKey, MAX_KEYS_PER_WEBSITE};
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

pub async fn api_keys_round_trip_oldest_first(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let mut used = api_key(1, site.id, at(30));
    used.last_used_at = Some(at(31));
    let older = api_key(2, site.id, at(10));
    let elsewhere = api_key(3, other.id, at(5));
    store
        .insert_api_key(&used, &hash("k1"), MAX_KEYS_PER_WEBSITE)
        .await
        .unwrap();
    store
        .insert_api_key(&older, &hash("k2"), MAX_KEYS_PER_WEBSITE)
        .await
        .unwrap();
    store
        .insert_api_key(&elsewhere, &hash("k3"), MAX_KEYS_PER_WEBSITE)
        .await
        .unwrap();

    assert_eq!(
        store.api_key_by_hash(&hash("k1")).await.unwrap(),
        Some(used.clone())
    );
    assert_eq!(store.api_key_by_hash(&hash("nope")).await.unwrap(), None);
    assert_eq!(store.api_keys_of(site.id).await.unwrap(), vec![older, used]);
    assert_eq!(store.api_keys_of(other.id).await.unwrap(), vec![elsewhere]);
    assert!(store.api_keys_of(website_id(99)).await.unwrap().is_empty());
}

pub async fn api_key_hashes_are_unique(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    store
        .insert_api_key(&api_key(1, site.id, at(10)), &hash("same"), 10)
        .await
        .unwrap();
    // Unique across websites, not only within one.
    assert_eq!(
        store
            .insert_api_key(&api_key(2, other.id, at(11)), &hash("same"), 10)
            .await,
        Err(StoreError::Conflict("key"))
    );
    assert!(store.api_keys_of(other.id).await.unwrap().is_empty());
    assert_eq!(
        store
            .api_key_by_hash(&hash("same"))
            .await
            .unwrap()
            .map(|k| k.id),
        Some(api_key_id(1))
    );
}

pub async fn api_key_limit_at_the_edge(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let limit = MAX_KEYS_PER_WEBSITE;
    for n in 0..limit {
        let n = u32::try_from(n).unwrap();
        store
            .insert_api_key(
                &api_key(n, site.id, at(i64::from(n))),
                &hash(&format!("k{n}")),
                limit,
            )
            .await
            .unwrap();
    }
    let one_more = api_key(100, site.id, at(100));
    assert_eq!(
        store.insert_api_key(&one_more, &hash("k100"), limit).await,
        Err(StoreError::LimitReached)
    );
    assert_eq!(store.api_keys_of(site.id).await.unwrap().len(), limit);
    assert_eq!(store.api_key_by_hash(&hash("k100")).await.unwrap(), None);

    // The limit is per website, and it is the caller's number.
    store
        .insert_api_key(&api_key(200, other.id, at(1)), &hash("k200"), limit)
        .await
        .unwrap();
    assert_eq!(
        store
            .insert_api_key(&api_key(201, other.id, at(2)), &hash("k201"), 1)
            .await,
        Err(StoreError::LimitReached)
    );

    // Deleting one frees a place.
    store.delete_api_key(site.id, api_key_id(0)).await.unwrap();
    store
        .insert_api_key(&one_more, &hash("k100"), limit)
        .await
        .unwrap();
    assert_eq!(store.api_keys_of(site.id).await.unwrap().len(), limit);
}

pub async fn api_key_limit_holds_under_concurrent_inserts(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let limit = MAX_KEYS_PER_WEBSITE;
    for n in 0..limit - 1 {
        let n = u32::try_from(n).unwrap();
        store
            .insert_api_key(&api_key(n, site.id, at(0)), &hash(&format!("k{n}")), limit)
            .await
            .unwrap();
    }
    let racers = [101, 102, 103].map(|n| (api_key(n, site.id, at(1)), hash(&format!("k{n}"))));
    let (first, second, third) = tokio::join!(
        store.insert_api_key(&racers[0].0, &racers[0].1, limit),
        store.insert_api_key(&racers[1].0, &racers[1].1, limit),
        store.insert_api_key(&racers[2].0, &racers[2].1, limit),
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
    assert_eq!(store.api_keys_of(site.id).await.unwrap().len(), limit);
}

pub async fn rolling_an_api_key(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let mut key = api_key(1, site.id, at(10));
    key.last_used_at = Some(at(12));
    store.insert_api_key(&key, &hash("old"), 10).await.unwrap();
    store
        .insert_api_key(&api_key(2, site.id, at(11)), &hash("neighbour"), 10)
        .await
        .unwrap();

    let rolled = store
        .roll_api_key(
            site.id,
            key.id,
            &hash("new"),
            "df_new...f00d",
            &key_issuer(2),
        )
        .await
        .unwrap();
    let expected = ApiKey {
        display_key: "df_new...f00d".to_owned(),
        issued_by: key_issuer(2),
        ..key.clone()
    };
    assert_eq!(rolled, expected);
    assert_eq!(store.api_key_by_hash(&hash("old")).await.unwrap(), None);
    assert_eq!(
        store.api_key_by_hash(&hash("new")).await.unwrap(),
        Some(expected.clone())
    );
    assert_eq!(store.api_keys_of(site.id).await.unwrap()[0], expected);

    assert_eq!(
        store
            .roll_api_key(other.id, key.id, &hash("x"), "df_x", &key_issuer(3))
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .roll_api_key(site.id, api_key_id(99), &hash("y"), "df_y", &key_issuer(3))
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.api_key_by_hash(&hash("x")).await.unwrap(), None);
    assert_eq!(
        store.api_key_by_hash(&hash("new")).await.unwrap(),
        Some(expected)
    );
}

pub async fn deleting_an_api_key(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let key = api_key(1, site.id, at(10));
    store.insert_api_key(&key, &hash("k"), 10).await.unwrap();

    assert_eq!(
        store.delete_api_key(other.id, key.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_api_key(site.id, api_key_id(99)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.api_key_by_hash(&hash("k")).await.unwrap(),
        Some(key.clone())
    );

    store.delete_api_key(site.id, key.id).await.unwrap();
    assert_eq!(store.api_key_by_hash(&hash("k")).await.unwrap(), None);
    assert!(store.api_keys_of(site.id).await.unwrap().is_empty());
    assert_eq!(
        store.delete_api_key(site.id, key.id).await,
        Err(StoreError::NotFound)
    );
}

pub async fn touching_api_keys(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    store
        .insert_api_key(&api_key(1, site.id, at(10)), &hash("one"), 10)
        .await
        .unwrap();
    store
        .insert_api_key(&api_key(2, site.id, at(11)), &hash("two"), 10)
        .await
        .unwrap();
    store.touch_api_keys(&[]).await.unwrap();
    store
        .touch_api_keys(&[(api_key_id(2), at(70)), (api_key_id(99), at(71))])
        .await
        .unwrap();

    let keys = store.api_keys_of(site.id).await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.last_used_at).collect::<Vec<_>>(),
        vec![None, Some(at(70))]
    );
}
