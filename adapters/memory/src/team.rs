//! Team: memberships (one role per account and website) and pending invitations.

use async_trait::async_trait;

use datafast_domain::account::{Account, Email};
use datafast_domain::id::{AccountId, InvitationId, WebsiteId};
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_ports::store::{StoreError, StoreResult, TeamStore};

use crate::MemoryStore;
use crate::state::{duplicate_id, to_millis};

/// Invitations listed oldest first, ties broken by id.
fn oldest_first(mut invitations: Vec<Invitation>) -> Vec<Invitation> {
    invitations.sort_by_key(|invitation| (invitation.created_at, invitation.id));
    invitations
}

#[async_trait]
impl TeamStore for MemoryStore {
    async fn role_of(&self, website: WebsiteId, account: AccountId) -> StoreResult<Option<Role>> {
        self.read(|state| {
            state
                .memberships
                .get(&(website, account))
                .map(|membership| membership.role)
        })
    }

    async fn members(&self, website: WebsiteId) -> StoreResult<Vec<(Membership, Account)>> {
        self.read(|state| {
            let mut members: Vec<(Membership, Account)> = state
                .memberships
                .values()
                .filter(|membership| membership.website_id == website)
                .filter_map(|membership| {
                    let account = state.accounts.get(&membership.account_id)?;
                    Some((membership.clone(), account.clone()))
                })
                .collect();
            members.sort_by_key(|(membership, _)| {
                (
                    membership.role != Role::Owner,
                    membership.joined_at,
                    membership.account_id,
                )
            });
            members
        })
    }

    async fn insert_invitation(&self, invitation: &Invitation) -> StoreResult<()> {
        let invitation = Invitation {
            created_at: to_millis(invitation.created_at),
            ..invitation.clone()
        };
        self.write(|state| {
            if state.invitations.contains_key(&invitation.id) {
                return Err(duplicate_id("invitation"));
            }
            let pending = state.invitations.values().any(|other| {
                other.website_id == invitation.website_id && other.email == invitation.email
            });
            if pending {
                return Err(StoreError::Conflict("invitation"));
            }
            state.invitations.insert(invitation.id, invitation);
            Ok(())
        })
    }

    async fn invitation(&self, id: InvitationId) -> StoreResult<Option<Invitation>> {
        self.read(|state| state.invitations.get(&id).cloned())
    }

    async fn invitations_of_website(&self, website: WebsiteId) -> StoreResult<Vec<Invitation>> {
        self.read(|state| {
            oldest_first(
                state
                    .invitations
                    .values()
                    .filter(|invitation| invitation.website_id == website)
                    .cloned()
                    .collect(),
            )
        })
    }

    async fn invitations_for(&self, email: &Email) -> StoreResult<Vec<Invitation>> {
        self.read(|state| {
            oldest_first(
                state
                    .invitations
                    .values()
                    .filter(|invitation| invitation.email == *email)
                    .cloned()
                    .collect(),
            )
        })
    }

    async fn accept_invitation(
        &self,
        id: InvitationId,
        membership: &Membership,
    ) -> StoreResult<()> {
        let membership = Membership {
            joined_at: to_millis(membership.joined_at),
            ..membership.clone()
        };
        self.write(|state| {
            if !state.invitations.contains_key(&id) {
                return Err(StoreError::NotFound);
            }
            let key = (membership.website_id, membership.account_id);
            if state.memberships.contains_key(&key) {
                return Err(StoreError::Conflict("member"));
            }
            state.memberships.insert(key, membership);
            state.invitations.remove(&id);
            Ok(())
        })
    }

    async fn delete_invitation(&self, website: WebsiteId, id: InvitationId) -> StoreResult<()> {
        self.write(|state| {
            match state.invitations.get(&id) {
                Some(invitation) if invitation.website_id == website => {}
                _ => return Err(StoreError::NotFound),
            }
            state.invitations.remove(&id);
            Ok(())
        })
    }

    async fn remove_member(&self, website: WebsiteId, account: AccountId) -> StoreResult<()> {
        self.write(|state| {
            state
                .memberships
                .remove(&(website, account))
                .ok_or(StoreError::NotFound)?;
            state.api_keys.retain(|_, stored| {
                stored.row.website_id != website || stored.row.issued_by.account != account
            });
            Ok(())
        })
    }
}
