//! The SQLite store against the in-memory model: random sequences of storage operations are
//! applied to a fresh store of each kind, every call must return the same `Result` on both, and
//! every read of the resulting state must agree. Nothing is normalised: the two backends must
//! answer alike even where a port contract leaves a choice open (ties in an ordering, which of
//! two collisions is reported, orphan rows).
//!
//! Operations draw from small pools of emails, hashes, domains, names, visitor ids and
//! transaction ids so that collisions, limits, duplicate payments and case-insensitive clashes
//! happen often, and refer to earlier rows by index, with one "ghost" id per kind that never
//! exists so that `NotFound` paths are exercised too.

// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Debug;

use jiff::Timestamp;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use datafast_domain::access::WebsiteScope;
use datafast_domain::account::Account;
use datafast_domain::alert::{Alert, AlertLog, DeliveryStatus};
use datafast_domain::apikey::ApiKey;
use datafast_domain::event::{
    DeviceKind, Event, EventKind, EventOrigin, GoalEventFilter, VisitContext,
};
use datafast_domain::funnel::Funnel;
use datafast_domain::goal::GoalCustomization;
use datafast_domain::id::{
    AccountId, AlertId, ApiKeyId, FunnelId, InvitationId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::permission::PermissionSet;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::token::AccessToken;
use datafast_domain::website::{Currency, TrackingId, Website};
use datafast_memory::MemoryStore;
use datafast_ports::CredentialHash;
use datafast_ports::store::{Storage, StoreResult, StoredEvent};
use datafast_tests::contract::{
    self, Backend, TempSqlite, account_id, alert_id, alert_log_id, api_key_id, at_ms, email,
    funnel_id, goal, hash, invitation_id, token_id, website_id,
};

const EMAILS: &[&str] = &[
    "ana@example.com",
    "bo@example.org",
    "o'brien+x@example.com",
    "zoe@example.net",
];
const HASHES: &[&str] = &["h0", "h1", "h2", "h3", "h4", "' OR 1=1 --"];
const DOMAINS: &[&str] = &[
    "a.example.com",
    "b.example.com",
    "shop.example.org",
    "xn--bcher-kva.example",
];
const TRACKING_IDS: &[&str] = &["dfid_t0", "dfid_t1", "dfid_t2", "dfid_t3"];
const NAMES: &[&str] = &["Ada", "Grace ✓", "Robert'); DROP TABLE x;--", "Zoë"];
const FUNNEL_NAMES: &[&str] = &[
    "Signup",
    "SIGNUP",
    "Über",
    "üBER",
    "Checkout",
    "\u{212A}elvin",
    "kelvin",
];
const GOALS: &[&str] = &["signup", "payment", "trial_started", "checkout"];
const EVENT_GOALS: &[Option<&str>] = &[Some("signup"), Some("payment"), Some("Signup"), None];
const EVENT_KINDS: &[EventKind] = &[
    EventKind::Pageview,
    EventKind::Custom,
    EventKind::Payment,
    EventKind::Identify,
    EventKind::ExternalLink,
];
/// Visitor ids, UUID-shaped ones in both cases among them: stores may keep those compactly.
const VISITORS: &[&str] = &[
    "v0",
    "v1",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    "0F8FAD5B-D9CB-469F-A165-70867728950E",
];
const TRANSACTIONS: &[&str] = &["tx_0", "tx_1", "tx_2", "TX_0"];
const KEY_LIMITS: &[usize] = &[0, 2, 3, 10, 10];
const ALERT_LIMITS: &[usize] = &[0, 2, 3, 25, 25];

/// One storage call, in terms of pool indexes and earlier rows; [`World::resolve`] turns it
/// into concrete arguments. Small numbers shrink towards the first pool entries.
#[derive(Debug, Clone)]
enum Op {
    CreateAccount {
        email: u8,
        name: u8,
    },
    RenameAccount {
        account: u8,
        name: u8,
    },
    InsertToken {
        account: u8,
        hash: u8,
        created: u8,
        scoped: bool,
    },
    DeleteToken {
        account: u8,
        token: u8,
    },
    TouchTokens {
        token: u8,
        other: u8,
        at: u8,
    },
    CreateWebsite {
        owner: u8,
        domain: u8,
        tracking: u8,
        created: u8,
    },
    UpdateWebsite {
        website: u8,
        domain: u8,
        name: u8,
    },
    DeleteWebsite {
        website: u8,
    },
    InsertKey {
        website: u8,
        hash: u8,
        limit: u8,
        created: u8,
    },
    RollKey {
        website: u8,
        key: u8,
        hash: u8,
    },
    DeleteKey {
        website: u8,
        key: u8,
    },
    TouchKeys {
        key: u8,
        at: u8,
    },
    InsertInvitation {
        website: u8,
        email: u8,
        member: bool,
        created: u8,
    },
    AcceptInvitation {
        invitation: u8,
        account: u8,
        member: bool,
        joined: u8,
    },
    DeleteInvitation {
        website: u8,
        invitation: u8,
    },
    RemoveMember {
        website: u8,
        account: u8,
    },
    InsertFunnel {
        website: u8,
        name: u8,
        active: bool,
        created: u8,
    },
    UpdateFunnel {
        website: u8,
        funnel: u8,
        name: u8,
        active: bool,
    },
    DeleteFunnel {
        website: u8,
        funnel: u8,
    },
    InsertAlert {
        website: u8,
        goal: u8,
        enabled: bool,
        limit: u8,
        created: u8,
    },
    UpdateAlert {
        website: u8,
        alert: u8,
        goal: u8,
        enabled: bool,
    },
    DeleteAlert {
        website: u8,
        alert: u8,
    },
    InsertAlertLog {
        alert: u8,
        failed: bool,
        triggered: u8,
    },
    SaveCustomization {
        website: u8,
        goal: u8,
        name: u8,
    },
    SaveConnection {
        website: u8,
        provider: u8,
        sealed: u8,
    },
    DeleteConnection {
        website: u8,
        provider: u8,
    },
    /// Per event: website, kind, visitor, goal name, and the details (context, params,
    /// description, origin, sub-millisecond digits).
    AppendEvents {
        events: Vec<(u8, u8, u8, u8, u8)>,
    },
    RecordPayment {
        website: u8,
        transaction: u8,
        visitor: u8,
        at: u8,
        goal_event: bool,
        free_trial: bool,
    },
    DeletePayments {
        website: u8,
        transaction: u8,
        visitor: u8,
        from: u8,
        to: u8,
    },
    DeleteGoalEvents {
        website: u8,
        visitor: u8,
        goal: u8,
        from: u8,
        to: u8,
    },
    SaveProfile {
        website: u8,
        visitor: u8,
        user: u8,
        at: u8,
    },
    /// The event log from some sequence number, and one visitor's latest pageview.
    ReadEvents {
        after: u8,
        limit: u8,
        website: u8,
        visitor: u8,
    },
    /// Reads what a backend may serve from a cache, between writes that must invalidate it.
    ReadDirectory {
        website: u8,
        account: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let n = || any::<u8>();
    let flag = || any::<bool>();
    prop_oneof![
        3 => (n(), n()).prop_map(|(email, name)| Op::CreateAccount { email, name }),
        1 => (n(), n()).prop_map(|(account, name)| Op::RenameAccount { account, name }),
        2 => (n(), n(), n(), flag()).prop_map(|(account, hash, created, scoped)| {
            Op::InsertToken { account, hash, created, scoped }
        }),
        1 => (n(), n()).prop_map(|(account, token)| Op::DeleteToken { account, token }),
        1 => (n(), n(), n()).prop_map(|(token, other, at)| Op::TouchTokens { token, other, at }),
        3 => (n(), n(), n(), n()).prop_map(|(owner, domain, tracking, created)| {
            Op::CreateWebsite { owner, domain, tracking, created }
        }),
        1 => (n(), n(), n()).prop_map(|(website, domain, name)| {
            Op::UpdateWebsite { website, domain, name }
        }),
        1 => n().prop_map(|website| Op::DeleteWebsite { website }),
        3 => (n(), n(), n(), n()).prop_map(|(website, hash, limit, created)| {
            Op::InsertKey { website, hash, limit, created }
        }),
        1 => (n(), n(), n()).prop_map(|(website, key, hash)| Op::RollKey { website, key, hash }),
        1 => (n(), n()).prop_map(|(website, key)| Op::DeleteKey { website, key }),
        1 => (n(), n()).prop_map(|(key, at)| Op::TouchKeys { key, at }),
        3 => (n(), n(), flag(), n()).prop_map(|(website, email, member, created)| {
            Op::InsertInvitation { website, email, member, created }
        }),
        3 => (n(), n(), flag(), n()).prop_map(|(invitation, account, member, joined)| {
            Op::AcceptInvitation { invitation, account, member, joined }
        }),
        1 => (n(), n()).prop_map(|(website, invitation)| {
            Op::DeleteInvitation { website, invitation }
        }),
        1 => (n(), n()).prop_map(|(website, account)| Op::RemoveMember { website, account }),
        3 => (n(), n(), flag(), n()).prop_map(|(website, name, active, created)| {
            Op::InsertFunnel { website, name, active, created }
        }),
        2 => (n(), n(), n(), flag()).prop_map(|(website, funnel, name, active)| {
            Op::UpdateFunnel { website, funnel, name, active }
        }),
        1 => (n(), n()).prop_map(|(website, funnel)| Op::DeleteFunnel { website, funnel }),
        2 => (n(), n(), flag(), n(), n()).prop_map(|(website, goal, enabled, limit, created)| {
            Op::InsertAlert { website, goal, enabled, limit, created }
        }),
        1 => (n(), n(), n(), flag()).prop_map(|(website, alert, goal, enabled)| {
            Op::UpdateAlert { website, alert, goal, enabled }
        }),
        1 => (n(), n()).prop_map(|(website, alert)| Op::DeleteAlert { website, alert }),
        2 => (n(), flag(), n()).prop_map(|(alert, failed, triggered)| {
            Op::InsertAlertLog { alert, failed, triggered }
        }),
        1 => (n(), n(), n()).prop_map(|(website, goal, name)| {
            Op::SaveCustomization { website, goal, name }
        }),
        1 => (n(), n(), n()).prop_map(|(website, provider, sealed)| {
            Op::SaveConnection { website, provider, sealed }
        }),
        1 => (n(), n()).prop_map(|(website, provider)| Op::DeleteConnection { website, provider }),
        3 => proptest::collection::vec((n(), n(), n(), n(), n()), 0..6)
            .prop_map(|events| Op::AppendEvents { events }),
        3 => (n(), n(), n(), n(), flag(), flag()).prop_map(
            |(website, transaction, visitor, at, goal_event, free_trial)| Op::RecordPayment {
                website, transaction, visitor, at, goal_event, free_trial,
            },
        ),
        2 => (n(), n(), n(), n(), n()).prop_map(|(website, transaction, visitor, from, to)| {
            Op::DeletePayments { website, transaction, visitor, from, to }
        }),
        2 => (n(), n(), n(), n(), n()).prop_map(|(website, visitor, goal, from, to)| {
            Op::DeleteGoalEvents { website, visitor, goal, from, to }
        }),
        2 => (n(), n(), n(), n()).prop_map(|(website, visitor, user, at)| {
            Op::SaveProfile { website, visitor, user, at }
        }),
        2 => (n(), n(), n(), n()).prop_map(|(after, limit, website, visitor)| {
            Op::ReadEvents { after, limit, website, visitor }
        }),
        4 => (n(), n()).prop_map(|(website, account)| Op::ReadDirectory { website, account }),
    ]
}

/// One storage call with concrete arguments, ready to run on any backend.
#[derive(Debug, Clone)]
enum Action {
    CreateAccount(Account),
    RenameAccount(AccountId, String),
    InsertToken(AccessToken, CredentialHash),
    DeleteToken(AccountId, TokenId),
    TouchTokens(Vec<(TokenId, Timestamp)>),
    CreateWebsite(Website),
    UpdateWebsite(Website),
    DeleteWebsite(WebsiteId),
    InsertKey(ApiKey, CredentialHash, usize),
    RollKey(WebsiteId, ApiKeyId, CredentialHash, String),
    DeleteKey(WebsiteId, ApiKeyId),
    TouchKeys(Vec<(ApiKeyId, Timestamp)>),
    InsertInvitation(Invitation),
    AcceptInvitation(InvitationId, Membership),
    DeleteInvitation(WebsiteId, InvitationId),
    RemoveMember(WebsiteId, AccountId),
    InsertFunnel(Funnel),
    UpdateFunnel(Funnel),
    DeleteFunnel(WebsiteId, FunnelId, Timestamp),
    InsertAlert(Alert, usize),
    UpdateAlert(Alert),
    DeleteAlert(WebsiteId, AlertId),
    InsertAlertLog(AlertLog),
    SaveCustomization(WebsiteId, GoalCustomization),
    SaveConnection(WebsiteId, Connection),
    DeleteConnection(WebsiteId, Provider),
    AppendEvents(Vec<Event>),
    RecordPayment(Payment, Option<Box<Event>>),
    DeletePayments(WebsiteId, PaymentFilter),
    DeleteGoalEvents(WebsiteId, GoalEventFilter),
    SaveProfile(VisitorProfile),
    ReadEvents(u64, usize, WebsiteId, String),
    ReadDirectory(WebsiteId, AccountId),
}

/// What a call returned, whatever its type, so results of both backends compare directly.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done(StoreResult<()>),
    Account(StoreResult<Account>),
    Key(StoreResult<ApiKey>),
    Removed(StoreResult<bool>),
    Appended(StoreResult<Vec<u64>>),
    Payment(StoreResult<PaymentRecord>),
    Deleted(StoreResult<u64>),
    Profile(StoreResult<VisitorProfile>),
    Events(Box<EventReads>),
    Directory(Box<DirectoryReads>),
}

/// A page of the event log and one visitor's latest pageview.
#[derive(Debug, PartialEq)]
struct EventReads {
    after: StoreResult<Vec<StoredEvent>>,
    latest_pageview: StoreResult<Option<Event>>,
}

/// The reads a backend may answer from a cache of websites and memberships.
#[derive(Debug, PartialEq)]
struct DirectoryReads {
    website: StoreResult<Option<Website>>,
    role: StoreResult<Option<Role>>,
    websites_of: StoreResult<Vec<(Website, Role)>>,
}

impl Action {
    async fn run(&self, store: &dyn Storage) -> Outcome {
        use Outcome::Done;
        match self {
            Action::CreateAccount(account) => Done(store.create_account(account).await),
            Action::RenameAccount(id, name) => {
                Outcome::Account(store.rename_account(*id, name).await)
            }
            Action::InsertToken(token, hash) => Done(store.insert_token(token, hash).await),
            Action::DeleteToken(account, id) => Done(store.delete_token(*account, *id).await),
            Action::TouchTokens(uses) => Done(store.touch_tokens(uses).await),
            Action::CreateWebsite(website) => Done(store.create_website(website).await),
            Action::UpdateWebsite(website) => Done(store.update_website(website).await),
            Action::DeleteWebsite(id) => Done(store.delete_website(*id).await),
            Action::InsertKey(key, hash, limit) => {
                Done(store.insert_api_key(key, hash, *limit).await)
            }
            Action::RollKey(website, id, hash, display) => {
                let issuer = contract::key_issuer(2);
                Outcome::Key(
                    store
                        .roll_api_key(*website, *id, hash, display, &issuer)
                        .await,
                )
            }
            Action::DeleteKey(website, id) => Done(store.delete_api_key(*website, *id).await),
            Action::TouchKeys(uses) => Done(store.touch_api_keys(uses).await),
            Action::InsertInvitation(invitation) => Done(store.insert_invitation(invitation).await),
            Action::AcceptInvitation(id, membership) => {
                Done(store.accept_invitation(*id, membership).await)
            }
            Action::DeleteInvitation(website, id) => {
                Done(store.delete_invitation(*website, *id).await)
            }
            Action::RemoveMember(website, account) => {
                Done(store.remove_member(*website, *account).await)
            }
            Action::InsertFunnel(funnel) => Done(store.insert_funnel(funnel).await),
            Action::UpdateFunnel(funnel) => Done(store.update_funnel(funnel).await),
            Action::DeleteFunnel(website, id, at) => {
                Done(store.delete_funnel(*website, *id, *at).await)
            }
            Action::InsertAlert(alert, limit) => Done(store.insert_alert(alert, *limit).await),
            Action::UpdateAlert(alert) => Done(store.update_alert(alert).await),
            Action::DeleteAlert(website, id) => Done(store.delete_alert(*website, *id).await),
            Action::InsertAlertLog(log) => Done(store.insert_alert_log(log).await),
            Action::SaveCustomization(website, customization) => {
                Done(store.save_customization(*website, customization).await)
            }
            Action::SaveConnection(website, connection) => {
                Done(store.save_connection(*website, connection).await)
            }
            Action::DeleteConnection(website, provider) => {
                Outcome::Removed(store.delete_connection(*website, *provider).await)
            }
            Action::AppendEvents(events) => {
                Outcome::Appended(store.append_events(events.clone()).await)
            }
            Action::RecordPayment(payment, goal_event) => Outcome::Payment(
                store
                    .record_payment(payment, goal_event.as_deref().cloned())
                    .await,
            ),
            Action::DeletePayments(website, filter) => {
                Outcome::Deleted(store.delete_payments(*website, filter).await)
            }
            Action::DeleteGoalEvents(website, filter) => {
                Outcome::Deleted(store.delete_goal_events(*website, filter).await)
            }
            Action::SaveProfile(profile) => Outcome::Profile(store.save_profile(profile).await),
            Action::ReadEvents(after, limit, website, visitor) => {
                Outcome::Events(Box::new(EventReads {
                    after: store.events_after(*after, *limit).await,
                    latest_pageview: store.latest_pageview(*website, visitor).await,
                }))
            }
            Action::ReadDirectory(website, account) => {
                Outcome::Directory(Box::new(DirectoryReads {
                    website: store.website(*website).await,
                    role: store.role_of(*website, *account).await,
                    websites_of: store.websites_of(*account).await,
                }))
            }
        }
    }
}

/// The rows created so far, for later calls to refer to (rows deleted since stay, so that
/// `NotFound` paths come up). Ids come from a step counter, so no two calls ever reuse one: a
/// repeated id is a caller fault outside the contract.
#[derive(Debug, Default)]
struct World {
    step: u32,
    accounts: Vec<AccountId>,
    tokens: Vec<(TokenId, AccountId)>,
    websites: Vec<WebsiteId>,
    keys: Vec<(ApiKeyId, WebsiteId)>,
    invitations: Vec<(InvitationId, WebsiteId)>,
    funnels: Vec<(FunnelId, WebsiteId)>,
    alerts: Vec<Alert>,
    /// Memberships made (by website creation or acceptance), for removals to aim at.
    memberships: Vec<(WebsiteId, AccountId)>,
}

/// The id no call ever creates, for `NotFound` paths.
const GHOST: u32 = u32::MAX;

/// Picks one of `pool` by `choice`, or `ghost` one time in eight (and while `pool` is empty).
fn pick<T: Copy>(pool: &[T], choice: u8, ghost: T) -> T {
    if pool.is_empty() || choice % 8 == 7 {
        return ghost;
    }
    pool[usize::from(choice / 8) % pool.len()]
}

/// The entry of a fixed pool that `choice` names.
fn entry<'a, T: ?Sized>(pool: &[&'a T], choice: u8) -> &'a T {
    pool[usize::from(choice) % pool.len()]
}

