//! Tracked goals (computed from stored events) and goal customizations.

use datafast_domain::access::Principal;
use datafast_domain::goal::{
    CustomizationChange, GoalCustomization, GoalName, TrackedGoal, rank_goals,
};
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::Permission;

use crate::Services;
use crate::error::ServiceResult;

/// Customizations, for one goal or all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalCustomizationsView {
    pub customizations: Vec<GoalCustomization>,
}

impl Services {
    pub async fn tracked_goals(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<Vec<TrackedGoal>> {
        self.authorized_website(principal, website, Permission::SettingsRead, false)
            .await?;
        let counts = self.store.goal_counts(website).await?;
        let visitors = self.store.unique_visitors(website).await?;
        Ok(rank_goals(counts, visitors))
    }

    pub async fn goal_customizations(
        &self,
        principal: &Principal,
        website: WebsiteId,
        goal: Option<GoalName>,
    ) -> ServiceResult<GoalCustomizationsView> {
        self.authorized_website(principal, website, Permission::GoalsRead, false)
            .await?;
        let customizations = match goal {
            Some(goal) => self
                .store
                .customization(website, &goal)
                .await?
                .into_iter()
                .collect(),
            None => self.store.customizations(website).await?,
        };
        Ok(GoalCustomizationsView { customizations })
    }

    pub async fn customize_goal(
        &self,
        principal: &Principal,
        website: WebsiteId,
        change: CustomizationChange,
    ) -> ServiceResult<GoalCustomization> {
        self.authorized_website(principal, website, Permission::GoalsWrite, false)
            .await?;
        let current = self.store.customization(website, &change.goal_name).await?;
        let updated = change.apply(current, self.now());
        self.store.save_customization(website, &updated).await?;
        Ok(updated)
    }
}
