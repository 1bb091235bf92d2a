//! Payment-provider integrations (`/websites/{id}/integrations`): status, connect (credentials
//! checked for form and sealed by the vault), disconnect.

use jiff::Timestamp;

use datafast_domain::access::Principal;
use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider, ProviderCredentials};
use datafast_domain::permission::Permission;
use datafast_domain::website::Currency;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};

/// Connection status of every provider: never a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationStatus {
    pub providers: Vec<(Provider, Option<ProviderState>)>,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderState {
    pub connected_at: Timestamp,
    pub key_expires_at: Option<Timestamp>,
}

/// The payment-provider integration use cases, reached through [`Services::integrations`].
#[derive(Debug, Clone, Copy)]
pub struct Integrations<'a> {
    pub(crate) services: &'a Services,
}

impl Integrations<'_> {
    pub async fn status(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<IntegrationStatus> {
        let (site, _) = self
            .services
            .authorized_website(principal, website, Permission::SettingsRead, false)
            .await?;
        let connections = self.services.store.connections(website).await?;
        let providers = Provider::ALL
            .iter()
            .map(|provider| {
                let state = connections
                    .iter()
                    .find(|c| c.provider == *provider)
                    .map(|c| ProviderState {
                        connected_at: c.connected_at,
                        key_expires_at: c.key_expires_at,
                    });
                (*provider, state)
            })
            .collect();
        Ok(IntegrationStatus {
            providers,
            currency: site.settings.currency,
        })
    }

    /// Seals and stores the credentials; returns the website's currency for the response.
    pub async fn connect(
        &self,
        principal: &Principal,
        website: WebsiteId,
        credentials: ProviderCredentials,
    ) -> ServiceResult<Currency> {
        let (site, _) = self
            .services
            .authorized_website(principal, website, Permission::SettingsWrite, false)
            .await?;
        let plaintext = serialize_credentials(&credentials)?;
        let sealed = self.services.vault.seal(&plaintext)?;
        let connection = Connection {
            provider: credentials.provider(),
            sealed_credentials: sealed,
            connected_at: self.services.now(),
            key_expires_at: None,
        };
        self.services
            .store
            .save_connection(website, &connection)
            .await?;
        Ok(site.settings.currency)
    }

    /// Removes the connection; disconnecting a provider that is not connected succeeds too.
    pub async fn disconnect(
        &self,
        principal: &Principal,
        website: WebsiteId,
        provider: Provider,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::SettingsWrite, false)
            .await?;
        self.services
            .store
            .delete_connection(website, provider)
            .await?;
        Ok(())
    }
}

/// Credentials as bytes for the vault. A hand-written encoding keeps serde_json out of the
/// ports; fields are length-prefixed so no value can smuggle in another.
fn serialize_credentials(credentials: &ProviderCredentials) -> ServiceResult<Vec<u8>> {
    let fields: Vec<&str> = match credentials {
        ProviderCredentials::Stripe { restricted_key } => vec!["stripe", restricted_key],
        ProviderCredentials::LemonSqueezy { api_key, store_id } => {
            vec!["lemonsqueezy", api_key, store_id]
        }
        ProviderCredentials::Polar {
            access_token,
            organization_id,
        } => vec!["polar", access_token, organization_id],
        ProviderCredentials::Paddle { api_key } => vec!["paddle", api_key],
    };
    let mut bytes = Vec::new();
    for field in fields {
        let length = u32::try_from(field.len())
            .map_err(|_| ServiceError::Internal("credential too long".to_owned()))?;
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(field.as_bytes());
    }
    Ok(bytes)
}