/// The per-website limit of a fixed pool that `choice` names.
fn limit_of(pool: &[usize], choice: u8) -> usize {
    pool[usize::from(choice) % pool.len()]
}

/// Instants a quarter second apart within two seconds, so that ties are frequent.
fn instant(choice: u8) -> Timestamp {
    at_ms(i64::from(choice % 8) * 250)
}

/// `instant(choice)`, with digits below the millisecond that stores must drop when `fine`.
fn maybe_fine(choice: u8, fine: bool) -> Timestamp {
    let instant = instant(choice);
    if fine {
        Timestamp::new(instant.as_second(), instant.subsec_nanosecond() + 456_789).unwrap()
    } else {
        instant
    }
}

/// `value(choice)` two times in three.
fn sometimes<T>(choice: u8, value: impl FnOnce(u8) -> T) -> Option<T> {
    (!choice.is_multiple_of(3)).then(|| value(choice / 3))
}

/// `value(choice)` one time in three, so that filters with several conditions still select
/// something often.
fn rarely<T>(choice: u8, value: impl FnOnce(u8) -> T) -> Option<T> {
    choice.is_multiple_of(3).then(|| value(choice / 3))
}

/// One of three contexts: nothing known, or one of two that differ in a single field.
fn visit_context(choice: u8) -> VisitContext {
    if choice.is_multiple_of(3) {
        return VisitContext::unknown();
    }
    VisitContext {
        referrer: Some("news.example.org".to_owned()),
        source: "news.example.org".to_owned(),
        utm_source: Some("newsletter".to_owned()),
        utm_medium: Some("email".to_owned()),
        utm_campaign: Some("launch ✓".to_owned()),
        utm_term: Some(String::new()),
        utm_content: Some("hero".to_owned()),
        ref_param: Some("friend".to_owned()),
        source_param: None,
        via: Some("ada".to_owned()),
        browser: "Firefox".to_owned(),
        browser_version: (choice % 3 == 1).then(|| "133.0".to_owned()),
        os: "Linux".to_owned(),
        os_version: None,
        device: DeviceKind::Desktop,
        country: Some("DE".to_owned()),
        region: Some("Berlin".to_owned()),
        city: (choice % 3 == 1).then(|| "Berlin".to_owned()),
    }
}

