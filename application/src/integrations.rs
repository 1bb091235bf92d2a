//! Payment-provider integrations (`/websites/{id}/integrations`): status, connect (credentials
//! checked for form, then live with the provider, then sealed by the vault), disconnect.

use jiff::Timestamp;

use datafast_domain::ValidationError;
use datafast_domain::access::Principal;
use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Connection, Provider, ProviderCredentials};
use datafast_domain::permission::Permission;
use datafast_domain::provider_payment::SyncState;
use datafast_domain::website::Currency;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use datafast_ports::providers::ProviderError;

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
    /// How the revenue import of the connection is doing.
    pub sync: SyncState,
    /// Whether a webhook signing secret is set, so deliveries are accepted.
    pub webhook: bool,
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
                        sync: c.sync.clone(),
                        webhook: c.sealed_webhook_secret.is_some(),
                    });
                (*provider, state)
            })
            .collect();
        Ok(IntegrationStatus {
            providers,
            currency: site.settings.currency,
        })
    }

    /// Checks the credentials with the provider, then seals and stores them; returns the
    /// provider account's currency (the website's when the provider gives none). Nothing is
    /// saved unless the provider accepted the credentials.
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
        if credentials.is_test_key() {
            self.refuse_test_mode(&credentials)?;
        }
        let facts = self
            .services
            .providers
            .check(&credentials)
            .await
            .map_err(|error| provider_failure(&credentials, error))?;
        if facts.test_mode {
            self.refuse_test_mode(&credentials)?;
        }
        let plaintext = serialize_credentials(&credentials)?;
        let sealed = self.services.vault.seal(&plaintext)?;
        // A new key for the same account keeps the webhook set up with the old one.
        let sealed_webhook_secret = connection_of(self.services, website, credentials.provider())
            .await?
            .and_then(|c| c.sealed_webhook_secret);
        let connection = Connection {
            provider: credentials.provider(),
            sealed_credentials: sealed,
            connected_at: self.services.now(),
            key_expires_at: None,
            sync: SyncState::default(),
            sealed_webhook_secret,
        };
        self.services
            .store
            .save_connection(website, &connection)
            .await?;
        Ok(facts.currency.unwrap_or(site.settings.currency))
    }

    /// Refuses a test-mode credential unless the server's config allows them.
    fn refuse_test_mode(&self, credentials: &ProviderCredentials) -> ServiceResult<()> {
        if self.services.allow_test_keys {
            return Ok(());
        }
        Err(ServiceError::Invalid(ValidationError::new(
            credentials.credential_field(),
            format!(
                "is a {} test-mode key; this server accepts live keys only \
                 (allow_test_keys in its config lets test keys connect)",
                credentials.provider().title()
            ),
        )))
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

/// A provider's refusal is the client's to fix (400, with the provider's reason); a provider
/// that cannot answer is a bad gateway (502).
fn provider_failure(credentials: &ProviderCredentials, error: ProviderError) -> ServiceError {
    let provider = credentials.provider().title();
    match error {
        ProviderError::Rejected(reason) => ServiceError::Invalid(ValidationError::new(
            credentials.credential_field(),
            format!("was refused by {provider}: {reason}"),
        )),
        ProviderError::RateLimited { .. } => ServiceError::BadGateway(format!(
            "{provider} is rate limiting requests; nothing was saved, try again in a minute"
        )),
        ProviderError::Unavailable(detail) => ServiceError::BadGateway(format!(
            "{provider} could not be reached to check the credentials ({detail}); nothing was saved"
        )),
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

/// The connection's credentials, unsealed for the one call that needs them.
/// The website's connection to `provider`, if it has one.
pub(crate) async fn connection_of(
    services: &Services,
    website: WebsiteId,
    provider: Provider,
) -> ServiceResult<Option<Connection>> {
    let connections = services.store.connections(website).await?;
    Ok(connections.into_iter().find(|c| c.provider == provider))
}

pub(crate) fn open_credentials(
    services: &Services,
    connection: &Connection,
) -> ServiceResult<ProviderCredentials> {
    let bytes = services.vault.open(&connection.sealed_credentials)?;
    let fields = length_prefixed_fields(&bytes)
        .ok_or_else(|| ServiceError::Internal("sealed credentials do not decode".to_owned()))?;
    let invalid = |error: ValidationError| ServiceError::Internal(error.to_string());
    match fields.as_slice() {
        ["stripe", key] => ProviderCredentials::stripe(key).map_err(invalid),
        ["lemonsqueezy", key, store] => {
            ProviderCredentials::lemon_squeezy(key, store).map_err(invalid)
        }
        ["polar", token, organization] => {
            ProviderCredentials::polar(token, organization).map_err(invalid)
        }
        ["paddle", key] => ProviderCredentials::paddle(key).map_err(invalid),
        _ => Err(ServiceError::Internal(format!(
            "sealed credentials of {} do not decode",
            connection.provider
        ))),
    }
}

/// The inverse of [`serialize_credentials`]: `None` for bytes it did not write.
fn length_prefixed_fields(mut bytes: &[u8]) -> Option<Vec<&str>> {
    let mut fields = Vec::new();
    while !bytes.is_empty() {
        let (length, rest) = bytes.split_first_chunk::<4>()?;
        let length = usize::try_from(u32::from_be_bytes(*length)).ok()?;
        if rest.len() < length {
            return None;
        }
        let (field, rest) = rest.split_at(length);
        fields.push(std::str::from_utf8(field).ok()?);
        bytes = rest;
    }
    Some(fields)
}
