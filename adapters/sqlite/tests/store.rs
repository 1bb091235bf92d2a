//! The SQLite store against its port contracts: reopening, conflicts, limits under concurrent
//! writers, orderings, soft deletes and round trips of every stored shape.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use datafast_domain::access::WebsiteScope;
use datafast_domain::account::{Account, Email};
use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts, DeliveryStatus};
use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::event::{DeviceKind, Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelName, FunnelStep, StepKind};
use datafast_domain::goal::{GoalCount, GoalCustomization, GoalEventType, GoalName};
use datafast_domain::id::{
    AccountId, AlertId, AlertLogId, ApiKeyId, FunnelId, InvitationId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::permission::{Permission, PermissionSet};
use datafast_domain::provider_payment::SyncState;
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::time::TimeZoneName;
use datafast_domain::token::AccessToken;
use datafast_domain::website::{Domain, TrackingId, Website, WebsiteSettings};
use datafast_ports::CredentialHash;
use datafast_ports::store::{
    AccountStore, AlertStore, ApiKeyStore, EventStore, FunnelStore, GoalCustomizationStore,
    IntegrationStore, StoreError, TeamStore, TokenStore, WebsiteStore,
};
use datafast_sqlite::{SqliteError, SqliteStore};
use jiff::{Timestamp, ToSpan};
use tempfile::TempDir;

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_780_000_000 + seconds).unwrap()
}

fn open() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("data.db")).unwrap();
    (dir, store)
}

fn account(n: u8) -> Account {
    Account {
        id: AccountId::from_parts(1, [n; 8]),
        name: format!("Person {n}"),
        email: Email::parse(&format!("person{n}@example.com")).unwrap(),
        image: None,
        created_at: at(i64::from(n)),
    }
}

fn website(n: u8, owner: AccountId) -> Website {
    Website {
        id: WebsiteId::from_parts(2, [n; 8]),
        owner_id: owner,
        domain: Domain::parse(&format!("site{n}.example.com")).unwrap(),
        tracking_id: TrackingId::from_random([n; 20]),
        created_at: at(100 + i64::from(n)),
        settings: WebsiteSettings::new(format!("Site {n}"), TimeZoneName::default()),
    }
}

fn hash(text: &str) -> CredentialHash {
    CredentialHash::from_hex(text.to_owned())
}

fn api_key(n: u8, website: WebsiteId) -> ApiKey {
    ApiKey {
        id: ApiKeyId::from_parts(3, [n; 8]),
        website_id: website,
        name: format!("key {n}"),
        display_key: format!("df_...{n:02}"),
        issued_by: KeyIssuer {
            account: AccountId::from_parts(1, [1; 8]),
            token: None,
            permissions: PermissionSet::All,
        },
        created_at: at(200 + i64::from(n)),
        last_used_at: None,
    }
}

fn issuer() -> KeyIssuer {
    KeyIssuer {
        account: AccountId::from_parts(1, [1; 8]),
        token: None,
        permissions: PermissionSet::All,
    }
}

fn alert(n: u8, website: WebsiteId, goal: &str) -> Alert {
    Alert {
        id: AlertId::from_parts(4, [n; 8]),
        website_id: website,
        name: format!("alert {n}"),
        goal_name: GoalName::parse(goal).unwrap(),
        subject: "A goal happened".into(),
        message: "Someone completed the goal.".into(),
        webhook_url: None,
        is_enabled: true,
        created_at: at(300 + i64::from(n)),
        updated_at: at(300 + i64::from(n)),
    }
}

fn funnel(n: u8, website: WebsiteId, name: &str) -> Funnel {
    Funnel {
        id: FunnelId::from_parts(5, [n; 8]),
        website_id: website,
        name: FunnelName::parse(name).unwrap(),
        slug: "a-funnel".into(),
        steps: vec![
            FunnelStep {
                id: "landing".into(),
                name: "Landing".into(),
                kind: StepKind::Pageview { url: "/*".into() },
            },
            FunnelStep {
                id: "signed-up".into(),
                name: "Signed up".into(),
                kind: StepKind::Goal {
                    goal_name: GoalName::parse("signup").unwrap(),
                },
            },
        ],
        is_active: true,
        created_at: at(400 + i64::from(n)),
        updated_at: at(400 + i64::from(n)),
    }
}

