//! The storage contract suite: what `ports/src/store.rs` promises, written once as `pub async fn`
//! cases over `&dyn Storage`, and instantiated for a backend by
//! [`storage_contract_tests!`](crate::storage_contract_tests) (one `#[tokio::test]` per case).
//! It also holds the fixtures the cases and the property tests share: deterministic ids, instants
//! and domain values, and the two backends under test.
//!
//! A case asserts only what a port's doc comment demands. Where a contract leaves a choice open
//! (ties in an ordering, which of two collisions is reported), the cases stay silent; the model
//! test (`tests/tests/storage_model.rs`) holds the backends to answering alike there.
// Fixtures and cases sit outside `#[test]` functions, where clippy's test exemption does not
// reach; a failed unwrap here is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use tempfile::TempDir;

use datafast_domain::access::WebsiteScope;
use datafast_domain::account::{Account, Email};
use datafast_domain::alert::{
    Alert, AlertLog, DeliveryCounts, DeliveryStatus, MAX_ALERTS_PER_WEBSITE,
};
use datafast_domain::apikey::{ApiKey, KeyIssuer, MAX_KEYS_PER_WEBSITE};
use datafast_domain::event::{Event, EventKind, EventOrigin, GoalEventFilter, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelStep, StepKind};
use datafast_domain::goal::{GoalCount, GoalCustomization, GoalEventType, GoalName};
use datafast_domain::id::{
    AccountId, AlertId, AlertLogId, ApiKeyId, FunnelId, InvitationId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::permission::{Permission, PermissionSet};
use datafast_domain::profile::VisitorProfile;
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::time::TimeZoneName;
use datafast_domain::token::AccessToken;
use datafast_domain::website::{
    ColorScheme, CountryCode, Currency, Domain, Hostname, IpRule, PathRule, RevenueMetric,
    TrackingId, Website, WebsiteSettings,
};
use datafast_memory::MemoryStore;
use datafast_ports::CredentialHash;
use datafast_ports::store::{Storage, StoreError, StoredEvent};
use datafast_sqlite::SqliteStore;

// ---------------------------------------------------------------------------------------------
// Backends under test
// ---------------------------------------------------------------------------------------------

/// A store under test, with whatever must live as long as it does.
pub trait Backend {
    fn store(&self) -> &dyn Storage;
}

impl Backend for MemoryStore {
    fn store(&self) -> &dyn Storage {
        self
    }
}

/// A SQLite store in a fresh database file, removed with the value.
#[derive(Debug)]
pub struct TempSqlite {
    // Declared before the directory so the connections close before the files go.
    store: SqliteStore,
    _dir: TempDir,
}

impl TempSqlite {
    /// Opens a fresh, migrated database in a new temporary directory.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("contract.db")).unwrap();
        Self { store, _dir: dir }
    }
}

impl Default for TempSqlite {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend for TempSqlite {
    fn store(&self) -> &dyn Storage {
        &self.store
    }
}

/// Expands to one `#[tokio::test]` per contract case, each on a fresh backend built by the
/// given expression (any [`Backend`]), e.g. `storage_contract_tests!(MemoryStore::new());`.
#[macro_export]
macro_rules! storage_contract_tests {
    ($fresh:expr) => {
        $crate::storage_contract_tests!(@each $fresh;
            accounts_round_trip,
            account_emails_are_unique,
            renaming_an_account,
            tokens_round_trip,
            token_hashes_are_unique,
            tokens_are_listed_newest_first_per_account,
            deleting_a_token,
            deleting_a_token_revokes_what_it_issued,
            touching_tokens,
            api_keys_round_trip_oldest_first,
            api_key_hashes_are_unique,
            api_key_limit_at_the_edge,
            api_key_limit_holds_under_concurrent_inserts,
            rolling_an_api_key,
            deleting_an_api_key,
            touching_api_keys,
            websites_round_trip_with_their_owner,
            website_domains_and_tracking_ids_are_unique,
            domains_are_unique_per_account,
            updating_a_website,
            websites_of_an_account_oldest_first_with_roles,
            invitations_round_trip_oldest_first,
            one_pending_invitation_per_website_and_email,
            accepting_an_invitation,
            accepting_for_a_member_leaves_the_invitation,
            accepting_a_missing_invitation,
            acceptance_is_atomic_under_concurrency,
            deleting_an_invitation,
            members_owner_first_then_by_join_time,
            removing_a_member,
            removing_a_member_revokes_their_keys,
            funnels_round_trip_oldest_first,
            funnel_names_are_unique_case_insensitively,
            updating_a_funnel,
            soft_deleted_funnels_vanish_and_free_their_name,
            alerts_round_trip_oldest_first,
            alert_limit_at_the_edge,
            alert_limit_holds_under_concurrent_inserts,
            updating_an_alert,
            deleting_an_alert_keeps_its_history,
            alerts_for_a_goal,
            alert_history_limit_order_and_counts,
            goal_customizations,
            provider_connections,
            goal_counts_from_appended_events,
            unique_visitors_from_appended_events,
            text_is_stored_verbatim,
            instants_are_kept_to_the_millisecond,
            sequence_numbers_grow_and_are_never_reused,
            events_after_pages_in_order_across_websites,
            a_large_mixed_batch_keeps_its_order_numbers_and_details,
            events_round_trip_with_every_detail,
            latest_pageview_is_the_visitors_last_appended_pageview,
            deleting_goal_events_by_visitor,
            a_visitor_whose_events_are_all_deleted_is_no_longer_counted,
            deleting_goal_events_by_name_and_inclusive_range,
            payments_round_trip_oldest_first,
            a_repeated_transaction_id_is_a_duplicate_on_its_website_only,
            a_payment_and_its_goal_event_are_stored_together,
            deleting_payments_removes_their_goal_events,
            profiles_round_trip_and_keep_their_first_id,
        );
    };
    (@each $fresh:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let backend = $fresh;
                $crate::contract::$case($crate::contract::Backend::store(&backend)).await;
            }
        )+
    };
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// Every fixture instant is this many seconds after the epoch plus a small offset (mid-2026).
pub const EPOCH_SECOND: i64 = 1_780_000_000;

/// `seconds` after the fixtures' epoch, on a whole second.
pub fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(EPOCH_SECOND + seconds).unwrap()
}

/// `millis` milliseconds after the fixtures' epoch.
pub fn at_ms(millis: i64) -> Timestamp {
    Timestamp::from_millisecond(EPOCH_SECOND * 1000 + millis).unwrap()
}

/// The random half of fixture ids: a tag per kind of id, then the number. Ids of every kind
/// share one creation second, so only the number orders them.
fn random_part(tag: u8, n: u32) -> [u8; 8] {
    let [a, b, c, d] = n.to_be_bytes();
    [tag, 0, 0, 0, a, b, c, d]
}

const ID_SECOND: u32 = 1_780_000_000;

pub fn account_id(n: u32) -> AccountId {
    AccountId::from_parts(ID_SECOND, random_part(1, n))
}
pub fn token_id(n: u32) -> TokenId {
    TokenId::from_parts(ID_SECOND, random_part(2, n))
}
pub fn website_id(n: u32) -> WebsiteId {
    WebsiteId::from_parts(ID_SECOND, random_part(3, n))
}
pub fn api_key_id(n: u32) -> ApiKeyId {
    ApiKeyId::from_parts(ID_SECOND, random_part(4, n))
}
pub fn invitation_id(n: u32) -> InvitationId {
    InvitationId::from_parts(ID_SECOND, random_part(5, n))
}
pub fn funnel_id(n: u32) -> FunnelId {
    FunnelId::from_parts(ID_SECOND, random_part(6, n))
}
pub fn alert_id(n: u32) -> AlertId {
    AlertId::from_parts(ID_SECOND, random_part(7, n))
}
pub fn alert_log_id(n: u32) -> AlertLogId {
    AlertLogId::from_parts(ID_SECOND, random_part(8, n))
}

