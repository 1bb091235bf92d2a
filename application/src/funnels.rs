//! Funnels (`/websites/{id}/funnels`): list, create, update (including enable and disable),
//! soft delete.

use datafast_domain::access::Principal;
use datafast_domain::funnel::{Funnel, FunnelName, FunnelStep, slugify};
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::permission::Permission;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};
use datafast_ports::store::StoreError;

/// A validated `POST .../funnels`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFunnel {
    pub name: FunnelName,
    pub steps: Vec<FunnelStep>,
    pub is_active: bool,
}

/// A validated `PUT .../funnels/{id}`: `None` keeps a field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunnelChanges {
    pub name: Option<FunnelName>,
    pub steps: Option<Vec<FunnelStep>>,
    pub is_active: Option<bool>,
}

fn funnel_error(error: StoreError) -> ServiceError {
    match error {
        StoreError::Conflict(_) => {
            ServiceError::Conflict("A funnel with this name already exists".to_owned())
        }
        StoreError::NotFound => ServiceError::not_found("Funnel"),
        other => other.into(),
    }
}

fn funnel_slug(name: &FunnelName, id: FunnelId) -> String {
    match slugify(name.as_str()) {
        slug if slug.is_empty() => id.to_string(),
        slug => slug,
    }
}

/// The funnel use cases, reached through [`Services::funnels`].
#[derive(Debug, Clone, Copy)]
pub struct Funnels<'a> {
    pub(crate) services: &'a Services,
}

impl Funnels<'_> {
    pub async fn list(
        &self,
        principal: &Principal,
        website: WebsiteId,
        include_inactive: bool,
    ) -> ServiceResult<Vec<Funnel>> {
        self.services
            .authorized_website(principal, website, Permission::FunnelsRead, false)
            .await?;
        Ok(self
            .services
            .store
            .funnels(website, include_inactive)
            .await?)
    }

    pub async fn get(
        &self,
        principal: &Principal,
        website: WebsiteId,
        id: FunnelId,
    ) -> ServiceResult<Funnel> {
        self.services
            .authorized_website(principal, website, Permission::FunnelsRead, false)
            .await?;
        self.services
            .store
            .funnel(website, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Funnel"))
    }

    pub async fn create(
        &self,
        principal: &Principal,
        website: WebsiteId,
        new: NewFunnel,
    ) -> ServiceResult<Funnel> {
        self.services
            .authorized_website(principal, website, Permission::FunnelsWrite, false)
            .await?;
        let now = self.services.now();
        let id = FunnelId::from_parts(id_seconds(now), random_array(self.services.random.as_ref()));
        let funnel = Funnel {
            id,
            website_id: website,
            slug: funnel_slug(&new.name, id),
            name: new.name,
            steps: new.steps,
            is_active: new.is_active,
            created_at: now,
            updated_at: now,
        };
        self.services
            .store
            .insert_funnel(&funnel)
            .await
            .map_err(funnel_error)?;
        Ok(funnel)
    }

    pub async fn update(
        &self,
        principal: &Principal,
        website: WebsiteId,
        id: FunnelId,
        changes: FunnelChanges,
    ) -> ServiceResult<Funnel> {
        self.services
            .authorized_website(principal, website, Permission::FunnelsWrite, false)
            .await?;
        let mut funnel = self
            .services
            .store
            .funnel(website, id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Funnel"))?;
        if let Some(name) = changes.name {
            funnel.slug = funnel_slug(&name, id);
            funnel.name = name;
        }
        if let Some(steps) = changes.steps {
            funnel.steps = steps;
        }
        if let Some(is_active) = changes.is_active {
            funnel.is_active = is_active;
        }
        funnel.updated_at = self.services.now();
        self.services
            .store
            .update_funnel(&funnel)
            .await
            .map_err(funnel_error)?;
        Ok(funnel)
    }

    pub async fn delete(
        &self,
        principal: &Principal,
        website: WebsiteId,
        id: FunnelId,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::FunnelsWrite, false)
            .await?;
        self.services
            .store
            .delete_funnel(website, id, self.services.now())
            .await
            .map_err(funnel_error)
    }
}