fn token(n: u8, account: AccountId, created: Timestamp) -> AccessToken {
    AccessToken {
        id: TokenId::from_parts(6, [n; 8]),
        account_id: account,
        name: Some(format!("token {n}")),
        display_key: format!("dft_...{n:02}"),
        permissions: PermissionSet::Only(BTreeSet::from([
            Permission::AnalyticsRead,
            Permission::TeamWrite,
        ])),
        websites: WebsiteScope::from_ids([WebsiteId::from_parts(2, [n; 8])]),
        created_by: None,
        created_at: created,
        last_used_at: None,
    }
}

fn invitation(n: u8, website: WebsiteId, email: &str) -> Invitation {
    Invitation {
        id: InvitationId::from_parts(7, [n; 8]),
        website_id: website,
        email: Email::parse(email).unwrap(),
        role: Role::Member,
        invited_by: AccountId::from_parts(1, [1; 8]),
        invited_by_token: None,
        created_at: at(500 + i64::from(n)),
    }
}

fn schema_versions(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM refinery_schema_history", [], |row| {
            row.get(0)
        })
        .unwrap()
}

#[tokio::test]
async fn reopening_keeps_data_and_migrating_again_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.path(), path.as_path());
    store.create_account(&account(1)).await.unwrap();
    let versions = schema_versions(&path);
    assert!(versions >= 1);
    drop(store);

    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(
        again.account(account(1).id).await.unwrap(),
        Some(account(1))
    );
    assert_eq!(again.account_count().await.unwrap(), 1);
    assert_eq!(schema_versions(&path), versions);
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn an_unopenable_path_reports_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let error = SqliteStore::open(&dir.path().join("missing/dir/data.db")).unwrap_err();
    assert!(matches!(error, SqliteError::Open { .. }), "got {error:?}");
    assert!(error.to_string().contains("missing/dir/data.db"), "{error}");
}

#[test]
fn works_outside_an_async_runtime_too() {
    let (_dir, store) = open();
    assert_eq!(
        poll_without_runtime(store.create_account(&account(1))),
        Ok(())
    );
    assert_eq!(poll_without_runtime(store.account_count()), Ok(1));
}

/// Drives a future on this thread with no runtime around: the store then works in place, so
/// the future completes without ever being woken.
fn poll_without_runtime<F: std::future::Future>(future: F) -> F::Output {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the store waited for a runtime that is not there"),
    }
}

