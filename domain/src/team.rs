//! Team: who holds which role on a website, and invitations waiting to be accepted.

use jiff::Timestamp;

use crate::account::Email;
use crate::id::{AccountId, InvitationId, TokenId, WebsiteId};
use crate::role::Role;

/// An account's role on a website.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub website_id: WebsiteId,
    pub account_id: AccountId,
    pub role: Role,
    pub joined_at: Timestamp,
}

/// A pending invitation: it grants nothing until the invitee accepts it with its own token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub website_id: WebsiteId,
    pub email: Email,
    pub role: Role,
    pub invited_by: AccountId,
    /// The token that sent it; revoking that token withdraws the invitation. `None` only for
    /// invitations sent before senders' tokens were recorded.
    pub invited_by_token: Option<TokenId>,
    pub created_at: Timestamp,
}
