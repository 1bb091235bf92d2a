//! The data itself, one map per kind of row, and the few rules every port module shares:
//! instants kept to the millisecond, repeated ids refused, and event sequence numbers that are
//! never handed out twice.

use datafast_domain::provider_payment::CheckoutEmail;
use datafast_domain::provider_subscription::ProviderSubscription;
use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use datafast_domain::account::Account;
use datafast_domain::alert::{Alert, AlertLog};
use datafast_domain::apikey::ApiKey;
use datafast_domain::event::Event;
use datafast_domain::funnel::Funnel;
use datafast_domain::goal::{GoalCustomization, GoalName};
use datafast_domain::id::{
    AccountId, AlertId, AlertLogId, ApiKeyId, FunnelId, InvitationId, SessionId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::Payment;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::session::{LinkCode, PasswordHash, Session};
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::token::AccessToken;
use datafast_domain::website::Website;
use datafast_ports::CredentialHash;
use datafast_ports::store::StoreError;

#[derive(Default)]
pub(crate) struct State {
    pub(crate) accounts: BTreeMap<AccountId, Account>,
    pub(crate) tokens: BTreeMap<TokenId, Hashed<AccessToken>>,
    pub(crate) api_keys: BTreeMap<ApiKeyId, Hashed<ApiKey>>,
    pub(crate) websites: BTreeMap<WebsiteId, Website>,
    pub(crate) memberships: BTreeMap<(WebsiteId, AccountId), Membership>,
    pub(crate) invitations: BTreeMap<InvitationId, Invitation>,
    pub(crate) funnels: BTreeMap<FunnelId, StoredFunnel>,
    pub(crate) alerts: BTreeMap<AlertId, Alert>,
    pub(crate) alert_logs: BTreeMap<AlertLogId, AlertLog>,
    pub(crate) customizations: BTreeMap<(WebsiteId, GoalName), GoalCustomization>,
    pub(crate) connections: BTreeMap<(WebsiteId, Provider), Connection>,
    /// By sequence number, so the map's order is the append order.
    pub(crate) events: BTreeMap<u64, Event>,
    /// The last sequence number handed out; it only grows, so deletes never free a number.
    pub(crate) last_seq: u64,
    /// By website and transaction id, the payment's uniqueness rule.
    pub(crate) payments: BTreeMap<(WebsiteId, String), StoredPayment>,
    /// By website and visitor id.
    pub(crate) profiles: BTreeMap<(WebsiteId, String), VisitorProfile>,
    /// By website, provider and the provider's id, as last listed.
    pub(crate) subscriptions: BTreeMap<(WebsiteId, Provider, String), ProviderSubscription>,
    /// By website and email, as compared.
    pub(crate) checkout_emails: BTreeMap<(WebsiteId, String), CheckoutEmail>,
    pub(crate) passwords: BTreeMap<AccountId, PasswordHash>,
    pub(crate) sessions: BTreeMap<SessionId, Hashed<Session>>,
    /// By the code's keyed hash.
    pub(crate) link_codes: BTreeMap<String, LinkCode>,
}

impl State {
    /// Appends `event` (its instant kept to the millisecond) under the next sequence number.
    pub(crate) fn append_event(&mut self, event: Event) -> u64 {
        self.last_seq += 1;
        let stored = Event {
            occurred_at: to_millis(event.occurred_at),
            ..event
        };
        self.events.insert(self.last_seq, stored);
        self.last_seq
    }
}

/// A payment and the sequence number of its goal event, which is removed with it: the link
/// the SQLite store keeps by row.
pub(crate) struct StoredPayment {
    pub(crate) payment: Payment,
    pub(crate) goal_event: Option<u64>,
}

/// A credential row: what the API shows, and the keyed hash it is looked up by.
pub(crate) struct Hashed<T> {
    pub(crate) row: T,
    pub(crate) hash: CredentialHash,
}

/// A funnel and, once soft-deleted, when: a deleted funnel stays stored but leaves every read.
pub(crate) struct StoredFunnel {
    pub(crate) funnel: Funnel,
    pub(crate) deleted_at: Option<Timestamp>,
}

impl StoredFunnel {
    pub(crate) fn is_live(&self) -> bool {
        self.deleted_at.is_none()
    }
}

/// Instants are kept to the millisecond, the precision the API shows and every backend stores,
/// so that a read returns what the SQLite backend would return.
pub(crate) fn to_millis(instant: Timestamp) -> Timestamp {
    Timestamp::from_millisecond(instant.as_millisecond()).unwrap_or(instant)
}

/// Ids are drawn at random, so a repeated one is a fault of the caller, not a uniqueness rule
/// of the contract: it is reported as a backend failure, as a database's primary key would.
pub(crate) fn duplicate_id(what: &str) -> StoreError {
    StoreError::Backend(format!("a {what} with this id is already stored"))
}

impl State {
    /// Removes `root` and every token created from it, transitively, with the website keys
    /// and pending invitations any of them issued.
    pub(crate) fn revoke_token_tree(&mut self, root: TokenId) {
        let mut revoked = BTreeSet::from([root]);
        loop {
            let before = revoked.len();
            let children: Vec<TokenId> = self
                .tokens
                .values()
                .filter(|stored| stored.row.created_by.is_some_and(|p| revoked.contains(&p)))
                .map(|stored| stored.row.id)
                .collect();
            revoked.extend(children);
            if revoked.len() == before {
                break;
            }
        }
        self.tokens.retain(|id, _| !revoked.contains(id));
        self.api_keys.retain(|_, stored| {
            !stored
                .row
                .issued_by
                .token
                .is_some_and(|t| revoked.contains(&t))
        });
        self.invitations.retain(|_, invitation| {
            !invitation
                .invited_by_token
                .is_some_and(|t| revoked.contains(&t))
        });
    }
}
