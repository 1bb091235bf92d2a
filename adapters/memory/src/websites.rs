//! Websites, each created together with its owner's membership; a domain is unique per owning
//! account.

use async_trait::async_trait;

use datafast_domain::id::{AccountId, WebsiteId};
use datafast_domain::role::Role;
use datafast_domain::team::Membership;
use datafast_domain::website::Website;
use datafast_ports::store::{StoreError, StoreResult, WebsiteStore};

use crate::MemoryStore;
use crate::state::{duplicate_id, to_millis};

#[async_trait]
impl WebsiteStore for MemoryStore {
    async fn create_website(&self, website: &Website) -> StoreResult<()> {
        let website = Website {
            created_at: to_millis(website.created_at),
            ..website.clone()
        };
        self.write(|state| {
            // The domain is checked first, so a request colliding on both learns about it. It
            // is unique per owning account, not across the server.
            let domain_taken = state
                .websites
                .values()
                .any(|w| w.owner_id == website.owner_id && w.domain == website.domain);
            if domain_taken {
                return Err(StoreError::Conflict("domain"));
            }
            if state.websites.contains_key(&website.id) {
                return Err(duplicate_id("website"));
            }
            if state
                .websites
                .values()
                .any(|w| w.tracking_id == website.tracking_id)
            {
                return Err(StoreError::Conflict("trackingId"));
            }
            let owner = (website.id, website.owner_id);
            if state.memberships.contains_key(&owner) {
                return Err(duplicate_id("membership"));
            }
            state.memberships.insert(
                owner,
                Membership {
                    website_id: website.id,
                    account_id: website.owner_id,
                    role: Role::Owner,
                    joined_at: website.created_at,
                },
            );
            state.websites.insert(website.id, website);
            Ok(())
        })
    }

    async fn website(&self, id: WebsiteId) -> StoreResult<Option<Website>> {
        self.read(|state| state.websites.get(&id).cloned())
    }

    async fn website_by_tracking_id(&self, tracking_id: &str) -> StoreResult<Option<Website>> {
        self.read(|state| {
            state
                .websites
                .values()
                .find(|website| website.tracking_id.as_str() == tracking_id)
                .cloned()
        })
    }

    async fn websites_with_domain(&self, domain: &str) -> StoreResult<Vec<Website>> {
        self.read(|state| {
            let mut found: Vec<Website> = state
                .websites
                .values()
                .filter(|website| website.domain.as_str() == domain)
                .cloned()
                .collect();
            found.sort_by_key(|website| (website.created_at, website.id));
            found
        })
    }

    async fn delete_website(&self, id: WebsiteId) -> StoreResult<()> {
        self.write(|state| {
            state.websites.remove(&id).ok_or(StoreError::NotFound)?;
            state.memberships.retain(|(website, _), _| *website != id);
            state.invitations.retain(|_, row| row.website_id != id);
            state.api_keys.retain(|_, key| key.row.website_id != id);
            state
                .funnels
                .retain(|_, stored| stored.funnel.website_id != id);
            state.alerts.retain(|_, alert| alert.website_id != id);
            state.alert_logs.retain(|_, log| log.website_id != id);
            state
                .customizations
                .retain(|(website, _), _| *website != id);
            state.connections.retain(|(website, _), _| *website != id);
            state
                .subscriptions
                .retain(|(website, _, _), _| *website != id);
            state
                .checkout_emails
                .retain(|(website, _), _| *website != id);
            state.payments.retain(|(website, _), _| *website != id);
            state.profiles.retain(|(website, _), _| *website != id);
            state.events.retain(|_, event| event.website_id != id);
            Ok(())
        })
    }

    async fn update_website(&self, website: &Website) -> StoreResult<()> {
        self.write(|state| {
            // The stored owner counts, not the one the update carries, which is ignored.
            let owner = state
                .websites
                .get(&website.id)
                .ok_or(StoreError::NotFound)?
                .owner_id;
            let taken = state.websites.values().any(|other| {
                other.id != website.id && other.owner_id == owner && other.domain == website.domain
            });
            if taken {
                return Err(StoreError::Conflict("domain"));
            }
            // Only the domain and the settings change: owner, tracking id and creation stay.
            let stored = state
                .websites
                .get_mut(&website.id)
                .ok_or(StoreError::NotFound)?;
            stored.domain = website.domain.clone();
            stored.settings = website.settings.clone();
            Ok(())
        })
    }

    async fn websites_of(&self, account: AccountId) -> StoreResult<Vec<(Website, Role)>> {
        self.read(|state| {
            let mut websites: Vec<(Website, Role)> = state
                .memberships
                .values()
                .filter(|membership| membership.account_id == account)
                .filter_map(|membership| {
                    let website = state.websites.get(&membership.website_id)?;
                    Some((website.clone(), membership.role))
                })
                .collect();
            websites.sort_by_key(|(website, _)| (website.created_at, website.id));
            websites
        })
    }
}
