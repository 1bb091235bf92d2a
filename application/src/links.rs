//! One-time links: the setup link that sets an account's password (printed at first start or
//! made by the server's commands), and the invitation link that lets an invitee create an
//! account, or sign in, and join a team. A link is a random code kept only as its keyed hash;
//! it works once, until it expires, and only while what it points at still stands.

use datafast_domain::account::{Account, Email, parse_account_name};
use datafast_domain::id::{AccountId, InvitationId, WebsiteId};
use datafast_domain::permission::Permission;
use datafast_domain::session::{
    LinkCode, LinkPurpose, OPAQUE_SECRET_BYTES, OpaqueSecret, Password,
};
use datafast_domain::team::Invitation;
use datafast_domain::website::Website;

use crate::error::{ServiceError, ServiceResult};
use crate::ids::random_array;
use crate::sign_in::SignedIn;
use crate::{NewAccount, Services};
use datafast_ports::notify::Mail;

/// What a link offers, shown before it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOffer {
    SetPassword {
        account: Account,
    },
    Join {
        invitation: Invitation,
        website: Box<Website>,
        /// Whether the invitee already has an account, whose password then signs in.
        account_exists: bool,
    },
}

/// The link use cases, reached through [`Services::links`].
#[derive(Debug, Clone, Copy)]
pub struct Links<'a> {
    pub(crate) services: &'a Services,
}