#[tokio::test]
async fn accounts_conflict_on_email_and_rename_unknown_is_not_found() {
    let (_dir, store) = open();
    store.create_account(&account(1)).await.unwrap();
    let same_email = Account {
        id: AccountId::from_parts(9, [9; 8]),
        ..account(1)
    };
    assert_eq!(
        store.create_account(&same_email).await,
        Err(StoreError::Conflict("email"))
    );
    let renamed = store
        .rename_account(account(1).id, "New name")
        .await
        .unwrap();
    assert_eq!(renamed.name, "New name");
    assert_eq!(
        store.account_by_email(&account(1).email).await.unwrap(),
        Some(renamed)
    );
    assert_eq!(
        store.rename_account(account(2).id, "x").await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn websites_conflict_on_domain_first_then_tracking_id() {
    let (_dir, store) = open();
    let owner = account(1);
    store.create_account(&owner).await.unwrap();
    let first = website(1, owner.id);
    store.create_website(&first).await.unwrap();

    let both_taken = Website {
        id: WebsiteId::from_parts(2, [9; 8]),
        ..first.clone()
    };
    assert_eq!(
        store.create_website(&both_taken).await,
        Err(StoreError::Conflict("domain"))
    );
    let tracking_taken = Website {
        domain: Domain::parse("other.example.com").unwrap(),
        ..both_taken.clone()
    };
    assert_eq!(
        store.create_website(&tracking_taken).await,
        Err(StoreError::Conflict("trackingId"))
    );
    // Nothing of the refused websites was kept, not even the owner's membership.
    assert_eq!(store.websites_of(owner.id).await.unwrap().len(), 1);

    let second = website(2, owner.id);
    store.create_website(&second).await.unwrap();
    let stealing = Website {
        domain: first.domain.clone(),
        ..second.clone()
    };
    assert_eq!(
        store.update_website(&stealing).await,
        Err(StoreError::Conflict("domain"))
    );
    assert_eq!(
        store.update_website(&website(3, owner.id)).await,
        Err(StoreError::NotFound)
    );
}

#[tokio::test]
async fn websites_round_trip_settings_and_list_with_roles_oldest_first() {
    let (_dir, store) = open();
    let owner = account(1);
    store.create_account(&owner).await.unwrap();
    let mut site = website(1, owner.id);
    store.create_website(&site).await.unwrap();
    store.create_website(&website(2, owner.id)).await.unwrap();

    site.domain = Domain::parse("renamed.example.org").unwrap();
    site.settings.kpi = Some(GoalName::parse("signup").unwrap());
    site.settings.is_cookieless = true;
    site.settings.timezone = TimeZoneName::parse("America/New_York").unwrap();
    store.update_website(&site).await.unwrap();
    assert_eq!(store.website(site.id).await.unwrap(), Some(site.clone()));
    assert_eq!(
        store
            .website_by_tracking_id(site.tracking_id.as_str())
            .await
            .unwrap(),
        Some(site.clone())
    );

    let listed = store.websites_of(owner.id).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|(w, role)| (w.id, *role)).collect();
    assert_eq!(
        ids,
        vec![
            (site.id, Role::Owner),
            (website(2, owner.id).id, Role::Owner)
        ]
    );
    assert_eq!(
        store.role_of(site.id, owner.id).await.unwrap(),
        Some(Role::Owner)
    );
}

#[tokio::test]
async fn tokens_conflict_on_hash_list_newest_first_and_record_use() {
    let (_dir, store) = open();
    let owner = account(1).id;
    let older = token(1, owner, at(10));
    let newer = token(2, owner, at(20));
    store.insert_token(&older, &hash("h1")).await.unwrap();
    store.insert_token(&newer, &hash("h2")).await.unwrap();
    assert_eq!(
        store
            .insert_token(&token(3, owner, at(30)), &hash("h1"))
            .await,
        Err(StoreError::Conflict("token"))
    );
    assert_eq!(
        store.tokens_of(owner).await.unwrap(),
        vec![newer.clone(), older.clone()]
    );

    let unknown = TokenId::from_parts(6, [99; 8]);
    store
        .touch_tokens(&[(older.id, at(50)), (unknown, at(50))])
        .await
        .unwrap();
    let found = store.token_by_hash(&hash("h1")).await.unwrap().unwrap();
    assert_eq!(found.last_used_at, Some(at(50)));
    assert_eq!(found.permissions, older.permissions);
    assert_eq!(found.websites, older.websites);

    assert_eq!(
        store.delete_token(account(2).id, older.id).await,
        Err(StoreError::NotFound)
    );
    store.delete_token(owner, older.id).await.unwrap();
    assert_eq!(store.token_by_hash(&hash("h1")).await.unwrap(), None);
}

#[tokio::test]
async fn token_scopes_and_permission_sets_round_trip() {
    let (_dir, store) = open();
    let all = AccessToken {
        permissions: PermissionSet::All,
        websites: WebsiteScope::All,
        ..token(1, account(1).id, at(1))
    };
    store.insert_token(&all, &hash("all")).await.unwrap();
    assert_eq!(store.token_by_hash(&hash("all")).await.unwrap(), Some(all));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_key_inserts_leave_exactly_ten() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let mut inserts = tokio::task::JoinSet::new();
    for n in 0..20u8 {
        let store = store.clone();
        inserts.spawn(async move {
            store
                .insert_api_key(&api_key(n, site), &hash(&format!("k{n}")), 10)
                .await
        });
    }
    let outcomes = inserts.join_all().await;
    let stored = outcomes.iter().filter(|r| r.is_ok()).count();
    let refused = outcomes
        .iter()
        .filter(|r| **r == Err(StoreError::LimitReached))
        .count();
    assert_eq!((stored, refused), (10, 10), "{outcomes:?}");
    assert_eq!(store.api_keys_of(site).await.unwrap().len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_alert_inserts_respect_the_limit() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let mut inserts = tokio::task::JoinSet::new();
    for n in 0..12u8 {
        let store = store.clone();
        inserts.spawn(async move { store.insert_alert(&alert(n, site, "signup"), 5).await });
    }
    let outcomes = inserts.join_all().await;
    assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 5);
    assert_eq!(store.alerts(site).await.unwrap().len(), 5);
}

#[tokio::test]
async fn api_keys_conflict_roll_and_delete() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let other_site = WebsiteId::from_parts(2, [2; 8]);
    let first = api_key(1, site);
    let second = api_key(2, site);
    store.insert_api_key(&first, &hash("a"), 10).await.unwrap();
    store.insert_api_key(&second, &hash("b"), 10).await.unwrap();
    assert_eq!(
        store
            .insert_api_key(&api_key(3, other_site), &hash("a"), 10)
            .await,
        Err(StoreError::Conflict("key"))
    );
    assert_eq!(
        store.insert_api_key(&api_key(3, site), &hash("c"), 2).await,
        Err(StoreError::LimitReached)
    );
    assert_eq!(
        store.api_keys_of(site).await.unwrap(),
        vec![first.clone(), second.clone()]
    );

    assert_eq!(
        store
            .roll_api_key(site, second.id, &hash("a"), "df_...xx", &issuer())
            .await,
        Err(StoreError::Conflict("key"))
    );
    let rolled = store
        .roll_api_key(site, first.id, &hash("new"), "df_...nn", &issuer())
        .await
        .unwrap();
    assert_eq!(rolled.display_key, "df_...nn");
    assert_eq!(store.api_key_by_hash(&hash("a")).await.unwrap(), None);
    assert_eq!(
        store.api_key_by_hash(&hash("new")).await.unwrap(),
        Some(rolled)
    );
    assert_eq!(
        store
            .roll_api_key(other_site, first.id, &hash("z"), "df_", &issuer())
            .await,
        Err(StoreError::NotFound)
    );

    store.touch_api_keys(&[(second.id, at(900))]).await.unwrap();
    let touched = store.api_key_by_hash(&hash("b")).await.unwrap().unwrap();
    assert_eq!(touched.last_used_at, Some(at(900)));

    assert_eq!(
        store.delete_api_key(other_site, second.id).await,
        Err(StoreError::NotFound)
    );
    store.delete_api_key(site, second.id).await.unwrap();
    assert_eq!(store.api_keys_of(site).await.unwrap().len(), 1);
}