pub fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

pub fn hash(text: &str) -> CredentialHash {
    CredentialHash::from_hex(text.to_owned())
}

pub fn goal(name: &str) -> GoalName {
    GoalName::parse(name).unwrap()
}

pub fn account(n: u32, address: &str) -> Account {
    Account {
        id: account_id(n),
        name: format!("Account {n}"),
        email: email(address),
        image: None,
        created_at: at(i64::from(n)),
    }
}

pub fn token(n: u32, account: AccountId, created_at: Timestamp) -> AccessToken {
    AccessToken {
        id: token_id(n),
        account_id: account,
        name: Some(format!("Token {n}")),
        display_key: format!("dft_{n:03}...beef"),
        permissions: PermissionSet::All,
        websites: WebsiteScope::All,
        created_by: None,
        created_at,
        last_used_at: None,
    }
}

/// The tracking id fixtures give website `n`.
pub fn tracking_id(n: u32) -> TrackingId {
    TrackingId::parse(&format!("dfid_site{n:04}")).unwrap()
}

pub fn website(n: u32, owner: AccountId, domain: &str) -> Website {
    Website {
        id: website_id(n),
        owner_id: owner,
        domain: Domain::parse(domain).unwrap(),
        tracking_id: tracking_id(n),
        created_at: at(i64::from(n)),
        settings: WebsiteSettings::new(format!("Site {n}"), TimeZoneName::default()),
    }
}

/// Settings with every field away from its default, so a round trip proves each one is kept.
pub fn rich_settings() -> WebsiteSettings {
    let mut settings = WebsiteSettings::new(
        "Ünïcode ✓ <b>shop</b>".to_owned(),
        TimeZoneName::parse("America/New_York").unwrap(),
    );
    settings.currency = Currency::parse("EUR").unwrap();
    settings.kpi = Some(goal("signup"));
    settings.kpi_color_scheme = ColorScheme::Teal;
    settings.revenue_metric = RevenueMetric::Mrr;
    settings.send_weekly_reports = true;
    settings.send_viral_traffic_alerts = true;
    settings.is_public_dashboard_enabled = true;
    settings.is_public_data_enabled = true;
    settings.is_cookieless = true;
    settings.is_attack_mode_enabled = true;
    settings.include_renewal_revenue = false;
    settings.allowed_hostnames = vec![
        Hostname::parse("*.example.com").unwrap(),
        Hostname::parse("localhost").unwrap(),
    ];
    settings.is_all_hostnames_allowed = true;
    settings.excluded_ips = vec![
        IpRule::parse("10.0.0.0/8").unwrap(),
        IpRule::parse("2001:db8::1").unwrap(),
    ];
    settings.excluded_paths = vec![PathRule::parse("/admin/*").unwrap()];
    settings.excluded_countries = vec![CountryCode::parse("FR").unwrap()];
    settings.excluded_hostnames = vec![Hostname::parse("staging.example.com").unwrap()];
    settings
}

pub fn api_key(n: u32, website: WebsiteId, created_at: Timestamp) -> ApiKey {
    ApiKey {
        id: api_key_id(n),
        website_id: website,
        name: format!("Key {n}"),
        display_key: format!("df_{n:03}...cafe"),
        issued_by: KeyIssuer {
            account: account_id(1),
            token: None,
            permissions: PermissionSet::All,
        },
        created_at,
        last_used_at: None,
    }
}

/// A key issuer other than the fixtures' default one: account `n` through its token `n`,
/// holding one permission.
pub fn key_issuer(n: u32) -> KeyIssuer {
    KeyIssuer {
        account: account_id(n),
        token: Some(token_id(n)),
        permissions: PermissionSet::Only([Permission::SettingsWrite].into()),
    }
}

pub fn invitation(
    n: u32,
    website: WebsiteId,
    address: &str,
    role: Role,
    created_at: Timestamp,
) -> Invitation {
    Invitation {
        id: invitation_id(n),
        website_id: website,
        email: email(address),
        role,
        invited_by: account_id(1),
        invited_by_token: None,
        created_at,
    }
}

pub fn membership(
    website: WebsiteId,
    account: AccountId,
    role: Role,
    joined_at: Timestamp,
) -> Membership {
    Membership {
        website_id: website,
        account_id: account,
        role,
        joined_at,
    }
}

pub fn funnel(n: u32, website: WebsiteId, name: &str, created_at: Timestamp) -> Funnel {
    Funnel {
        id: funnel_id(n),
        website_id: website,
        name: name.to_owned(),
        slug: format!("funnel-{n}"),
        steps: vec![
            FunnelStep {
                id: "landing".to_owned(),
                name: "Landing".to_owned(),
                kind: StepKind::Pageview {
                    url: "/pricing/*".to_owned(),
                },
            },
            FunnelStep {
                id: "signed-up".to_owned(),
                name: "Signed up ✓".to_owned(),
                kind: StepKind::Goal {
                    goal_name: goal("signup"),
                },
            },
        ],
        is_active: true,
        created_at,
        updated_at: created_at,
    }
}

pub fn alert(n: u32, website: WebsiteId, goal_name: &str, created_at: Timestamp) -> Alert {
    Alert {
        id: alert_id(n),
        website_id: website,
        name: format!("Alert {n}"),
        goal_name: goal(goal_name),
        subject: "New signup".to_owned(),
        message: "A visitor completed the goal.".to_owned(),
        webhook_url: Some("https://hooks.example.com/alert".to_owned()),
        is_enabled: true,
        created_at,
        updated_at: created_at,
    }
}

pub fn alert_log(
    n: u32,
    alert: &Alert,
    status: DeliveryStatus,
    triggered_at: Timestamp,
) -> AlertLog {
    AlertLog {
        id: alert_log_id(n),
        alert_id: alert.id,
        website_id: alert.website_id,
        alert_name: alert.name.clone(),
        goal_name: alert.goal_name.to_string(),
        status,
        error: (status == DeliveryStatus::Failed).then(|| "SMTP 550: mailbox unavailable".into()),
        visitor_id: Some(format!("visitor-{n}")),
        triggered_at,
    }
}

pub fn customization(goal_name: &str, display_name: Option<&str>) -> GoalCustomization {
    GoalCustomization {
        goal_name: goal(goal_name),
        display_name: display_name.map(str::to_owned),
        color: Some("#22c55e".to_owned()),
        description: None,
        updated_at: at(5),
    }
}

pub fn connection(provider: Provider, sealed: &[u8], connected_at: Timestamp) -> Connection {
    Connection {
        provider,
        sealed_credentials: sealed.to_vec(),
        connected_at,
        key_expires_at: None,
    }
}

pub fn event(website: WebsiteId, kind: EventKind, visitor: &str, goal_name: Option<&str>) -> Event {
    Event {
        website_id: website,
        kind,
        occurred_at: at(60),
        visitor_id: visitor.to_owned(),
        session_id: format!("session-of-{visitor}"),
        goal_name: goal_name.map(str::to_owned),
        hostname: "example.com".to_owned(),
        path: "/".to_owned(),
        context: VisitContext::unknown(),
        params: BTreeMap::new(),
        description: None,
        origin: EventOrigin::Client,
    }
}

