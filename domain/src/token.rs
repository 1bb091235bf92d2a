//! Account tokens (`dft_`) and the rule that a token never mints one stronger than itself.

use jiff::Timestamp;

use crate::access::{Credential, Principal, WebsiteScope};
use crate::id::{AccountId, TokenId};
use crate::permission::PermissionSet;
use crate::{ValidationError, text};

/// A stored account token: never its raw value, only the display form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    pub id: TokenId,
    pub account_id: AccountId,
    pub name: Option<String>,
    pub display_key: String,
    pub permissions: PermissionSet,
    pub websites: WebsiteScope,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A token name, when given: 1 to 100 characters.
pub fn parse_token_name(input: Option<&str>) -> Result<Option<String>, ValidationError> {
    input
        .map(|name| text::bounded("name", name, 1, 100))
        .transpose()
}

/// Why a token request asks for more than its creator has.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GrantDenied {
    #[error("Only account tokens can create account tokens")]
    NotAnAccountToken,
    #[error("The new token cannot exceed your permissions (you lack '{0}')")]
    PermissionNotHeld(String),
    #[error("The new token cannot reach websites outside your token's scope")]
    WebsitesNotHeld,
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
    let Credential::AccountToken {
        permissions: held_permissions,
        websites: held_websites,
        ..
    } = &creator.credential
    else {
        return Err(GrantDenied::NotAnAccountToken);
    };
    if let Some(missing) = permissions.first_missing_from(held_permissions) {
        return Err(GrantDenied::PermissionNotHeld(missing));
    }
    if !websites.is_subset_of(held_websites) {
        return Err(GrantDenied::WebsitesNotHeld);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{ApiKeyId, WebsiteId};
    use crate::permission::Permission;
    use proptest::prelude::*;
    use proptest::sample::subsequence;

    fn permission_set() -> impl Strategy<Value = PermissionSet> {
        prop_oneof![
            1 => Just(PermissionSet::All),
            4 => subsequence(Permission::ALL.to_vec(), 1..6)
                .prop_map(|items| PermissionSet::Only(items.into_iter().collect())),
        ]
    }

    fn scope() -> impl Strategy<Value = WebsiteScope> {
        proptest::collection::btree_set(0u8..5, 0..4).prop_map(|ids| {
            WebsiteScope::from_ids(ids.into_iter().map(|n| WebsiteId::from_parts(1, [n; 8])))
        })
    }

    fn creator(permissions: PermissionSet, websites: WebsiteScope) -> Principal {
        Principal {
            account_id: AccountId::from_parts(1, [1; 8]),
            credential: Credential::AccountToken {
                token_id: TokenId::from_parts(1, [1; 8]),
                permissions,
                websites,
            },
        }
    }

    proptest! {
        /// Whatever a token grants, the grant holds no permission and no website the creator
        /// lacks.
        #[test]
        fn a_token_never_creates_a_stronger_token(
            held in permission_set(), held_sites in scope(),
            wanted in permission_set(), wanted_sites in scope(),
        ) {
            let principal = creator(held.clone(), held_sites.clone());
            if check_grant(&principal, &wanted, &wanted_sites).is_ok() {
                for permission in Permission::ALL {
                    prop_assert!(!wanted.contains(*permission) || held.contains(*permission));
                }
                prop_assert!(held == PermissionSet::All || wanted != PermissionSet::All);
                for n in 0u8..5 {
                    let site = WebsiteId::from_parts(1, [n; 8]);
                    prop_assert!(!wanted_sites.includes(site) || held_sites.includes(site));
                }
            }
        }
    }

    #[test]
    fn a_token_may_copy_itself_but_website_keys_mint_nothing() {
        let held = PermissionSet::parse(&["analytics:read", "websites:read"]).unwrap();
        let principal = creator(held.clone(), WebsiteScope::All);
        assert!(check_grant(&principal, &held, &WebsiteScope::All).is_ok());
        assert_eq!(
            check_grant(&principal, &PermissionSet::All, &WebsiteScope::All),
            Err(GrantDenied::PermissionNotHeld("*".into()))
        );
        let key = Principal {
            account_id: AccountId::from_parts(1, [1; 8]),
            credential: Credential::WebsiteKey {
                key_id: ApiKeyId::from_parts(1, [1; 8]),
                website_id: WebsiteId::from_parts(1, [1; 8]),
            },
        };
        assert_eq!(
            check_grant(&key, &held, &WebsiteScope::All),
            Err(GrantDenied::NotAnAccountToken)
        );
    }
}
