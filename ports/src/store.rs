//! Storage ports, one trait per capability, under the [`Storage`] umbrella. Every backend
//! (SQLite, memory, any later one) implements all of them and passes the same contract suite
//! (`tests/src/contract/`). Methods document what an adapter MUST return; adapters translate
//! their own errors into [`StoreError`] at the seam.
//!
//! Rules every backend follows where a method's doc is silent (the contract suite holds them):
//! - instants are kept to the millisecond;
//! - lists ordered by time break ties by id (descending for "newest first");
//! - a create that could fail several ways reports the documented conflict first
//!   (`domain` before `trackingId`; `LimitReached` before any conflict);
//! - rolling a key to a hash another key holds is `Conflict("key")`; a repeated primary id is
//!   `Backend`, since ids are random and a repeat means a bug;
//! - memberships whose account or website is missing are left out of `members` and
//!   `websites_of`.

use async_trait::async_trait;
use jiff::Timestamp;

use datafast_domain::account::{Account, Email};
use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts};
use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::event::{Event, GoalEventFilter};
use datafast_domain::funnel::Funnel;
use datafast_domain::goal::{GoalCount, GoalCustomization, GoalName};
use datafast_domain::id::{
    AccountId, AlertId, ApiKeyId, FunnelId, InvitationId, SessionId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::profile::VisitorProfile;
use datafast_domain::provider_payment::{CheckoutEmail, SyncState};
use datafast_domain::provider_subscription::ProviderSubscription;
use datafast_domain::role::Role;
use datafast_domain::session::{LinkCode, PasswordHash, Session};
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::token::AccessToken;
use datafast_domain::website::Website;

use crate::secrets::CredentialHash;

/// What can go wrong in storage, in terms the use cases act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The row to change or remove does not exist (or is soft-deleted).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the payload names what collided (`domain`, `name`, ...).
    #[error("conflict on {0}")]
    Conflict(&'static str),
    /// A per-website limit (keys, alerts) is already reached.
    #[error("limit reached")]
    LimitReached,
    /// The backend failed; the message is for logs, never for clients.
    #[error("storage failure: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// # Errors
    /// MUST return `Conflict("email")` when another account has the email.
    async fn create_account(&self, account: &Account) -> StoreResult<()>;
    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>>;
    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>>;
    /// # Errors
    /// MUST return `NotFound` when the account does not exist.
    async fn rename_account(&self, id: AccountId, name: &str) -> StoreResult<Account>;
    async fn account_count(&self) -> StoreResult<u64>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TokenStore: Send + Sync {
    /// # Errors
    /// MUST return `Conflict("token")` when the hash is already stored.
    async fn insert_token(&self, token: &AccessToken, hash: &CredentialHash) -> StoreResult<()>;
    async fn token_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<AccessToken>>;
    /// The account's tokens, newest first.
    async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<AccessToken>>;
    /// Revokes the token and everything derived from it, together: every token created with
    /// it (transitively), and every website key and pending invitation any of those tokens
    /// issued.
    /// # Errors
    /// MUST return `NotFound` when no token `id` belongs to `account`.
    async fn delete_token(&self, account: AccountId, id: TokenId) -> StoreResult<()>;
    /// Records last use; unknown ids are ignored.
    async fn touch_tokens(&self, uses: &[(TokenId, Timestamp)]) -> StoreResult<()>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Inserts the key unless its website already holds `max_per_website` keys, atomically.
    /// # Errors
    /// MUST return `LimitReached` at the limit, `Conflict("key")` on a duplicate hash.
    async fn insert_api_key(
        &self,
        key: &ApiKey,
        hash: &CredentialHash,
        max_per_website: usize,
    ) -> StoreResult<()>;
    async fn api_key_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<ApiKey>>;
    /// The website's keys, oldest first.
    async fn api_keys_of(&self, website: WebsiteId) -> StoreResult<Vec<ApiKey>>;
    /// Replaces the key's hash, display form and issuer; the old hash stops matching at once.
    /// # Errors
    /// MUST return `NotFound` when the website has no key `id`.
    async fn roll_api_key(
        &self,
        website: WebsiteId,
        id: ApiKeyId,
        hash: &CredentialHash,
        display_key: &str,
        issuer: &KeyIssuer,
    ) -> StoreResult<ApiKey>;
    /// # Errors
    /// MUST return `NotFound` when the website has no key `id`.
    async fn delete_api_key(&self, website: WebsiteId, id: ApiKeyId) -> StoreResult<()>;
    /// Records last use; unknown ids are ignored.
    async fn touch_api_keys(&self, uses: &[(ApiKeyId, Timestamp)]) -> StoreResult<()>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait WebsiteStore: Send + Sync {
    /// Inserts the website and its owner's membership together.
    /// # Errors
    /// MUST return `Conflict("domain")` when the owner already has a website with this domain
    /// (other accounts' websites do not count), `Conflict("trackingId")` when the tracking id
    /// is taken anywhere.
    async fn create_website(&self, website: &Website) -> StoreResult<()>;
    async fn website(&self, id: WebsiteId) -> StoreResult<Option<Website>>;
    async fn website_by_tracking_id(&self, tracking_id: &str) -> StoreResult<Option<Website>>;
    /// Every website with exactly this (normalised) domain, of any owner, oldest first.
    async fn websites_with_domain(&self, domain: &str) -> StoreResult<Vec<Website>>;
    /// Replaces the stored domain and settings.
    /// # Errors
    /// MUST return `NotFound` for an unknown id, `Conflict("domain")` when the new domain is
    /// another website's of the same (stored) owner.
    async fn update_website(&self, website: &Website) -> StoreResult<()>;
    /// Deletes the website and everything of it: memberships, invitations, keys, funnels,
    /// alerts and their history, goal customizations, provider connections and subscriptions,
    /// events, payments, profiles and checkout emails, all in one write.
    /// # Errors
    /// MUST return `NotFound` for an unknown id.
    async fn delete_website(&self, id: WebsiteId) -> StoreResult<()>;
    /// Every website the account holds a role on, with that role, oldest first.
    async fn websites_of(&self, account: AccountId) -> StoreResult<Vec<(Website, Role)>>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn role_of(&self, website: WebsiteId, account: AccountId) -> StoreResult<Option<Role>>;
    /// The website's members with their accounts, the owner first, then by join time.
    async fn members(&self, website: WebsiteId) -> StoreResult<Vec<(Membership, Account)>>;
    /// # Errors
    /// MUST return `Conflict("invitation")` when the website has a pending invitation for the
    /// same email.
    async fn insert_invitation(&self, invitation: &Invitation) -> StoreResult<()>;
    async fn invitation(&self, id: InvitationId) -> StoreResult<Option<Invitation>>;
    /// The website's pending invitations, oldest first.
    async fn invitations_of_website(&self, website: WebsiteId) -> StoreResult<Vec<Invitation>>;
    /// Pending invitations addressed to `email`, oldest first.
    async fn invitations_for(&self, email: &Email) -> StoreResult<Vec<Invitation>>;
    /// Removes the invitation and adds the membership, together.
    /// # Errors
    /// MUST return `NotFound` when the invitation is gone, `Conflict("member")` when the
    /// account already holds a role on the website (the invitation is then left in place).
    async fn accept_invitation(&self, id: InvitationId, membership: &Membership)
    -> StoreResult<()>;
    /// # Errors
    /// MUST return `NotFound` when the website has no such invitation.
    async fn delete_invitation(&self, website: WebsiteId, id: InvitationId) -> StoreResult<()>;
    /// Removes the membership and, together with it, every website key of that website the
    /// account issued.
    /// # Errors
    /// MUST return `NotFound` when the account is not a member of the website.
    async fn remove_member(&self, website: WebsiteId, account: AccountId) -> StoreResult<()>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait FunnelStore: Send + Sync {
    /// # Errors
    /// MUST return `Conflict("name")` when another funnel of the website that is not deleted has
    /// the same name, compared case-insensitively.
    async fn insert_funnel(&self, funnel: &Funnel) -> StoreResult<()>;
    /// The website's funnels that are not deleted, oldest first; inactive ones only when asked.
    async fn funnels(&self, website: WebsiteId, include_inactive: bool)
    -> StoreResult<Vec<Funnel>>;
    /// A funnel that is not deleted.
    async fn funnel(&self, website: WebsiteId, id: FunnelId) -> StoreResult<Option<Funnel>>;
    /// # Errors
    /// MUST return `NotFound` for a missing or deleted funnel, `Conflict("name")` as on insert.
    async fn update_funnel(&self, funnel: &Funnel) -> StoreResult<()>;
    /// Soft-deletes: the funnel disappears from every read and its name is free again.
    /// # Errors
    /// MUST return `NotFound` for a missing or already deleted funnel.
    async fn delete_funnel(
        &self,
        website: WebsiteId,
        id: FunnelId,
        at: Timestamp,
    ) -> StoreResult<()>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Inserts the alert unless its website already holds `max_per_website`, atomically.
    /// # Errors
    /// MUST return `LimitReached` at the limit.
    async fn insert_alert(&self, alert: &Alert, max_per_website: usize) -> StoreResult<()>;
    /// The website's alerts, oldest first.
    async fn alerts(&self, website: WebsiteId) -> StoreResult<Vec<Alert>>;
    async fn alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<Option<Alert>>;
    /// # Errors
    /// MUST return `NotFound` for an unknown alert.
    async fn update_alert(&self, alert: &Alert) -> StoreResult<()>;
    /// Deletes the alert; its history stays.
    /// # Errors
    /// MUST return `NotFound` for an unknown alert.
    async fn delete_alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<()>;
    /// Enabled alerts whose trigger is `goal`.
    async fn alerts_for_goal(&self, website: WebsiteId, goal: &GoalName)
    -> StoreResult<Vec<Alert>>;
    async fn insert_alert_log(&self, log: &AlertLog) -> StoreResult<()>;
    /// The newest `limit` history rows, newest first, of one alert or of the whole website.
    async fn alert_logs(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
        limit: usize,
    ) -> StoreResult<Vec<AlertLog>>;
    /// Sent and failed totals over the same selection, without a limit.
    async fn alert_counts(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
    ) -> StoreResult<DeliveryCounts>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait GoalCustomizationStore: Send + Sync {
    /// The website's customizations, by goal name.
    async fn customizations(&self, website: WebsiteId) -> StoreResult<Vec<GoalCustomization>>;
    async fn customization(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Option<GoalCustomization>>;
    /// Inserts or replaces the customization of its goal.
    async fn save_customization(
        &self,
        website: WebsiteId,
        customization: &GoalCustomization,
    ) -> StoreResult<()>;
}

#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    async fn connections(&self, website: WebsiteId) -> StoreResult<Vec<Connection>>;
    /// Inserts or replaces the website's connection to the provider.
    async fn save_connection(&self, website: WebsiteId, connection: &Connection)
    -> StoreResult<()>;
    /// Removes the connection, and the subscriptions it listed (they are the provider's
    /// current state, which is no longer read); true when there was one.
    async fn delete_connection(&self, website: WebsiteId, provider: Provider) -> StoreResult<bool>;
    /// Every website's connections, by website, then in the providers' declared order: what
    /// the revenue import works through.
    async fn all_connections(&self) -> StoreResult<Vec<(WebsiteId, Connection)>>;
    /// Replaces the connection's sync state, leaving its credentials alone. The count of
    /// imported payments is the store's: it is raised as pages are stored, never written.
    /// # Errors
    /// MUST return `NotFound` when the website has no connection to the provider (it was
    /// disconnected while a sync ran).
    async fn save_sync_state(
        &self,
        website: WebsiteId,
        provider: Provider,
        state: &SyncState,
    ) -> StoreResult<()>;
    /// Stores payments read from the provider, with the connection's sync state when they
    /// are a page of its import, in one transaction, so that a crash keeps both or neither. A
    /// payment whose transaction id the website lacks is recorded with its goal event; one it
    /// has takes the provider's amount and refunded flag (the provider is the truth about its
    /// payments). The connection's `imported_payments` is raised by the new payments, whatever
    /// `state` says (a webhook may have stored some while the page was read); the rest of
    /// `state`, when given, replaces the connection's. Returns what became of each payment,
    /// in order.
    /// # Errors
    /// MUST return `NotFound`, storing nothing, when the website has no connection to the
    /// provider (it was disconnected while a sync ran).
    async fn store_import_page(
        &self,
        website: WebsiteId,
        provider: Provider,
        payments: Vec<ImportedPayment>,
        state: Option<SyncState>,
    ) -> StoreResult<Vec<ImportRecord>>;
    /// Saves the subscriptions the provider lists for the website, each replacing its last
    /// known state, and appends the goal events each one's change completes
    /// ([`goal_events`], from the state it had), in one transaction. Each comes with its
    /// visitor's goal-event template; one without has no goal events. Returns the goal
    /// events appended.
    ///
    /// [`goal_events`]: datafast_domain::provider_subscription::goal_events
    /// # Errors
    /// MUST return `NotFound`, storing nothing, when the website has no connection to the
    /// provider.
    async fn save_subscriptions(
        &self,
        website: WebsiteId,
        provider: Provider,
        subscriptions: Vec<(ProviderSubscription, Option<Event>)>,
        seen_at: Timestamp,
    ) -> StoreResult<Vec<Event>>;
    /// The website's subscriptions as last saved, of every provider still connected.
    async fn subscriptions(&self, website: WebsiteId) -> StoreResult<Vec<ProviderSubscription>>;
    /// Sets or removes the connection's sealed webhook signing secret, leaving the rest alone.
    /// # Errors
    /// MUST return `NotFound` when the website has no connection to the provider.
    async fn save_webhook_secret(
        &self,
        website: WebsiteId,
        provider: Provider,
        sealed: Option<Vec<u8>>,
    ) -> StoreResult<()>;
}

/// A payment the revenue import brings in, with the goal event it completes for its visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPayment {
    pub payment: Payment,
    pub goal_event: Option<Event>,
}

/// What became of one imported payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportRecord {
    /// Its transaction id was new: it was recorded, with its goal event.
    New,
    /// It was known, and its amount or refunded flag changed.
    Settled,
    /// It was known, unchanged.
    Unchanged,
}

/// An event with its place in the store's append order, which never changes and is never
/// reused: readers that keep derived data (analytics) resume from the last one they saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: u64,
    pub event: Event,
}

/// Raw events, the truth every statistic is computed from.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Appends all events durably before returning: after `Ok`, a crash of the process loses
    /// none of them. Returns each event's sequence number, in order; numbers grow with every
    /// append. Takes the events by value: an adapter that hands them to another thread (the
    /// SQLite writer) would otherwise copy every one.
    async fn append_events(&self, events: Vec<Event>) -> StoreResult<Vec<u64>>;
    /// Per goal name: completions and distinct visitors, over custom and payment events.
    async fn goal_counts(&self, website: WebsiteId) -> StoreResult<Vec<GoalCount>>;
    /// Distinct visitors over all of the website's events.
    async fn unique_visitors(&self, website: WebsiteId) -> StoreResult<u64>;
    /// The visitor's most recent pageview on the website (by append order), or `None` when it
    /// has none: server-side goals, payments and identify borrow its session and context.
    async fn latest_pageview(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<Event>>;
    /// Removes the custom goal events the filter selects; returns how many.
    async fn delete_goal_events(
        &self,
        website: WebsiteId,
        filter: &GoalEventFilter,
    ) -> StoreResult<u64>;
    /// Up to `limit` events of every website with a sequence number above `after`, in order.
    async fn events_after(&self, after: u64, limit: usize) -> StoreResult<Vec<StoredEvent>>;
}

/// Revenue: payments, unique per website and transaction id.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Stores the payment and, when given, its goal event, in one transaction; a transaction
    /// id the website already has stores nothing and answers `Duplicate`.
    async fn record_payment(
        &self,
        payment: &Payment,
        goal_event: Option<Event>,
    ) -> StoreResult<PaymentRecord>;
    /// Removes the selected payments and their goal events; returns how many payments.
    async fn delete_payments(&self, website: WebsiteId, filter: &PaymentFilter)
    -> StoreResult<u64>;
    /// The website's payments, oldest first (ties by transaction id).
    async fn payments(&self, website: WebsiteId) -> StoreResult<Vec<Payment>>;
}

/// Who identified visitors are.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ProfileStore: Send + Sync {
    /// Creates or replaces the visitor's profile. A replaced profile keeps its original
    /// `profile_id`; the stored profile is returned.
    async fn save_profile(&self, profile: &VisitorProfile) -> StoreResult<VisitorProfile>;
    async fn profile(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<VisitorProfile>>;
    /// Every profile of the website, by visitor id.
    async fn profiles(&self, website: WebsiteId) -> StoreResult<Vec<VisitorProfile>>;
    /// Remembers that `checkout.visitor_id` sent a tracker `payment` event with
    /// `checkout.email`; a later one for the same email replaces it.
    async fn save_checkout_email(&self, checkout: &CheckoutEmail) -> StoreResult<()>;
    /// The website's remembered checkout emails.
    async fn checkout_emails(&self, website: WebsiteId) -> StoreResult<Vec<CheckoutEmail>>;
}

/// Dashboard sign-in: passwords, browser sessions and one-time link codes. Sessions and codes
/// are found by the keyed hash of the value the browser or link holds, never by the value.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Sets `account`'s password and, in the same write, ends every session of the account, so
    /// a changed password locks out whoever held the old one.
    /// # Errors
    /// MUST return `NotFound` when the account does not exist.
    async fn set_password(&self, account: AccountId, hash: &PasswordHash) -> StoreResult<()>;
    async fn password_of(&self, account: AccountId) -> StoreResult<Option<PasswordHash>>;
    async fn insert_session(&self, session: &Session, hash: &CredentialHash) -> StoreResult<()>;
    /// The session whose cookie hashes to `hash`, expired or not: the caller decides.
    async fn session_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<Session>>;
    /// Ends one session; ending one that is already gone is not an error.
    async fn delete_session(&self, id: SessionId) -> StoreResult<()>;
    async fn insert_link_code(&self, hash: &CredentialHash, code: &LinkCode) -> StoreResult<()>;
    async fn link_code(&self, hash: &CredentialHash) -> StoreResult<Option<LinkCode>>;
    /// Deletes the code and returns whether this call did: of two concurrent callers only one
    /// gets `true`, so a link works once.
    async fn consume_link_code(&self, hash: &CredentialHash) -> StoreResult<bool>;
}

/// Every storage capability at once: what the use cases are given.
pub trait Storage:
    AccountStore
    + TokenStore
    + ApiKeyStore
    + WebsiteStore
    + TeamStore
    + FunnelStore
    + AlertStore
    + GoalCustomizationStore
    + IntegrationStore
    + EventStore
    + PaymentStore
    + ProfileStore
    + SessionStore
{
}

impl<T> Storage for T where
    T: AccountStore
        + TokenStore
        + ApiKeyStore
        + WebsiteStore
        + TeamStore
        + FunnelStore
        + AlertStore
        + GoalCustomizationStore
        + IntegrationStore
        + EventStore
        + PaymentStore
        + ProfileStore
        + SessionStore
{
}
