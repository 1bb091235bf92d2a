//! Test doubles of the driven ports, small enough to trust by reading: one in-memory store
//! behind a mutex, a fixed clock, counting randomness, a transparent hasher and vault. They
//! stand in for `datafast-memory` and `datafast-secrets` in this crate's own tests.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use jiff::Timestamp;

use datafast_domain::account::{Account, Email};
use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts, DeliveryStatus};
use datafast_domain::apikey::{ApiKey, KeyIssuer};
use datafast_domain::event::{Event, EventKind, GoalEventFilter};
use datafast_domain::funnel::Funnel;
use datafast_domain::goal::{GoalCount, GoalCustomization, GoalName};
use datafast_domain::id::{
    AccountId, AlertId, ApiKeyId, FunnelId, InvitationId, TokenId, WebsiteId,
};
use datafast_domain::integration::{Connection, Provider};
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::profile::VisitorProfile;
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_domain::token::AccessToken;
use datafast_domain::website::Website;
use datafast_ports::store::{
    AccountStore, AlertStore, ApiKeyStore, EventStore, FunnelStore, GoalCustomizationStore,
    IntegrationStore, PaymentStore, ProfileStore, StoreError, StoreResult, StoredEvent, TeamStore,
    TokenStore, WebsiteStore,
};
use datafast_ports::{
    Clock, CredentialHash, CredentialHasher, CredentialVault, RandomSource, VaultError,
};

pub struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_second(1_800_000_000).unwrap_or(Timestamp::UNIX_EPOCH)
    }
}

/// Every call yields different bytes, so ids and secrets never collide.
#[derive(Default)]
pub struct CountingRandom(AtomicU64);

impl RandomSource for CountingRandom {
    fn fill(&self, buffer: &mut [u8]) {
        let seed = self.0.fetch_add(1, Ordering::Relaxed).to_be_bytes();
        for (index, byte) in buffer.iter_mut().enumerate() {
            *byte = seed[index % 8] ^ (index as u8).wrapping_mul(31);
        }
    }
}

pub struct PlainHasher;

impl CredentialHasher for PlainHasher {
    fn hash(&self, raw: &str) -> CredentialHash {
        CredentialHash::from_hex(format!("hash:{raw}"))
    }
}

pub struct PlainVault;

impl CredentialVault for PlainVault {
    fn seal(&self, plaintext: &[u8]) -> Result<Vec<u8>, VaultError> {
        Ok(plaintext.to_vec())
    }
    fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
        Ok(sealed.to_vec())
    }
}

#[derive(Default)]
struct State {
    accounts: Vec<Account>,
    tokens: Vec<(AccessToken, CredentialHash)>,
    keys: Vec<(ApiKey, CredentialHash)>,
    websites: Vec<Website>,
    members: Vec<Membership>,
    invitations: Vec<Invitation>,
    funnels: Vec<(Funnel, bool)>,
    alerts: Vec<Alert>,
    logs: Vec<AlertLog>,
    customizations: Vec<(WebsiteId, GoalCustomization)>,
    connections: Vec<(WebsiteId, Connection)>,
    events: Vec<StoredEvent>,
    payments: Vec<Payment>,
    profiles: Vec<VisitorProfile>,
}

#[derive(Default)]
pub struct TestStore(Mutex<State>);

impl TestStore {
    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut state)
    }
}

#[async_trait]
impl AccountStore for TestStore {
    async fn create_account(&self, account: &Account) -> StoreResult<()> {
        self.with(|s| {
            if s.accounts.iter().any(|a| a.email == account.email) {
                return Err(StoreError::Conflict("email"));
            }
            s.accounts.push(account.clone());
            Ok(())
        })
    }
    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        Ok(self.with(|s| s.accounts.iter().find(|a| a.id == id).cloned()))
    }
    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>> {
        Ok(self.with(|s| s.accounts.iter().find(|a| &a.email == email).cloned()))
    }
    async fn rename_account(&self, id: AccountId, name: &str) -> StoreResult<Account> {
        self.with(|s| {
            let account = s
                .accounts
                .iter_mut()
                .find(|a| a.id == id)
                .ok_or(StoreError::NotFound)?;
            account.name = name.to_owned();
            Ok(account.clone())
        })
    }
    async fn account_count(&self) -> StoreResult<u64> {
        Ok(self.with(|s| s.accounts.len() as u64))
    }
}

