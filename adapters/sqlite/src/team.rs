//! Team: memberships (one role per account and website) and pending invitations.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, params};

use datafast_domain::account::{Account, Email};
use datafast_domain::id::{AccountId, InvitationId, WebsiteId};
use datafast_domain::role::Role;
use datafast_domain::team::{Invitation, Membership};
use datafast_ports::store::{StoreError, StoreResult, TeamStore};

use crate::SqliteStore;
use crate::accounts::{ACCOUNT_COLUMNS, decode_account};
use crate::codec::{RowExt, all, decoded, first, millis};
use crate::error::{Failure, conflict_on};
use crate::websites::decode_role;

const INVITATION_COLUMNS: &str =
    "id, website_id, email, role, invited_by, created_at, invited_by_token";

fn decode_invitation(row: &Row<'_>) -> Result<Invitation, Failure> {
    let email = row.text(2)?;
    Ok(Invitation {
        id: row.parsed(0)?,
        website_id: row.parsed(1)?,
        email: decoded(Email::parse(&email).ok(), "email", &email)?,
        role: decode_role(row, 3)?,
        invited_by: row.parsed(4)?,
        invited_by_token: row.optional_parsed(6)?,
        created_at: row.instant(5)?,
    })
}

#[async_trait]
impl TeamStore for SqliteStore {
    async fn role_of(&self, website: WebsiteId, account: AccountId) -> StoreResult<Option<Role>> {
        if let Some(cached) = self.directory().role(website, account) {
            return Ok(cached);
        }
        let generation = self.directory().generation();
        let role = self
            .read(move |db| {
                let mut statement = db.prepare_cached(
                    "SELECT role FROM memberships WHERE website_id = ?1 AND account_id = ?2",
                )?;
                first(
                    statement.query([website.to_string(), account.to_string()])?,
                    |row| decode_role(row, 0),
                )
            })
            .await?;
        self.directory()
            .put_role(generation, website, account, role);
        Ok(role)
    }

    async fn members(&self, website: WebsiteId) -> StoreResult<Vec<(Membership, Account)>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT m.website_id, m.account_id, m.role, m.joined_at, {ACCOUNT_COLUMNS}
                 FROM memberships m JOIN accounts a ON a.id = m.account_id
                 WHERE m.website_id = ?1
                 ORDER BY m.role = 'owner' DESC, m.joined_at, m.account_id"
            ))?;
            all(statement.query([website.to_string()])?, |row| {
                let membership = Membership {
                    website_id: row.parsed(0)?,
                    account_id: row.parsed(1)?,
                    role: decode_role(row, 2)?,
                    joined_at: row.instant(3)?,
                };
                Ok((membership, decode_account(row, 4)?))
            })
        })
        .await
    }

    async fn insert_invitation(&self, invitation: &Invitation) -> StoreResult<()> {
        let invitation = invitation.clone();
        self.write(move |tx| {
            tx.prepare_cached(
                "INSERT INTO invitations (id, website_id, email, role, invited_by, created_at,
                                          invited_by_token)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                invitation.id.to_string(),
                invitation.website_id.to_string(),
                invitation.email.as_str(),
                invitation.role.as_str(),
                invitation.invited_by.to_string(),
                millis(invitation.created_at),
                invitation.invited_by_token.map(|id| id.to_string()),
            ])
            .map_err(|e| conflict_on(e, &[("invitations.email", "invitation")]))?;
            Ok(())
        })
        .await
    }

    async fn invitation(&self, id: InvitationId) -> StoreResult<Option<Invitation>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = ?1"
            ))?;
            first(statement.query([id.to_string()])?, decode_invitation)
        })
        .await
    }

    async fn invitations_of_website(&self, website: WebsiteId) -> StoreResult<Vec<Invitation>> {
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations WHERE website_id = ?1
                 ORDER BY created_at, id"
            ))?;
            all(statement.query([website.to_string()])?, decode_invitation)
        })
        .await
    }

    async fn invitations_for(&self, email: &Email) -> StoreResult<Vec<Invitation>> {
        let email = email.as_str().to_owned();
        self.read(move |db| {
            let mut statement = db.prepare_cached(&format!(
                "SELECT {INVITATION_COLUMNS} FROM invitations WHERE email = ?1
                 ORDER BY created_at, id"
            ))?;
            all(statement.query([email])?, decode_invitation)
        })
        .await
    }

    async fn accept_invitation(
        &self,
        id: InvitationId,
        membership: &Membership,
    ) -> StoreResult<()> {
        let membership = membership.clone();
        self.write_directory(move |tx| {
            let pending = tx
                .prepare_cached("SELECT 1 FROM invitations WHERE id = ?1")?
                .query_row([id.to_string()], |_| Ok(()))
                .optional()?
                .is_some();
            if !pending {
                return Err(StoreError::NotFound.into());
            }
            // A failed insert rolls the whole transaction back, leaving the invitation.
            tx.prepare_cached(
                "INSERT INTO memberships (website_id, account_id, role, joined_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![
                membership.website_id.to_string(),
                membership.account_id.to_string(),
                membership.role.as_str(),
                millis(membership.joined_at),
            ])
            .map_err(|e| conflict_on(e, &[("memberships.", "member")]))?;
            tx.prepare_cached("DELETE FROM invitations WHERE id = ?1")?
                .execute([id.to_string()])?;
            Ok(())
        })
        .await
    }

    async fn delete_invitation(&self, website: WebsiteId, id: InvitationId) -> StoreResult<()> {
        self.write(move |tx| {
            let deleted = tx
                .prepare_cached("DELETE FROM invitations WHERE website_id = ?1 AND id = ?2")?
                .execute([website.to_string(), id.to_string()])?;
            if deleted == 0 {
                return Err(StoreError::NotFound.into());
            }
            Ok(())
        })
        .await
    }

    async fn remove_member(&self, website: WebsiteId, account: AccountId) -> StoreResult<()> {
        self.write_directory(move |tx| {
            let removed = tx
                .prepare_cached(
                    "DELETE FROM memberships WHERE website_id = ?1 AND account_id = ?2",
                )?
                .execute([website.to_string(), account.to_string()])?;
            if removed == 0 {
                return Err(StoreError::NotFound.into());
            }
            tx.prepare_cached("DELETE FROM api_keys WHERE website_id = ?1 AND created_by = ?2")?
                .execute([website.to_string(), account.to_string()])?;
            Ok(())
        })
        .await
    }
}
