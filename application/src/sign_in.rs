//! Dashboard sign-in: email and password to a session, a session cookie back to a
//! [`Principal`], sign-out, password changes, and the one-time links that set a first password
//! or join a team. A session acts with its account's whole authority, checked at each use like
//! any credential: the roles it reaches are read at the time of the request.

use std::sync::Arc;

use datafast_domain::access::{Credential, Principal};
use datafast_domain::account::{Account, Email};
use datafast_domain::id::SessionId;
use datafast_domain::session::{
    OPAQUE_SECRET_BYTES, OpaqueSecret, Password, PasswordHash, Session,
};
use datafast_ports::secrets::{CredentialHash, PasswordHasher};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};

/// A new session: the cookie value, shown to the browser once, and what it opens.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub cookie: OpaqueSecret,
    pub session: Session,
    pub account: Account,
}

/// The sign-in use cases, reached through [`Services::sign_in`].
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    pub(crate) services: &'a Services,
}

impl SignIn<'_> {
    /// Resolves a session cookie. An expired session is deleted on the way.
    ///
    /// # Errors
    /// [`ServiceError::Unauthenticated`] for a malformed, unknown, ended or expired session.
    pub async fn authenticate(&self, cookie: &str) -> ServiceResult<Principal> {
        let cookie = OpaqueSecret::parse(cookie).ok_or(ServiceError::Unauthenticated)?;
        let store = &self.services.store;
        let session = store
            .session_by_hash(&self.secret_hash(&cookie))
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if !session.is_live(self.services.now()) {
            store.delete_session(session.id).await?;
            return Err(ServiceError::Unauthenticated);
        }
        Ok(session_principal(&session))
    }

    /// The token every state-changing request of the session must echo: derived from the
    /// cookie with the server's key, so a page of another site can neither read nor make it.
    pub fn csrf_token(&self, cookie: &str) -> String {
        self.services
            .hasher
            .hash(&format!("csrf {cookie}"))
            .as_str()
            .to_owned()
    }

    /// The signed-in account, for a session only.
    ///
    /// # Errors
    /// [`ServiceError::Unauthenticated`] for any other credential.
    pub async fn current(&self, principal: &Principal) -> ServiceResult<Account> {
        session_of(principal)?;
        self.services
            .store
            .account(principal.account_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)
    }

    /// Checks an email and password and opens a session. Failures are counted per email; past
    /// the allowance the email is refused for the rest of the window, right password or not.
    ///
    /// # Errors
    /// [`ServiceError::SignInFailed`] (never saying whether the email exists),
    /// [`ServiceError::Throttled`].
    pub async fn sign_in(&self, email: &str, password: &str) -> ServiceResult<SignedIn> {
        let email = Email::parse(email).map_err(|_| ServiceError::SignInFailed)?;
        let account = self.check_password(&email, password).await?;
        self.open_session(account).await
    }

    /// Ends the session the request came with.
    ///
    /// # Errors
    /// [`ServiceError::Unauthenticated`] when the credential is not a session.
    pub async fn sign_out(&self, principal: &Principal) -> ServiceResult<()> {
        let session = session_of(principal)?;
        Ok(self.services.store.delete_session(session).await?)
    }

    /// Changes the signed-in account's password. Every session of the account ends, this one
    /// included, and a new one is returned in its place.
    ///
    /// # Errors
    /// [`ServiceError::SignInFailed`] for a wrong current password (counted like a failed
    /// sign-in), an invalid new one, or a credential that is not a session.
    pub async fn change_password(
        &self,
        principal: &Principal,
        current: &str,
        new: &str,
    ) -> ServiceResult<SignedIn> {
        let account = self.current(principal).await?;
        let new = Password::parse("newPassword", new)?;
        let account = self.check_password(&account.email, current).await?;
        self.store_password(&account, &new).await?;
        self.open_session(account).await
    }

    /// Sets the password of the account with `email`, ending its sessions: the server's
    /// `set-password` and `bootstrap` commands.
    ///
    /// # Errors
    /// `NotFound` when no account has the email; `Invalid` for a password out of bounds.
    pub async fn set_password(&self, email: &Email, password: &str) -> ServiceResult<Account> {
        let password = Password::parse("password", password)?;
        let account = self.account_with(email).await?;
        self.store_password(&account, &password).await?;
        Ok(account)
    }

    /// # Errors
    /// `NotFound` when no account has `email`.
    pub(crate) async fn account_with(&self, email: &Email) -> ServiceResult<Account> {
        self.services
            .store
            .account_by_email(email)
            .await?
            .ok_or_else(|| ServiceError::not_found("Account"))
    }

    pub(crate) async fn store_password(
        &self,
        account: &Account,
        password: &Password,
    ) -> ServiceResult<()> {
        let hash = self
            .hasher()?
            .hash_password(password)
            .await
            .map_err(|error| ServiceError::Internal(error.to_string()))?;
        Ok(self.services.store.set_password(account.id, &hash).await?)
    }

    /// Opens a session for `account`, which has just proved who it is.
    pub(crate) async fn open_session(&self, account: Account) -> ServiceResult<SignedIn> {
        let now = self.services.now();
        let random = self.services.random.as_ref();
        let cookie = OpaqueSecret::from_random(random_array::<OPAQUE_SECRET_BYTES>(random));
        let id = SessionId::from_parts(id_seconds(now), random_array(random));
        let session = Session::new(id, account.id, now);
        self.services
            .store
            .insert_session(&session, &self.secret_hash(&cookie))
            .await?;
        Ok(SignedIn {
            cookie,
            session,
            account,
        })
    }

    /// The account with `email`, if `password` is its password; throttled per email.
    pub(crate) async fn check_password(
        &self,
        email: &Email,
        password: &str,
    ) -> ServiceResult<Account> {
        let throttle = &self.services.sign_in_failures;
        let now = self.services.now();
        throttle.check(email, now)?;
        match self.verify(email, password).await? {
            Some(account) => {
                throttle.forget(email);
                Ok(account)
            }
            None => {
                throttle.record(email, now);
                Err(ServiceError::SignInFailed)
            }
        }
    }

    /// The account, if the password matches. An unknown email or an account without a
    /// password is checked against a stand-in hash, so the answer takes as long either way.
    async fn verify(&self, email: &Email, password: &str) -> ServiceResult<Option<Account>> {
        let hasher = self.hasher()?;
        let Ok(password) = Password::parse("password", password) else {
            return Ok(None);
        };
        let account = self.services.store.account_by_email(email).await?;
        let stored = match &account {
            Some(account) => self.services.store.password_of(account.id).await?,
            None => None,
        };
        let Some(stored) = stored else {
            let stand_in = self
                .services
                .sign_in_failures
                .stand_in(hasher.as_ref())
                .await?;
            hasher.verify_password(&password, &stand_in).await;
            return Ok(None);
        };
        let matches = hasher.verify_password(&password, &stored).await;
        Ok(account.filter(|_| matches))
    }

    fn hasher(&self) -> ServiceResult<&Arc<dyn PasswordHasher>> {
        self.services
            .passwords
            .as_ref()
            .ok_or_else(|| ServiceError::Internal("no password hasher is configured".to_owned()))
    }

    /// The keyed hash storage keeps of a session cookie or a link code.
    pub(crate) fn secret_hash(&self, secret: &OpaqueSecret) -> CredentialHash {
        self.services.hasher.hash(secret.expose())
    }
}

/// A password hash to check wrong guesses against when there is no real one.
pub(crate) async fn stand_in_hash(hasher: &dyn PasswordHasher) -> ServiceResult<PasswordHash> {
    let password = Password::parse("password", "stand-in password, never anyone's")?;
    hasher
        .hash_password(&password)
        .await
        .map_err(|error| ServiceError::Internal(error.to_string()))
}

fn session_principal(session: &Session) -> Principal {
    Principal {
        account_id: session.account_id,
        credential: Credential::Session {
            session_id: session.id,
        },
    }
}

fn session_of(principal: &Principal) -> ServiceResult<SessionId> {
    match principal.credential {
        Credential::Session { session_id } => Ok(session_id),
        Credential::AccountToken { .. }
        | Credential::WebsiteKey { .. }
        | Credential::PublicShare { .. } => Err(ServiceError::Unauthenticated),
    }
}
