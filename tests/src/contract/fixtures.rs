//! Fixtures the contract cases and the property tests share: deterministic ids, instants and
//! domain values, and the small steps cases repeat (an account or website that merely exists,
//! reading the whole event log, sorting goal counts).

use std::collections::BTreeMap;

use jiff::Timestamp;

use datafast_domain::access::WebsiteScope;
use datafast_domain::account::{Account, Email};
use datafast_domain::alert::{Alert, AlertLog, DeliveryStatus};
use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::event::{DeviceKind, Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelName, FunnelStep, StepKind};
use datafast_domain::goal::{GoalCount, GoalCustomization, GoalEventType, GoalName};
use datafast_domain::id::{
    AccountId, AlertId, AlertLogId, ApiKeyId, FunnelId, InvitationId, SessionId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::Payment;
use datafast_domain::permission::{Permission, PermissionSet};
use datafast_domain::profile::VisitorProfile;
pub use datafast_domain::provider_payment::SyncState;
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::time::TimeZoneName;
use datafast_domain::token::AccessToken;
use datafast_domain::website::{
    ColorScheme, CountryCode, Currency, Domain, Hostname, IpRule, PathRule, RevenueMetric,
    TrackingId, Website, WebsiteSettings,
};
use datafast_ports::CredentialHash;
use datafast_ports::store::{Storage, StoredEvent};

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

pub fn session_id(n: u32) -> SessionId {
    SessionId::from_parts(ID_SECOND, random_part(9, n))
}

pub fn email(text: &str) -> Email {
    Email::parse(text).unwrap()
}

pub fn hash(text: &str) -> CredentialHash {
    CredentialHash::from_hex(text.to_owned())
}

pub fn funnel_name(name: &str) -> FunnelName {
    FunnelName::parse(name).unwrap()
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
        name: funnel_name(name),
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
        sync: SyncState::default(),
        sealed_webhook_secret: None,
    }
}

pub fn event(website: WebsiteId, kind: EventKind, visitor: &str, goal_name: Option<&str>) -> Event {
    Event {
        website_id: website,
        kind,
        occurred_at: at(60),
        visitor_id: visitor.to_owned(),
        session_id: format!("session-of-{visitor}"),
        goal_name: goal_name.map(goal),
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
        Some(payment.goal_name().as_str()),
    );
    goal_event.occurred_at = payment.occurred_at;
    goal_event.origin = EventOrigin::Server;
    goal_event
        .params
        .insert("transaction_id".to_owned(), payment.transaction_id.clone());
    goal_event
}

/// Records `payment` with its goal event, as the payment use case does.
pub(crate) async fn record_paid(store: &dyn Storage, payment: &Payment) {
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
pub(crate) async fn given_account(store: &dyn Storage, n: u32) -> Account {
    let account = account(n, &format!("person{n}@example.com"));
    store.create_account(&account).await.unwrap();
    account
}

/// Creates account `n` and website `n` owned by it.
pub(crate) async fn given_website(store: &dyn Storage, n: u32) -> Website {
    let owner = given_account(store, n).await;
    let website = website(n, owner.id, &format!("site{n}.example.com"));
    store.create_website(&website).await.unwrap();
    website
}

/// The ids of `rows`, in their order.
pub(crate) fn ids<T, I>(rows: &[T], id: impl Fn(&T) -> I) -> Vec<I> {
    rows.iter().map(id).collect()
}

/// Goal counts in a fixed order, since the contract orders them by nothing.
pub(crate) fn sorted_counts(mut counts: Vec<GoalCount>) -> Vec<GoalCount> {
    counts.sort_by(|a, b| {
        (a.name.as_str(), a.event_type == GoalEventType::Payment)
            .cmp(&(b.name.as_str(), b.event_type == GoalEventType::Payment))
    });
    counts
}

pub(crate) fn count(
    name: &str,
    event_type: GoalEventType,
    total: u64,
    unique_visitors: u64,
) -> GoalCount {
    GoalCount {
        name: name.to_owned(),
        event_type,
        total,
        unique_visitors,
    }
}

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

/// Every stored event, in sequence order.
pub(crate) async fn all_events(store: &dyn Storage) -> Vec<StoredEvent> {
    store.events_after(0, usize::MAX).await.unwrap()
}

/// `event` at `seconds` on `path`, so events of one visitor tell apart.
pub(crate) fn event_at(
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

pub(crate) fn strictly_increasing(seqs: &[u64]) -> bool {
    seqs.windows(2).all(|pair| pair[0] < pair[1])
}

/// A visit context with every field set, drawn from `text` so two contexts can differ.
pub(crate) fn full_context(text: &str) -> VisitContext {
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
        // The four kinds are all a store can be given; `text` picks one.
        device: DeviceKind::ALL[text.len() % DeviceKind::ALL.len()],
        country: Some("DE".to_owned()),
        region: Some(format!("Region {text}")),
        city: Some(format!("City {text}")),
    }
}