impl World {
    /// Forgets what a refused creation would have added, once both backends refused it.
    fn settle(&mut self, action: &Action, outcome: &Outcome) {
        if !matches!(outcome, Outcome::Done(Err(_))) {
            return;
        }
        fn forget_last<T: PartialEq>(pool: &mut Vec<T>, refused: &T) {
            if let Some(at) = pool.iter().rposition(|row| row == refused) {
                pool.remove(at);
            }
        }
        match action {
            Action::CreateAccount(account) => forget_last(&mut self.accounts, &account.id),
            Action::InsertToken(token, _) => {
                forget_last(&mut self.tokens, &(token.id, token.account_id));
            }
            Action::CreateWebsite(website) => {
                forget_last(&mut self.websites, &website.id);
                forget_last(&mut self.memberships, &(website.id, website.owner_id));
            }
            Action::InsertKey(key, _, _) => forget_last(&mut self.keys, &(key.id, key.website_id)),
            Action::InsertInvitation(invitation) => forget_last(
                &mut self.invitations,
                &(invitation.id, invitation.website_id),
            ),
            Action::AcceptInvitation(_, membership) => forget_last(
                &mut self.memberships,
                &(membership.website_id, membership.account_id),
            ),
            Action::InsertFunnel(funnel) => {
                forget_last(&mut self.funnels, &(funnel.id, funnel.website_id));
            }
            Action::InsertAlert(alert, _) => forget_last(&mut self.alerts, alert),
            _ => {}
        }
    }

