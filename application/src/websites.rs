//! Websites: list what the caller may see, create, read and change settings, and delete. As
//! DataFast documents, deletion is for the dashboard only: the owner, signed in, may delete;
//! every token and key is refused.

use datafast_domain::access::{Credential, Principal, Target, authorize};
use datafast_domain::grant::check_website_creation;
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::Permission;
use datafast_domain::role::Role;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::{Domain, TrackingId, Website, WebsitePatch, WebsiteSettings};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};
use datafast_ports::store::StoreError;

/// A validated `POST /websites`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewWebsite {
    pub domain: Domain,
    pub name: Option<String>,
    pub timezone: Option<TimeZoneName>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebsiteWithRole {
    pub website: Website,
    pub role: Role,
}

/// How many times to draw a fresh tracking id when one collides.
const TRACKING_ID_ATTEMPTS: usize = 4;

/// Domains are unique per owning account only, so this never tells a caller about another
/// account's websites.
fn domain_taken() -> ServiceError {
    ServiceError::Conflict("The owning account already has a website with this domain".to_owned())
}

/// The website use cases, reached through [`Services::websites`].
#[derive(Debug, Clone, Copy)]
pub struct Websites<'a> {
    pub(crate) services: &'a Services,
}

impl Websites<'_> {
    pub async fn list(&self, principal: &Principal) -> ServiceResult<Vec<WebsiteWithRole>> {
        authorize(principal, Permission::WebsitesRead, Target::Account)?;
        let websites = self
            .services
            .store
            .websites_of(principal.account_id)
            .await?;
        Ok(websites
            .into_iter()
            .filter(|(website, _)| principal.scope_includes(website.id))
            .map(|(website, role)| WebsiteWithRole { website, role })
            .collect())
    }

    pub async fn create(
        &self,
        principal: &Principal,
        request: NewWebsite,
    ) -> ServiceResult<Website> {
        authorize(principal, Permission::WebsitesWrite, Target::Account)?;
        check_website_creation(principal)?;
        let now = self.services.now();
        let name = request.name.unwrap_or_else(|| request.domain.to_string());
        let settings = WebsiteSettings::new(name, request.timezone.unwrap_or_default());
        let id =
            WebsiteId::from_parts(id_seconds(now), random_array(self.services.random.as_ref()));
        for _ in 0..TRACKING_ID_ATTEMPTS {
            let website = Website {
                id,
                owner_id: principal.account_id,
                domain: request.domain.clone(),
                tracking_id: TrackingId::from_random(random_array(self.services.random.as_ref())),
                created_at: now,
                settings: settings.clone(),
            };
            match self.services.store.create_website(&website).await {
                Ok(()) => return Ok(website),
                Err(StoreError::Conflict("domain")) => return Err(domain_taken()),
                Err(StoreError::Conflict("trackingId")) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(ServiceError::Internal(
            "could not draw a unique tracking id".to_owned(),
        ))
    }

    pub async fn get(
        &self,
        principal: &Principal,
        id: WebsiteId,
    ) -> ServiceResult<WebsiteWithRole> {
        let (website, role) = self
            .services
            .authorized_website(principal, id, Permission::SettingsRead, false)
            .await?;
        Ok(WebsiteWithRole { website, role })
    }

    pub async fn update(
        &self,
        principal: &Principal,
        id: WebsiteId,
        patch: WebsitePatch,
    ) -> ServiceResult<WebsiteWithRole> {
        let (mut website, role) = self
            .services
            .authorized_website(principal, id, Permission::SettingsWrite, false)
            .await?;
        patch.apply_to(&mut website);
        match self.services.store.update_website(&website).await {
            Ok(()) => Ok(WebsiteWithRole { website, role }),
            Err(StoreError::Conflict(_)) => Err(domain_taken()),
            Err(StoreError::NotFound) => Err(ServiceError::not_found("Website")),
            Err(other) => Err(other.into()),
        }
    }

    /// Checks the caller as for a deletion, then refuses: deletion is not offered over the API.
    /// Deletes the website and everything of it: its team, keys, settings, events, payments
    /// and profiles. Its keys stop working at once, and the analytics index is rebuilt
    /// without it on the next query.
    ///
    /// # Errors
    /// `Forbidden` for any credential but a signed-in session; as every website use case
    /// otherwise (only the owner may).
    pub async fn delete(&self, principal: &Principal, id: WebsiteId) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, id, Permission::WebsitesWrite, true)
            .await?;
        if !matches!(principal.credential, Credential::Session { .. }) {
            return Err(ServiceError::Forbidden(
                "Website deletion is not available through the API: delete it from the \
                 dashboard, in the website's settings"
                    .to_owned(),
            ));
        }
        match self.services.store.delete_website(id).await {
            Ok(()) | Err(StoreError::NotFound) => {}
            Err(other) => return Err(other.into()),
        }
        self.services.forget_credentials();
        self.services.announce_alerts_changed(id);
        self.services.analytics().analytics_invalidate().await;
        Ok(())
    }
}
