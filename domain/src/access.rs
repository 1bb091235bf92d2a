//! The authorization policy: the one function that decides whether a principal may exercise a
//! permission, on the account or on one website. Every use case calls [`authorize`]; nothing
//! else decides access.
//!
//! A request is allowed only when all of these hold: the credential carries the permission,
//! the website is in the credential's scope, and the user's role on that website allows the
//! operation. A `df_` key acts for the account that issued it, capped at member, on its own
//! website only, and carries the permissions of the token that issued it: it never reaches
//! further than its issuer.

use std::collections::BTreeSet;

use crate::id::{AccountId, ApiKeyId, SessionId, TokenId, WebsiteId};
use crate::permission::{Permission, PermissionSet};
use crate::role::Role;

/// Which websites an account token may touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebsiteScope {
    /// Every website its account can see (`websiteIds: []`).
    All,
    Only(BTreeSet<WebsiteId>),
}

impl WebsiteScope {
    pub fn from_ids(ids: impl IntoIterator<Item = WebsiteId>) -> Self {
        let set: BTreeSet<WebsiteId> = ids.into_iter().collect();
        if set.is_empty() {
            WebsiteScope::All
        } else {
            WebsiteScope::Only(set)
        }
    }

    pub fn includes(&self, website: WebsiteId) -> bool {
        match self {
            WebsiteScope::All => true,
            WebsiteScope::Only(set) => set.contains(&website),
        }
    }

    /// True when every website of `self` is in `other`; only `All` covers `All`.
    pub fn is_subset_of(&self, other: &WebsiteScope) -> bool {
        match (self, other) {
            (_, WebsiteScope::All) => true,
            (WebsiteScope::All, WebsiteScope::Only(_)) => false,
            (WebsiteScope::Only(mine), WebsiteScope::Only(theirs)) => mine.is_subset(theirs),
        }
    }

    /// The ids as the API lists them: empty for all.
    pub fn ids(&self) -> Vec<WebsiteId> {
        match self {
            WebsiteScope::All => Vec::new(),
            WebsiteScope::Only(set) => set.iter().copied().collect(),
        }
    }
}

/// The credential a request presented, once resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    AccountToken {
        token_id: TokenId,
        permissions: PermissionSet,
        websites: WebsiteScope,
    },
    WebsiteKey {
        key_id: ApiKeyId,
        website_id: WebsiteId,
        /// The issuing token's permissions (the credential ones never apply to a key).
        permissions: PermissionSet,
    },
    /// A signed-in dashboard session: the account itself, with every permission on every
    /// website the account's roles reach, as the person who set the password.
    Session { session_id: SessionId },
    /// A signed-out visitor of a website's public dashboard (`/share/{domain}`): it acts for
    /// the owner, reads that website's analytics and nothing else, as a viewer at most.
    PublicShare { website_id: WebsiteId },
}

/// Who is calling: the account the credential acts for, and the credential itself. A website
/// key acts for the account that issued it, capped at member level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: AccountId,
    pub credential: Credential,
}

impl Principal {
    /// The website a `df_` key is bound to, if the principal is one.
    pub fn key_website(&self) -> Option<WebsiteId> {
        match self.credential {
            Credential::WebsiteKey { website_id, .. } | Credential::PublicShare { website_id } => {
                Some(website_id)
            }
            Credential::AccountToken { .. } | Credential::Session { .. } => None,
        }
    }

    /// Whether this is a signed-out visitor of a public dashboard.
    pub fn is_public_share(&self) -> bool {
        matches!(self.credential, Credential::PublicShare { .. })
    }

    /// Whether the credential acts at account level (an account token or a session), as
    /// opposed to a key bound to one website.
    pub fn is_account_token(&self) -> bool {
        matches!(
            self.credential,
            Credential::AccountToken { .. } | Credential::Session { .. }
        )
    }

    /// Whether the credential may see `website` at all (scope only, not role).
    pub fn scope_includes(&self, website: WebsiteId) -> bool {
        match &self.credential {
            Credential::AccountToken { websites, .. } => websites.includes(website),
            Credential::WebsiteKey { website_id, .. } | Credential::PublicShare { website_id } => {
                *website_id == website
            }
            Credential::Session { .. } => true,
        }
    }
}

/// What a request touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Account-level routes (tokens, website creation, website list). Account tokens only.
    Account,
    /// The caller's own profile (`/account`): account tokens and website keys alike.
    Profile,
    /// One website, with the role the principal's account holds on it (`None`: no role).
    Website {
        id: WebsiteId,
        role: Option<Role>,
        owner_only: bool,
    },
}

