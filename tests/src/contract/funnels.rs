//! Contract cases on funnels: round trips, names unique per website regardless of case, updates,
//! and soft deletion that frees a name.

use datafast_domain::funnel::Funnel;
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

pub async fn funnels_round_trip_oldest_first(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let newer = funnel(1, site.id, "Checkout ✓", at(30));
    let mut paused = funnel(2, site.id, "Paused", at(20));
    paused.is_active = false;
    paused.updated_at = at(25);
    let older = funnel(3, site.id, "Signup", at(10));
    let elsewhere = funnel(4, other.id, "Signup", at(5));
    for funnel in [&newer, &paused, &older, &elsewhere] {
        store.insert_funnel(funnel).await.unwrap();
    }

    assert_eq!(
        store.funnels(site.id, false).await.unwrap(),
        vec![older.clone(), newer.clone()]
    );
    assert_eq!(
        store.funnels(site.id, true).await.unwrap(),
        vec![older.clone(), paused.clone(), newer.clone()]
    );
    // An inactive funnel is still readable by id.
    assert_eq!(
        store.funnel(site.id, paused.id).await.unwrap(),
        Some(paused.clone())
    );
    assert_eq!(store.funnel(other.id, newer.id).await.unwrap(), None);
    assert_eq!(store.funnel(site.id, funnel_id(99)).await.unwrap(), None);
    assert_eq!(
        store.funnels(other.id, true).await.unwrap(),
        vec![elsewhere]
    );
}

pub async fn funnel_names_are_unique_case_insensitively(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let clashes = [
        ("Signup", "SIGNUP"),
        ("Über Funnel", "üBER fUNNEL"),
        ("ΑΒΓ", "αβγ"),
        // KELVIN SIGN lower-cases to a plain k.
        ("\u{212A}elvin", "kelvin"),
    ];
    let mut n = 0;
    for (stored, clashing) in clashes {
        n += 1;
        store
            .insert_funnel(&funnel(n, site.id, stored, at(i64::from(n))))
            .await
            .unwrap();
        n += 1;
        assert_eq!(
            store
                .insert_funnel(&funnel(n, site.id, clashing, at(i64::from(n))))
                .await,
            Err(StoreError::Conflict("name")),
            "{clashing:?} should clash with {stored:?}"
        );
        assert_eq!(store.funnel(site.id, funnel_id(n)).await.unwrap(), None);
        // The same name on another website is no clash.
        store
            .insert_funnel(&funnel(100 + n, other.id, clashing, at(i64::from(n))))
            .await
            .unwrap();
    }
    // Different names stay different, even when they share a slug.
    store
        .insert_funnel(&funnel(50, site.id, "Sign-up", at(50)))
        .await
        .unwrap();
    assert_eq!(store.funnels(site.id, true).await.unwrap().len(), 5);
}

pub async fn updating_a_funnel(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let original = funnel(1, site.id, "Signup", at(10));
    let neighbour = funnel(2, site.id, "Checkout", at(11));
    store.insert_funnel(&original).await.unwrap();
    store.insert_funnel(&neighbour).await.unwrap();

    // Renaming to a case variant of its own name is no clash.
    let mut changed = original.clone();
    changed.name = funnel_name("SIGNUP flow");
    changed.slug = "signup-flow".to_owned();
    changed.is_active = false;
    changed.updated_at = at(40);
    changed.steps.reverse();
    store.update_funnel(&changed).await.unwrap();
    let mut recased = changed.clone();
    recased.name = funnel_name("signup FLOW");
    store.update_funnel(&recased).await.unwrap();
    assert_eq!(
        store.funnel(site.id, original.id).await.unwrap(),
        Some(recased.clone())
    );

    let mut grabbing = recased.clone();
    grabbing.name = funnel_name("checkout");
    assert_eq!(
        store.update_funnel(&grabbing).await,
        Err(StoreError::Conflict("name"))
    );
    assert_eq!(
        store.funnel(site.id, original.id).await.unwrap(),
        Some(recased.clone())
    );

    let unknown = funnel(99, site.id, "Unknown", at(1));
    assert_eq!(
        store.update_funnel(&unknown).await,
        Err(StoreError::NotFound)
    );
    let mut moved = recased.clone();
    moved.website_id = other.id;
    assert_eq!(store.update_funnel(&moved).await, Err(StoreError::NotFound));
    assert!(store.funnels(other.id, true).await.unwrap().is_empty());
}

pub async fn soft_deleted_funnels_vanish_and_free_their_name(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let doomed = funnel(1, site.id, "Signup", at(10));
    let mut paused = funnel(2, site.id, "Paused", at(11));
    paused.is_active = false;
    store.insert_funnel(&doomed).await.unwrap();
    store.insert_funnel(&paused).await.unwrap();

    assert_eq!(
        store.delete_funnel(other.id, doomed.id, at(20)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_funnel(site.id, funnel_id(99), at(20)).await,
        Err(StoreError::NotFound)
    );
    store
        .delete_funnel(site.id, doomed.id, at(20))
        .await
        .unwrap();
    store
        .delete_funnel(site.id, paused.id, at(21))
        .await
        .unwrap();

    assert_eq!(store.funnel(site.id, doomed.id).await.unwrap(), None);
    assert_eq!(store.funnel(site.id, paused.id).await.unwrap(), None);
    assert!(store.funnels(site.id, true).await.unwrap().is_empty());
    assert_eq!(
        store.delete_funnel(site.id, doomed.id, at(22)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.update_funnel(&doomed).await,
        Err(StoreError::NotFound)
    );

    // The name is free: for a new funnel, and for renaming another one.
    let reborn = funnel(3, site.id, "SIGNUP", at(30));
    store.insert_funnel(&reborn).await.unwrap();
    let other = funnel(4, site.id, "Other", at(31));
    store.insert_funnel(&other).await.unwrap();
    let renamed = Funnel {
        name: funnel_name("paused"),
        ..other
    };
    store.update_funnel(&renamed).await.unwrap();
    assert_eq!(
        store.funnels(site.id, true).await.unwrap(),
        vec![reborn, renamed]
    );
}