#[tokio::test]
async fn team_lists_the_owner_first_and_guards_invitations_and_members() {
    let (_dir, store) = open();
    let owner = account(5);
    let early = account(1);
    let late = account(2);
    for person in [&owner, &early, &late] {
        store.create_account(person).await.unwrap();
    }
    let site = website(1, owner.id);
    store.create_website(&site).await.unwrap();

    let invite_late = invitation(2, site.id, late.email.as_str());
    let invite_early = invitation(1, site.id, early.email.as_str());
    store.insert_invitation(&invite_late).await.unwrap();
    store.insert_invitation(&invite_early).await.unwrap();
    assert_eq!(
        store
            .insert_invitation(&invitation(3, site.id, late.email.as_str()))
            .await,
        Err(StoreError::Conflict("invitation"))
    );
    assert_eq!(
        store.invitations_of_website(site.id).await.unwrap(),
        vec![invite_early.clone(), invite_late.clone()]
    );
    assert_eq!(
        store.invitations_for(&late.email).await.unwrap(),
        vec![invite_late.clone()]
    );

    // Joined before the owner's website existed, yet listed after the owner.
    let early_membership = Membership {
        website_id: site.id,
        account_id: early.id,
        role: Role::Viewer,
        joined_at: at(1),
    };
    store
        .accept_invitation(invite_early.id, &early_membership)
        .await
        .unwrap();
    assert_eq!(store.invitation(invite_early.id).await.unwrap(), None);
    assert_eq!(
        store
            .accept_invitation(invite_early.id, &early_membership)
            .await,
        Err(StoreError::NotFound)
    );

    // The late invitee is already a member by another way: the invitation must stay.
    let late_membership = Membership {
        account_id: late.id,
        joined_at: at(2),
        ..early_membership.clone()
    };
    let stray = invitation(4, site.id, "someone@example.com");
    store.insert_invitation(&stray).await.unwrap();
    store
        .accept_invitation(stray.id, &late_membership)
        .await
        .unwrap();
    assert_eq!(
        store
            .accept_invitation(invite_late.id, &late_membership)
            .await,
        Err(StoreError::Conflict("member"))
    );
    assert_eq!(
        store.invitation(invite_late.id).await.unwrap(),
        Some(invite_late.clone())
    );

    let members: Vec<_> = store
        .members(site.id)
        .await
        .unwrap()
        .into_iter()
        .map(|(membership, account)| (membership.role, account.id))
        .collect();
    assert_eq!(
        members,
        vec![
            (Role::Owner, owner.id),
            (Role::Viewer, early.id),
            (Role::Viewer, late.id)
        ]
    );

    assert_eq!(
        store
            .delete_invitation(WebsiteId::from_parts(2, [9; 8]), invite_late.id)
            .await,
        Err(StoreError::NotFound)
    );
    store
        .delete_invitation(site.id, invite_late.id)
        .await
        .unwrap();
    store.remove_member(site.id, late.id).await.unwrap();
    assert_eq!(
        store.remove_member(site.id, late.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.role_of(site.id, late.id).await.unwrap(), None);
}

#[tokio::test]
async fn funnel_names_are_unique_case_insensitively_until_soft_deleted() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let other_site = WebsiteId::from_parts(2, [2; 8]);
    let summer = funnel(1, site, "Été signup");
    store.insert_funnel(&summer).await.unwrap();
    assert_eq!(
        store.insert_funnel(&funnel(2, site, "ÉTÉ SIGNUP")).await,
        Err(StoreError::Conflict("name"))
    );
    store
        .insert_funnel(&funnel(3, other_site, "été signup"))
        .await
        .unwrap();

    let mut inactive = funnel(4, site, "Checkout");
    inactive.is_active = false;
    store.insert_funnel(&inactive).await.unwrap();
    assert_eq!(
        store.funnels(site, false).await.unwrap(),
        vec![summer.clone()]
    );
    assert_eq!(
        store.funnels(site, true).await.unwrap(),
        vec![summer.clone(), inactive.clone()]
    );

    let renamed = Funnel {
        name: FunnelName::parse("checkout").unwrap(),
        ..summer.clone()
    };
    assert_eq!(
        store.update_funnel(&renamed).await,
        Err(StoreError::Conflict("name"))
    );

    store.delete_funnel(site, summer.id, at(999)).await.unwrap();
    assert_eq!(store.funnel(site, summer.id).await.unwrap(), None);
    assert_eq!(
        store.delete_funnel(site, summer.id, at(999)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.update_funnel(&summer).await,
        Err(StoreError::NotFound)
    );
    // The deleted funnel's name is free again.
    let reborn = funnel(5, site, "ÉTÉ SIGNUP");
    store.insert_funnel(&reborn).await.unwrap();
    let mut changed = reborn.clone();
    changed.steps.reverse();
    changed.is_active = false;
    changed.updated_at = at(1000);
    store.update_funnel(&changed).await.unwrap();
    assert_eq!(store.funnel(site, reborn.id).await.unwrap(), Some(changed));
}

#[tokio::test]
async fn alerts_filter_by_goal_and_history_is_newest_first_with_totals() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let signup = alert(1, site, "signup");
    let mut disabled = alert(2, site, "signup");
    disabled.is_enabled = false;
    let payment = alert(3, site, "payment");
    for a in [&signup, &disabled, &payment] {
        store.insert_alert(a, 25).await.unwrap();
    }
    assert_eq!(
        store
            .alerts_for_goal(site, &GoalName::parse("signup").unwrap())
            .await
            .unwrap(),
        vec![signup.clone()]
    );

    let log = |n: u8, alert: &Alert, status: DeliveryStatus| AlertLog {
        id: AlertLogId::from_parts(8, [n; 8]),
        alert_id: alert.id,
        website_id: site,
        alert_name: alert.name.clone(),
        goal_name: alert.goal_name.to_string(),
        status,
        error: (status == DeliveryStatus::Failed).then(|| "smtp refused".to_owned()),
        visitor_id: Some(format!("visitor-{n}")),
        triggered_at: at(600) + i64::from(n).seconds(),
    };
    let logs = [
        log(1, &signup, DeliveryStatus::Sent),
        log(2, &payment, DeliveryStatus::Failed),
        log(3, &signup, DeliveryStatus::Failed),
        log(4, &signup, DeliveryStatus::Sent),
    ];
    for entry in &logs {
        store.insert_alert_log(entry).await.unwrap();
    }
    assert_eq!(
        store.alert_logs(site, None, 2).await.unwrap(),
        vec![logs[3].clone(), logs[2].clone()]
    );
    assert_eq!(
        store.alert_logs(site, Some(signup.id), 10).await.unwrap(),
        vec![logs[3].clone(), logs[2].clone(), logs[0].clone()]
    );
    assert_eq!(
        store.alert_counts(site, None).await.unwrap(),
        DeliveryCounts { sent: 2, failed: 2 }
    );
    assert_eq!(
        store.alert_counts(site, Some(signup.id)).await.unwrap(),
        DeliveryCounts { sent: 2, failed: 1 }
    );

    // Deleting an alert keeps its history.
    store.delete_alert(site, signup.id).await.unwrap();
    assert_eq!(
        store.delete_alert(site, signup.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store
            .alert_logs(site, Some(signup.id), 10)
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(store.update_alert(&signup).await, Err(StoreError::NotFound));

    let mut edited = payment.clone();
    edited.webhook_url = Some("https://hooks.example.com/x".into());
    edited.updated_at = at(700);
    store.update_alert(&edited).await.unwrap();
    assert_eq!(store.alert(site, payment.id).await.unwrap(), Some(edited));
}

#[tokio::test]
async fn customizations_and_connections_are_replaced_on_save() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let mut signup = GoalCustomization {
        goal_name: GoalName::parse("signup").unwrap(),
        display_name: Some("Sign up".into()),
        color: Some("#ef4444".into()),
        description: None,
        updated_at: at(1),
    };
    let checkout = GoalCustomization {
        goal_name: GoalName::parse("checkout").unwrap(),
        display_name: None,
        color: None,
        description: Some("Paid".into()),
        updated_at: at(2),
    };
    store.save_customization(site, &signup).await.unwrap();
    store.save_customization(site, &checkout).await.unwrap();
    signup.color = None;
    signup.updated_at = at(3);
    store.save_customization(site, &signup).await.unwrap();
    assert_eq!(
        store.customizations(site).await.unwrap(),
        vec![checkout.clone(), signup.clone()]
    );
    assert_eq!(
        store
            .customization(site, &GoalName::parse("signup").unwrap())
            .await
            .unwrap(),
        Some(signup)
    );

    let connection = |provider, byte: u8| Connection {
        provider,
        sealed_credentials: vec![byte, 0, 255],
        connected_at: at(i64::from(byte)),
        key_expires_at: Some(at(10_000)),
        sync: SyncState::default(),
        sealed_webhook_secret: Some(vec![byte]),
    };
    store
        .save_connection(site, &connection(Provider::Paddle, 1))
        .await
        .unwrap();
    store
        .save_connection(site, &connection(Provider::Stripe, 2))
        .await
        .unwrap();
    store
        .save_connection(site, &connection(Provider::Paddle, 3))
        .await
        .unwrap();
    assert_eq!(
        store.connections(site).await.unwrap(),
        vec![
            connection(Provider::Stripe, 2),
            connection(Provider::Paddle, 3)
        ]
    );
    assert!(
        store
            .delete_connection(site, Provider::Paddle)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_connection(site, Provider::Paddle)
            .await
            .unwrap()
    );
}

fn event(site: WebsiteId, kind: EventKind, visitor: &str, goal: Option<&str>) -> Event {
    Event {
        website_id: site,
        kind,
        occurred_at: at(0),
        visitor_id: visitor.into(),
        session_id: format!("session-{visitor}"),
        goal_name: goal.map(|name| GoalName::parse(name).unwrap()),
        hostname: "example.com".into(),
        path: "/pricing".into(),
        context: VisitContext::unknown(),
        params: BTreeMap::new(),
        description: None,
        origin: EventOrigin::Client,
    }
}

#[tokio::test]
async fn goal_counts_and_unique_visitors_come_from_the_stored_events() {
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let other = WebsiteId::from_parts(2, [2; 8]);
    store
        .append_events(vec![
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Custom, "v1", Some("signup")),
            event(site, EventKind::Custom, "v1", Some("signup")),
            event(site, EventKind::Custom, "v2", Some("signup")),
            event(site, EventKind::Payment, "v3", Some("payment")),
            // Identify events carry no goal worth counting.
            event(site, EventKind::Identify, "v4", Some("identify")),
            event(other, EventKind::Custom, "v9", Some("signup")),
        ])
        .await
        .unwrap();
    store.append_events(Vec::new()).await.unwrap();

    assert_eq!(
        store.goal_counts(site).await.unwrap(),
        vec![
            GoalCount {
                name: "payment".into(),
                event_type: GoalEventType::Payment,
                total: 1,
                unique_visitors: 1,
            },
            GoalCount {
                name: "signup".into(),
                event_type: GoalEventType::Custom,
                total: 3,
                unique_visitors: 2,
            },
        ]
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 4);
    assert_eq!(store.unique_visitors(other).await.unwrap(), 1);
    let unknown = WebsiteId::from_parts(2, [3; 8]);
    assert_eq!(store.unique_visitors(unknown).await.unwrap(), 0);
    assert!(store.goal_counts(unknown).await.unwrap().is_empty());
}

