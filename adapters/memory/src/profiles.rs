//! Visitor profiles: one per website and visitor, replaced by later identifies while keeping
//! the first profile id.

use async_trait::async_trait;
use datafast_domain::provider_payment::CheckoutEmail;

use datafast_domain::id::WebsiteId;
use datafast_domain::profile::VisitorProfile;
use datafast_ports::store::{ProfileStore, StoreResult};

use crate::MemoryStore;
use crate::state::to_millis;

#[async_trait]
impl ProfileStore for MemoryStore {
    async fn save_profile(&self, profile: &VisitorProfile) -> StoreResult<VisitorProfile> {
        let mut profile = VisitorProfile {
            identified_at: to_millis(profile.identified_at),
            ..profile.clone()
        };
        self.write(|state| {
            let key = (profile.website_id, profile.visitor_id.clone());
            // Clients may have stored the first id, so a replacement keeps it.
            if let Some(existing) = state.profiles.get(&key) {
                profile.profile_id = existing.profile_id.clone();
            }
            state.profiles.insert(key, profile.clone());
            Ok(profile)
        })
    }

    async fn profile(
        &self,
        website: WebsiteId,
        visitor_id: &str,
    ) -> StoreResult<Option<VisitorProfile>> {
        self.read(|state| {
            state
                .profiles
                .get(&(website, visitor_id.to_owned()))
                .cloned()
        })
    }

    async fn profiles(&self, website: WebsiteId) -> StoreResult<Vec<VisitorProfile>> {
        self.read(|state| {
            state
                .profiles
                .iter()
                .filter(|((site, _), _)| *site == website)
                .map(|(_, profile)| profile.clone())
                .collect()
        })
    }

    async fn save_checkout_email(&self, checkout: &CheckoutEmail) -> StoreResult<()> {
        let checkout = CheckoutEmail {
            seen_at: to_millis(checkout.seen_at),
            ..checkout.clone()
        };
        self.write(|state| {
            let key = (checkout.website_id, checkout.email.clone());
            if state
                .checkout_emails
                .get(&key)
                .is_none_or(|known| known.seen_at <= checkout.seen_at)
            {
                state.checkout_emails.insert(key, checkout);
            }
            Ok(())
        })
    }

    async fn checkout_emails(&self, website: WebsiteId) -> StoreResult<Vec<CheckoutEmail>> {
        self.read(|state| {
            state
                .checkout_emails
                .iter()
                .filter(|((owner, _), _)| *owner == website)
                .map(|(_, checkout)| checkout.clone())
                .collect()
        })
    }
}
