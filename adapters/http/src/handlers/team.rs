//! `/websites/{websiteId}/team` (list, invite, remove or withdraw) and `/invitations` (the
//! invitee's side: list its invitations, accept one with its own token).

use datafast_domain::account::Email;
use datafast_domain::id::{AccountId, InvitationId, WebsiteId};
use datafast_domain::role::Role;

use crate::envelope::{Message, success};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::public_address::PublicAddress;
use crate::views::{InvitationAccepted, InvitationCreated, InvitationRow, TeamRow};

pub(crate) async fn list(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let team = services.team().list(&caller, website.0).await?;
    Ok(success(team.entries.iter().map(TeamRow::from).collect()))
}

/// Invites, and answers with the invitation link (`inviteUrl`) the owner hands on: it lets
/// the invitee create an account with a password, or sign in, and join.
pub(crate) async fn invite(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    let fields = body.fields();
    let email = Email::parse(fields.required_str("email")?)?;
    let role = match fields.optional_str("role")? {
        Some(role) => Role::parse_invitable(role)?,
        None => Role::Viewer,
    };
    let invitation = services
        .team()
        .invite(&caller, website.0, email, role)
        .await?;
    let code = services
        .links()
        .invitation_link(&caller, website.0, invitation.id)
        .await?;
    let invite_url = format!("{}/join?code={}", address.0, code.expose());
    let emailed = services
        .links()
        .mail_invitation(&invitation, &invite_url)
        .await;
    Ok(success(vec![InvitationCreated::new(
        &invitation,
        invite_url,
        emailed,
    )]))
}

/// Who a `DELETE /team` body designates: a member, or a pending invitation to withdraw.
enum Removal {
    Member(AccountId),
    Invitation(InvitationId),
}

fn removal(body: &JsonObject) -> Result<Removal, ApiError> {
    let fields = body.fields();
    match (
        fields.optional_str("userId")?,
        fields.optional_str("invitationId")?,
    ) {
        (Some(user), None) => Ok(Removal::Member(
            AccountId::parse(user).map_err(|invalid| invalid.at("userId"))?,
        )),
        (None, Some(invitation)) => Ok(Removal::Invitation(
            InvitationId::parse(invitation).map_err(|invalid| invalid.at("invitationId"))?,
        )),
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "Give either 'userId' or 'invitationId', not both",
        )),
        (None, None) => Err(ApiError::bad_request("Missing required field 'userId'")),
    }
}

pub(crate) async fn remove(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    body: JsonObject,
) -> ApiResult {
    let message = match removal(&body)? {
        Removal::Member(user) => {
            services
                .team()
                .remove_member(&caller, website.0, user)
                .await?;
            "Team member removed"
        }
        Removal::Invitation(invitation) => {
            services
                .team()
                .withdraw_invitation(&caller, website.0, invitation)
                .await?;
            "Invitation withdrawn"
        }
    };
    Ok(success(vec![Message::new(message)]))
}

pub(crate) async fn mine(caller: Caller, services: UseCases) -> ApiResult {
    let invitations = services.team().my_invitations(&caller).await?;
    Ok(success(
        invitations.iter().map(InvitationRow::from).collect(),
    ))
}

pub(crate) async fn accept(
    caller: Caller,
    services: UseCases,
    invitation: PathId<InvitationId>,
) -> ApiResult {
    let membership = services
        .team()
        .accept_invitation(&caller, invitation.0)
        .await?;
    Ok(success(vec![InvitationAccepted::new(
        membership.website_id,
        membership.role,
    )]))
}
