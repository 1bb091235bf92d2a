//! Team (`/websites/{id}/team`): list members and pending invitations, invite, remove; and the
//! invitee's side, listing and accepting its invitations (`/invitations`). An invitation grants
//! no more than its sender holds, and only a credential with the account's whole authority
//! accepts one.

use datafast_domain::access::{Principal, Target, authorize};
use datafast_domain::account::{Account, Email};
use datafast_domain::grant::{check_full_authority, check_invitation, issuing_token};
use datafast_domain::id::{AccountId, InvitationId, WebsiteId};
use datafast_domain::permission::Permission;
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};
use datafast_ports::store::StoreError;

/// One row of the team list: an active member or a pending invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamEntry {
    Member {
        membership: Membership,
        account: Account,
    },
    Pending(Invitation),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamListing {
    pub entries: Vec<TeamEntry>,
}

/// The team use cases, reached through [`Services::team`].
#[derive(Debug, Clone, Copy)]
pub struct Team<'a> {
    pub(crate) services: &'a Services,
}

impl Team<'_> {
    pub async fn list(
        &self,
        principal: &Principal,
        website: WebsiteId,
    ) -> ServiceResult<TeamListing> {
        self.services
            .authorized_website(principal, website, Permission::TeamRead, false)
            .await?;
        let mut entries: Vec<TeamEntry> = self
            .services
            .store
            .members(website)
            .await?
            .into_iter()
            .map(|(membership, account)| TeamEntry::Member {
                membership,
                account,
            })
            .collect();
        entries.extend(
            self.services
                .store
                .invitations_of_website(website)
                .await?
                .into_iter()
                .map(TeamEntry::Pending),
        );
        Ok(TeamListing { entries })
    }

    pub async fn invite(
        &self,
        principal: &Principal,
        website: WebsiteId,
        email: Email,
        role: Role,
    ) -> ServiceResult<Invitation> {
        self.services
            .authorized_website(principal, website, Permission::TeamWrite, true)
            .await?;
        check_invitation(principal, role)?;
        let caller = self
            .services
            .store
            .account(principal.account_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        if caller.email == email {
            return Err(ServiceError::BadRequest(
                "You cannot invite yourself".to_owned(),
            ));
        }
        let existing = self.services.store.account_by_email(&email).await?;
        if let Some(existing) = existing
            && self
                .services
                .store
                .role_of(website, existing.id)
                .await?
                .is_some()
        {
            return Err(ServiceError::Conflict(
                "This user is already a member of the website".to_owned(),
            ));
        }
        let now = self.services.now();
        let invitation = Invitation {
            id: InvitationId::from_parts(
                id_seconds(now),
                random_array(self.services.random.as_ref()),
            ),
            website_id: website,
            email,
            role,
            invited_by: principal.account_id,
            invited_by_token: issuing_token(principal),
            created_at: now,
        };
        match self.services.store.insert_invitation(&invitation).await {
            Ok(()) => Ok(invitation),
            Err(StoreError::Conflict(_)) => Err(ServiceError::Conflict(
                "A pending invitation already exists for this email".to_owned(),
            )),
            Err(other) => Err(other.into()),
        }
    }

    /// Removes a member (or, given an invitation id, withdraws a pending invitation).
    pub async fn remove_member(
        &self,
        principal: &Principal,
        website: WebsiteId,
        user: AccountId,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::TeamWrite, true)
            .await?;
        if user == principal.account_id {
            return Err(ServiceError::BadRequest(
                "You cannot remove yourself".to_owned(),
            ));
        }
        match self.services.store.remove_member(website, user).await {
            Ok(()) => {
                self.services.forget_credentials();
                Ok(())
            }
            Err(StoreError::NotFound) => Err(ServiceError::not_found("Team member")),
            Err(other) => Err(other.into()),
        }
    }

    pub async fn withdraw_invitation(
        &self,
        principal: &Principal,
        website: WebsiteId,
        invitation: InvitationId,
    ) -> ServiceResult<()> {
        self.services
            .authorized_website(principal, website, Permission::TeamWrite, true)
            .await?;
        match self
            .services
            .store
            .delete_invitation(website, invitation)
            .await
        {
            Ok(()) => Ok(()),
            Err(StoreError::NotFound) => Err(ServiceError::not_found("Invitation")),
            Err(other) => Err(other.into()),
        }
    }

    /// The invitations waiting for the caller's email.
    pub async fn my_invitations(&self, principal: &Principal) -> ServiceResult<Vec<Invitation>> {
        authorize(principal, Permission::TeamRead, Target::Account)?;
        let me = self
            .services
            .store
            .account(principal.account_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        Ok(self.services.store.invitations_for(&me.email).await?)
    }

    /// The invitation, while it still hands something on: it is worth what its sender holds
    /// now, and a sender no longer the owner hands on nothing. `None` otherwise.
    pub(crate) async fn standing_invitation(
        &self,
        id: InvitationId,
    ) -> ServiceResult<Option<Invitation>> {
        let store = &self.services.store;
        let Some(invitation) = store.invitation(id).await? else {
            return Ok(None);
        };
        let sender_role = store
            .role_of(invitation.website_id, invitation.invited_by)
            .await?;
        Ok((sender_role == Some(Role::Owner)).then_some(invitation))
    }

    /// Accepts an invitation addressed to the caller's email; only then does the caller
    /// become a member.
    pub async fn accept_invitation(
        &self,
        principal: &Principal,
        id: InvitationId,
    ) -> ServiceResult<Membership> {
        authorize(principal, Permission::TeamWrite, Target::Account)?;
        check_full_authority(principal)?;
        let me = self
            .services
            .store
            .account(principal.account_id)
            .await?
            .ok_or(ServiceError::Unauthenticated)?;
        let invitation = self
            .standing_invitation(id)
            .await?
            .filter(|invitation| invitation.email == me.email)
            .ok_or_else(|| ServiceError::not_found("Invitation"))?;
        let membership = Membership {
            website_id: invitation.website_id,
            account_id: me.id,
            role: invitation.role,
            joined_at: self.services.now(),
        };
        match self.services.store.accept_invitation(id, &membership).await {
            Ok(()) => Ok(membership),
            Err(StoreError::Conflict(_)) => Err(ServiceError::Conflict(
                "You are already a member of this website".to_owned(),
            )),
            Err(StoreError::NotFound) => Err(ServiceError::not_found("Invitation")),
            Err(other) => Err(other.into()),
        }
    }
}
