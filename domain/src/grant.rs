//! What a credential may hand on: the rule for every way of minting or extending authority
//! (account tokens, website keys and their rolls, invitations, accepting one, creating a
//! website) and for reaching other tokens. Each rule keeps one invariant: nothing a principal
//! makes can do what the principal itself could not.

use crate::access::{Credential, Principal, WebsiteScope};
use crate::apikey::{ApiKey, KeyIssuer};
use crate::permission::{Permission, PermissionSet};
use crate::role::Role;
use crate::token::AccessToken;

/// Why a request asks to hand on more than its caller holds. Each maps to 403.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantDenied {
    #[error("Only account tokens can create account tokens")]
    NotAnAccountToken,
    #[error("The new token cannot exceed your permissions (you lack '{0}')")]
    PermissionNotHeld(String),
    #[error("The new token cannot reach websites outside your token's scope")]
    WebsitesNotHeld,
    #[error(
        "This key holds a permission your token lacks ('{0}'); roll it with a token that holds it"
    )]
    KeyPermissionNotHeld(String),
    #[error("An invitation cannot grant more than your token holds (you lack '{0}')")]
    RoleNotHeld(Permission),
    #[error(
        "Only an unrestricted token (permissions [\"*\"], every website) can accept an \
         invitation: the new website becomes reachable by every token of the account"
    )]
    FullAuthorityRequired,
    #[error(
        "A token limited to some websites cannot create websites: the new website would be \
         outside its reach"
    )]
    AllWebsitesRequired,
}

/// What a session holds: every permission on every website.
static WHOLE_ACCOUNT: (PermissionSet, WebsiteScope) = (PermissionSet::All, WebsiteScope::All);

/// The credential's permissions and website scope, when it acts at account level.
fn token_authority(principal: &Principal) -> Result<(&PermissionSet, &WebsiteScope), GrantDenied> {
    match &principal.credential {
        Credential::AccountToken {
            permissions,
            websites,
            ..
        } => Ok((permissions, websites)),
        Credential::Session { .. } => Ok((&WHOLE_ACCOUNT.0, &WHOLE_ACCOUNT.1)),
        Credential::WebsiteKey { .. } | Credential::PublicShare { .. } => {
            Err(GrantDenied::NotAnAccountToken)
        }
    }
}

/// Checks that a token with `permissions` and `websites` is no stronger than `creator`:
/// its permissions are a subset of the creator's (only `*` grants `*`), and its websites a
/// subset of the creator's allowlist (only an all-websites creator grants all websites). The
/// account's roles still cap what the new token can do, as they cap the creator.
pub fn check_grant(
    creator: &Principal,
    permissions: &PermissionSet,
    websites: &WebsiteScope,
) -> Result<(), GrantDenied> {
    let (held_permissions, held_websites) = token_authority(creator)?;
    if let Some(missing) = permissions.first_missing_from(held_permissions) {
        return Err(GrantDenied::PermissionNotHeld(missing));
    }
    if !websites.is_subset_of(held_websites) {
        return Err(GrantDenied::WebsitesNotHeld);
    }
    Ok(())
}

/// Whether `holder` could have created `token`: the tokens a credential may list and revoke.
/// Reaching another token is as strong as minting it, so a narrow token never sees or revokes
/// a wider one.
pub fn reaches_token(holder: &Principal, token: &AccessToken) -> bool {
    holder.account_id == token.account_id
        && check_grant(holder, &token.permissions, &token.websites).is_ok()
}

/// The issuer a new website key records: the creating token's account, id and permissions.
/// The key can then do on its website at most what that token can.
pub fn key_issuer(creator: &Principal) -> Result<KeyIssuer, GrantDenied> {
    let (permissions, _) = token_authority(creator)?;
    Ok(KeyIssuer {
        account: creator.account_id,
        token: issuing_token(creator),
        permissions: permissions.clone(),
    })
}

/// The issuer a rolled key records. Rolling hands the roller a new raw value with the key's
/// permissions, so the roller must hold all of them; the key is then re-issued under the
/// roller (revoking the roller revokes it).
pub fn roll_issuer(roller: &Principal, key: &ApiKey) -> Result<KeyIssuer, GrantDenied> {
    let issuer = key_issuer(roller)?;
    if let Some(missing) = key
        .issued_by
        .permissions
        .first_missing_from(&issuer.permissions)
    {
        return Err(GrantDenied::KeyPermissionNotHeld(missing));
    }
    Ok(KeyIssuer {
        permissions: key.issued_by.permissions.clone(),
        ..issuer
    })
}

/// The token a credential minted with, which revoking then revokes what it minted: `None` for
/// a session, which mints with the account's own authority (signing out ends the session,
/// not what was made in it).
pub fn issuing_token(creator: &Principal) -> Option<crate::id::TokenId> {
    match &creator.credential {
        Credential::AccountToken { token_id, .. } => Some(*token_id),
        Credential::WebsiteKey { .. }
        | Credential::Session { .. }
        | Credential::PublicShare { .. } => None,
    }
}

/// Checks that `inviter` holds every permission `role` exercises on a website, since the
/// invitee will exercise them all.
pub fn check_invitation(inviter: &Principal, role: Role) -> Result<(), GrantDenied> {
    let (held, _) = token_authority(inviter)?;
    match role
        .website_permissions()
        .iter()
        .find(|permission| !held.contains(**permission))
    {
        Some(missing) => Err(GrantDenied::RoleNotHeld(*missing)),
        None => Ok(()),
    }
}

/// Checks that `principal` holds the account's whole authority (`*` on every website).
/// Accepting an invitation adds a website to every all-websites token of the account, so only
/// such a credential may do it.
pub fn check_full_authority(principal: &Principal) -> Result<(), GrantDenied> {
    check_grant(principal, &PermissionSet::All, &WebsiteScope::All)
        .map_err(|_| GrantDenied::FullAuthorityRequired)
}

/// Checks that `creator` reaches every website of its account: a new website joins the reach
/// of every all-websites token, so a narrower token may not add one.
pub fn check_website_creation(creator: &Principal) -> Result<(), GrantDenied> {
    let (_, websites) = token_authority(creator)?;
    if *websites == WebsiteScope::All {
        Ok(())
    } else {
        Err(GrantDenied::AllWebsitesRequired)
    }
}
