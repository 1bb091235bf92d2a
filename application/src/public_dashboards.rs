//! Public dashboards (`/share/{domain}`): the website whose owner turned
//! `isPublicDashboardEnabled` on, and the principal a signed-out visitor reads it as. That
//! principal reads the website's analytics as a viewer and nothing else; whether revenue shows
//! is the website's `isPublicDataEnabled`, read at each request like the switch itself.

use datafast_domain::access::{Credential, Principal};
use datafast_domain::website::{Domain, Website};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};

/// A website's public dashboard, as one request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicDashboard {
    pub website: Website,
    /// Who the visitor reads as: the owner, through a [`Credential::PublicShare`].
    pub principal: Principal,
    /// Whether revenue figures may be shown (`isPublicDataEnabled`).
    pub shows_revenue: bool,
}

/// The public dashboard use cases, reached through [`Services::public_dashboards`].
#[derive(Debug, Clone, Copy)]
pub struct PublicDashboards<'a> {
    pub(crate) services: &'a Services,
}

impl PublicDashboards<'_> {
    /// The public dashboard of `domain`: the oldest website with that domain whose owner made
    /// it public (a domain is unique per owner, not across owners).
    ///
    /// # Errors
    /// `NotFound`, alike for a malformed domain, an unknown one and a private one, so that
    /// nothing tells them apart.
    pub async fn open(&self, domain: &str) -> ServiceResult<PublicDashboard> {
        let not_shared = || ServiceError::not_found("Dashboard");
        let domain = Domain::parse(domain).map_err(|_| not_shared())?;
        let website = self
            .services
            .store
            .websites_with_domain(domain.as_str())
            .await?
            .into_iter()
            .find(|website| website.settings.is_public_dashboard_enabled)
            .ok_or_else(not_shared)?;
        Ok(PublicDashboard {
            principal: Principal {
                account_id: website.owner_id,
                credential: Credential::PublicShare {
                    website_id: website.id,
                },
            },
            shows_revenue: website.settings.is_public_data_enabled,
            website,
        })
    }
}