/// Why a request was refused. Each variant maps to 403 with its own message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("Missing permission: {0}")]
    MissingPermission(Permission),
    #[error("This route requires an account token (dft_); website API keys cannot use it")]
    AccountTokenRequired,
    #[error("No access to this website")]
    NoWebsiteAccess,
    #[error("Your role on this website ({0}) cannot change it; member or owner required")]
    ReadOnlyRole(Role),
    #[error("Only the website owner can do this")]
    OwnerOnly,
}

/// The permission half of the policy: whether the credential itself carries `permission`.
fn authorize_permission(principal: &Principal, permission: Permission) -> Result<(), Denied> {
    match &principal.credential {
        Credential::AccountToken { permissions, .. } => {
            if !permissions.contains(permission) {
                return Err(Denied::MissingPermission(permission));
            }
        }
        Credential::WebsiteKey { permissions, .. } => {
            // A website key never manages credentials: that would let a leaked key mint
            // or keep others alive.
            if matches!(
                permission,
                Permission::ApiKeysRead
                    | Permission::ApiKeysWrite
                    | Permission::AccessTokensRead
                    | Permission::AccessTokensWrite
            ) {
                return Err(Denied::AccountTokenRequired);
            }
            if !permissions.contains(permission) {
                return Err(Denied::MissingPermission(permission));
            }
        }
        Credential::Session { .. } => {}
        Credential::PublicShare { .. } => {
            if permission != Permission::AnalyticsRead {
                return Err(Denied::MissingPermission(permission));
            }
        }
    }
    Ok(())
}