/// Measures the event log's footprint: run with
/// `cargo test -p datafast-sqlite --release -- --ignored --nocapture`.
#[tokio::test]
#[ignore = "writes a million events; a measurement, not a check"]
async fn a_million_events_fit_in_a_small_footprint() {
    let (dir, store) = open();
    let sites: Vec<WebsiteId> = (0..5u8).map(|n| WebsiteId::from_parts(2, [n; 8])).collect();
    let paths: Vec<String> = (0..200).map(|n| format!("/blog/post-{n}")).collect();
    let contexts: Vec<VisitContext> = (0..50)
        .map(|n| VisitContext {
            source: ["Google", "Direct/None", "X", "news.example.org"][n % 4].to_owned(),
            browser: ["Chrome", "Safari", "Firefox"][n % 3].to_owned(),
            os: ["Mac OSX", "Windows 10", "iOS", "Android"][n % 4].to_owned(),
            device: [DeviceKind::Desktop, DeviceKind::Mobile][n % 2],
            country: Some(["US", "FR", "DE", "IN", "BR"][n % 5].to_owned()),
            city: Some(format!("City {n}")),
            ..VisitContext::default()
        })
        .collect();
    let before = file_bytes(dir.path());
    let mut batch = Vec::with_capacity(10_000);
    for n in 0..1_000_000u32 {
        let visitor = n / 5;
        let kind = if n % 10 == 0 {
            EventKind::Custom
        } else {
            EventKind::Pageview
        };
        batch.push(Event {
            website_id: sites[(visitor % 5) as usize],
            kind,
            occurred_at: at(i64::from(n)),
            // UUID-shaped, as the tracker and the SDK send them.
            visitor_id: format!("{visitor:08x}-0000-4000-8000-{:012x}", visitor * 7919),
            session_id: format!("s{:08x}-0000-4000-9000-{:012x}", n / 3, n * 31),
            goal_name: (kind == EventKind::Custom).then(|| GoalName::parse("signup").unwrap()),
            hostname: "www.example.com".into(),
            path: paths[(n % 200) as usize].clone(),
            context: contexts[(visitor % 50) as usize].clone(),
            params: BTreeMap::new(),
            description: None,
            origin: EventOrigin::Client,
        });
        if batch.len() == 10_000 {
            store.append_events(batch.clone()).await.unwrap();
            batch.clear();
        }
    }
    drop(store);
    let bytes = file_bytes(dir.path()) - before;
    println!("{} bytes per event", bytes / 1_000_000);
    assert!(
        bytes / 1_000_000 <= 120,
        "{} bytes per event",
        bytes / 1_000_000
    );
}

