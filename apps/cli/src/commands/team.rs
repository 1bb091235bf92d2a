//! `websites team`: a website's members and pending invitations, inviting and removing; and
//! `invitations`, the invitee's side of a team invite.

use reqwest::Method;
use serde_json::{Value, json};

use crate::Ctx;
use crate::cli::{Confirm, InvitationsCommand, InviteRole, TeamCommand, WebsiteOnly};
use crate::client::{Client, Request, segment};
use crate::commands::{admin, scoped, show_message, show_rows, site_path, text};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, confirm};

const TEAM_ROWS: [Column; 6] = [
    col("User ID", "userId", Kind::Text),
    col("Invitation ID", "invitationId", Kind::Text),
    col("Email", "email", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Role", "role", Kind::Text),
    col("Status", "status", Kind::Text),
];

const INVITATION_ROWS: [Column; 5] = [
    col("Invitation ID", "invitationId", Kind::Text),
    col("Website", "websiteId", Kind::Text),
    col("Email", "email", Kind::Text),
    col("Role", "role", Kind::Text),
    col("Invited", "invitedAt", Kind::Date),
];

pub fn run(ctx: &Ctx, command: TeamCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        TeamCommand::List(site) => {
            let website = ctx.website(site.chosen())?;
            let answer = client.send(&Request::get(site_path(&website, "/team")))?;
            show_rows(ctx, &answer, &TEAM_ROWS, "No team members.");
            Ok(())
        }
        TeamCommand::Invite {
            website,
            email,
            role,
        } => invite(ctx, &client, &website, email, role),
        TeamCommand::Remove { ids, confirm: c } => remove(ctx, &client, &ids, &c),
    }
}

fn invite(
    ctx: &Ctx,
    client: &Client,
    website: &WebsiteOnly,
    email: String,
    role: InviteRole,
) -> CliResult<()> {
    let website = ctx.website(website.chosen())?;
    let role = match role {
        InviteRole::Viewer => "viewer",
        InviteRole::Member => "member",
    };
    let answer = client.send(
        &Request::new(Method::POST, site_path(&website, "/team"))
            .body(json!({ "email": email, "role": role })),
    )?;
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return Ok(());
    }
    let invitation = answer.first();
    ctx.out.done(&format!(
        "Invited {} as {}; invitation {}",
        text(invitation, "email"),
        text(invitation, "role"),
        text(invitation, "invitationId")
    ));
    // This server also answers a one-time dashboard link (and says whether it emailed it).
    if let Some(link) = invitation.get("inviteUrl").and_then(|link| link.as_str()) {
        let emailed = invitation
            .get("inviteEmailed")
            .and_then(|sent| sent.as_bool());
        let how = if emailed == Some(true) {
            "emailed to them; also"
        } else {
            "send them"
        };
        ctx.out.print(&format!(
            "Invite link ({how} this; it works once, for 14 days): {link}"
        ));
    }
    ctx.out.print(&format!(
        "They accept with: datafast invitations accept {}",
        text(invitation, "invitationId")
    ));
    Ok(())
}

fn remove(ctx: &Ctx, client: &Client, ids: &[String], c: &Confirm) -> CliResult<()> {
    let (website, member) = scoped(ctx, ids)?;
    let row = find_member(client, &website, &member)?;
    let body = match row["userId"].as_str() {
        Some(user) => json!({ "userId": user }),
        None => json!({ "invitationId": row["invitationId"] }),
    };
    let what = if body.get("userId").is_some() {
        format!("Remove {} from the team", text(&row, "email"))
    } else {
        format!("Withdraw the invitation to {}", text(&row, "email"))
    };
    confirm(&what, c.yes)?;
    let answer =
        client.send(&Request::new(Method::DELETE, site_path(&website, "/team")).body(body))?;
    show_message(ctx, &answer, "Removed");
    Ok(())
}

/// The team list's row for `member`, a user id, an invitation id or an email.
fn find_member(client: &Client, website: &str, member: &str) -> CliResult<Value> {
    // One argument serves for a user id, an invitation id or an email: the team list says
    // which it is, and so which body the server needs.
    let listed = client.send(&Request::get(site_path(website, "/team")))?;
    let wanted = member.to_lowercase();
    listed
        .rows()
        .into_iter()
        .find(|row| {
            ["userId", "invitationId", "email"]
                .iter()
                .any(|key| text(row, key).to_lowercase() == wanted)
        })
        .ok_or_else(|| CliError::Api {
            status: 404,
            message: format!("no member or pending invitation '{member}' on website {website}"),
        })
}

pub fn invitations(ctx: &Ctx, command: InvitationsCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        InvitationsCommand::List => {
            let answer = client.send(&Request::get(admin("/invitations")))?;
            show_rows(ctx, &answer, &INVITATION_ROWS, "No pending invitations.");
        }
        InvitationsCommand::Accept { invitation_id } => {
            let answer = client.send(&Request::new(
                Method::POST,
                admin(&format!("/invitations/{}/accept", segment(&invitation_id))),
            ))?;
            show_message(ctx, &answer, "Invitation accepted");
        }
    }
    Ok(())
}
