//! Contract cases on websites: round trips with their owner and settings, unique domains and
//! tracking ids, updates, and the websites an account can reach.

use datafast_domain::role::Role;
use datafast_domain::website::Domain;
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

pub async fn websites_round_trip_with_their_owner(store: &dyn Storage) {
    let owner = given_account(store, 1).await;
    let mut site = website(1, owner.id, "shop.example.com");
    site.settings = rich_settings();
    store.create_website(&site).await.unwrap();

    assert_eq!(store.website(site.id).await.unwrap(), Some(site.clone()));
    assert_eq!(
        store
            .website_by_tracking_id(site.tracking_id.as_str())
            .await
            .unwrap(),
        Some(site.clone())
    );
    assert_eq!(store.website(website_id(99)).await.unwrap(), None);
    assert_eq!(
        store.website_by_tracking_id("dfid_unknown").await.unwrap(),
        None
    );

    // The owner's membership was created with the website.
    assert_eq!(
        store.role_of(site.id, owner.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(
        store.websites_of(owner.id).await.unwrap(),
        vec![(site.clone(), Role::Owner)]
    );
    let members = store.members(site.id).await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].0.account_id, owner.id);
    assert_eq!(members[0].0.role, Role::Owner);
    assert_eq!(members[0].1, owner);
}

pub async fn website_domains_and_tracking_ids_are_unique(store: &dyn Storage) {
    let first = given_website(store, 1).await;
    let owner = first.owner_id;
    let rival = given_account(store, 2).await;

    let same_domain = website(2, owner, first.domain.as_str());
    assert_eq!(
        store.create_website(&same_domain).await,
        Err(StoreError::Conflict("domain"))
    );
    let mut same_tracking = website(3, rival.id, "other.example.com");
    same_tracking.tracking_id = first.tracking_id.clone();
    assert_eq!(
        store.create_website(&same_tracking).await,
        Err(StoreError::Conflict("trackingId"))
    );

    // Neither refused website, nor its owner's membership, was stored.
    assert_eq!(store.website(same_domain.id).await.unwrap(), None);
    assert_eq!(store.website(same_tracking.id).await.unwrap(), None);
    assert_eq!(
        store.websites_of(owner).await.unwrap(),
        vec![(first.clone(), Role::Owner)]
    );
    assert!(store.websites_of(rival.id).await.unwrap().is_empty());
    assert_eq!(store.role_of(same_domain.id, owner).await.unwrap(), None);
    assert_eq!(
        store.role_of(same_tracking.id, rival.id).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .website_by_tracking_id(first.tracking_id.as_str())
            .await
            .unwrap(),
        Some(first)
    );
}

pub async fn updating_a_website(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let neighbour = website(2, site.owner_id, "site2.example.com");
    store.create_website(&neighbour).await.unwrap();

    let mut changed = site.clone();
    changed.domain = Domain::parse("renamed.example.com").unwrap();
    changed.settings = rich_settings();
    store.update_website(&changed).await.unwrap();
    assert_eq!(store.website(site.id).await.unwrap(), Some(changed.clone()));

    // Keeping its own domain is no conflict; another website's domain is.
    store.update_website(&changed).await.unwrap();
    let mut grabbing = changed.clone();
    grabbing.domain = neighbour.domain.clone();
    assert_eq!(
        store.update_website(&grabbing).await,
        Err(StoreError::Conflict("domain"))
    );
    assert_eq!(store.website(site.id).await.unwrap(), Some(changed.clone()));

    // The old domain is free again, for its own account too.
    store
        .create_website(&website(3, site.owner_id, site.domain.as_str()))
        .await
        .unwrap();
    let owner = given_account(store, 3).await;

    // Only the domain and the settings are replaced.
    let mut sneaky = changed.clone();
    sneaky.owner_id = owner.id;
    sneaky.tracking_id = tracking_id(77);
    sneaky.created_at = at(9_999);
    sneaky.settings.name = "Renamed".to_owned();
    store.update_website(&sneaky).await.unwrap();
    let stored = store.website(site.id).await.unwrap().unwrap();
    assert_eq!(stored.owner_id, site.owner_id);
    assert_eq!(stored.tracking_id, site.tracking_id);
    assert_eq!(stored.created_at, site.created_at);
    assert_eq!(stored.settings.name, "Renamed");

    let mut unknown = website(99, owner.id, "unknown.example.com");
    unknown.settings = rich_settings();
    assert_eq!(
        store.update_website(&unknown).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.website(unknown.id).await.unwrap(), None);
}