    fn next_id(&mut self) -> u32 {
        self.step += 1;
        self.step
    }

    fn account(&self, choice: u8) -> AccountId {
        pick(&self.accounts, choice, account_id(GHOST))
    }

    fn website(&self, choice: u8) -> WebsiteId {
        pick(&self.websites, choice, website_id(GHOST))
    }

    /// Usually the row's own website, one time in six any website, so both paths happen.
    fn website_for(&self, own: WebsiteId, choice: u8) -> WebsiteId {
        if choice % 6 == 5 {
            self.website(choice / 6)
        } else {
            own
        }
    }

    fn token(&self, choice: u8) -> (TokenId, AccountId) {
        pick(&self.tokens, choice, (token_id(GHOST), account_id(GHOST)))
    }

    fn alert(&self, choice: u8) -> Alert {
        let ghost = contract::alert(GHOST, website_id(GHOST), "signup", instant(0));
        pick(&self.alerts.iter().collect::<Vec<_>>(), choice, &ghost).clone()
    }

    fn resolve(&mut self, op: &Op) -> Action {
        match *op {
            Op::CreateAccount { email: e, name } => {
                let id = account_id(self.next_id());
                self.accounts.push(id);
                Action::CreateAccount(Account {
                    id,
                    name: entry(NAMES, name).to_owned(),
                    email: email(entry(EMAILS, e)),
                    image: (name % 2 == 0).then(|| "https://img.example.com/a.png".to_owned()),
                    created_at: instant(name),
                })
            }
            Op::RenameAccount { account, name } => {
                Action::RenameAccount(self.account(account), entry(NAMES, name).to_owned())
            }
            Op::InsertToken {
                account,
                hash: h,
                created,
                scoped,
            } => {
                let id = token_id(self.next_id());
                let account = self.account(account);
                self.tokens.push((id, account));
                let mut token = contract::token(0, account, instant(created));
                token.id = id;
                if scoped {
                    token.name = None;
                    token.permissions =
                        PermissionSet::parse(&["analytics:read", "funnels:write"]).unwrap();
                    token.websites = WebsiteScope::from_ids([self.website(created)]);
                    token.last_used_at = Some(instant(created / 8));
                }
                Action::InsertToken(token, hash(entry(HASHES, h)))
            }
            Op::DeleteToken { account, token } => {
                let (id, own) = self.token(token);
                // Usually the token's own account, one time in six any account.
                let account = if account % 6 == 5 {
                    self.account(account / 6)
                } else {
                    own
                };
                Action::DeleteToken(account, id)
            }
            Op::TouchTokens { token, other, at } => Action::TouchTokens(vec![
                (self.token(token).0, instant(at)),
                (self.token(other).0, instant(at / 8)),
            ]),
            Op::CreateWebsite {
                owner,
                domain,
                tracking,
                created,
            } => {
                let id = website_id(self.next_id());
                let owner = self.account(owner);
                self.websites.push(id);
                self.memberships.push((id, owner));
                Action::CreateWebsite(Website {
                    id,
                    created_at: instant(created),
                    tracking_id: TrackingId::parse(entry(TRACKING_IDS, tracking)).unwrap(),
                    ..contract::website(0, owner, entry(DOMAINS, domain))
                })
            }
            Op::UpdateWebsite {
                website,
                domain,
                name,
            } => {
                // Owner, tracking id and creation differ from what is stored: both backends
                // must ignore them alike.
                let mut changed = contract::website(0, account_id(GHOST), entry(DOMAINS, domain));
                changed.id = self.website(website);
                changed.tracking_id = TrackingId::parse(entry(TRACKING_IDS, name)).unwrap();
                changed.settings.name = entry(NAMES, name).to_owned();
                changed.settings.kpi = (name % 2 == 0).then(|| goal("signup"));
                Action::UpdateWebsite(changed)
            }
            Op::DeleteWebsite { website } => Action::DeleteWebsite(self.website(website)),
            Op::InsertKey {
                website,
                hash: h,
                limit,
                created,
            } => {
                let id = api_key_id(self.next_id());
                let website = self.website(website);
                self.keys.push((id, website));
                let key = ApiKey {
                    id,
                    last_used_at: (created % 2 == 0).then(|| instant(created / 2)),
                    ..contract::api_key(0, website, instant(created))
                };
                Action::InsertKey(key, hash(entry(HASHES, h)), limit_of(KEY_LIMITS, limit))
            }
            Op::RollKey {
                website,
                key,
                hash: h,
            } => {
                let (id, own) = pick(&self.keys, key, (api_key_id(GHOST), website_id(GHOST)));
                Action::RollKey(
                    self.website_for(own, website),
                    id,
                    hash(entry(HASHES, h)),
                    format!("df_{h}...roll"),
                )
            }
            Op::DeleteKey { website, key } => {
                let (id, own) = pick(&self.keys, key, (api_key_id(GHOST), website_id(GHOST)));
                Action::DeleteKey(self.website_for(own, website), id)
            }
            Op::TouchKeys { key, at } => {
                let (id, _) = pick(&self.keys, key, (api_key_id(GHOST), website_id(GHOST)));
                Action::TouchKeys(vec![(id, instant(at))])
            }
            Op::InsertInvitation {
                website,
                email: e,
                member,
                created,
            } => {
                let id = invitation_id(self.next_id());
                let website = self.website(website);
                self.invitations.push((id, website));
                Action::InsertInvitation(Invitation {
                    id,
                    website_id: website,
                    email: email(entry(EMAILS, e)),
                    role: if member { Role::Member } else { Role::Viewer },
                    invited_by: self.account(created),
                    invited_by_token: None,
                    created_at: instant(created),
                })
            }
            Op::AcceptInvitation {
                invitation,
                account,
                member,
                joined,
            } => {
                let (id, website) = pick(
                    &self.invitations,
                    invitation,
                    (invitation_id(GHOST), website_id(GHOST)),
                );
                let account = self.account(account);
                self.memberships.push((website, account));
                Action::AcceptInvitation(
                    id,
                    Membership {
                        website_id: website,
                        account_id: account,
                        role: if member { Role::Member } else { Role::Viewer },
                        // Few distinct join instants, so members often tie on them.
                        joined_at: instant(joined % 2),
                    },
                )
            }
            Op::DeleteInvitation {
                website,
                invitation,
            } => {
                let (id, own) = pick(
                    &self.invitations,
                    invitation,
                    (invitation_id(GHOST), website_id(GHOST)),
                );
                Action::DeleteInvitation(self.website_for(own, website), id)
            }
            Op::RemoveMember { website, account } => {
                let ghost = (website_id(GHOST), account_id(GHOST));
                let (own, member) = pick(&self.memberships, account, ghost);
                Action::RemoveMember(self.website_for(own, website), member)
            }
            Op::InsertFunnel {
                website,
                name,
                active,
                created,
            } => {
                let id = funnel_id(self.next_id());
                let website = self.website(website);
                self.funnels.push((id, website));
                let mut funnel =
                    contract::funnel(0, website, entry(FUNNEL_NAMES, name), instant(created));
                funnel.id = id;
                funnel.is_active = active;
                Action::InsertFunnel(funnel)
            }
            Op::UpdateFunnel {
                website,
                funnel,
                name,
                active,
            } => {
                let (id, own) = pick(&self.funnels, funnel, (funnel_id(GHOST), website_id(GHOST)));
                let website = self.website_for(own, website);
                let mut changed =
                    contract::funnel(0, website, entry(FUNNEL_NAMES, name), instant(name));
                changed.id = id;
                changed.is_active = active;
                changed.slug = format!("renamed-{name}");
                changed.steps.reverse();
                Action::UpdateFunnel(changed)
            }
            Op::DeleteFunnel { website, funnel } => {
                let (id, own) = pick(&self.funnels, funnel, (funnel_id(GHOST), website_id(GHOST)));
                Action::DeleteFunnel(self.website_for(own, website), id, instant(website))
            }
            Op::InsertAlert {
                website,
                goal: g,
                enabled,
                limit,
                created,
            } => {
                let mut alert =
                    contract::alert(0, self.website(website), entry(GOALS, g), instant(created));
                alert.id = alert_id(self.next_id());
                alert.is_enabled = enabled;
                self.alerts.push(alert.clone());
                Action::InsertAlert(alert, limit_of(ALERT_LIMITS, limit))
            }
            Op::UpdateAlert {
                website,
                alert,
                goal: g,
                enabled,
            } => {
                let original = self.alert(alert);
                Action::UpdateAlert(Alert {
                    website_id: self.website_for(original.website_id, website),
                    name: format!("Renamed {g}"),
                    goal_name: goal(entry(GOALS, g)),
                    webhook_url: None,
                    is_enabled: enabled,
                    updated_at: instant(g),
                    ..original
                })
            }
            Op::DeleteAlert { website, alert } => {
                let alert = self.alert(alert);
                Action::DeleteAlert(self.website_for(alert.website_id, website), alert.id)
            }
            Op::InsertAlertLog {
                alert,
                failed,
                triggered,
            } => {
                let owner = self.alert(alert);
                let status = if failed {
                    DeliveryStatus::Failed
                } else {
                    DeliveryStatus::Sent
                };
                let mut log = contract::alert_log(0, &owner, status, instant(triggered));
                log.id = alert_log_id(self.next_id());
                Action::InsertAlertLog(log)
            }
            Op::SaveCustomization {
                website,
                goal: g,
                name,
            } => {
                let mut customization = contract::customization(entry(GOALS, g), None);
                customization.display_name = (name % 3 != 0).then(|| entry(NAMES, name).to_owned());
                customization.updated_at = instant(name);
                Action::SaveCustomization(self.website(website), customization)
            }
            Op::SaveConnection {
                website,
                provider,
                sealed,
            } => Action::SaveConnection(
                self.website(website),
                Connection {
                    key_expires_at: (sealed % 2 == 0).then(|| instant(sealed)),
                    sealed_webhook_secret: (sealed % 3 == 0).then(|| vec![sealed, 7]),
                    ..contract::connection(
                        provider_of(provider),
                        &[sealed, 0, 255],
                        instant(sealed),
                    )
                },
            ),
            Op::DeleteConnection { website, provider } => {
                Action::DeleteConnection(self.website(website), provider_of(provider))
            }
            Op::AppendEvents { ref events } => Action::AppendEvents(
                events
                    .iter()
                    .map(|&(website, kind, visitor, goal_name, detail)| {
                        let mut event = contract::event(
                            self.website(website),
                            EVENT_KINDS[usize::from(kind) % EVENT_KINDS.len()],
                            entry(VISITORS, visitor),
                            EVENT_GOALS[usize::from(goal_name) % EVENT_GOALS.len()],
                        );
                        event.occurred_at = maybe_fine(visitor / 4, detail / 36 % 2 == 1);
                        event.session_id = format!("s{}", entry(VISITORS, kind / 8));
                        event.context = visit_context(detail);
                        if detail / 3 % 2 == 1 {
                            event.params = BTreeMap::from([
                                ("plan".to_owned(), format!("p{detail}")),
                                ("empty".to_owned(), String::new()),
                            ]);
                        }
                        event.description = (detail / 6 % 3 == 0).then(|| "why".to_owned());
                        event.origin = if detail / 18 % 2 == 1 {
                            EventOrigin::Server
                        } else {
                            EventOrigin::Client
                        };
                        event
                    })
                    .collect(),
            ),
            Op::RecordPayment {
                website,
                transaction,
                visitor,
                at,
                goal_event,
                free_trial,
            } => {
                let visitor = sometimes(visitor, |v| entry(VISITORS, v));
                let mut payment = contract::payment(
                    self.website(website),
                    entry(TRANSACTIONS, transaction),
                    visitor,
                    maybe_fine(at, at / 8 % 2 == 1),
                );
                payment.amount_minor = i64::from(at) * 100;
                if at / 16 % 2 == 1 {
                    payment.currency = Currency::parse("JPY").unwrap();
                    payment.email = Some("o'brien+x@example.com".to_owned());
                    payment.name = Some(entry(NAMES, at).to_owned());
                    payment.customer_id = Some(format!("cus_{at}"));
                }
                payment.renewal = at / 32 % 2 == 1;
                payment.refunded = at / 64 % 2 == 1;
                payment.free_trial = free_trial;
                let goal_event =
                    goal_event.then(|| Box::new(contract::payment_goal_event(&payment)));
                Action::RecordPayment(payment, goal_event)
            }
            Op::DeletePayments {
                website,
                transaction,
                visitor,
                from,
                to,
            } => Action::DeletePayments(
                self.website(website),
                PaymentFilter {
                    transaction_id: (transaction % 4 == 0)
                        .then(|| entry(TRANSACTIONS, transaction / 4).to_owned()),
                    visitor_id: rarely(visitor, |v| entry(VISITORS, v).to_owned()),
                    from: rarely(from, instant),
                    to: rarely(to, instant),
                },
            ),
            Op::DeleteGoalEvents {
                website,
                visitor,
                goal: g,
                from,
                to,
            } => Action::DeleteGoalEvents(
                self.website(website),
                GoalEventFilter {
                    visitor_id: rarely(visitor, |v| entry(VISITORS, v).to_owned()),
                    goal_name: rarely(g, |g| {
                        goal(EVENT_GOALS[usize::from(g) % EVENT_GOALS.len()].unwrap_or("payment"))
                    }),
                    from: rarely(from, instant),
                    to: rarely(to, instant),
                },
            ),
            Op::SaveProfile {
                website,
                visitor,
                user,
                at,
            } => {
                let mut profile = contract::profile(
                    self.website(website),
                    entry(VISITORS, visitor),
                    &format!("prof_{}", self.next_id()),
                    maybe_fine(at, at / 8 % 2 == 1),
                );
                profile.user_id = format!("user-{}", user % 3);
                if user % 2 == 1 {
                    profile.metadata =
                        BTreeMap::from([("name".to_owned(), entry(NAMES, user).to_owned())]);
                }
                Action::SaveProfile(profile)
            }
            Op::ReadEvents {
                after,
                limit,
                website,
                visitor,
            } => Action::ReadEvents(
                u64::from(after % 24),
                usize::from(limit % 5),
                self.website(website),
                entry(VISITORS, visitor).to_owned(),
            ),
            Op::ReadDirectory { website, account } => {
                Action::ReadDirectory(self.website(website), self.account(account))
            }
        }
    }
}