/// A USD payment of 29.99 by `visitor` (when given) at `occurred_at`.
pub fn payment(
    website: WebsiteId,
    transaction_id: &str,
    visitor: Option<&str>,
    occurred_at: Timestamp,
) -> Payment {
    Payment {
        website_id: website,
        transaction_id: transaction_id.to_owned(),
        amount_minor: 2999,
        currency: Currency::parse("USD").unwrap(),
        visitor_id: visitor.map(str::to_owned),
        email: None,
        name: None,
        customer_id: None,
        renewal: false,
        refunded: false,
        free_trial: false,
        occurred_at,
    }
}

/// The goal event the payment use case stores with `payment`: kind payment, the payment's goal
/// name, its transaction id in the params.
pub fn payment_goal_event(payment: &Payment) -> Event {
    let mut goal_event = event(
        payment.website_id,
        EventKind::Payment,
        payment.visitor_id.as_deref().unwrap_or_default(),
        Some(payment.goal_name()),
    );
    goal_event.occurred_at = payment.occurred_at;
    goal_event.origin = EventOrigin::Server;
    goal_event
        .params
        .insert("transaction_id".to_owned(), payment.transaction_id.clone());
    goal_event
}

/// Records `payment` with its goal event, as the payment use case does.
async fn record_paid(store: &dyn Storage, payment: &Payment) {
    store
        .record_payment(payment, Some(payment_goal_event(payment)))
        .await
        .unwrap();
}

pub fn profile(
    website: WebsiteId,
    visitor: &str,
    profile_id: &str,
    identified_at: Timestamp,
) -> VisitorProfile {
    VisitorProfile {
        profile_id: profile_id.to_owned(),
        website_id: website,
        visitor_id: visitor.to_owned(),
        user_id: format!("user-of-{visitor}"),
        metadata: BTreeMap::new(),
        identified_at,
    }
}

/// Creates account `n` with a unique email, for cases that only need someone to exist.
async fn given_account(store: &dyn Storage, n: u32) -> Account {
    let account = account(n, &format!("person{n}@example.com"));
    store.create_account(&account).await.unwrap();
    account
}

/// Creates account `n` and website `n` owned by it.
async fn given_website(store: &dyn Storage, n: u32) -> Website {
    let owner = given_account(store, n).await;
    let website = website(n, owner.id, &format!("site{n}.example.com"));
    store.create_website(&website).await.unwrap();
    website
}

/// The ids of `rows`, in their order.
fn ids<T, I>(rows: &[T], id: impl Fn(&T) -> I) -> Vec<I> {
    rows.iter().map(id).collect()
}

// ---------------------------------------------------------------------------------------------
// Accounts
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Account tokens
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Website API keys
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Websites
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Team
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Funnels
// ---------------------------------------------------------------------------------------------

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
    changed.name = "SIGNUP flow".to_owned();
    changed.slug = "signup-flow".to_owned();
    changed.is_active = false;
    changed.updated_at = at(40);
    changed.steps.reverse();
    store.update_funnel(&changed).await.unwrap();
    let mut recased = changed.clone();
    recased.name = "signup FLOW".to_owned();
    store.update_funnel(&recased).await.unwrap();
    assert_eq!(
        store.funnel(site.id, original.id).await.unwrap(),
        Some(recased.clone())
    );

    let mut grabbing = recased.clone();
    grabbing.name = "checkout".to_owned();
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
        name: "paused".to_owned(),
        ..other
    };
    store.update_funnel(&renamed).await.unwrap();
    assert_eq!(
        store.funnels(site.id, true).await.unwrap(),
        vec![reborn, renamed]
    );
}

// ---------------------------------------------------------------------------------------------
// Alerts
// ---------------------------------------------------------------------------------------------

pub async fn alerts_round_trip_oldest_first(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let newer = alert(1, site.id, "signup", at(30));
    let mut older = alert(2, site.id, "payment", at(10));
    older.webhook_url = None;
    older.is_enabled = false;
    let elsewhere = alert(3, other.id, "signup", at(5));
    for alert in [&newer, &older, &elsewhere] {
        store
            .insert_alert(alert, MAX_ALERTS_PER_WEBSITE)
            .await
            .unwrap();
    }

    assert_eq!(
        store.alerts(site.id).await.unwrap(),
        vec![older.clone(), newer.clone()]
    );
    assert_eq!(store.alert(site.id, older.id).await.unwrap(), Some(older));
    assert_eq!(store.alert(other.id, newer.id).await.unwrap(), None);
    assert_eq!(store.alert(site.id, alert_id(99)).await.unwrap(), None);
    assert_eq!(store.alerts(other.id).await.unwrap(), vec![elsewhere]);
}

pub async fn alert_limit_at_the_edge(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let limit = MAX_ALERTS_PER_WEBSITE;
    for n in 0..limit {
        let n = u32::try_from(n).unwrap();
        store
            .insert_alert(&alert(n, site.id, "signup", at(i64::from(n))), limit)
            .await
            .unwrap();
    }
    let one_more = alert(100, site.id, "signup", at(100));
    assert_eq!(
        store.insert_alert(&one_more, limit).await,
        Err(StoreError::LimitReached)
    );
    assert_eq!(store.alerts(site.id).await.unwrap().len(), limit);
    assert_eq!(store.alert(site.id, one_more.id).await.unwrap(), None);

    store
        .insert_alert(&alert(200, other.id, "signup", at(1)), limit)
        .await
        .unwrap();
    assert_eq!(
        store
            .insert_alert(&alert(201, other.id, "signup", at(2)), 1)
            .await,
        Err(StoreError::LimitReached)
    );

    store.delete_alert(site.id, alert_id(0)).await.unwrap();
    store.insert_alert(&one_more, limit).await.unwrap();
    assert_eq!(store.alerts(site.id).await.unwrap().len(), limit);
}

