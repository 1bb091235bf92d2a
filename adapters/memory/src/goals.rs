//! Goal customizations: one per website and goal name, replaced on save.

use async_trait::async_trait;

use datafast_domain::goal::{GoalCustomization, GoalName};
use datafast_domain::id::WebsiteId;
use datafast_ports::store::{GoalCustomizationStore, StoreResult};

use crate::MemoryStore;
use crate::state::to_millis;

#[async_trait]
impl GoalCustomizationStore for MemoryStore {
    async fn customizations(&self, website: WebsiteId) -> StoreResult<Vec<GoalCustomization>> {
        // Keys are (website, goal name), so one website's entries come out by goal name.
        self.read(|state| {
            state
                .customizations
                .iter()
                .filter(|((owner, _), _)| *owner == website)
                .map(|(_, customization)| customization.clone())
                .collect()
        })
    }

    async fn customization(
        &self,
        website: WebsiteId,
        goal: &GoalName,
    ) -> StoreResult<Option<GoalCustomization>> {
        self.read(|state| state.customizations.get(&(website, goal.clone())).cloned())
    }

    async fn save_customization(
        &self,
        website: WebsiteId,
        customization: &GoalCustomization,
    ) -> StoreResult<()> {
        let customization = GoalCustomization {
            updated_at: to_millis(customization.updated_at),
            ..customization.clone()
        };
        self.write(|state| {
            state
                .customizations
                .insert((website, customization.goal_name.clone()), customization);
            Ok(())
        })
    }
}