/// Domains are unique per owning account, not across the server: a server-wide rule would tell
/// every account which domains exist (a 409) and let it claim a domain before its owner does.
pub async fn domains_are_unique_per_account(store: &dyn Storage) {
    let first = given_website(store, 1).await;
    let owner = first.owner_id;
    let rival = given_account(store, 2).await;

    // Two accounts may hold the same domain.
    let rivals = website(2, rival.id, first.domain.as_str());
    store.create_website(&rivals).await.unwrap();
    assert_eq!(
        store.website(rivals.id).await.unwrap(),
        Some(rivals.clone())
    );
    assert_eq!(
        store.websites_of(rival.id).await.unwrap(),
        vec![(rivals.clone(), Role::Owner)]
    );
    assert_eq!(
        store.websites_of(owner).await.unwrap(),
        vec![(first.clone(), Role::Owner)]
    );

    // One account may not hold it twice, by creating a website or by renaming one.
    let twice = website(3, owner, first.domain.as_str());
    assert_eq!(
        store.create_website(&twice).await,
        Err(StoreError::Conflict("domain"))
    );
    assert_eq!(store.website(twice.id).await.unwrap(), None);
    let other = website(4, owner, "other.example.com");
    store.create_website(&other).await.unwrap();
    let mut onto_first = other.clone();
    onto_first.domain = first.domain.clone();
    assert_eq!(
        store.update_website(&onto_first).await,
        Err(StoreError::Conflict("domain"))
    );
    assert_eq!(store.website(other.id).await.unwrap(), Some(other.clone()));

    // Renaming is judged against the stored owner, whatever owner the update carries.
    let mut rival_renamed = rivals.clone();
    rival_renamed.domain = Domain::parse("rival.example.com").unwrap();
    store.update_website(&rival_renamed).await.unwrap();
    let mut carrying_rival = first.clone();
    carrying_rival.owner_id = rival.id;
    carrying_rival.domain = rival_renamed.domain.clone();
    store.update_website(&carrying_rival).await.unwrap();
    let stored = store.website(first.id).await.unwrap().unwrap();
    assert_eq!(stored.owner_id, owner);
    assert_eq!(stored.domain, rival_renamed.domain);
}

pub async fn websites_of_an_account_oldest_first_with_roles(store: &dyn Storage) {
    let joined = given_website(store, 1).await;
    let member = given_account(store, 2).await;
    let owned = website(2, member.id, "owned.example.com");
    store.create_website(&owned).await.unwrap();
    let _unrelated = given_website(store, 3).await;

    store
        .insert_invitation(&invitation(
            1,
            joined.id,
            member.email.as_str(),
            Role::Member,
            at(40),
        ))
        .await
        .unwrap();
    store
        .accept_invitation(
            invitation_id(1),
            &membership(joined.id, member.id, Role::Member, at(50)),
        )
        .await
        .unwrap();

    assert_eq!(
        store.websites_of(member.id).await.unwrap(),
        vec![(joined, Role::Member), (owned, Role::Owner)]
    );
    assert!(store.websites_of(account_id(99)).await.unwrap().is_empty());
}

pub async fn websites_are_found_by_domain_across_owners_oldest_first(store: &dyn Storage) {
    let ada = account(1, "ada@example.com");
    let grace = account(2, "grace@example.org");
    store.create_account(&ada).await.unwrap();
    store.create_account(&grace).await.unwrap();
    let mut later = website(1, ada.id, "shop.example.com");
    later.created_at = at(20);
    let mut earlier = website(2, grace.id, "shop.example.com");
    earlier.created_at = at(10);
    let other = website(3, ada.id, "blog.example.com");
    for site in [&later, &earlier, &other] {
        store.create_website(site).await.unwrap();
    }

    assert_eq!(
        store
            .websites_with_domain("shop.example.com")
            .await
            .unwrap(),
        vec![earlier, later]
    );
    assert_eq!(
        store
            .websites_with_domain("blog.example.com")
            .await
            .unwrap(),
        vec![other]
    );
    assert!(
        store
            .websites_with_domain("none.example.com")
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn deleting_a_website_takes_everything_of_it_and_nothing_else(store: &dyn Storage) {
    use datafast_domain::event::EventKind;
    let owner = given_account(store, 1).await;
    let doomed = website(1, owner.id, "shop.example.com");
    let kept = website(2, owner.id, "blog.example.com");
    for site in [&doomed, &kept] {
        store.create_website(site).await.unwrap();
        store
            .insert_api_key(
                &api_key(site.id.to_bytes()[11].into(), site.id, at(1)),
                &hash(&site.id.to_string()),
                10,
            )
            .await
            .unwrap();
        store
            .insert_funnel(&funnel(
                site.id.to_bytes()[11].into(),
                site.id,
                "Signup",
                at(2),
            ))
            .await
            .unwrap();
        store
            .append_events(vec![event(site.id, EventKind::Pageview, "visitor", None)])
            .await
            .unwrap();
        store
            .record_payment(&payment(site.id, "txn_1", Some("visitor"), at(3)), None)
            .await
            .unwrap();
    }

    store.delete_website(doomed.id).await.unwrap();
    assert_eq!(store.website(doomed.id).await.unwrap(), None);
    assert_eq!(store.role_of(doomed.id, owner.id).await.unwrap(), None);
    assert_eq!(
        store
            .api_key_by_hash(&hash(&doomed.id.to_string()))
            .await
            .unwrap(),
        None
    );
    assert!(store.funnels(doomed.id, true).await.unwrap().is_empty());
    assert!(store.payments(doomed.id).await.unwrap().is_empty());
    let events = store.events_after(0, 100).await.unwrap();
    assert!(
        events
            .iter()
            .all(|stored| stored.event.website_id == kept.id)
    );
    assert_eq!(events.len(), 1);

    assert_eq!(store.website(kept.id).await.unwrap(), Some(kept.clone()));
    assert!(
        store
            .api_key_by_hash(&hash(&kept.id.to_string()))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.funnels(kept.id, true).await.unwrap().len(), 1);
    assert_eq!(store.payments(kept.id).await.unwrap().len(), 1);
    assert_eq!(store.websites_of(owner.id).await.unwrap().len(), 1);
    assert_eq!(
        store.delete_website(doomed.id).await,
        Err(StoreError::NotFound)
    );
}
