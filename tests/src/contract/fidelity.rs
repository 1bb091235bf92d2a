//! Contract cases on what storage keeps exactly: awkward text verbatim in every store, and instants
//! to the millisecond.

use std::collections::BTreeSet;

use jiff::Timestamp;

use datafast_domain::account::Account;
use datafast_domain::alert::{Alert, DeliveryStatus};
use datafast_domain::event::{Event, EventKind};
use datafast_domain::funnel::StepKind;
use datafast_domain::goal::GoalCustomization;
use datafast_domain::integration::Provider;
use datafast_domain::website::Website;
use datafast_ports::store::Storage;

use super::fixtures::*;

pub async fn text_is_stored_verbatim(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    for (index, text) in AWKWARD_TEXT.iter().enumerate() {
        let n = 10 + u32::try_from(index).unwrap();
        let mut person = account(n, &format!("o'brien+{n}@example.com"));
        person.name = (*text).to_owned();
        person.image = Some(format!("https://img.example.com/{text}"));
        store.create_account(&person).await.unwrap();
        assert_eq!(
            store.account(person.id).await.unwrap(),
            Some(person.clone())
        );
        assert_eq!(
            store.account_by_email(&person.email).await.unwrap(),
            Some(person.clone())
        );
        let renamed = store
            .rename_account(person.id, &format!("{text}{text}"))
            .await
            .unwrap();
        assert_eq!(renamed.name, format!("{text}{text}"));

        let mut credential = token(n, person.id, at(5));
        credential.name = Some((*text).to_owned());
        credential.display_key = (*text).to_owned();
        store.insert_token(&credential, &hash(text)).await.unwrap();
        assert_eq!(
            store.token_by_hash(&hash(text)).await.unwrap(),
            Some(credential)
        );

        let mut named = funnel(n, site.id, text, at(5));
        named.slug = (*text).to_owned();
        named.steps[0].name = (*text).to_owned();
        named.steps[0].kind = StepKind::Pageview {
            url: format!("/{text}/*"),
        };
        store.insert_funnel(&named).await.unwrap();
        assert_eq!(store.funnel(site.id, named.id).await.unwrap(), Some(named));

        let mut templated = alert(n, site.id, "signup", at(5));
        templated.name = (*text).to_owned();
        templated.subject = (*text).to_owned();
        templated.message = format!("{text} {text}");
        store.insert_alert(&templated, 25).await.unwrap();
        assert_eq!(
            store.alert(site.id, templated.id).await.unwrap(),
            Some(templated.clone())
        );
        let mut log = alert_log(n, &templated, DeliveryStatus::Failed, at(6));
        log.error = Some((*text).to_owned());
        log.visitor_id = Some((*text).to_owned());
        store.insert_alert_log(&log).await.unwrap();
        assert_eq!(
            store
                .alert_logs(site.id, Some(templated.id), 1)
                .await
                .unwrap(),
            vec![log]
        );

        let shown = GoalCustomization {
            display_name: Some((*text).to_owned()),
            description: Some((*text).to_owned()),
            ..customization(&format!("goal_{n}"), None)
        };
        store.save_customization(site.id, &shown).await.unwrap();
        assert_eq!(
            store
                .customization(site.id, &shown.goal_name)
                .await
                .unwrap(),
            Some(shown)
        );
    }

    // Lookups match exactly, never as patterns.
    assert_eq!(
        store
            .account_by_email(&email("o'brien+1_@example.com"))
            .await
            .unwrap(),
        None
    );
    assert_eq!(store.token_by_hash(&hash("%")).await.unwrap(), None);
    assert_eq!(
        store.token_by_hash(&hash("' OR '1'='1'")).await.unwrap(),
        None
    );
    assert_eq!(store.website_by_tracking_id("dfid_%").await.unwrap(), None);
    assert_eq!(
        store.website_by_tracking_id("DFID_SITE0001").await.unwrap(),
        None
    );
    assert_eq!(
        store.account_count().await.unwrap(),
        1 + AWKWARD_TEXT.len() as u64
    );

    // Sealed credentials are bytes, kept exactly, zero bytes included.
    let sealed: Vec<u8> = (0..=255).collect();
    store
        .save_connection(site.id, &connection(Provider::Polar, &sealed, at(7)))
        .await
        .unwrap();
    assert_eq!(
        store.connections(site.id).await.unwrap()[0].sealed_credentials,
        sealed
    );

    // Event labels count and read back verbatim too. Goal names cannot be awkward (the type
    // allows only `a-z 0-9 _ - :`), so they take the edges of what it allows.
    let goals = ["a", "x:y", "a-b_c", "0", &"z".repeat(64)];
    let visitors: BTreeSet<&str> = AWKWARD_TEXT.iter().copied().collect();
    let events: Vec<Event> = AWKWARD_TEXT
        .iter()
        .zip(goals.iter().cycle())
        .map(|(text, name)| Event {
            hostname: (*text).to_owned(),
            path: (*text).to_owned(),
            ..event(site.id, EventKind::Custom, text, Some(name))
        })
        .collect();
    store.append_events(events.clone()).await.unwrap();
    assert_eq!(
        store.unique_visitors(site.id).await.unwrap(),
        visitors.len() as u64
    );
    let names: BTreeSet<String> = store
        .goal_counts(site.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(names, goals.iter().map(|g| (*g).to_owned()).collect());
    let read: Vec<Event> = all_events(store)
        .await
        .into_iter()
        .map(|s| s.event)
        .filter(|e| e.website_id == site.id)
        .collect();
    assert_eq!(read, events);
}

/// Storage keeps instants to the millisecond (see `Services::now` in the ports crate): whatever
/// finer digits come in, a read returns the instant truncated to its millisecond.
pub async fn instants_are_kept_to_the_millisecond(store: &dyn Storage) {
    let fine = Timestamp::new(EPOCH_SECOND, 123_456_789).unwrap();
    let kept = Timestamp::new(EPOCH_SECOND, 123_000_000).unwrap();

    let person = Account {
        created_at: fine,
        ..account(1, "fine@example.com")
    };
    store.create_account(&person).await.unwrap();
    assert_eq!(
        store
            .account(person.id)
            .await
            .unwrap()
            .map(|a| a.created_at),
        Some(kept)
    );

    store
        .insert_token(&token(1, person.id, fine), &hash("t"))
        .await
        .unwrap();
    store.touch_tokens(&[(token_id(1), fine)]).await.unwrap();
    let stored = store.token_by_hash(&hash("t")).await.unwrap().unwrap();
    assert_eq!((stored.created_at, stored.last_used_at), (kept, Some(kept)));

    let site = website(1, person.id, "fine.example.com");
    store
        .create_website(&Website {
            created_at: fine,
            ..site.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        store.website(site.id).await.unwrap().map(|w| w.created_at),
        Some(kept)
    );

    let watched = Alert {
        created_at: fine,
        updated_at: fine,
        ..alert(1, site.id, "signup", fine)
    };
    store.insert_alert(&watched, 25).await.unwrap();
    let stored = store.alert(site.id, watched.id).await.unwrap().unwrap();
    assert_eq!((stored.created_at, stored.updated_at), (kept, kept));
    store
        .insert_alert_log(&alert_log(1, &watched, DeliveryStatus::Sent, fine))
        .await
        .unwrap();
    assert_eq!(
        store.alert_logs(site.id, None, 1).await.unwrap()[0].triggered_at,
        kept
    );

    store
        .insert_funnel(&funnel(1, site.id, "Fine", fine))
        .await
        .unwrap();
    let stored = store.funnel(site.id, funnel_id(1)).await.unwrap().unwrap();
    assert_eq!((stored.created_at, stored.updated_at), (kept, kept));
}
