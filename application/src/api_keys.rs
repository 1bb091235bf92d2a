//! Website API keys (`/websites/{id}/apikeys`): list masked, create, roll, revoke. A key is
//! issued under the calling token, whose permissions cap it.

use datafast_domain::access::Principal;
use datafast_domain::apikey::{ApiKey, MAX_KEYS_PER_WEBSITE};
use datafast_domain::credential::{CredentialKind, RawSecret};
use datafast_domain::grant::{key_issuer, roll_issuer};
use datafast_domain::id::{ApiKeyId, WebsiteId};
use datafast_domain::permission::Permission;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};
use datafast_ports::store::StoreError;

/// A created or rolled key, with its raw value to show once.
#[derive(Debug, Clone)]
pub struct IssuedApiKey {
    pub key: ApiKey,
    pub raw: RawSecret,
}

fn key_not_found(error: StoreError) -> ServiceError {
    match error {
        StoreError::NotFound => ServiceError::not_found("API key"),
        other => other.into(),
    }
}

/// The website key use cases, reached through [`Services::api_keys`].
#[derive(Debug, Clone, Copy)]
pub struct ApiKeys<'a> {
    pub(crate) services: &'a Services,
}

impl ApiKeys<'_> {
    pub async fn list(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<Vec<ApiKey>> {
        self.services
            .authorized_website(principal, website, Permission::ApiKeysRead, false)
            .await?;
        let mut keys = self.services.store.api_keys_of(website).await?;
        for key in &mut keys {
            if let Some(at) = self.services.usage.pending_key(key.id) {
                key.last_used_at = Some(at);
            }
        }
        Ok(keys)
    }

    pub async fn create(
        &self,
        principal: &Principal,
        website: WebsiteId,
        name: String,
    ) -> ServiceResult<IssuedApiKey> {
        self.services
            .authorized_website(principal, website, Permission::ApiKeysWrite, false)
            .await?;
        let issued_by = key_issuer(principal)?;
        let now = self.services.now();
        let raw = RawSecret::from_random(
            CredentialKind::WebsiteKey,
            random_array(self.services.random.as_ref()),
        );
        let key = ApiKey {
            id: ApiKeyId::from_parts(id_seconds(now), random_array(self.services.random.as_ref())),
            website_id: website,
            name,
            display_key: raw.display_form(),
            issued_by,
            created_at: now,
            last_used_at: None,
        };
        match self
            .services
            .store
            .insert_api_key(
                &key,
                &self.services.hasher.hash(raw.expose()),
                MAX_KEYS_PER_WEBSITE,
            )
            .await
        {
            Ok(()) => Ok(IssuedApiKey { key, raw }),
            Err(StoreError::LimitReached) => Err(ServiceError::BadRequest(format!(
                "A website can have at most {MAX_KEYS_PER_WEBSITE} API keys; delete one first"
            ))),
            Err(other) => Err(other.into()),
        }
    }

    pub async fn roll(
        &self,
        principal: &Principal,
        website: WebsiteId,
        key_id: ApiKeyId,
    ) -> ServiceResult<IssuedApiKey> {
        self.services
            .authorized_website(principal, website, Permission::ApiKeysWrite, false)
            .await?;
        let current = self
            .services
            .store
            .api_keys_of(website)
            .await?
            .into_iter()
            .find(|key| key.id == key_id)
            .ok_or_else(|| ServiceError::not_found("API key"))?;
        let issuer = roll_issuer(principal, &current)?;
        let raw = RawSecret::from_random(
            CredentialKind::WebsiteKey,
            random_array(self.services.random.as_ref()),
        );
        let key = self
            .services
            .store
            .roll_api_key(
                website,
                key_id,
                &self.services.hasher.hash(raw.expose()),
                &raw.display_form(),
                &issuer,
            )
            .await
            .map_err(key_not_found)?;
        self.services.forget_credentials();
        Ok(IssuedApiKey { key, raw })
    }

    pub async fn delete(
        &self,
        principal: &Principal,
        website: WebsiteId,
        key_id: ApiKeyId,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::ApiKeysWrite, false)
            .await?;
        self.services
            .store
            .delete_api_key(website, key_id)
            .await
            .map_err(key_not_found)?;
        self.services.forget_credentials();
        Ok(())
    }
}