pub async fn alert_limit_holds_under_concurrent_inserts(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let limit = MAX_ALERTS_PER_WEBSITE;
    for n in 0..limit - 1 {
        let n = u32::try_from(n).unwrap();
        store
            .insert_alert(&alert(n, site.id, "signup", at(0)), limit)
            .await
            .unwrap();
    }
    let racers = [101, 102, 103].map(|n| alert(n, site.id, "signup", at(1)));
    let (first, second, third) = tokio::join!(
        store.insert_alert(&racers[0], limit),
        store.insert_alert(&racers[1], limit),
        store.insert_alert(&racers[2], limit),
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
    assert_eq!(store.alerts(site.id).await.unwrap().len(), limit);
}

pub async fn updating_an_alert(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let original = alert(1, site.id, "signup", at(10));
    store.insert_alert(&original, 25).await.unwrap();

    let changed = Alert {
        name: "Renamed".to_owned(),
        goal_name: goal("payment"),
        subject: "Paid!".to_owned(),
        message: "Someone paid for the product.".to_owned(),
        webhook_url: None,
        is_enabled: false,
        updated_at: at(40),
        ..original.clone()
    };
    store.update_alert(&changed).await.unwrap();
    assert_eq!(
        store.alert(site.id, original.id).await.unwrap(),
        Some(changed.clone())
    );

    assert_eq!(
        store
            .update_alert(&alert(99, site.id, "signup", at(1)))
            .await,
        Err(StoreError::NotFound)
    );
    let moved = Alert {
        website_id: other.id,
        ..changed.clone()
    };
    assert_eq!(store.update_alert(&moved).await, Err(StoreError::NotFound));
    assert!(store.alerts(other.id).await.unwrap().is_empty());
    assert_eq!(store.alerts(site.id).await.unwrap(), vec![changed]);
}

pub async fn deleting_an_alert_keeps_its_history(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let doomed = alert(1, site.id, "signup", at(10));
    store.insert_alert(&doomed, 25).await.unwrap();
    let log = alert_log(1, &doomed, DeliveryStatus::Sent, at(20));
    store.insert_alert_log(&log).await.unwrap();

    assert_eq!(
        store.delete_alert(other.id, doomed.id).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.delete_alert(site.id, alert_id(99)).await,
        Err(StoreError::NotFound)
    );
    store.delete_alert(site.id, doomed.id).await.unwrap();
    assert_eq!(store.alert(site.id, doomed.id).await.unwrap(), None);
    assert!(store.alerts(site.id).await.unwrap().is_empty());
    assert_eq!(
        store.delete_alert(site.id, doomed.id).await,
        Err(StoreError::NotFound)
    );

    assert_eq!(
        store
            .alert_logs(site.id, Some(doomed.id), 50)
            .await
            .unwrap(),
        vec![log.clone()]
    );
    assert_eq!(
        store.alert_logs(site.id, None, 50).await.unwrap(),
        vec![log]
    );
    assert_eq!(
        store.alert_counts(site.id, None).await.unwrap(),
        DeliveryCounts { sent: 1, failed: 0 }
    );
}

pub async fn alerts_for_a_goal(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let later = alert(1, site.id, "signup", at(30));
    let earlier = alert(2, site.id, "signup", at(10));
    let disabled = Alert {
        is_enabled: false,
        ..alert(3, site.id, "signup", at(20))
    };
    let other_goal = alert(4, site.id, "payment", at(5));
    let other_site = alert(5, other.id, "signup", at(1));
    for alert in [&later, &earlier, &disabled, &other_goal, &other_site] {
        store.insert_alert(alert, 25).await.unwrap();
    }

    assert_eq!(
        store
            .alerts_for_goal(site.id, &goal("signup"))
            .await
            .unwrap(),
        vec![earlier, later]
    );
    assert_eq!(
        store
            .alerts_for_goal(site.id, &goal("payment"))
            .await
            .unwrap(),
        vec![other_goal]
    );
    assert!(
        store
            .alerts_for_goal(site.id, &goal("newsletter"))
            .await
            .unwrap()
            .is_empty()
    );
}

pub async fn alert_history_limit_order_and_counts(store: &dyn Storage) {
    let site = given_website(store, 1).await;
    let other = given_website(store, 2).await;
    let first = alert(1, site.id, "signup", at(1));
    let second = alert(2, site.id, "payment", at(2));
    let foreign = alert(3, other.id, "signup", at(3));
    for alert in [&first, &second, &foreign] {
        store.insert_alert(alert, 25).await.unwrap();
    }
    // Inserted out of time order, so the order must come from the instants.
    let logs = [
        alert_log(1, &first, DeliveryStatus::Sent, at(30)),
        alert_log(2, &first, DeliveryStatus::Sent, at(10)),
        alert_log(3, &second, DeliveryStatus::Failed, at(25)),
        alert_log(4, &first, DeliveryStatus::Failed, at(20)),
        alert_log(5, &second, DeliveryStatus::Sent, at(15)),
        alert_log(6, &foreign, DeliveryStatus::Sent, at(40)),
    ];
    for log in &logs {
        store.insert_alert_log(log).await.unwrap();
    }

    let newest_first = store.alert_logs(site.id, None, 50).await.unwrap();
    assert_eq!(
        ids(&newest_first, |l| l.id),
        [1, 3, 4, 5, 2].map(alert_log_id)
    );
    assert_eq!(newest_first[1], logs[2]);
    assert_eq!(
        ids(&store.alert_logs(site.id, None, 2).await.unwrap(), |l| l.id),
        [1, 3].map(alert_log_id)
    );
    assert_eq!(
        ids(
            &store.alert_logs(site.id, Some(first.id), 2).await.unwrap(),
            |l| l.id
        ),
        [1, 4].map(alert_log_id)
    );
    assert_eq!(
        ids(
            &store
                .alert_logs(site.id, Some(second.id), 100)
                .await
                .unwrap(),
            |l| l.id
        ),
        [3, 5].map(alert_log_id)
    );
    // Another website's alert is not in this website's history.
    assert!(
        store
            .alert_logs(site.id, Some(foreign.id), 50)
            .await
            .unwrap()
            .is_empty()
    );

    // Counts cover the whole selection, whatever a page would hold.
    assert_eq!(
        store.alert_counts(site.id, None).await.unwrap(),
        DeliveryCounts { sent: 3, failed: 2 }
    );
    assert_eq!(
        store.alert_counts(site.id, Some(first.id)).await.unwrap(),
        DeliveryCounts { sent: 2, failed: 1 }
    );
    assert_eq!(
        store.alert_counts(site.id, Some(foreign.id)).await.unwrap(),
        DeliveryCounts::default()
    );
    assert_eq!(
        store.alert_counts(other.id, None).await.unwrap(),
        DeliveryCounts { sent: 1, failed: 0 }
    );
    assert_eq!(
        store.alert_counts(website_id(99), None).await.unwrap(),
        DeliveryCounts::default()
    );
}

// ---------------------------------------------------------------------------------------------
// Goal customizations and provider connections
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// Goal counts in a fixed order, since the contract orders them by nothing.
fn sorted_counts(mut counts: Vec<GoalCount>) -> Vec<GoalCount> {
    counts.sort_by(|a, b| {
        (a.name.as_str(), a.event_type == GoalEventType::Payment)
            .cmp(&(b.name.as_str(), b.event_type == GoalEventType::Payment))
    });
    counts
}

fn count(name: &str, event_type: GoalEventType, total: u64, unique_visitors: u64) -> GoalCount {
    GoalCount {
        name: name.to_owned(),
        event_type,
        total,
        unique_visitors,
    }
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

pub async fn unique_visitors_from_appended_events(store: &dyn Storage) {
    let site = website_id(1);
    let other = website_id(2);
    assert_eq!(store.unique_visitors(site).await.unwrap(), 0);
    store
        .append_events(vec![
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Custom, "v2", Some("signup")),
            event(other, EventKind::Pageview, "v3", None),
        ])
        .await
        .unwrap();
    store
        .append_events(vec![
            event(site, EventKind::Identify, "v3", None),
            event(site, EventKind::ExternalLink, "v2", None),
            // Visitor ids are compared exactly: case makes another visitor.
            event(site, EventKind::Pageview, "V1", None),
        ])
        .await
        .unwrap();
    assert_eq!(store.unique_visitors(site).await.unwrap(), 4);
    assert_eq!(store.unique_visitors(other).await.unwrap(), 1);
    assert_eq!(store.unique_visitors(website_id(99)).await.unwrap(), 0);
}

// ---------------------------------------------------------------------------------------------
// Verbatim text and time precision
// ---------------------------------------------------------------------------------------------

/// Strings that break naive SQL, LIKE patterns, escaping and byte-length assumptions.
pub const AWKWARD_TEXT: &[&str] = &[
    "Robert'); DROP TABLE accounts;--",
    "' OR '1'='1",
    "100% _match_ \\ backslash",
    "👩‍💻 Zoë Ωmega — “quoted” ‘text’",
    "مرحبا بالعالم",
    "<script>alert(\"x\")</script>",
    "line one\nline two\ttabbed",
];

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

    // Event labels count verbatim too.
    let visitors: BTreeSet<&str> = AWKWARD_TEXT.iter().copied().collect();
    let events: Vec<Event> = AWKWARD_TEXT
        .iter()
        .map(|text| event(site.id, EventKind::Custom, text, Some(text)))
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
    assert_eq!(
        names,
        AWKWARD_TEXT.iter().map(|t| (*t).to_owned()).collect()
    );
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

// ---------------------------------------------------------------------------------------------
// Event sequence numbers, reads and deletes
// ---------------------------------------------------------------------------------------------

/// Every stored event, in sequence order.
async fn all_events(store: &dyn Storage) -> Vec<StoredEvent> {
    store.events_after(0, usize::MAX).await.unwrap()
}

/// `event` at `seconds` on `path`, so events of one visitor tell apart.
fn event_at(
    website: WebsiteId,
    kind: EventKind,
    visitor: &str,
    goal_name: Option<&str>,
    seconds: i64,
) -> Event {
    Event {
        occurred_at: at(seconds),
        path: format!("/at/{seconds}"),
        ..event(website, kind, visitor, goal_name)
    }
}

fn strictly_increasing(seqs: &[u64]) -> bool {
    seqs.windows(2).all(|pair| pair[0] < pair[1])
}

pub async fn sequence_numbers_grow_and_are_never_reused(store: &dyn Storage) {
    let site = website_id(1);
    assert_eq!(
        store.append_events(Vec::new()).await.unwrap(),
        Vec::<u64>::new()
    );
    let first = store
        .append_events(vec![
            event(site, EventKind::Pageview, "v1", None),
            event(site, EventKind::Custom, "v1", Some("signup")),
            event(website_id(2), EventKind::Pageview, "v2", None),
        ])
        .await
        .unwrap();
    assert_eq!(first.len(), 3);
    assert!(strictly_increasing(&first), "{first:?}");

    // The newest events go: their numbers must not come back.
    let doomed = store
        .append_events(vec![
            event(site, EventKind::Custom, "v9", Some("doomed")),
            event(site, EventKind::Custom, "v9", Some("doomed")),
        ])
        .await
        .unwrap();
    assert!(doomed[0] > first[2] && strictly_increasing(&doomed));
    let filter = GoalEventFilter {
        visitor_id: Some("v9".to_owned()),
        ..GoalEventFilter::default()
    };
    assert_eq!(store.delete_goal_events(site, &filter).await.unwrap(), 2);
    let paid = payment(site, "tx_doomed", Some("v9"), at(70));
    record_paid(store, &paid).await;
    let by_id = PaymentFilter {
        transaction_id: Some("tx_doomed".to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 1);

    let after = store
        .append_events(vec![event(site, EventKind::Pageview, "v3", None)])
        .await
        .unwrap();
    assert_eq!(after.len(), 1);
    // Above the deleted goal events and the deleted payment's goal event alike.
    assert!(after[0] > doomed[1] + 1, "{after:?} after {doomed:?}");

    let stored = all_events(store).await;
    let seqs: Vec<u64> = stored.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [first, after].concat());
    assert_eq!(stored[3].event.visitor_id, "v3");
}

pub async fn events_after_pages_in_order_across_websites(store: &dyn Storage) {
    let (one, two) = (website_id(1), website_id(2));
    let mut appended = Vec::new();
    for batch in 0..3_i64 {
        let events = vec![
            event_at(one, EventKind::Pageview, "v1", None, 100 - batch),
            event_at(two, EventKind::Custom, "v2", Some("signup"), batch),
            event_at(one, EventKind::Identify, "v3", None, 50),
        ];
        let seqs = store.append_events(events.clone()).await.unwrap();
        appended.extend(seqs.into_iter().zip(events));
    }

    // Pages of two, each resuming after the last number seen.
    let mut paged = Vec::new();
    let mut after = 0;
    loop {
        let page = store.events_after(after, 2).await.unwrap();
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = last.seq;
        paged.extend(page.into_iter().map(|e| (e.seq, e.event)));
    }
    assert_eq!(paged, appended);

    let (third_seq, _) = &appended[2];
    let rest = store.events_after(*third_seq, 100).await.unwrap();
    assert_eq!(rest.len(), appended.len() - 3);
    assert_eq!(
        (rest[0].seq, &rest[0].event),
        (appended[3].0, &appended[3].1)
    );
    assert!(store.events_after(0, 0).await.unwrap().is_empty());
    assert!(store.events_after(after, 10).await.unwrap().is_empty());
    assert!(store.events_after(u64::MAX, 10).await.unwrap().is_empty());
}

/// One append far larger than a backend's internal chunks (the SQLite writer inserts several
/// rows per statement): every event comes back once, in order, under the number the append
/// returned, with its own details, and the numbers only grow.
pub async fn a_large_mixed_batch_keeps_its_order_numbers_and_details(store: &dyn Storage) {
    let (one, two) = (website_id(1), website_id(2));
    let events: Vec<Event> = (0..53_i64)
        .map(|n| {
            let site = if n % 5 == 0 { two } else { one };
            let visitor = format!("visitor-{n}");
            let mut event = if n % 3 == 0 {
                event_at(site, EventKind::Custom, &visitor, Some("signup"), n)
            } else {
                event_at(site, EventKind::Pageview, &visitor, None, n)
            };
            if n % 3 == 0 {
                event.params.insert("plan".to_owned(), format!("plan {n}"));
            }
            if n % 7 == 0 {
                event.description = Some(format!("described {n}"));
            }
            event.path = format!("/page/{}", n % 4);
            event
        })
        .collect();
    let seqs = store.append_events(events.clone()).await.unwrap();
    assert_eq!(seqs.len(), events.len());
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "{seqs:?}");

    let stored = store.events_after(0, 1000).await.unwrap();
    let read: Vec<(u64, Event)> = stored.into_iter().map(|s| (s.seq, s.event)).collect();
    let expected: Vec<(u64, Event)> = seqs.into_iter().zip(events).collect();
    assert_eq!(read, expected);
}

