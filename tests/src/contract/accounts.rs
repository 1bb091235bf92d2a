//! Contract cases on accounts and their access tokens: creation, uniqueness of emails and token
//! hashes, listing, renaming, touching, and what deleting a token revokes.

use datafast_domain::access::WebsiteScope;
use datafast_domain::account::Account;
use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::permission::PermissionSet;
use datafast_domain::role::Role;
use datafast_domain::team::Invitation;
use datafast_domain::token::AccessToken;
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

pub async fn accounts_round_trip(store: &dyn Storage) {
    assert_eq!(store.account_count().await.unwrap(), 0);
    let mut first = account(1, "ada@example.com");
    first.image = Some("https://img.example.com/ada.png".to_owned());
    let second = account(2, "grace@example.org");
    store.create_account(&first).await.unwrap();
    store.create_account(&second).await.unwrap();

    assert_eq!(store.account(first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(
        store.account(second.id).await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(
        store.account_by_email(&first.email).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.account_count().await.unwrap(), 2);
    assert_eq!(store.account(account_id(99)).await.unwrap(), None);
    assert_eq!(
        store
            .account_by_email(&email("nobody@example.com"))
            .await
            .unwrap(),
        None
    );
}

pub async fn account_emails_are_unique(store: &dyn Storage) {
    let first = account(1, "ada@example.com");
    store.create_account(&first).await.unwrap();
    let mut clash = account(2, "ada@example.com");
    clash.name = "Impostor".to_owned();
    assert_eq!(
        store.create_account(&clash).await,
        Err(StoreError::Conflict("email"))
    );
    assert_eq!(store.account_count().await.unwrap(), 1);
    assert_eq!(store.account(clash.id).await.unwrap(), None);
    assert_eq!(
        store.account_by_email(&first.email).await.unwrap(),
        Some(first)
    );
}

pub async fn renaming_an_account(store: &dyn Storage) {
    let original = given_account(store, 1).await;
    let renamed = store.rename_account(original.id, "Ada L.").await.unwrap();
    let expected = Account {
        name: "Ada L.".to_owned(),
        ..original.clone()
    };
    assert_eq!(renamed, expected);
    assert_eq!(store.account(original.id).await.unwrap(), Some(expected));
    assert_eq!(
        store.rename_account(account_id(99), "Nobody").await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.account_count().await.unwrap(), 1);
}

pub async fn tokens_round_trip(store: &dyn Storage) {
    let owner = given_account(store, 1).await;
    let mut scoped = token(1, owner.id, at(10));
    scoped.name = None;
    scoped.permissions = PermissionSet::parse(&["analytics:read", "websites:write"]).unwrap();
    scoped.websites = WebsiteScope::from_ids([website_id(1), website_id(2)]);
    scoped.last_used_at = Some(at(11));
    let full = token(2, owner.id, at(12));
    store
        .insert_token(&scoped, &hash("h-scoped"))
        .await
        .unwrap();
    store.insert_token(&full, &hash("h-full")).await.unwrap();

    assert_eq!(
        store.token_by_hash(&hash("h-scoped")).await.unwrap(),
        Some(scoped)
    );
    assert_eq!(
        store.token_by_hash(&hash("h-full")).await.unwrap(),
        Some(full)
    );
    assert_eq!(store.token_by_hash(&hash("h-other")).await.unwrap(), None);
}

pub async fn token_hashes_are_unique(store: &dyn Storage) {
    let owner = given_account(store, 1).await;
    let first = token(1, owner.id, at(10));
    store.insert_token(&first, &hash("same")).await.unwrap();
    assert_eq!(
        store
            .insert_token(&token(2, owner.id, at(11)), &hash("same"))
            .await,
        Err(StoreError::Conflict("token"))
    );
    assert_eq!(
        store.tokens_of(owner.id).await.unwrap(),
        vec![first.clone()]
    );
    assert_eq!(
        store.token_by_hash(&hash("same")).await.unwrap(),
        Some(first)
    );
}

pub async fn tokens_are_listed_newest_first_per_account(store: &dyn Storage) {
    let ada = given_account(store, 1).await;
    let grace = given_account(store, 2).await;
    // Inserted out of time order, so the order must come from the instants.
    store
        .insert_token(&token(1, ada.id, at(20)), &hash("a"))
        .await
        .unwrap();
    store
        .insert_token(&token(2, ada.id, at(10)), &hash("b"))
        .await
        .unwrap();
    store
        .insert_token(&token(3, ada.id, at(30)), &hash("c"))
        .await
        .unwrap();
    store
        .insert_token(&token(4, grace.id, at(40)), &hash("d"))
        .await
        .unwrap();

    let listed = store.tokens_of(ada.id).await.unwrap();
    assert_eq!(
        ids(&listed, |t| t.id),
        vec![token_id(3), token_id(1), token_id(2)]
    );
    assert_eq!(
        ids(&store.tokens_of(grace.id).await.unwrap(), |t| t.id),
        vec![token_id(4)]
    );
    assert!(store.tokens_of(account_id(99)).await.unwrap().is_empty());
}

pub async fn deleting_a_token(store: &dyn Storage) {
    let ada = given_account(store, 1).await;
    let grace = given_account(store, 2).await;
    let kept = token(1, ada.id, at(10));
    let doomed = token(2, ada.id, at(11));
    store.insert_token(&kept, &hash("kept")).await.unwrap();
    store.insert_token(&doomed, &hash("doomed")).await.unwrap();

    // Another account cannot delete it, and an unknown id is not found.
    assert_eq!(
        store.delete_token(grace.id, doomed.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_token(ada.id, token_id(99)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.tokens_of(ada.id).await.unwrap().len(), 2);

    store.delete_token(ada.id, doomed.id).await.unwrap();
    assert_eq!(store.token_by_hash(&hash("doomed")).await.unwrap(), None);
    assert_eq!(store.tokens_of(ada.id).await.unwrap(), vec![kept]);
    assert_eq!(
        store.delete_token(ada.id, doomed.id).await,
        Err(StoreError::NotFound)
    );
}

pub async fn deleting_a_token_revokes_what_it_issued(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let ada = store.account(site.owner_id).await.unwrap().unwrap();
    let parent = token(1, ada.id, at(10));
    let child = AccessToken {
        created_by: Some(parent.id),
        ..token(2, ada.id, at(11))
    };
    let grandchild = AccessToken {
        created_by: Some(child.id),
        ..token(3, ada.id, at(12))
    };
    let sibling = token(4, ada.id, at(13));
    for (row, raw) in [
        (&parent, "parent"),
        (&child, "child"),
        (&grandchild, "grandchild"),
        (&sibling, "sibling"),
    ] {
        store.insert_token(row, &hash(raw)).await.unwrap();
    }
    let issued_by = |token: &AccessToken| KeyIssuer {
        account: ada.id,
        token: Some(token.id),
        permissions: PermissionSet::All,
    };
    let doomed_key = ApiKey {
        issued_by: issued_by(&grandchild),
        ..api_key(1, site.id, at(20))
    };
    let kept_key = ApiKey {
        issued_by: issued_by(&sibling),
        ..api_key(2, site.id, at(21))
    };
    store
        .insert_api_key(&doomed_key, &hash("k1"), 10)
        .await
        .unwrap();
    store
        .insert_api_key(&kept_key, &hash("k2"), 10)
        .await
        .unwrap();
    let doomed_invitation = Invitation {
        invited_by_token: Some(child.id),
        ..invitation(1, site.id, "a@example.com", Role::Viewer, at(30))
    };
    let kept_invitation = Invitation {
        invited_by_token: Some(sibling.id),
        ..invitation(2, site.id, "b@example.com", Role::Viewer, at(31))
    };
    store.insert_invitation(&doomed_invitation).await.unwrap();
    store.insert_invitation(&kept_invitation).await.unwrap();

    store.delete_token(ada.id, parent.id).await.unwrap();
    assert_eq!(store.tokens_of(ada.id).await.unwrap(), vec![sibling]);
    assert_eq!(store.api_keys_of(site.id).await.unwrap(), vec![kept_key]);
    assert_eq!(
        store.invitations_of_website(site.id).await.unwrap(),
        vec![kept_invitation]
    );
}

pub async fn touching_tokens(store: &dyn Storage) {
    let ada = given_account(store, 1).await;
    store
        .insert_token(&token(1, ada.id, at(10)), &hash("one"))
        .await
        .unwrap();
    store
        .insert_token(&token(2, ada.id, at(11)), &hash("two"))
        .await
        .unwrap();
    store.touch_tokens(&[]).await.unwrap();
    store
        .touch_tokens(&[(token_id(1), at(50)), (token_id(99), at(51))])
        .await
        .unwrap();

    let one = store.token_by_hash(&hash("one")).await.unwrap().unwrap();
    let two = store.token_by_hash(&hash("two")).await.unwrap().unwrap();
    assert_eq!(one.last_used_at, Some(at(50)));
    assert_eq!(two.last_used_at, None);
    // The unknown id created nothing.
    assert_eq!(store.tokens_of(ada.id).await.unwrap().len(), 2);

    store.touch_tokens(&[(token_id(1), at(60))]).await.unwrap();
    let one = store.token_by_hash(&hash("one")).await.unwrap().unwrap();
    assert_eq!(one.last_used_at, Some(at(60)));
}
