//! Account tokens (`dft_`): what is stored of one, and its name. The rule that a token never
//! mints one stronger than itself lives with every other minting rule, in [`crate::grant`].

use jiff::Timestamp;

use crate::access::WebsiteScope;
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
    /// The token it was created with; `None` for tokens the server's own commands minted.
    /// Revoking that token revokes this one.
    pub created_by: Option<TokenId>,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A token name, when given: 1 to 100 characters.
pub fn parse_token_name(input: Option<&str>) -> Result<Option<String>, ValidationError> {
    input
        .map(|name| text::bounded("name", name, 1, 100))
        .transpose()
}

pub use crate::grant::{GrantDenied, check_grant};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::{Credential, Principal};
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
                permissions: PermissionSet::All,
            },
        };
        assert_eq!(
            check_grant(&key, &held, &WebsiteScope::All),
            Err(GrantDenied::NotAnAccountToken)
        );
    }
}