/// A visit context with every field set, drawn from `text` so two contexts can differ.
fn full_context(text: &str) -> VisitContext {
    VisitContext {
        referrer: Some(format!("{text}.example.org")),
        source: format!("Source {text}"),
        utm_source: Some(format!("utm-source {text}")),
        utm_medium: Some(format!("utm-medium {text}")),
        utm_campaign: Some(format!("utm-campaign {text}")),
        utm_term: Some(format!("utm-term {text}")),
        utm_content: Some(format!("utm-content {text}")),
        ref_param: Some(format!("ref {text}")),
        source_param: Some(format!("source {text}")),
        via: Some(format!("via {text}")),
        browser: format!("Browser {text}"),
        browser_version: Some(format!("131.0 {text}")),
        os: format!("OS {text}"),
        os_version: Some(format!("10.15.7 {text}")),
        device: format!("device {text}"),
        country: Some("DE".to_owned()),
        region: Some(format!("Region {text}")),
        city: Some(format!("City {text}")),
    }
}

pub async fn events_round_trip_with_every_detail(store: &dyn Storage) {
    let site = website_id(1);
    let fine = Timestamp::new(EPOCH_SECOND, 123_456_789).unwrap();
    let kept = Timestamp::new(EPOCH_SECOND, 123_000_000).unwrap();

    let mut rich = event(site, EventKind::Custom, "v1", Some("signup"));
    rich.occurred_at = fine;
    rich.context = full_context("Zoë ✓ 'quoted'");
    rich.params = AWKWARD_TEXT
        .iter()
        .enumerate()
        .map(|(index, text)| (format!("{text} {index}"), (*text).to_owned()))
        .chain([("empty".to_owned(), String::new())])
        .collect();
    rich.description = Some(AWKWARD_TEXT[0].to_owned());
    rich.origin = EventOrigin::Server;

    // Contexts that differ in one field, or only in an empty versus a missing value, stay apart.
    let mut near = rich.clone();
    near.kind = EventKind::Pageview;
    near.goal_name = None;
    near.context.city = Some("Elsewhere".to_owned());
    near.params = BTreeMap::new();
    near.description = None;
    near.origin = EventOrigin::Client;
    let mut empty_fields = near.clone();
    empty_fields.context.referrer = Some(String::new());
    empty_fields.context.utm_term = Some(String::new());
    let mut only_description = event(site, EventKind::Custom, "v2", Some("signup"));
    only_description.description = Some("described".to_owned());
    let mut outbound = event(site, EventKind::ExternalLink, "v2", None);
    outbound.params = [
        (
            "url".to_owned(),
            "https://out.example.com/?a=1&b=2".to_owned(),
        ),
        ("text".to_owned(), "Out".to_owned()),
    ]
    .into_iter()
    .collect();

    // Visitor and session ids read back exactly, whatever their shape: UUIDs in either case,
    // the tracker's `s` + UUID sessions, near-UUIDs and the empty id of an anonymous payment.
    const UUID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
    let shaped_ids = [
        (UUID.to_owned(), format!("s{UUID}")),
        (UUID.to_ascii_uppercase(), format!("S{UUID}")),
        (
            format!("{UUID}0"),
            format!("s{}", UUID.to_ascii_uppercase()),
        ),
        (UUID.replace('e', "g"), format!("s{UUID}s")),
        (UUID.replace('-', "_"), UUID.to_owned()),
        (String::new(), String::new()),
    ];
    let mut events = vec![
        rich.clone(),
        near.clone(),
        empty_fields.clone(),
        event(site, EventKind::Pageview, "v2", None),
        only_description.clone(),
        outbound.clone(),
    ];
    for (visitor, session) in &shaped_ids {
        let mut shaped = event(site, EventKind::Custom, visitor, Some("signup"));
        shaped.session_id.clone_from(session);
        events.push(shaped);
    }
    store.append_events(events.clone()).await.unwrap();

    let expected: Vec<Event> = events
        .into_iter()
        .map(|e| Event {
            occurred_at: if e.occurred_at == fine {
                kept
            } else {
                e.occurred_at
            },
            ..e
        })
        .collect();
    let stored: Vec<Event> = all_events(store)
        .await
        .into_iter()
        .map(|e| e.event)
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(
        store.latest_pageview(site, "v1").await.unwrap(),
        Some(expected[2].clone())
    );
    assert_eq!(
        store.unique_visitors(site).await.unwrap(),
        2 + shaped_ids.len() as u64
    );
}