fn file_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().metadata().unwrap().len())
        .sum()
}

#[test]
fn the_store_is_a_shareable_storage_backend() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    shareable::<SqliteStore>();
    let (_dir, store) = open();
    let _: std::sync::Arc<dyn datafast_ports::Storage> = std::sync::Arc::new(store);
}

#[tokio::test]
async fn instants_are_kept_to_the_millisecond() {
    let (_dir, store) = open();
    let precise = Account {
        created_at: at(0) + 1_234_567.nanoseconds(),
        ..account(1)
    };
    store.create_account(&precise).await.unwrap();
    let stored = store.account(precise.id).await.unwrap().unwrap();
    assert_eq!(stored.created_at, at(0) + 1.milliseconds());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_appends_are_group_committed_and_all_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.db");
    let store = SqliteStore::open(&path).unwrap();
    let site = WebsiteId::from_parts(2, [7; 8]);
    let tasks: Vec<_> = (0..200)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let visitor = format!("visitor-{n}");
                store
                    .append_events(vec![event(site, EventKind::Pageview, &visitor, None)])
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut seqs = BTreeSet::new();
    for task in tasks {
        let assigned = task.await.unwrap();
        assert_eq!(assigned.len(), 1);
        seqs.insert(assigned[0]);
    }
    assert_eq!(seqs.len(), 200, "every append got its own sequence number");
    drop(store);

    let again = SqliteStore::open(&path).unwrap();
    let stored = again.events_after(0, 1000).await.unwrap();
    assert_eq!(stored.len(), 200);
    let stored_seqs: BTreeSet<u64> = stored.iter().map(|s| s.seq).collect();
    assert_eq!(stored_seqs, seqs);
}

