//! Contract cases on goals: their customizations, and the counts the event log gives for them.

use datafast_domain::event::EventKind;
use datafast_domain::goal::{GoalCustomization, GoalEventType};
use datafast_ports::store::Storage;

use super::fixtures::*;

pub async fn goal_customizations(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let signup = customization("signup", Some("Sign up"));
    let checkout = customization("checkout", None);
    store.save_customization(site.id, &signup).await.unwrap();
    store.save_customization(site.id, &checkout).await.unwrap();
    store
        .save_customization(other.id, &customization("signup", Some("Elsewhere")))
        .await
        .unwrap();

    assert_eq!(
        store.customization(site.id, &goal("signup")).await.unwrap(),
        Some(signup)
    );
    assert_eq!(
        store
            .customization(site.id, &goal("newsletter"))
            .await
            .unwrap(),
        None
    );

    // Saving again replaces every field.
    let replaced = GoalCustomization {
        goal_name: goal("signup"),
        display_name: None,
        color: None,
        description: Some("Replaced".to_owned()),
        updated_at: at(50),
    };
    store.save_customization(site.id, &replaced).await.unwrap();
    assert_eq!(
        store.customizations(site.id).await.unwrap(),
        vec![checkout, replaced]
    );
    assert_eq!(
        store
            .customization(other.id, &goal("signup"))
            .await
            .unwrap()
            .and_then(|c| c.display_name),
        Some("Elsewhere".to_owned())
    );
    assert!(
        store
            .customizations(website_id(99))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn goal_counts_from_appended_events(store: &dyn Storage) {
    let site = website_id(1);
    let other = website_id(2);
    store.append_events(Vec::new()).await.unwrap();
    assert!(store.goal_counts(site).await.unwrap().is_empty());

    store
        .append_events(vec![
            event(site, EventKind::Custom, "v1", Some("signup")),
            event(site, EventKind::Custom, "v1", Some("signup")),
            event(site, EventKind::Payment, "v2", Some("payment")),
            event(site, EventKind::Pageview, "v5", None),
            // Only custom and payment events count as goals, whatever they carry.
            event(site, EventKind::Pageview, "v5", Some("signup")),
            event(site, EventKind::Identify, "v6", Some("identify")),
            event(site, EventKind::ExternalLink, "v6", Some("signup")),
            event(site, EventKind::Custom, "v7", None),
        ])
        .await
        .unwrap();
    store
        .append_events(vec![
            event(site, EventKind::Custom, "v2", Some("signup")),
            event(site, EventKind::Payment, "v3", Some("payment")),
            event(site, EventKind::Custom, "v4", Some("newsletter")),
            // One name used by both kinds counts once per kind.
            event(site, EventKind::Custom, "v4", Some("payment")),
            event(other, EventKind::Custom, "v9", Some("signup")),
        ])
        .await
        .unwrap();

    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("newsletter", GoalEventType::Custom, 1, 1),
            count("payment", GoalEventType::Custom, 1, 1),
            count("payment", GoalEventType::Payment, 2, 2),
            count("signup", GoalEventType::Custom, 3, 2),
        ]
    );
    assert_eq!(
        store.goal_counts(other).await.unwrap(),
        vec![count("signup", GoalEventType::Custom, 1, 1)]
    );
    assert!(store.goal_counts(website_id(99)).await.unwrap().is_empty());
}