pub async fn latest_pageview_is_the_visitors_last_appended_pageview(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    assert_eq!(store.latest_pageview(site, "v1").await.unwrap(), None);

    let mut first = event_at(site, EventKind::Pageview, "v1", None, 10);
    first.context = full_context("first");
    store
        .append_events(vec![
            first.clone(),
            event_at(site, EventKind::Custom, "v1", Some("signup"), 20),
            event_at(site, EventKind::Identify, "v1", None, 21),
            event_at(site, EventKind::ExternalLink, "v1", None, 22),
            event_at(other, EventKind::Pageview, "v1", None, 23),
            event_at(site, EventKind::Pageview, "v2", None, 24),
            event_at(site, EventKind::Pageview, "V1", None, 25),
        ])
        .await
        .unwrap();
    assert_eq!(
        store.latest_pageview(site, "v1").await.unwrap(),
        Some(first)
    );

    // Append order decides, not the instant the event carries.
    let mut later = event_at(site, EventKind::Pageview, "v1", None, 5);
    later.context = full_context("later");
    store.append_events(vec![later.clone()]).await.unwrap();
    assert_eq!(
        store.latest_pageview(site, "v1").await.unwrap(),
        Some(later)
    );
    assert_eq!(
        store.latest_pageview(other, "v1").await.unwrap(),
        Some(event_at(other, EventKind::Pageview, "v1", None, 23))
    );
    assert_eq!(store.latest_pageview(site, "v9").await.unwrap(), None);
    assert_eq!(
        store.latest_pageview(website_id(99), "v1").await.unwrap(),
        None
    );
}

/// The goal names and visitors of the website's stored events, in order.
async fn goal_events_of(
    store: &dyn Storage,
    website: WebsiteId,
) -> Vec<(EventKind, String, String)> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| e.event.website_id == website && e.event.goal_name.is_some())
        .map(|e| {
            let name = e.event.goal_name.unwrap_or_default();
            (e.event.kind, e.event.visitor_id, name)
        })
        .collect()
}

fn goal_row(kind: EventKind, visitor: &str, name: &str) -> (EventKind, String, String) {
    (kind, visitor.to_owned(), name.to_owned())
}

/// Distinct visitors and latest pageviews follow deletions: a visitor whose only events were
/// goal events (or a payment's goal event) that got deleted no longer counts, and the others
/// keep their answers, including pageviews appended after the deletion.
pub async fn a_visitor_whose_events_are_all_deleted_is_no_longer_counted(store: &dyn Storage) {
    let site = website_id(1);
    let paid = payment(site, "tx_1", Some("buyer"), at(5));
    record_paid(store, &paid).await;
    store
        .append_events(vec![
            event_at(site, EventKind::Custom, "goal-only", Some("signup"), 10),
            event_at(site, EventKind::Pageview, "reader", None, 11),
        ])
        .await
        .unwrap();
    assert_eq!(store.unique_visitors(site).await.unwrap(), 3);

    let by_visitor = GoalEventFilter {
        visitor_id: Some("goal-only".to_owned()),
        ..GoalEventFilter::default()
    };
    assert_eq!(
        store.delete_goal_events(site, &by_visitor).await.unwrap(),
        1
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 2);
    let by_id = PaymentFilter {
        transaction_id: Some("tx_1".to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 1);
    assert_eq!(store.unique_visitors(site).await.unwrap(), 1);

    store
        .append_events(vec![event_at(
            site,
            EventKind::Pageview,
            "reader",
            None,
            20,
        )])
        .await
        .unwrap();
    let latest = store
        .latest_pageview(site, "reader")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.occurred_at, at(20));
    assert!(
        store
            .latest_pageview(site, "goal-only")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 1);
}

pub async fn deleting_goal_events_by_visitor(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let paid = payment(site, "tx_1", Some("v1"), at(15));
    record_paid(store, &paid).await;
    store
        .append_events(vec![
            event_at(site, EventKind::Custom, "v1", Some("signup"), 10),
            event_at(site, EventKind::Pageview, "v1", None, 11),
            event_at(site, EventKind::Custom, "v1", Some("newsletter"), 12),
            event_at(site, EventKind::Custom, "v2", Some("signup"), 13),
            event_at(other, EventKind::Custom, "v1", Some("signup"), 14),
        ])
        .await
        .unwrap();

    let by_visitor = GoalEventFilter {
        visitor_id: Some("v1".to_owned()),
        ..GoalEventFilter::default()
    };
    assert_eq!(
        store.delete_goal_events(site, &by_visitor).await.unwrap(),
        2
    );
    // The payment's goal event, the pageview, another visitor and another website stay.
    assert_eq!(
        goal_events_of(store, site).await,
        vec![
            goal_row(EventKind::Payment, "v1", "payment"),
            goal_row(EventKind::Custom, "v2", "signup"),
        ]
    );
    assert_eq!(all_events(store).await.len(), 4);
    assert_eq!(
        goal_events_of(store, other).await,
        vec![goal_row(EventKind::Custom, "v1", "signup")]
    );
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("payment", GoalEventType::Payment, 1, 1),
            count("signup", GoalEventType::Custom, 1, 1),
        ]
    );
    assert_eq!(
        store.delete_goal_events(site, &by_visitor).await.unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_goal_events(website_id(99), &by_visitor)
            .await
            .unwrap(),
        0
    );
    // With no condition, every custom goal event of the website goes, and nothing else.
    assert_eq!(
        store
            .delete_goal_events(site, &GoalEventFilter::default())
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        goal_events_of(store, site).await,
        vec![goal_row(EventKind::Payment, "v1", "payment")]
    );
    assert_eq!(store.payments(site).await.unwrap(), vec![paid]);
}

