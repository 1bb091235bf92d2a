//! Contract cases on teams: invitations (one pending per website and email, atomic acceptance) and
//! memberships (order, removal, and the keys a removed member loses).

use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::PermissionSet;
use datafast_domain::role::Role;
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

pub async fn invitations_round_trip_oldest_first(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let late = invitation(1, site.id, "zoe@example.com", Role::Viewer, at(30));
    let early = invitation(2, site.id, "yan@example.com", Role::Member, at(10));
    let elsewhere = invitation(3, other.id, "zoe@example.com", Role::Member, at(20));
    for invitation in [&late, &early, &elsewhere] {
        store.insert_invitation(invitation).await.unwrap();
    }

    assert_eq!(store.invitation(late.id).await.unwrap(), Some(late.clone()));
    assert_eq!(store.invitation(invitation_id(99)).await.unwrap(), None);
    assert_eq!(
        store.invitations_of_website(site.id).await.unwrap(),
        vec![early.clone(), late.clone()]
    );
    assert_eq!(
        store.invitations_of_website(other.id).await.unwrap(),
        vec![elsewhere.clone()]
    );
    assert_eq!(
        store
            .invitations_for(&email("zoe@example.com"))
            .await
            .unwrap(),
        vec![elsewhere, late]
    );
    assert!(
        store
            .invitations_for(&email("nobody@example.com"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn one_pending_invitation_per_website_and_email(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let first = invitation(1, site.id, "zoe@example.com", Role::Viewer, at(10));
    store.insert_invitation(&first).await.unwrap();
    assert_eq!(
        store
            .insert_invitation(&invitation(
                2,
                site.id,
                "zoe@example.com",
                Role::Member,
                at(11)
            ))
            .await,
        Err(StoreError::Conflict("invitation"))
    );
    assert_eq!(store.invitation(invitation_id(2)).await.unwrap(), None);
    // Another website may invite the same person.
    store
        .insert_invitation(&invitation(
            3,
            other.id,
            "zoe@example.com",
            Role::Member,
            at(12),
        ))
        .await
        .unwrap();
    // Once the pending one is gone, the email can be invited again.
    store.delete_invitation(site.id, first.id).await.unwrap();
    store
        .insert_invitation(&invitation(
            4,
            site.id,
            "zoe@example.com",
            Role::Member,
            at(13),
        ))
        .await
        .unwrap();
    assert_eq!(
        ids(&store.invitations_of_website(site.id).await.unwrap(), |i| i
            .id),
        vec![invitation_id(4)]
    );
}

pub async fn accepting_an_invitation(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let zoe = given_account(store, 2).await;
    let pending = invitation(1, site.id, zoe.email.as_str(), Role::Viewer, at(10));
    store.insert_invitation(&pending).await.unwrap();

    let joined = membership(site.id, zoe.id, Role::Viewer, at(20));
    store.accept_invitation(pending.id, &joined).await.unwrap();

    assert_eq!(store.invitation(pending.id).await.unwrap(), None);
    assert!(
        store
            .invitations_of_website(site.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.invitations_for(&zoe.email).await.unwrap().is_empty());
    assert_eq!(
        store.role_of(site.id, zoe.id).await.unwrap(),
        Some(Role::Viewer)
    );
    let members = store.members(site.id).await.unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[1], (joined, zoe));
}

pub async fn accepting_for_a_member_leaves_the_invitation(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let owner = store.account(site.owner_id).await.unwrap().unwrap();
    let pending = invitation(1, site.id, "owner-alias@example.com", Role::Viewer, at(10));
    store.insert_invitation(&pending).await.unwrap();

    // The owner already holds a role: the acceptance is refused as a whole.
    assert_eq!(
        store
            .accept_invitation(
                pending.id,
                &membership(site.id, owner.id, Role::Viewer, at(20))
            )
            .await,
        Err(StoreError::Conflict("member"))
    );
    assert_eq!(store.invitation(pending.id).await.unwrap(), Some(pending));
    assert_eq!(
        store.role_of(site.id, owner.id).await.unwrap(),
        Some(Role::Owner)
    );
    assert_eq!(store.members(site.id).await.unwrap().len(), 1);
}

pub async fn accepting_a_missing_invitation(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let zoe = given_account(store, 2).await;
    let joined = membership(site.id, zoe.id, Role::Member, at(20));
    assert_eq!(
        store.accept_invitation(invitation_id(99), &joined).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.role_of(site.id, zoe.id).await.unwrap(), None);

    // An invitation is accepted once.
    let pending = invitation(1, site.id, zoe.email.as_str(), Role::Member, at(10));
    store.insert_invitation(&pending).await.unwrap();
    store.accept_invitation(pending.id, &joined).await.unwrap();
    let again = given_account(store, 3).await;
    assert_eq!(
        store
            .accept_invitation(
                pending.id,
                &membership(site.id, again.id, Role::Member, at(21))
            )
            .await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.role_of(site.id, again.id).await.unwrap(), None);
}

pub async fn acceptance_is_atomic_under_concurrency(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let zoe = given_account(store, 2).await;
    let yan = given_account(store, 3).await;
    let pending = invitation(1, site.id, zoe.email.as_str(), Role::Member, at(10));
    store.insert_invitation(&pending).await.unwrap();

    let zoe_joins = membership(site.id, zoe.id, Role::Member, at(20));
    let yan_joins = membership(site.id, yan.id, Role::Member, at(20));
    let (for_zoe, for_yan) = tokio::join!(
        store.accept_invitation(pending.id, &zoe_joins),
        store.accept_invitation(pending.id, &yan_joins),
    );
    let mut outcomes = [for_zoe.clone(), for_yan.clone()];
    outcomes.sort_by_key(Result::is_err);
    assert_eq!(outcomes, [Ok(()), Err(StoreError::NotFound)]);
    let zoe_joined = store.role_of(site.id, zoe.id).await.unwrap().is_some();
    let yan_joined = store.role_of(site.id, yan.id).await.unwrap().is_some();
    assert_eq!(zoe_joined, for_zoe.is_ok());
    assert_eq!(yan_joined, for_yan.is_ok());
    assert_eq!(store.members(site.id).await.unwrap().len(), 2);
    assert_eq!(store.invitation(pending.id).await.unwrap(), None);
}

pub async fn deleting_an_invitation(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let pending = invitation(1, site.id, "zoe@example.com", Role::Member, at(10));
    store.insert_invitation(&pending).await.unwrap();

    assert_eq!(
        store.delete_invitation(other.id, pending.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_invitation(site.id, invitation_id(99)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.invitation(pending.id).await.unwrap(),
        Some(pending.clone())
    );

    store.delete_invitation(site.id, pending.id).await.unwrap();
    assert_eq!(store.invitation(pending.id).await.unwrap(), None);
    assert_eq!(
        store.delete_invitation(site.id, pending.id).await,
        Err(StoreError::NotFound)
    );
}

pub async fn members_owner_first_then_by_join_time(store: &dyn Storage) {
    let site = given_website(store, 5).await;
    let late = given_account(store, 1).await;
    let early = given_account(store, 2).await;
    let joins = [
        (1, &late, Role::Viewer, at(300)),
        // Joined before the website's creation instant: still listed after the owner.
        (2, &early, Role::Member, at(1)),
    ];
    for (n, account, role, joined_at) in joins {
        store
            .insert_invitation(&invitation(n, site.id, account.email.as_str(), role, at(0)))
            .await
            .unwrap();
        store
            .accept_invitation(
                invitation_id(n),
                &membership(site.id, account.id, role, joined_at),
            )
            .await
            .unwrap();
    }

    let members = store.members(site.id).await.unwrap();
    assert_eq!(
        ids(&members, |(m, _)| m.account_id),
        vec![site.owner_id, early.id, late.id]
    );
    assert_eq!(
        members.iter().map(|(m, _)| m.role).collect::<Vec<_>>(),
        vec![Role::Owner, Role::Member, Role::Viewer]
    );
    assert_eq!(members[1].1, early);
    assert!(store.members(website_id(99)).await.unwrap().is_empty());
}

pub async fn removing_a_member(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let zoe = given_account(store, 2).await;
    store
        .insert_invitation(&invitation(
            1,
            site.id,
            zoe.email.as_str(),
            Role::Member,
            at(10),
        ))
        .await
        .unwrap();
    store
        .accept_invitation(
            invitation_id(1),
            &membership(site.id, zoe.id, Role::Member, at(20)),
        )
        .await
        .unwrap();

    store.remove_member(site.id, zoe.id).await.unwrap();
    assert_eq!(store.role_of(site.id, zoe.id).await.unwrap(), None);
    assert!(store.websites_of(zoe.id).await.unwrap().is_empty());
    assert_eq!(store.members(site.id).await.unwrap().len(), 1);
    assert_eq!(
        store.remove_member(site.id, zoe.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.remove_member(website_id(99), site.owner_id).await,
        Err(StoreError::NotFound)
    );
    // The account itself stays.
    assert_eq!(store.account(zoe.id).await.unwrap(), Some(zoe));
}

pub async fn removing_a_member_revokes_their_keys(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other_site = given_website(store, 2).await;
    let zoe = given_account(store, 3).await;
    for (n, website) in [(1, site.id), (2, other_site.id)] {
        store
            .insert_invitation(&invitation(
                n,
                website,
                zoe.email.as_str(),
                Role::Member,
                at(10),
            ))
            .await
            .unwrap();
        store
            .accept_invitation(
                invitation_id(n),
                &membership(website, zoe.id, Role::Member, at(20)),
            )
            .await
            .unwrap();
    }
    let by_zoe = |n: u32, website: WebsiteId| ApiKey {
        issued_by: KeyIssuer {
            account: zoe.id,
            token: None,
            permissions: PermissionSet::All,
        },
        ..api_key(n, website, at(30 + i64::from(n)))
    };
    let owners_key = api_key(3, site.id, at(40));
    store
        .insert_api_key(&by_zoe(1, site.id), &hash("z1"), 10)
        .await
        .unwrap();
    store
        .insert_api_key(&by_zoe(2, other_site.id), &hash("z2"), 10)
        .await
        .unwrap();
    store
        .insert_api_key(&owners_key, &hash("o"), 10)
        .await
        .unwrap();

    store.remove_member(site.id, zoe.id).await.unwrap();
    assert_eq!(store.api_keys_of(site.id).await.unwrap(), vec![owners_key]);
    assert_eq!(
        store.api_keys_of(other_site.id).await.unwrap(),
        vec![by_zoe(2, other_site.id)]
    );
}
