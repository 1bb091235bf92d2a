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

/// The goal use cases, reached through [`Services::goals`].
#[derive(Debug, Clone, Copy)]
pub struct Goals<'a> {
    pub(crate) services: &'a Services,
}

impl Goals<'_> {
    pub async fn tracked(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<Vec<TrackedGoal>> {
        self.services
            .authorized_website(principal, website, Permission::SettingsRead, false)
            .await?;
        let counts = self.services.store.goal_counts(website).await?;
        let visitors = self.services.store.unique_visitors(website).await?;
        Ok(rank_goals(counts, visitors))
    }

    pub async fn customizations(
        &self,
        principal: &Principal,
        website: WebsiteId,
        goal: Option<GoalName>,
    ) -> ServiceResult<GoalCustomizationsView> {
        self.services
            .authorized_website(principal, website, Permission::GoalsRead, false)
            .await?;
        let customizations = match goal {
            Some(goal) => self
                .services
                .store
                .customization(website, &goal)
                .await?
                .into_iter()
                .collect(),
            None => self.services.store.customizations(website).await?,
        };
        Ok(GoalCustomizationsView { customizations })
    }

    pub async fn customize(
        &self,
        principal: &Principal,
        website: WebsiteId,
        change: CustomizationChange,
    ) -> ServiceResult<GoalCustomization> {
        self.services
            .authorized_website(principal, website, Permission::GoalsWrite, false)
            .await?;
        let current = self
            .services
            .store
            .customization(website, &change.goal_name)
            .await?;
        let updated = change.apply(current, self.services.now());
        self.services
            .store
            .save_customization(website, &updated)
            .await?;
        Ok(updated)
    }
}