/// Decides whether `principal` may exercise `permission` on `target`.
pub fn authorize(
    principal: &Principal,
    permission: Permission,
    target: Target,
) -> Result<(), Denied> {
    authorize_permission(principal, permission)?;
    match target {
        Target::Account => {
            if principal.is_account_token() {
                Ok(())
            } else {
                Err(Denied::AccountTokenRequired)
            }
        }
        Target::Profile => Ok(()),
        Target::Website {
            id,
            role,
            owner_only,
        } => {
            if !principal.scope_includes(id) {
                return Err(Denied::NoWebsiteAccess);
            }
            let Some(account_role) = role else {
                return Err(Denied::NoWebsiteAccess);
            };
            let effective = match principal.credential {
                Credential::AccountToken { .. } | Credential::Session { .. } => account_role,
                Credential::WebsiteKey { .. } => account_role.min(Role::Member),
                Credential::PublicShare { .. } => account_role.min(Role::Viewer),
            };
            if owner_only && effective != Role::Owner {
                return Err(Denied::OwnerOnly);
            }
            if permission.is_write() && effective == Role::Viewer {
                return Err(Denied::ReadOnlyRole(effective));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn website(n: u8) -> WebsiteId {
        WebsiteId::from_parts(1, [n; 8])
    }

    fn token(permissions: PermissionSet, websites: WebsiteScope) -> Principal {
        Principal {
            account_id: AccountId::from_parts(1, [0; 8]),
            credential: Credential::AccountToken {
                token_id: TokenId::from_parts(1, [0; 8]),
                permissions,
                websites,
            },
        }
    }

    fn key(website_id: WebsiteId) -> Principal {
        Principal {
            account_id: AccountId::from_parts(1, [0; 8]),
            credential: Credential::WebsiteKey {
                key_id: ApiKeyId::from_parts(1, [0; 8]),
                website_id,
                permissions: PermissionSet::All,
            },
        }
    }

    fn on(id: WebsiteId, role: Option<Role>) -> Target {
        Target::Website {
            id,
            role,
            owner_only: false,
        }
    }

    #[test]
    fn a_session_holds_every_permission_but_its_roles_still_bound_it() {
        let session = Principal {
            account_id: AccountId::from_parts(1, [0; 8]),
            credential: Credential::Session {
                session_id: crate::id::SessionId::from_parts(1, [0; 8]),
            },
        };
        assert!(authorize(&session, Permission::AccessTokensWrite, Target::Account).is_ok());
        let site = website(1);
        assert!(authorize(&session, Permission::TeamWrite, on(site, Some(Role::Owner))).is_ok());
        assert_eq!(
            authorize(
                &session,
                Permission::TeamWrite,
                on(site, Some(Role::Viewer))
            ),
            Err(Denied::ReadOnlyRole(Role::Viewer))
        );
        assert_eq!(
            authorize(&session, Permission::AnalyticsRead, on(site, None)),
            Err(Denied::NoWebsiteAccess)
        );
    }

    #[test]
    fn a_public_share_reads_its_websites_analytics_and_nothing_else() {
        let site = website(1);
        let share = Principal {
            account_id: AccountId::from_parts(1, [0; 8]),
            credential: Credential::PublicShare { website_id: site },
        };
        let owner = Some(Role::Owner);
        assert!(authorize(&share, Permission::AnalyticsRead, on(site, owner)).is_ok());
        for permission in [
            Permission::VisitorsRead,
            Permission::SettingsRead,
            Permission::GoalsWrite,
        ] {
            assert_eq!(
                authorize(&share, permission, on(site, owner)),
                Err(Denied::MissingPermission(permission))
            );
        }
        assert_eq!(
            authorize(&share, Permission::AnalyticsRead, on(website(2), owner)),
            Err(Denied::NoWebsiteAccess)
        );
        assert_eq!(
            authorize(&share, Permission::AnalyticsRead, Target::Account),
            Err(Denied::AccountTokenRequired)
        );
    }

    #[test]
    fn missing_permission_names_it() {
        let reader = token(
            PermissionSet::parse(&["analytics:read"]).unwrap(),
            WebsiteScope::All,
        );
        let denied = authorize(
            &reader,
            Permission::FunnelsWrite,
            on(website(1), Some(Role::Owner)),
        )
        .unwrap_err();
        assert_eq!(denied, Denied::MissingPermission(Permission::FunnelsWrite));
        assert!(denied.to_string().contains("funnels:write"));
    }

    #[test]
    fn viewers_read_but_never_write() {
        let full = token(PermissionSet::All, WebsiteScope::All);
        let site = website(1);
        assert!(authorize(&full, Permission::FunnelsRead, on(site, Some(Role::Viewer))).is_ok());
        assert_eq!(
            authorize(
                &full,
                Permission::FunnelsWrite,
                on(site, Some(Role::Viewer))
            ),
            Err(Denied::ReadOnlyRole(Role::Viewer))
        );
        assert!(
            authorize(
                &full,
                Permission::FunnelsWrite,
                on(site, Some(Role::Member))
            )
            .is_ok()
        );
    }

    #[test]
    fn owner_only_routes_refuse_members_and_keys() {
        let site = website(1);
        let owner_only = Target::Website {
            id: site,
            role: Some(Role::Owner),
            owner_only: true,
        };
        let full = token(PermissionSet::All, WebsiteScope::All);
        assert!(authorize(&full, Permission::TeamWrite, owner_only).is_ok());
        let member_target = Target::Website {
            id: site,
            role: Some(Role::Member),
            owner_only: true,
        };
        assert_eq!(
            authorize(&full, Permission::TeamWrite, member_target),
            Err(Denied::OwnerOnly)
        );
        assert_eq!(
            authorize(&key(site), Permission::TeamWrite, owner_only),
            Err(Denied::OwnerOnly)
        );
    }

    #[test]
    fn website_keys_stay_on_their_own_website() {
        let mine = website(1);
        let other = website(2);
        let principal = key(mine);
        assert!(
            authorize(
                &principal,
                Permission::FunnelsWrite,
                on(mine, Some(Role::Owner))
            )
            .is_ok()
        );
        assert_eq!(
            authorize(
                &principal,
                Permission::FunnelsRead,
                on(other, Some(Role::Owner))
            ),
            Err(Denied::NoWebsiteAccess)
        );
        assert_eq!(
            authorize(&principal, Permission::WebsitesWrite, Target::Account),
            Err(Denied::AccountTokenRequired)
        );
        assert_eq!(
            authorize(
                &principal,
                Permission::ApiKeysRead,
                on(mine, Some(Role::Owner))
            ),
            Err(Denied::AccountTokenRequired)
        );
        assert!(authorize(&principal, Permission::AnalyticsRead, Target::Profile).is_ok());
    }

    proptest! {
        /// No principal reaches a website outside its scope or without a role on it.
        #[test]
        fn access_requires_scope_and_role(
            scope_ids in proptest::collection::btree_set(0u8..6, 0..4),
            target in 0u8..6,
            role in proptest::option::of(prop_oneof![Just(Role::Viewer), Just(Role::Member), Just(Role::Owner)]),
            permission in proptest::sample::select(Permission::ALL.to_vec()),
        ) {
            let scope = WebsiteScope::from_ids(scope_ids.iter().map(|n| website(*n)));
            let principal = token(PermissionSet::All, scope.clone());
            let allowed = authorize(&principal, permission, on(website(target), role)).is_ok();
            let expected = scope.includes(website(target))
                && match role {
                    None => false,
                    Some(Role::Viewer) => !permission.is_write(),
                    Some(_) => true,
                };
            prop_assert_eq!(allowed, expected);
        }
    }
}
