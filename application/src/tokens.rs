//! Account tokens (`/access-tokens`): list, create and revoke, each within the caller's power:
//! a token reaches only the tokens it could have created.

use datafast_domain::access::{Principal, Target, WebsiteScope, authorize};
use datafast_domain::account::Account;
use datafast_domain::credential::{CredentialKind, RawSecret};
use datafast_domain::grant::{GrantDenied, check_grant, issuing_token, reaches_token};
use datafast_domain::id::{AccountId, TokenId};
use datafast_domain::permission::{Permission, PermissionSet};
use datafast_domain::token::AccessToken;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};
use datafast_ports::store::StoreError;

/// A validated token request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub name: Option<String>,
    pub permissions: PermissionSet,
    pub websites: WebsiteScope,
}

impl Default for NewToken {
    fn default() -> Self {
        Self {
            name: None,
            permissions: PermissionSet::All,
            websites: WebsiteScope::All,
        }
    }
}

/// A created token, with its raw value to show once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: AccessToken,
    pub raw: RawSecret,
}

/// The access token use cases, reached through [`Services::tokens`].
#[derive(Debug, Clone, Copy)]
pub struct Tokens<'a> {
    pub(crate) services: &'a Services,
}

impl Tokens<'_> {
    pub async fn list(&self, principal: &Principal) -> ServiceResult<Vec<AccessToken>> {
        authorize(principal, Permission::ApiKeysRead, Target::Account)?;
        let mut tokens = self.services.store.tokens_of(principal.account_id).await?;
        tokens.retain(|token| reaches_token(principal, token));
        for token in &mut tokens {
            if let Some(at) = self.services.usage.pending_token(token.id) {
                token.last_used_at = Some(at);
            }
        }
        Ok(tokens)
    }

    pub async fn create(
        &self,
        principal: &Principal,
        request: NewToken,
    ) -> ServiceResult<IssuedToken> {
        authorize(principal, Permission::ApiKeysWrite, Target::Account)?;
        check_grant(principal, &request.permissions, &request.websites)?;
        // Every listed website must be one the account can reach.
        for website in request.websites.ids() {
            if self
                .services
                .store
                .role_of(website, principal.account_id)
                .await?
                .is_none()
            {
                return Err(GrantDenied::WebsitesNotHeld.into());
            }
        }
        let created_by = issuing_token(principal);
        self.issue_token(principal.account_id, created_by, request)
            .await
    }

    /// Mints a token for `account` without a calling principal: for the server's own commands.
    pub async fn issue_for(
        &self,
        account: &Account,
        request: NewToken,
    ) -> ServiceResult<IssuedToken> {
        self.issue_token(account.id, None, request).await
    }

    async fn issue_token(
        &self,
        account_id: AccountId,
        created_by: Option<TokenId>,
        request: NewToken,
    ) -> ServiceResult<IssuedToken> {
        let now = self.services.now();
        let raw = RawSecret::from_random(
            CredentialKind::AccountToken,
            random_array(self.services.random.as_ref()),
        );
        let token = AccessToken {
            id: TokenId::from_parts(id_seconds(now), random_array(self.services.random.as_ref())),
            account_id,
            name: request.name,
            display_key: raw.display_form(),
            permissions: request.permissions,
            websites: request.websites,
            created_by,
            created_at: now,
            last_used_at: None,
        };
        self.services
            .store
            .insert_token(&token, &self.services.hasher.hash(raw.expose()))
            .await?;
        Ok(IssuedToken { token, raw })
    }

    pub async fn delete(&self, principal: &Principal, token_id: TokenId) -> ServiceResult<()> {
        authorize(principal, Permission::ApiKeysWrite, Target::Account)?;
        // A token out of the caller's reach answers as if it did not exist.
        let reachable = self
            .services
            .store
            .tokens_of(principal.account_id)
            .await?
            .iter()
            .any(|token| token.id == token_id && reaches_token(principal, token));
        if !reachable {
            return Err(ServiceError::not_found("Access token"));
        }
        match self
            .services
            .store
            .delete_token(principal.account_id, token_id)
            .await
        {
            Ok(()) => {
                self.services.forget_credentials();
                Ok(())
            }
            Err(StoreError::NotFound) => Err(ServiceError::not_found("Access token")),
            Err(other) => Err(other.into()),
        }
    }
}