pub async fn deleting_goal_events_by_name_and_inclusive_range(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    store
        .append_events(vec![
            event_at(site, EventKind::Custom, "v1", Some("signup"), 29),
            event_at(site, EventKind::Custom, "v1", Some("signup"), 30),
            event_at(site, EventKind::Custom, "v2", Some("signup"), 35),
            event_at(site, EventKind::Custom, "v3", Some("signup"), 40),
            event_at(site, EventKind::Custom, "v1", Some("signup"), 41),
            event_at(site, EventKind::Custom, "v1", Some("Signup"), 35),
            event_at(site, EventKind::Custom, "v1", Some("newsletter"), 35),
            event_at(site, EventKind::Payment, "v1", Some("signup"), 35),
            event_at(other, EventKind::Custom, "v1", Some("signup"), 35),
        ])
        .await
        .unwrap();

    // Names compare exactly; both bounds are inclusive.
    let signups_in_range = GoalEventFilter {
        goal_name: Some("signup".to_owned()),
        from: Some(at(30)),
        to: Some(at(40)),
        ..GoalEventFilter::default()
    };
    assert_eq!(
        store
            .delete_goal_events(site, &signups_in_range)
            .await
            .unwrap(),
        3
    );
    let left: Vec<(String, Timestamp)> = all_events(store)
        .await
        .into_iter()
        .filter(|e| e.event.website_id == site)
        .map(|e| (e.event.goal_name.unwrap_or_default(), e.event.occurred_at))
        .collect();
    assert_eq!(
        left,
        vec![
            ("signup".to_owned(), at(29)),
            ("signup".to_owned(), at(41)),
            ("Signup".to_owned(), at(35)),
            ("newsletter".to_owned(), at(35)),
            ("signup".to_owned(), at(35)),
        ]
    );
    assert_eq!(goal_events_of(store, other).await.len(), 1);

    // An open range on one side.
    let from_41 = GoalEventFilter {
        from: Some(at(41)),
        ..GoalEventFilter::default()
    };
    assert_eq!(store.delete_goal_events(site, &from_41).await.unwrap(), 1);
    let until_29 = GoalEventFilter {
        to: Some(at(29)),
        ..GoalEventFilter::default()
    };
    assert_eq!(store.delete_goal_events(site, &until_29).await.unwrap(), 1);
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("Signup", GoalEventType::Custom, 1, 1),
            count("newsletter", GoalEventType::Custom, 1, 1),
            count("signup", GoalEventType::Payment, 1, 1),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Payments
// ---------------------------------------------------------------------------------------------

pub async fn payments_round_trip_oldest_first(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    assert!(store.payments(site).await.unwrap().is_empty());
    let fine = Timestamp::new(EPOCH_SECOND + 5, 987_654_321).unwrap();
    let full = Payment {
        amount_minor: 150_000,
        currency: Currency::parse("JPY").unwrap(),
        email: Some("o'brien+pay@example.com".to_owned()),
        name: Some(AWKWARD_TEXT[3].to_owned()),
        customer_id: Some("cus_%_1".to_owned()),
        renewal: true,
        refunded: true,
        free_trial: true,
        ..payment(site, "tx_full", Some("v1"), fine)
    };
    let anonymous = payment(site, "tx_anonymous", None, at(1));
    let tie_b = payment(site, "tx_b", Some("v2"), at(3));
    let tie_a = payment(site, "tx_a", Some("v3"), at(3));
    let elsewhere = payment(other, "tx_other", Some("v1"), at(0));
    for recorded in [&full, &anonymous, &tie_b, &tie_a, &elsewhere] {
        assert_eq!(
            store.record_payment(recorded, None).await.unwrap(),
            PaymentRecord::Recorded
        );
    }
    let full_kept = Payment {
        occurred_at: Timestamp::new(EPOCH_SECOND + 5, 987_000_000).unwrap(),
        ..full
    };
    assert_eq!(
        store.payments(site).await.unwrap(),
        vec![anonymous, tie_a, tie_b, full_kept]
    );
    assert_eq!(store.payments(other).await.unwrap(), vec![elsewhere]);
    assert!(store.payments(website_id(99)).await.unwrap().is_empty());
    // Without a goal event, nothing enters the event log.
    assert!(all_events(store).await.is_empty());
}

pub async fn a_repeated_transaction_id_is_a_duplicate_on_its_website_only(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let original = payment(site, "tx_1", Some("v1"), at(1));
    assert_eq!(
        store
            .record_payment(&original, Some(payment_goal_event(&original)))
            .await
            .unwrap(),
        PaymentRecord::Recorded
    );
    let again = Payment {
        amount_minor: 1,
        visitor_id: Some("v2".to_owned()),
        free_trial: true,
        occurred_at: at(2),
        ..original.clone()
    };
    assert_eq!(
        store
            .record_payment(&again, Some(payment_goal_event(&again)))
            .await
            .unwrap(),
        PaymentRecord::Duplicate
    );
    assert_eq!(
        store.record_payment(&again, None).await.unwrap(),
        PaymentRecord::Duplicate
    );
    // Nothing of the duplicate was stored: neither the payment nor its goal event.
    assert_eq!(store.payments(site).await.unwrap(), vec![original.clone()]);
    assert_eq!(
        store.goal_counts(site).await.unwrap(),
        vec![count("payment", GoalEventType::Payment, 1, 1)]
    );
    assert_eq!(all_events(store).await.len(), 1);

    // The same transaction id on another website is another payment.
    let elsewhere = Payment {
        website_id: other,
        ..original.clone()
    };
    assert_eq!(
        store
            .record_payment(&elsewhere, Some(payment_goal_event(&elsewhere)))
            .await
            .unwrap(),
        PaymentRecord::Recorded
    );
    assert_eq!(store.payments(other).await.unwrap(), vec![elsewhere]);
    assert_eq!(store.payments(site).await.unwrap(), vec![original]);
}

pub async fn a_payment_and_its_goal_event_are_stored_together(store: &dyn Storage) {
    let site = website_id(1);
    let paid = payment(site, "tx_1", Some("v1"), at(1));
    let mut goal_event = payment_goal_event(&paid);
    goal_event.context = full_context("paid");
    goal_event.session_id = "session-paid".to_owned();
    let trial = Payment {
        free_trial: true,
        ..payment(site, "tx_2", Some("v2"), at(2))
    };
    let repeat = payment(site, "tx_3", Some("v1"), at(3));
    store
        .record_payment(&paid, Some(goal_event.clone()))
        .await
        .unwrap();
    store
        .record_payment(&trial, Some(payment_goal_event(&trial)))
        .await
        .unwrap();
    store
        .record_payment(&repeat, Some(payment_goal_event(&repeat)))
        .await
        .unwrap();
    store
        .record_payment(&payment(site, "tx_4", None, at(4)), None)
        .await
        .unwrap();
    store
        .append_events(vec![event(site, EventKind::Custom, "v3", Some("payment"))])
        .await
        .unwrap();

    let stored = all_events(store).await;
    let events: Vec<Event> = stored.iter().map(|e| e.event.clone()).collect();
    assert_eq!(
        events,
        vec![
            goal_event,
            payment_goal_event(&trial),
            payment_goal_event(&repeat),
            event(site, EventKind::Custom, "v3", Some("payment")),
        ]
    );
    assert!(strictly_increasing(
        &stored.iter().map(|e| e.seq).collect::<Vec<_>>()
    ));
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("free_trial", GoalEventType::Payment, 1, 1),
            count("payment", GoalEventType::Custom, 1, 1),
            count("payment", GoalEventType::Payment, 2, 1),
        ]
    );
    assert_eq!(store.unique_visitors(site).await.unwrap(), 3);
    assert_eq!(store.payments(site).await.unwrap().len(), 4);
}