#[async_trait]
impl TokenStore for TestStore {
    async fn insert_token(&self, token: &AccessToken, hash: &CredentialHash) -> StoreResult<()> {
        self.with(|s| s.tokens.push((token.clone(), hash.clone())));
        Ok(())
    }
    async fn token_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<AccessToken>> {
        Ok(self.with(|s| {
            s.tokens
                .iter()
                .find(|(_, h)| h == hash)
                .map(|(t, _)| t.clone())
        }))
    }
    async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<AccessToken>> {
        Ok(self.with(|s| {
            s.tokens
                .iter()
                .rev()
                .filter(|(t, _)| t.account_id == account)
                .map(|(t, _)| t.clone())
                .collect()
        }))
    }
    async fn delete_token(&self, account: AccountId, id: TokenId) -> StoreResult<()> {
        self.with(|s| {
            let before = s.tokens.len();
            s.tokens
                .retain(|(t, _)| !(t.id == id && t.account_id == account));
            if s.tokens.len() == before {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
    }
    async fn touch_tokens(&self, _uses: &[(TokenId, Timestamp)]) -> StoreResult<()> {
        Ok(())
    }
}

#[async_trait]
impl ApiKeyStore for TestStore {
    async fn insert_api_key(
        &self,
        key: &ApiKey,
        hash: &CredentialHash,
        max: usize,
    ) -> StoreResult<()> {
        self.with(|s| {
            if s.keys
                .iter()
                .filter(|(k, _)| k.website_id == key.website_id)
                .count()
                >= max
            {
                return Err(StoreError::LimitReached);
            }
            s.keys.push((key.clone(), hash.clone()));
            Ok(())
        })
    }
    async fn api_key_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<ApiKey>> {
        Ok(self.with(|s| {
            s.keys
                .iter()
                .find(|(_, h)| h == hash)
                .map(|(k, _)| k.clone())
        }))
    }
    async fn api_keys_of(&self, website: WebsiteId) -> StoreResult<Vec<ApiKey>> {
        Ok(self.with(|s| {
            s.keys
                .iter()
                .filter(|(k, _)| k.website_id == website)
                .map(|(k, _)| k.clone())
                .collect()
        }))
    }
    async fn roll_api_key(
        &self,
        website: WebsiteId,
        id: ApiKeyId,
        hash: &CredentialHash,
        display_key: &str,
        issuer: &KeyIssuer,
    ) -> StoreResult<ApiKey> {
        self.with(|s| {
            let (key, stored) = s
                .keys
                .iter_mut()
                .find(|(k, _)| k.id == id && k.website_id == website)
                .ok_or(StoreError::NotFound)?;
            key.display_key = display_key.to_owned();
            key.issued_by = issuer.clone();
            *stored = hash.clone();
            Ok(key.clone())
        })
    }
    async fn delete_api_key(&self, website: WebsiteId, id: ApiKeyId) -> StoreResult<()> {
        self.with(|s| {
            let before = s.keys.len();
            s.keys
                .retain(|(k, _)| !(k.id == id && k.website_id == website));
            if s.keys.len() == before {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
    }
    async fn touch_api_keys(&self, _uses: &[(ApiKeyId, Timestamp)]) -> StoreResult<()> {
        Ok(())
    }
}

#[async_trait]
impl WebsiteStore for TestStore {
    async fn create_website(&self, website: &Website) -> StoreResult<()> {
        self.with(|s| {
            if s.websites.iter().any(|w| w.domain == website.domain) {
                return Err(StoreError::Conflict("domain"));
            }
            s.websites.push(website.clone());
            s.members.push(Membership {
                website_id: website.id,
                account_id: website.owner_id,
                role: Role::Owner,
                joined_at: website.created_at,
            });
            Ok(())
        })
    }
    async fn website(&self, id: WebsiteId) -> StoreResult<Option<Website>> {
        Ok(self.with(|s| s.websites.iter().find(|w| w.id == id).cloned()))
    }
    async fn website_by_tracking_id(&self, tracking_id: &str) -> StoreResult<Option<Website>> {
        Ok(self.with(|s| {
            s.websites
                .iter()
                .find(|w| w.tracking_id.as_str() == tracking_id)
                .cloned()
        }))
    }
    async fn update_website(&self, website: &Website) -> StoreResult<()> {
        self.with(|s| {
            let stored = s
                .websites
                .iter_mut()
                .find(|w| w.id == website.id)
                .ok_or(StoreError::NotFound)?;
            *stored = website.clone();
            Ok(())
        })
    }
    async fn websites_of(&self, account: AccountId) -> StoreResult<Vec<(Website, Role)>> {
        Ok(self.with(|s| {
            s.websites
                .iter()
                .filter_map(|w| {
                    s.members
                        .iter()
                        .find(|m| m.website_id == w.id && m.account_id == account)
                        .map(|m| (w.clone(), m.role))
                })
                .collect()
        }))
    }
}

#[async_trait]
impl TeamStore for TestStore {
    async fn role_of(&self, website: WebsiteId, account: AccountId) -> StoreResult<Option<Role>> {
        Ok(self.with(|s| {
            s.members
                .iter()
                .find(|m| m.website_id == website && m.account_id == account)
                .map(|m| m.role)
        }))
    }
    async fn members(&self, website: WebsiteId) -> StoreResult<Vec<(Membership, Account)>> {
        Ok(self.with(|s| {
            s.members
                .iter()
                .filter(|m| m.website_id == website)
                .filter_map(|m| {
                    s.accounts
                        .iter()
                        .find(|a| a.id == m.account_id)
                        .map(|a| (m.clone(), a.clone()))
                })
                .collect()
        }))
    }
    async fn insert_invitation(&self, invitation: &Invitation) -> StoreResult<()> {
        self.with(|s| {
            if s.invitations
                .iter()
                .any(|i| i.website_id == invitation.website_id && i.email == invitation.email)
            {
                return Err(StoreError::Conflict("invitation"));
            }
            s.invitations.push(invitation.clone());
            Ok(())
        })
    }
    async fn invitation(&self, id: InvitationId) -> StoreResult<Option<Invitation>> {
        Ok(self.with(|s| s.invitations.iter().find(|i| i.id == id).cloned()))
    }
    async fn invitations_of_website(&self, website: WebsiteId) -> StoreResult<Vec<Invitation>> {
        Ok(self.with(|s| {
            s.invitations
                .iter()
                .filter(|i| i.website_id == website)
                .cloned()
                .collect()
        }))
    }
    async fn invitations_for(&self, email: &Email) -> StoreResult<Vec<Invitation>> {
        Ok(self.with(|s| {
            s.invitations
                .iter()
                .filter(|i| &i.email == email)
                .cloned()
                .collect()
        }))
    }
    async fn accept_invitation(
        &self,
        id: InvitationId,
        membership: &Membership,
    ) -> StoreResult<()> {
        self.with(|s| {
            if !s.invitations.iter().any(|i| i.id == id) {
                return Err(StoreError::NotFound);
            }
            s.invitations.retain(|i| i.id != id);
            s.members.push(membership.clone());
            Ok(())
        })
    }
    async fn delete_invitation(&self, website: WebsiteId, id: InvitationId) -> StoreResult<()> {
        self.with(|s| {
            let before = s.invitations.len();
            s.invitations
                .retain(|i| !(i.id == id && i.website_id == website));
            if s.invitations.len() == before {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
    }
    async fn remove_member(&self, website: WebsiteId, account: AccountId) -> StoreResult<()> {
        self.with(|s| {
            let before = s.members.len();
            s.members
                .retain(|m| !(m.website_id == website && m.account_id == account));
            if s.members.len() == before {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
    }
}

#[async_trait]
impl FunnelStore for TestStore {
    async fn insert_funnel(&self, funnel: &Funnel) -> StoreResult<()> {
        self.with(|s| {
            let taken = s.funnels.iter().any(|(f, deleted)| {
                !deleted
                    && f.website_id == funnel.website_id
                    && f.name.eq_ignore_ascii_case(&funnel.name)
            });
            if taken {
                return Err(StoreError::Conflict("name"));
            }
            s.funnels.push((funnel.clone(), false));
            Ok(())
        })
    }
    async fn funnels(
        &self,
        website: WebsiteId,
        include_inactive: bool,
    ) -> StoreResult<Vec<Funnel>> {
        Ok(self.with(|s| {
            s.funnels
                .iter()
                .filter(|(f, deleted)| {
                    !deleted && f.website_id == website && (include_inactive || f.is_active)
                })
                .map(|(f, _)| f.clone())
                .collect()
        }))
    }
    async fn funnel(&self, website: WebsiteId, id: FunnelId) -> StoreResult<Option<Funnel>> {
        Ok(self.with(|s| {
            s.funnels
                .iter()
                .find(|(f, deleted)| !deleted && f.website_id == website && f.id == id)
                .map(|(f, _)| f.clone())
        }))
    }
    async fn update_funnel(&self, funnel: &Funnel) -> StoreResult<()> {
        self.with(|s| {
            let (stored, _) = s
                .funnels
                .iter_mut()
                .find(|(f, deleted)| !deleted && f.id == funnel.id)
                .ok_or(StoreError::NotFound)?;
            *stored = funnel.clone();
            Ok(())
        })
    }
    async fn delete_funnel(
        &self,
        website: WebsiteId,
        id: FunnelId,
        _at: Timestamp,
    ) -> StoreResult<()> {
        self.with(|s| {
            let (_, deleted) = s
                .funnels
                .iter_mut()
                .find(|(f, deleted)| !deleted && f.website_id == website && f.id == id)
                .ok_or(StoreError::NotFound)?;
            *deleted = true;
            Ok(())
        })
    }
}

#[async_trait]
impl AlertStore for TestStore {
    async fn insert_alert(&self, alert: &Alert, max: usize) -> StoreResult<()> {
        self.with(|s| {
            if s.alerts
                .iter()
                .filter(|a| a.website_id == alert.website_id)
                .count()
                >= max
            {
                return Err(StoreError::LimitReached);
            }
            s.alerts.push(alert.clone());
            Ok(())
        })
    }
    async fn alerts(&self, website: WebsiteId) -> StoreResult<Vec<Alert>> {
        Ok(self.with(|s| {
            s.alerts
                .iter()
                .filter(|a| a.website_id == website)
                .cloned()
                .collect()
        }))
    }
    async fn alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<Option<Alert>> {
        Ok(self.with(|s| {
            s.alerts
                .iter()
                .find(|a| a.website_id == website && a.id == id)
                .cloned()
        }))
    }
    async fn update_alert(&self, alert: &Alert) -> StoreResult<()> {
        self.with(|s| {
            let stored = s
                .alerts
                .iter_mut()
                .find(|a| a.id == alert.id)
                .ok_or(StoreError::NotFound)?;
            *stored = alert.clone();
            Ok(())
        })
    }
    async fn delete_alert(&self, website: WebsiteId, id: AlertId) -> StoreResult<()> {
        self.with(|s| {
            let before = s.alerts.len();
            s.alerts
                .retain(|a| !(a.website_id == website && a.id == id));
            if s.alerts.len() == before {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
    }
    async fn alerts_for_goal(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Vec<Alert>> {
        Ok(self.with(|s| {
            s.alerts
                .iter()
                .filter(|a| a.website_id == website && &a.goal_name == goal && a.is_enabled)
                .cloned()
                .collect()
        }))
    }
    async fn insert_alert_log(&self, log: &AlertLog) -> StoreResult<()> {
        self.with(|s| s.logs.push(log.clone()));
        Ok(())
    }
    async fn alert_logs(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
        limit: usize,
    ) -> StoreResult<Vec<AlertLog>> {
        Ok(self.with(|s| {
            s.logs
                .iter()
                .rev()
                .filter(|l| l.website_id == website && alert.is_none_or(|id| l.alert_id == id))
                .take(limit)
                .cloned()
                .collect()
        }))
    }
    async fn alert_counts(
        &self,
        website: WebsiteId,
        alert: Option<AlertId>,
    ) -> StoreResult<DeliveryCounts> {
        Ok(self.with(|s| {
            let mut counts = DeliveryCounts::default();
            for log in s
                .logs
                .iter()
                .filter(|l| l.website_id == website && alert.is_none_or(|id| l.alert_id == id))
            {
                match log.status {
                    DeliveryStatus::Sent => counts.sent += 1,
                    DeliveryStatus::Failed => counts.failed += 1,
                }
            }
            counts
        }))
    }
}

#[async_trait]
impl GoalCustomizationStore for TestStore {
    async fn customizations(&self, website: WebsiteId) -> StoreResult<Vec<GoalCustomization>> {
        Ok(self.with(|s| {
            s.customizations
                .iter()
                .filter(|(w, _)| *w == website)
                .map(|(_, c)| c.clone())
                .collect()
        }))
    }
    async fn customization(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Option<GoalCustomization>> {
        Ok(self.with(|s| {
            s.customizations
                .iter()
                .find(|(w, c)| *w == website && &c.goal_name == goal)
                .map(|(_, c)| c.clone())
        }))
    }
    async fn save_customization(
        &self,
        website: WebsiteId,
        customization: &GoalCustomization,
    ) -> StoreResult<()> {
        self.with(|s| {
            s.customizations
                .retain(|(w, c)| !(*w == website && c.goal_name == customization.goal_name));
            s.customizations.push((website, customization.clone()));
        });
        Ok(())
    }
}

#[async_trait]
impl IntegrationStore for TestStore {
    async fn connections(&self, website: WebsiteId) -> StoreResult<Vec<Connection>> {
        Ok(self.with(|s| {
            s.connections
                .iter()
                .filter(|(w, _)| *w == website)
                .map(|(_, c)| c.clone())
                .collect()
        }))
    }
    async fn save_connection(
        &self,
        website: WebsiteId,
        connection: &Connection,
    ) -> StoreResult<()> {
        self.with(|s| {
            s.connections
                .retain(|(w, c)| !(*w == website && c.provider == connection.provider));
            s.connections.push((website, connection.clone()));
        });
        Ok(())
    }
    async fn delete_connection(&self, website: WebsiteId, provider: Provider) -> StoreResult<bool> {
        Ok(self.with(|s| {
            let before = s.connections.len();
            s.connections
                .retain(|(w, c)| !(*w == website && c.provider == provider));
            s.connections.len() != before
        }))
    }
}

#[async_trait]
impl EventStore for TestStore {
    async fn append_events(&self, events: Vec<Event>) -> StoreResult<Vec<u64>> {
        Ok(self.with(|s| {
            events
                .into_iter()
                .map(|event| {
                    let seq = s.events.last().map_or(1, |last| last.seq + 1);
                    s.events.push(StoredEvent { seq, event });
                    seq
                })
                .collect()
        }))
    }
    async fn goal_counts(&self, _website: WebsiteId) -> StoreResult<Vec<GoalCount>> {
        Ok(Vec::new())
    }
    async fn unique_visitors(&self, _website: WebsiteId) -> StoreResult<u64> {
        Ok(0)
    }
    async fn latest_pageview(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<Event>> {
        Ok(self.with(|s| {
            s.events
                .iter()
                .rev()
                .map(|stored| &stored.event)
                .find(|e| {
                    e.website_id == website
                        && e.visitor_id == visitor_id
                        && e.kind == EventKind::Pageview
                })
                .cloned()
        }))
    }
    async fn delete_goal_events(
        &self,
        website: WebsiteId,
        filter: &GoalEventFilter,
    ) -> StoreResult<u64> {
        Ok(self.with(|s| {
            let before = s.events.len();
            s.events.retain(|stored| {
                !(stored.event.website_id == website && filter.matches(&stored.event))
            });
            (before - s.events.len()) as u64
        }))
    }
    async fn events_after(&self, after: u64, limit: usize) -> StoreResult<Vec<StoredEvent>> {
        Ok(self.with(|s| {
            s.events
                .iter()
                .filter(|stored| stored.seq > after)
                .take(limit)
                .cloned()
                .collect()
        }))
    }
}

#[async_trait]
impl PaymentStore for TestStore {
    async fn record_payment(
        &self,
        payment: &Payment,
        _goal_event: Option<Event>,
    ) -> StoreResult<PaymentRecord> {
        Ok(self.with(|s| {
            let known = s.payments.iter().any(|p| {
                p.website_id == payment.website_id && p.transaction_id == payment.transaction_id
            });
            if known {
                return PaymentRecord::Duplicate;
            }
            s.payments.push(payment.clone());
            PaymentRecord::Recorded
        }))
    }
    async fn delete_payments(
        &self,
        website: WebsiteId,
        filter: &PaymentFilter,
    ) -> StoreResult<u64> {
        Ok(self.with(|s| {
            let before = s.payments.len();
            s.payments
                .retain(|p| !(p.website_id == website && filter.matches(p)));
            (before - s.payments.len()) as u64
        }))
    }
    async fn payments(&self, website: WebsiteId) -> StoreResult<Vec<Payment>> {
        Ok(self.with(|s| {
            s.payments
                .iter()
                .filter(|p| p.website_id == website)
                .cloned()
                .collect()
        }))
    }
}

#[async_trait]
impl ProfileStore for TestStore {
    async fn save_profile(&self, profile: &VisitorProfile) -> StoreResult<VisitorProfile> {
        Ok(self.with(|s| {
            let mut saved = profile.clone();
            if let Some(existing) = s
                .profiles
                .iter_mut()
                .find(|p| p.website_id == profile.website_id && p.visitor_id == profile.visitor_id)
            {
                saved.profile_id = existing.profile_id.clone();
                *existing = saved.clone();
            } else {
                s.profiles.push(saved.clone());
            }
            saved
        }))
    }
    async fn profile(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<VisitorProfile>> {
        Ok(self.with(|s| {
            s.profiles
                .iter()
                .find(|p| p.website_id == website && p.visitor_id == visitor_id)
                .cloned()
        }))
    }
    async fn profiles(&self, website: WebsiteId) -> StoreResult<Vec<VisitorProfile>> {
        Ok(self.with(|s| {
            s.profiles
                .iter()
                .filter(|p| p.website_id == website)
                .cloned()
                .collect()
        }))
    }
}
