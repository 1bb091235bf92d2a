//! The caller's own account (`/account`), and account creation for the server's `bootstrap`
//! command and first start.

use datafast_domain::access::{Principal, Target, authorize};
use datafast_domain::account::{Account, Email, parse_account_name};
use datafast_domain::id::{AccountId, WebsiteId};
use datafast_domain::permission::Permission;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};

/// The profile `GET /account` shows; `website_id` only for a website key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountView {
    pub account: Account,
    pub website_id: Option<WebsiteId>,
}

/// An account to create from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub email: Email,
    pub name: Option<String>,
}

/// The account use cases, reached through [`Services::accounts`].
#[derive(Debug, Clone, Copy)]
pub struct Accounts<'a> {
    pub(crate) services: &'a Services,
}

impl Accounts<'_> {
    pub async fn get(&self, principal: &Principal) -> ServiceResult<AccountView> {
        authorize(principal, Permission::AnalyticsRead, Target::Profile)?;
        let account = self
            .services
            .store
            .account(principal.account_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        Ok(AccountView {
            account,
            website_id: principal.key_website(),
        })
    }

    pub async fn rename(&self, principal: &Principal, name: &str) -> ServiceResult<AccountView> {
        // As published, renaming needs only `analytics:read`; a website key may not rename
        // the owner behind it.
        authorize(principal, Permission::AnalyticsRead, Target::Account)?;
        let name = parse_account_name(name)?;
        let account = self
            .services
            .store
            .rename_account(principal.account_id, &name)
            .await?;
        Ok(AccountView {
            account,
            website_id: None,
        })
    }

    /// Returns the account with `new.email`, creating it first if needed. Used by the
    /// server's own commands, never over HTTP.
    pub async fn ensure(&self, new: NewAccount) -> ServiceResult<(Account, bool)> {
        if let Some(existing) = self.services.store.account_by_email(&new.email).await? {
            return Ok((existing, false));
        }
        let name = match new.name.as_deref() {
            Some(name) => parse_account_name(name)?,
            None => new
                .email
                .as_str()
                .split('@')
                .next()
                .unwrap_or("Owner")
                .to_owned(),
        };
        let now = self.services.now();
        let account = Account {
            id: AccountId::from_parts(id_seconds(now), random_array(self.services.random.as_ref())),
            name,
            email: new.email,
            image: None,
            created_at: now,
        };
        self.services.store.create_account(&account).await?;
        Ok((account, true))
    }

    /// Whether any account exists yet (first start).
    pub async fn any_exist(&self) -> ServiceResult<bool> {
        Ok(self.services.store.account_count().await? > 0)
    }
}