/// The transaction ids of the website's payments, oldest first.
async fn transaction_ids(store: &dyn Storage, website: WebsiteId) -> Vec<String> {
    ids(&store.payments(website).await.unwrap(), |p| {
        p.transaction_id.clone()
    })
}

/// The transaction ids the website's stored goal events carry, in order.
async fn goal_event_transactions(store: &dyn Storage, website: WebsiteId) -> Vec<String> {
    all_events(store)
        .await
        .into_iter()
        .filter(|e| e.event.website_id == website && e.event.kind == EventKind::Payment)
        .filter_map(|e| e.event.params.get("transaction_id").cloned())
        .collect()
}

pub async fn deleting_payments_removes_their_goal_events(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    let payments = [
        payment(site, "tx_1", Some("v1"), at(10)),
        payment(site, "tx_2", Some("v1"), at(20)),
        payment(site, "tx_3", Some("v2"), at(30)),
        payment(site, "tx_4", Some("v2"), at(40)),
        payment(site, "tx_5", None, at(50)),
        payment(site, "tx_6", Some("v3"), at(60)),
        payment(other, "tx_1", Some("v1"), at(10)),
    ];
    for paid in &payments {
        store
            .record_payment(paid, Some(payment_goal_event(paid)))
            .await
            .unwrap();
    }
    store
        .append_events(vec![event_at(
            site,
            EventKind::Custom,
            "v1",
            Some("payment"),
            20,
        )])
        .await
        .unwrap();

    // A transaction id selects that payment alone, whatever else the filter says.
    let by_id = PaymentFilter {
        transaction_id: Some("tx_1".to_owned()),
        visitor_id: Some("v2".to_owned()),
        from: Some(at(1000)),
        to: None,
    };
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 1);
    assert_eq!(
        transaction_ids(store, site).await,
        ["tx_2", "tx_3", "tx_4", "tx_5", "tx_6"]
    );
    assert_eq!(
        goal_event_transactions(store, site).await,
        ["tx_2", "tx_3", "tx_4", "tx_5", "tx_6"]
    );
    assert_eq!(store.delete_payments(site, &by_id).await.unwrap(), 0);

    let by_visitor = PaymentFilter {
        visitor_id: Some("v2".to_owned()),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_visitor).await.unwrap(), 2);
    assert_eq!(transaction_ids(store, site).await, ["tx_2", "tx_5", "tx_6"]);
    assert_eq!(
        goal_event_transactions(store, site).await,
        ["tx_2", "tx_5", "tx_6"]
    );

    // Both bounds are inclusive.
    let by_range = PaymentFilter {
        from: Some(at(20)),
        to: Some(at(50)),
        ..PaymentFilter::default()
    };
    assert_eq!(store.delete_payments(site, &by_range).await.unwrap(), 2);
    assert_eq!(transaction_ids(store, site).await, ["tx_6"]);
    assert_eq!(goal_event_transactions(store, site).await, ["tx_6"]);
    assert_eq!(
        sorted_counts(store.goal_counts(site).await.unwrap()),
        vec![
            count("payment", GoalEventType::Custom, 1, 1),
            count("payment", GoalEventType::Payment, 1, 1),
        ]
    );

    // Another website's payment with the same id, and the custom goal, were never touched.
    assert_eq!(transaction_ids(store, other).await, ["tx_1"]);
    assert_eq!(goal_event_transactions(store, other).await, ["tx_1"]);
    assert_eq!(
        store
            .delete_payments(website_id(99), &PaymentFilter::default())
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .delete_payments(site, &PaymentFilter::default())
            .await
            .unwrap(),
        1
    );
    assert!(store.payments(site).await.unwrap().is_empty());
    // A deleted transaction id may be recorded again.
    assert_eq!(
        store
            .record_payment(&payments[0], Some(payment_goal_event(&payments[0])))
            .await
            .unwrap(),
        PaymentRecord::Recorded
    );
    assert_eq!(goal_event_transactions(store, site).await, ["tx_1"]);
}

// ---------------------------------------------------------------------------------------------
// Visitor profiles
// ---------------------------------------------------------------------------------------------

pub async fn profiles_round_trip_and_keep_their_first_id(store: &dyn Storage) {
    let (site, other) = (website_id(1), website_id(2));
    assert_eq!(store.profile(site, "v1").await.unwrap(), None);

    let fine = Timestamp::new(EPOCH_SECOND, 123_456_789).unwrap();
    let kept = Timestamp::new(EPOCH_SECOND, 123_000_000).unwrap();
    let mut first = profile(site, "v1", "prof_first", fine);
    first.metadata = AWKWARD_TEXT
        .iter()
        .enumerate()
        .map(|(index, text)| (format!("key {index} {text}"), (*text).to_owned()))
        .collect();
    let saved = store.save_profile(&first).await.unwrap();
    let first_kept = VisitorProfile {
        identified_at: kept,
        ..first.clone()
    };
    assert_eq!(saved, first_kept);
    assert_eq!(store.profile(site, "v1").await.unwrap(), Some(first_kept));

    // A later identify replaces everything but the profile id.
    let replacement = VisitorProfile {
        profile_id: "prof_second".to_owned(),
        user_id: "user-42".to_owned(),
        metadata: [("name".to_owned(), "Ada".to_owned())]
            .into_iter()
            .collect(),
        ..profile(site, "v1", "", at(10))
    };
    let replaced = store.save_profile(&replacement).await.unwrap();
    let expected = VisitorProfile {
        profile_id: "prof_first".to_owned(),
        ..replacement
    };
    assert_eq!(replaced, expected);
    assert_eq!(store.profile(site, "v1").await.unwrap(), Some(expected));

    // Per website and per visitor, compared exactly.
    let elsewhere = profile(other, "v1", "prof_other", at(11));
    assert_eq!(store.save_profile(&elsewhere).await.unwrap(), elsewhere);
    assert_eq!(
        store.profile(other, "v1").await.unwrap(),
        Some(elsewhere.clone())
    );
    assert_eq!(store.profile(site, "V1").await.unwrap(), None);
    assert_eq!(store.profile(site, "v2").await.unwrap(), None);
    assert_eq!(
        store
            .profile(site, "v1")
            .await
            .unwrap()
            .map(|p| p.profile_id),
        Some("prof_first".to_owned())
    );

    // Listing: the website's profiles by visitor id, none of another website's.
    store
        .save_profile(&profile(site, "v0", "prof_zero", at(12)))
        .await
        .unwrap();
    let listed: Vec<(String, String)> = store
        .profiles(site)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.visitor_id, p.profile_id))
        .collect();
    assert_eq!(
        listed,
        [
            ("v0".to_owned(), "prof_zero".to_owned()),
            ("v1".to_owned(), "prof_first".to_owned())
        ]
    );
    assert_eq!(store.profiles(other).await.unwrap(), [elsewhere]);
}