fn provider_of(choice: u8) -> Provider {
    Provider::ALL[usize::from(choice) % Provider::ALL.len()]
}

/// Every read of every port over every id the world knows (and the ghosts), each rendered
/// with its label: two stores in the same state render identically.
async fn snapshot(store: &dyn Storage, world: &World) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    let mut note = |label: String, value: &dyn Debug| lines.push((label, format!("{value:?}")));

    let mut accounts = world.accounts.clone();
    accounts.push(account_id(GHOST));
    let mut websites = world.websites.clone();
    websites.push(website_id(GHOST));

    note("account_count".into(), &store.account_count().await);
    note(
        "events_after 0".into(),
        &store.events_after(0, usize::MAX).await,
    );
    for &account in &accounts {
        note(format!("account {account}"), &store.account(account).await);
        note(
            format!("tokens_of {account}"),
            &store.tokens_of(account).await,
        );
        note(
            format!("websites_of {account}"),
            &store.websites_of(account).await,
        );
    }
    for address in EMAILS {
        let address = email(address);
        note(
            format!("account_by_email {address}"),
            &store.account_by_email(&address).await,
        );
        note(
            format!("invitations_for {address}"),
            &store.invitations_for(&address).await,
        );
    }
    for text in HASHES {
        note(
            format!("token_by_hash {text}"),
            &store.token_by_hash(&hash(text)).await,
        );
        note(
            format!("api_key_by_hash {text}"),
            &store.api_key_by_hash(&hash(text)).await,
        );
    }
    for tracking in TRACKING_IDS {
        note(
            format!("website_by_tracking_id {tracking}"),
            &store.website_by_tracking_id(tracking).await,
        );
    }
    for &website in &websites {
        let w = website;
        note(format!("website {w}"), &store.website(w).await);
        note(format!("api_keys_of {w}"), &store.api_keys_of(w).await);
        note(format!("members {w}"), &store.members(w).await);
        note(
            format!("invitations_of_website {w}"),
            &store.invitations_of_website(w).await,
        );
        note(
            format!("funnels {w} active"),
            &store.funnels(w, false).await,
        );
        note(format!("funnels {w} all"), &store.funnels(w, true).await);
        note(format!("alerts {w}"), &store.alerts(w).await);
        note(
            format!("alert_logs {w} 3"),
            &store.alert_logs(w, None, 3).await,
        );
        note(
            format!("alert_logs {w} 100"),
            &store.alert_logs(w, None, 100).await,
        );
        note(
            format!("alert_counts {w}"),
            &store.alert_counts(w, None).await,
        );
        note(
            format!("customizations {w}"),
            &store.customizations(w).await,
        );
        note(format!("connections {w}"), &store.connections(w).await);
        note(format!("goal_counts {w}"), &store.goal_counts(w).await);
        note(
            format!("unique_visitors {w}"),
            &store.unique_visitors(w).await,
        );
        note(format!("payments {w}"), &store.payments(w).await);
        for visitor in VISITORS {
            note(
                format!("latest_pageview {w} {visitor}"),
                &store.latest_pageview(w, visitor).await,
            );
            note(
                format!("profile {w} {visitor}"),
                &store.profile(w, visitor).await,
            );
        }
        for &account in &accounts {
            note(
                format!("role_of {w} {account}"),
                &store.role_of(w, account).await,
            );
        }
        for name in GOALS {
            let g = goal(name);
            note(
                format!("alerts_for_goal {w} {g}"),
                &store.alerts_for_goal(w, &g).await,
            );
            note(
                format!("customization {w} {g}"),
                &store.customization(w, &g).await,
            );
        }
    }
    for &(id, _) in &world.invitations {
        note(format!("invitation {id}"), &store.invitation(id).await);
    }
    for &(id, website) in &world.funnels {
        note(
            format!("funnel {website} {id}"),
            &store.funnel(website, id).await,
        );
    }
    for alert in &world.alerts {
        let (w, id) = (alert.website_id, alert.id);
        note(format!("alert {w} {id}"), &store.alert(w, id).await);
        note(
            format!("alert_logs {w} {id} 2"),
            &store.alert_logs(w, Some(id), 2).await,
        );
        note(
            format!("alert_counts {w} {id}"),
            &store.alert_counts(w, Some(id)).await,
        );
    }
    lines
}