impl Links<'_> {
    /// A setup link for the account with `email`: for the server's own commands, never HTTP.
    ///
    /// # Errors
    /// `NotFound` when no account has the email.
    pub async fn setup_link(&self, email: &Email) -> ServiceResult<OpaqueSecret> {
        let account = self.services.sign_in().account_with(email).await?;
        self.mint(LinkPurpose::SetPassword(account.id)).await
    }

    /// A new link for a pending invitation of `website`. Only the owner, who can invite, can
    /// make one; earlier links keep working until used or expired.
    ///
    /// # Errors
    /// As inviting; `NotFound` for an invitation of another website.
    pub async fn invitation_link(
        &self,
        principal: &datafast_domain::access::Principal,
        website: WebsiteId,
        invitation: InvitationId,
    ) -> ServiceResult<OpaqueSecret> {
        self.services
            .authorized_website(principal, website, Permission::TeamWrite, true)
            .await?;
        self.services
            .store
            .invitation(invitation)
            .await?
            .filter(|found| found.website_id == website)
            .ok_or_else(|| ServiceError::not_found("Invitation"))?;
        self.mint(LinkPurpose::Join(invitation)).await
    }

    /// Emails the invitation's link to the invitee, when a mailer is set. Returns whether it
    /// was sent. A failure is logged and not returned: the invitation stands, and the owner
    /// still has the link to hand on.
    pub async fn mail_invitation(&self, invitation: &Invitation, link: &str) -> bool {
        let Some(mailer) = &self.services.mailer else {
            return false;
        };
        let mail = match self.invitation_mail(invitation, link).await {
            Ok(mail) => mail,
            Err(error) => {
                tracing::warn!(%error, "could not write the invitation email");
                return false;
            }
        };
        match mailer.send_mail(&mail).await {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(%error, invitation = %invitation.id, "invitation email not sent");
                false
            }
        }
    }

    async fn invitation_mail(&self, invitation: &Invitation, link: &str) -> ServiceResult<Mail> {
        let store = &self.services.store;
        let website = store
            .website(invitation.website_id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Website"))?;
        let inviter = store
            .account(invitation.invited_by)
            .await?
            .map_or_else(|| "A teammate".to_owned(), |account| account.name);
        Ok(Mail {
            to: invitation.email.clone(),
            subject: format!("Join {} on the analytics dashboard", website.domain),
            text: format!(
                "{inviter} invited you to the analytics of {domain} as {role}.\n\n\
                 Open this link to create your account, or sign in, and join. It works once, \
                 for 14 days:\n\n{link}\n",
                domain = website.domain,
                role = invitation.role,
            ),
        })
    }

    /// What the link with `code` would do.
    ///
    /// # Errors
    /// `NotFound` for an unknown, used or expired code, or one whose account or invitation is
    /// gone (or whose inviter no longer owns the website).
    pub async fn offer(&self, code: &str) -> ServiceResult<LinkOffer> {
        let (_, link) = self.live_code(code).await?;
        match link.purpose {
            LinkPurpose::SetPassword(account) => Ok(LinkOffer::SetPassword {
                account: self.account(account).await?,
            }),
            LinkPurpose::Join(invitation) => self.join_offer(invitation).await,
        }
    }

    /// Sets the account's password through a setup link, and signs in.
    ///
    /// # Errors
    /// As [`Links::offer`]; `Invalid` for a password out of bounds (the link still works).
    pub async fn set_password(&self, code: &str, password: &str) -> ServiceResult<SignedIn> {
        let password = Password::parse("password", password)?;
        let LinkOffer::SetPassword { account } = self.offer(code).await? else {
            return Err(ServiceError::not_found("Link"));
        };
        self.consume(code).await?;
        let sign_in = self.services.sign_in();
        sign_in.store_password(&account, &password).await?;
        sign_in.open_session(account).await
    }

    /// Joins a team through an invitation link. A new invitee's account is created with
    /// `name` and `password`; an existing one proves itself with its password.
    ///
    /// # Errors
    /// As [`Links::offer`]; `SignInFailed` for an existing account's wrong password.
    pub async fn join(
        &self,
        code: &str,
        name: Option<&str>,
        password: &str,
    ) -> ServiceResult<SignedIn> {
        let LinkOffer::Join {
            invitation,
            account_exists,
            ..
        } = self.offer(code).await?
        else {
            return Err(ServiceError::not_found("Link"));
        };
        let sign_in = self.services.sign_in();
        let account = if account_exists {
            let account = sign_in.check_password(&invitation.email, password).await?;
            self.consume(code).await?;
            account
        } else {
            let password = Password::parse("password", password)?;
            let name = name.map(parse_account_name).transpose()?;
            self.consume(code).await?;
            self.new_account(&invitation.email, name, &password).await?
        };
        let signed_in = sign_in.open_session(account).await?;
        let principal = sign_in.authenticate(signed_in.cookie.expose()).await?;
        self.services
            .team()
            .accept_invitation(&principal, invitation.id)
            .await?;
        Ok(signed_in)
    }

    /// Creates the invitee's account. One made since the link was offered is refused: its
    /// password is its owner's to set, not the link holder's.
    async fn new_account(
        &self,
        email: &Email,
        name: Option<String>,
        password: &Password,
    ) -> ServiceResult<Account> {
        let (account, created) = self
            .services
            .accounts()
            .ensure(NewAccount {
                email: email.clone(),
                name,
            })
            .await?;
        if !created {
            return Err(ServiceError::Conflict(
                "An account with this email already exists; sign in to join".to_owned(),
            ));
        }
        self.services
            .sign_in()
            .store_password(&account, password)
            .await?;
        Ok(account)
    }

    async fn join_offer(&self, id: InvitationId) -> ServiceResult<LinkOffer> {
        let store = &self.services.store;
        let gone = || ServiceError::not_found("Link");
        let invitation = self
            .services
            .team()
            .standing_invitation(id)
            .await?
            .ok_or_else(gone)?;
        let website = store
            .website(invitation.website_id)
            .await?
            .ok_or_else(gone)?;
        let account_exists = store.account_by_email(&invitation.email).await?.is_some();
        Ok(LinkOffer::Join {
            invitation,
            website: Box::new(website),
            account_exists,
        })
    }

    async fn account(&self, id: AccountId) -> ServiceResult<Account> {
        self.services
            .store
            .account(id)
            .await?
            .ok_or_else(|| ServiceError::not_found("Link"))
    }

    async fn mint(&self, purpose: LinkPurpose) -> ServiceResult<OpaqueSecret> {
        let random = self.services.random.as_ref();
        let code = OpaqueSecret::from_random(random_array::<OPAQUE_SECRET_BYTES>(random));
        let link = LinkCode::new(purpose, self.services.now());
        self.services
            .store
            .insert_link_code(&self.services.sign_in().secret_hash(&code), &link)
            .await?;
        Ok(code)
    }

    async fn live_code(&self, code: &str) -> ServiceResult<(OpaqueSecret, LinkCode)> {
        let gone = || ServiceError::not_found("Link");
        let code = OpaqueSecret::parse(code).ok_or_else(gone)?;
        let hash = self.services.sign_in().secret_hash(&code);
        let link = self
            .services
            .store
            .link_code(&hash)
            .await?
            .filter(|link| link.is_live(self.services.now()))
            .ok_or_else(gone)?;
        Ok((code, link))
    }

    /// Uses the code up; of two concurrent uses, only one goes on.
    async fn consume(&self, code: &str) -> ServiceResult<()> {
        let (code, _) = self.live_code(code).await?;
        let hash = self.services.sign_in().secret_hash(&code);
        if self.services.store.consume_link_code(&hash).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found("Link"))
        }
    }
}
