//! Contract cases on dashboard sign-in: passwords, sessions found by their hash and ended by a
//! password change, and one-time link codes that only one caller consumes.

use datafast_domain::session::{LinkCode, LinkPurpose, PasswordHash, Session};
use datafast_ports::store::{Storage, StoreError};

use super::fixtures::*;

fn phc(text: &str) -> PasswordHash {
    PasswordHash::from_phc(format!("$argon2id$v=19$m=19456,t=2,p=1${text}"))
}

fn session(n: u32, account: u32, created_second: i64) -> Session {
    let mut session = Session::new(
        session_id(n),
        account_id(account),
        at_ms(created_second * 1000 + 123),
    );
    session.expires_at = at_ms(created_second * 1000 + 86_400_456);
    session
}

pub async fn passwords_are_set_replaced_and_read_per_account(store: &dyn Storage) {
    let ada = account(1, "ada@example.com");
    let grace = account(2, "grace@example.org");
    store.create_account(&ada).await.unwrap();
    store.create_account(&grace).await.unwrap();
    assert_eq!(store.password_of(ada.id).await.unwrap(), None);

    store.set_password(ada.id, &phc("first")).await.unwrap();
    store.set_password(ada.id, &phc("second")).await.unwrap();
    assert_eq!(
        store.password_of(ada.id).await.unwrap(),
        Some(phc("second"))
    );
    assert_eq!(store.password_of(grace.id).await.unwrap(), None);
    assert_eq!(
        store.set_password(account_id(99), &phc("x")).await,
        Err(StoreError::NotFound)
    );
}

pub async fn sessions_are_found_by_hash_and_deleted_one_by_one(store: &dyn Storage) {
    store
        .create_account(&account(1, "ada@example.com"))
        .await
        .unwrap();
    let first = session(1, 1, 10);
    let second = session(2, 1, 20);
    store.insert_session(&first, &hash("aa")).await.unwrap();
    store.insert_session(&second, &hash("bb")).await.unwrap();

    assert_eq!(
        store.session_by_hash(&hash("aa")).await.unwrap(),
        Some(first.clone())
    );
    assert_eq!(store.session_by_hash(&hash("cc")).await.unwrap(), None);
    store.delete_session(first.id).await.unwrap();
    store.delete_session(first.id).await.unwrap();
    assert_eq!(store.session_by_hash(&hash("aa")).await.unwrap(), None);
    assert_eq!(
        store.session_by_hash(&hash("bb")).await.unwrap(),
        Some(second)
    );
}

pub async fn setting_a_password_ends_that_accounts_sessions_only(store: &dyn Storage) {
    store
        .create_account(&account(1, "ada@example.com"))
        .await
        .unwrap();
    store
        .create_account(&account(2, "grace@example.org"))
        .await
        .unwrap();
    store
        .insert_session(&session(1, 1, 10), &hash("aa"))
        .await
        .unwrap();
    store
        .insert_session(&session(2, 1, 20), &hash("bb"))
        .await
        .unwrap();
    let other = session(3, 2, 30);
    store.insert_session(&other, &hash("cc")).await.unwrap();

    store
        .set_password(account_id(1), &phc("new"))
        .await
        .unwrap();
    assert_eq!(store.session_by_hash(&hash("aa")).await.unwrap(), None);
    assert_eq!(store.session_by_hash(&hash("bb")).await.unwrap(), None);
    assert_eq!(
        store.session_by_hash(&hash("cc")).await.unwrap(),
        Some(other)
    );
}

pub async fn a_link_code_is_read_until_consumed_once(store: &dyn Storage) {
    let setup = LinkCode {
        purpose: LinkPurpose::SetPassword(account_id(1)),
        expires_at: at_ms(5_000),
    };
    let join = LinkCode {
        purpose: LinkPurpose::Join(invitation_id(7)),
        expires_at: at_ms(9_000),
    };
    store
        .insert_link_code(&hash("setup"), &setup)
        .await
        .unwrap();
    store.insert_link_code(&hash("join"), &join).await.unwrap();

    assert_eq!(store.link_code(&hash("setup")).await.unwrap(), Some(setup));
    assert_eq!(
        store.link_code(&hash("join")).await.unwrap(),
        Some(join.clone())
    );
    assert!(store.consume_link_code(&hash("setup")).await.unwrap());
    assert!(!store.consume_link_code(&hash("setup")).await.unwrap());
    assert_eq!(store.link_code(&hash("setup")).await.unwrap(), None);
    assert!(!store.consume_link_code(&hash("never")).await.unwrap());
    assert_eq!(store.link_code(&hash("join")).await.unwrap(), Some(join));
}