#[tokio::test]
async fn the_checkpointer_copies_committed_events_into_the_database_file() {
    // In WAL mode only checkpoints write the main file, and the writer no longer takes them
    // itself below a large log, so the file growing proves the checkpointer thread runs.
    let (dir, store) = open();
    let file = dir.path().join("data.db");
    let before = std::fs::metadata(&file).unwrap().len();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let batch: Vec<Event> = (0..2_000)
        .map(|n| event(site, EventKind::Pageview, &format!("visitor-{n}"), None))
        .collect();
    store.append_events(batch.clone()).await.unwrap();
    let mut grown = false;
    for _ in 0..100 {
        if std::fs::metadata(&file).unwrap().len() > before {
            grown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(grown, "the database file never received the logged pages");
    drop(store);
    let reopened = SqliteStore::open(&file).unwrap();
    assert_eq!(reopened.events_after(0, 5_000).await.unwrap().len(), 2_000);
}

#[tokio::test]
async fn folding_the_log_leaves_everything_in_the_database_file() {
    let (dir, store) = open();
    let file = dir.path().join("data.db");
    let log = dir.path().join("data.db-wal");
    let site = WebsiteId::from_parts(2, [1; 8]);
    let batch: Vec<Event> = (0..2_000)
        .map(|n| event(site, EventKind::Pageview, &format!("visitor-{n}"), None))
        .collect();
    store.append_events(batch).await.unwrap();
    assert!(std::fs::metadata(&log).unwrap().len() > 0);
    store.fold_log().await.unwrap();
    assert_eq!(std::fs::metadata(&log).unwrap().len(), 0);
    // The store goes on working, and everything is in the file alone.
    store
        .append_events(vec![event(site, EventKind::Pageview, "after", None)])
        .await
        .unwrap();
    store.fold_log().await.unwrap();
    drop(store);
    let copy = dir.path().join("copy.db");
    std::fs::copy(&file, &copy).unwrap();
    let reopened = SqliteStore::open(&copy).unwrap();
    assert_eq!(reopened.events_after(0, 5_000).await.unwrap().len(), 2_001);
}

#[tokio::test]
async fn later_batches_resolve_labels_the_writer_already_knows() {
    // The event writer remembers committed dictionary ids across batches: every event must
    // still read back with its own website, hostname, path and goal.
    let (_dir, store) = open();
    let site = WebsiteId::from_parts(2, [1; 8]);
    let other = WebsiteId::from_parts(2, [2; 8]);
    let with = |site, path: &str, goal: Option<&str>| Event {
        path: path.to_owned(),
        hostname: format!("{path}.example"),
        ..event(site, EventKind::Custom, "v1", goal)
    };
    let first = vec![with(site, "/a", Some("signup")), with(other, "/b", None)];
    let second = vec![
        with(other, "/a", None),
        with(site, "/b", Some("signup")),
        with(site, "/c", Some("checkout")),
    ];
    store.append_events(first.clone()).await.unwrap();
    store.append_events(second.clone()).await.unwrap();
    let stored = store.events_after(0, 10).await.unwrap();
    let read: Vec<(WebsiteId, String, String, Option<GoalName>)> = stored
        .into_iter()
        .map(|s| {
            (
                s.event.website_id,
                s.event.hostname,
                s.event.path,
                s.event.goal_name,
            )
        })
        .collect();
    let expected: Vec<(WebsiteId, String, String, Option<GoalName>)> = first
        .iter()
        .chain(&second)
        .map(|e| {
            (
                e.website_id,
                e.hostname.clone(),
                e.path.clone(),
                e.goal_name.clone(),
            )
        })
        .collect();
    assert_eq!(read, expected);
}