fn same_snapshot(
    after: usize,
    model: &[(String, String)],
    sqlite: &[(String, String)],
) -> Result<(), TestCaseError> {
    prop_assert_eq!(model.len(), sqlite.len());
    for ((label, expected), (_, actual)) in model.iter().zip(sqlite) {
        prop_assert_eq!(
            expected,
            actual,
            "after operation {}: `{}` differs (memory left, SQLite right)",
            after,
            label
        );
    }
    Ok(())
}

/// Applies `ops` to both backends, comparing every outcome and, now and then and at the end,
/// the whole readable state.
async fn compare(ops: &[Op]) -> Result<(), TestCaseError> {
    let model = MemoryStore::new();
    let sqlite = TempSqlite::new();
    let mut world = World::default();
    for (index, op) in ops.iter().enumerate() {
        let action = world.resolve(op);
        let expected = action.run(model.store()).await;
        let actual = action.run(sqlite.store()).await;
        prop_assert_eq!(
            &expected,
            &actual,
            "operation {} ({:?}) answered differently (memory left, SQLite right)",
            index,
            action
        );
        world.settle(&action, &expected);
        if index % 10 == 9 {
            let (m, s) = (
                snapshot(model.store(), &world).await,
                snapshot(sqlite.store(), &world).await,
            );
            same_snapshot(index, &m, &s)?;
        }
    }
    let (m, s) = (
        snapshot(model.store(), &world).await,
        snapshot(sqlite.store(), &world).await,
    );
    same_snapshot(ops.len(), &m, &s)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 32,
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    })]

    #[test]
    fn sqlite_answers_every_call_as_the_memory_model_does(ops in proptest::collection::vec(op(), 1..120)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(compare(&ops))?;
    }
}
