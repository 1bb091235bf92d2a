//! Permission strings and the sets a credential carries. A set is either `*` (everything) or
//! an explicit list; the subset relation is what keeps a token from minting a stronger one.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use crate::ValidationError;

macro_rules! permissions {
    ($($variant:ident => $text:literal, $write:literal;)*) => {
        /// One permission string, from DataFast's REST docs and its OAuth scope list.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($variant,)*
        }

        impl Permission {
            /// Every permission, in a stable order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Permission::$variant => $text,)*
                }
            }

            /// Whether the permission changes data: a viewer never exercises such a permission.
            pub fn is_write(self) -> bool {
                match self {
                    $(Permission::$variant => $write,)*
                }
            }

            pub fn parse(input: &str) -> Option<Permission> {
                match input {
                    $($text => Some(Permission::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

permissions! {
    AnalyticsRead => "analytics:read", false;
    WebsitesRead => "websites:read", false;
    WebsitesWrite => "websites:write", true;
    ApiKeysRead => "api-keys:read", false;
    ApiKeysWrite => "api-keys:write", true;
    TeamRead => "team:read", false;
    TeamWrite => "team:write", true;
    AlertsRead => "alerts:read", false;
    AlertsWrite => "alerts:write", true;
    SettingsRead => "settings:read", false;
    SettingsWrite => "settings:write", true;
    FunnelsRead => "funnels:read", false;
    FunnelsWrite => "funnels:write", true;
    GoalsRead => "goals:read", false;
    GoalsWrite => "goals:write", true;
    PaymentsRead => "payments:read", false;
    PaymentsWrite => "payments:write", true;
    IdentifyWrite => "identify:write", true;
    VisitorsRead => "visitors:read", false;
    VisitorsDetails => "visitors:details", false;
    AccountRead => "account:read", false;
    AccountWrite => "account:write", true;
    AccountUsageRead => "account-usage:read", false;
    AccessTokensRead => "access-tokens:read", false;
    AccessTokensWrite => "access-tokens:write", true;
    BotCredentialsRead => "bot-credentials:read", false;
    BotCredentialsWrite => "bot-credentials:write", true;
    NotesRead => "notes:read", false;
    NotesWrite => "notes:write", true;
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a credential may do: everything (`*`), or exactly the listed permissions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub enum PermissionSet {
    All,
    Only(BTreeSet<Permission>),
}

impl PermissionSet {
    /// Parses a list of permission strings. `*` anywhere makes the set `All`; an empty list
    /// and unknown strings are refused, next to a `*` too: every item is read before the `*`
    /// counts, so a typo is never granted as everything.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, ValidationError> {
        if items.is_empty() {
            return Err(ValidationError::new(
                "permissions",
                "must list at least one permission, or \"*\"",
            ));
        }
        let mut set = BTreeSet::new();
        let mut everything = false;
        for item in items {
            let text = item.as_ref().trim();
            if text == "*" {
                everything = true;
                continue;
            }
            let permission = Permission::parse(text).ok_or_else(|| {
                ValidationError::new(
                    "permissions",
                    format!("unknown permission '{}'", truncate(text, 40)),
                )
            })?;
            set.insert(permission);
        }
        Ok(if everything {
            PermissionSet::All
        } else {
            PermissionSet::Only(set)
        })
    }

    pub fn contains(&self, permission: Permission) -> bool {
        match self {
            PermissionSet::All => true,
            PermissionSet::Only(set) => set.contains(&permission),
        }
    }

    /// True when every permission of `self` is also in `other`; only `All` covers `All`.
    pub fn is_subset_of(&self, other: &PermissionSet) -> bool {
        match (self, other) {
            (_, PermissionSet::All) => true,
            (PermissionSet::All, PermissionSet::Only(_)) => false,
            (PermissionSet::Only(mine), PermissionSet::Only(theirs)) => mine.is_subset(theirs),
        }
    }

    /// The first permission of `self` that `other` lacks, for a readable refusal.
    pub fn first_missing_from(&self, other: &PermissionSet) -> Option<String> {
        match (self, other) {
            (_, PermissionSet::All) => None,
            (PermissionSet::All, PermissionSet::Only(_)) => Some("*".to_owned()),
            (PermissionSet::Only(mine), PermissionSet::Only(theirs)) => mine
                .iter()
                .find(|p| !theirs.contains(p))
                .map(|p| p.as_str().to_owned()),
        }
    }

    pub fn to_strings(&self) -> Vec<String> {
        match self {
            PermissionSet::All => vec!["*".to_owned()],
            PermissionSet::Only(set) => set.iter().map(|p| p.as_str().to_owned()).collect(),
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl TryFrom<Vec<String>> for PermissionSet {
    type Error = ValidationError;
    fn try_from(value: Vec<String>) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PermissionSet> for Vec<String> {
    fn from(value: PermissionSet) -> Self {
        value.to_strings()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use proptest::sample::subsequence;

    fn any_set() -> impl Strategy<Value = PermissionSet> {
        prop_oneof![
            Just(PermissionSet::All),
            subsequence(Permission::ALL.to_vec(), 0..Permission::ALL.len())
                .prop_map(|items| PermissionSet::Only(items.into_iter().collect())),
        ]
    }

    #[test]
    fn every_permission_round_trips_through_its_string() {
        for permission in Permission::ALL {
            assert_eq!(Permission::parse(permission.as_str()), Some(*permission));
        }
    }

    #[test]
    fn star_means_all_and_unknown_strings_are_refused() {
        assert_eq!(
            PermissionSet::parse(&["analytics:read", "*"]).unwrap(),
            PermissionSet::All
        );
        assert!(PermissionSet::parse(&["analytics:delete"]).is_err());
        assert!(PermissionSet::parse::<&str>(&[]).is_err());
    }

    proptest! {
        /// `*` must not wave an unknown name through: a list is refused whenever one of its
        /// items is unknown, wherever the `*` stands (found by the API check's stateful phase).
        #[test]
        fn an_unknown_name_is_refused_even_next_to_star(
            known in subsequence(Permission::ALL.to_vec(), 0..Permission::ALL.len()),
            unknown in "[a-z_:]{1,20}".prop_filter("must be unknown", |s| Permission::parse(s).is_none()),
            star_at in any::<prop::sample::Index>(),
            unknown_at in any::<prop::sample::Index>(),
        ) {
            let mut items: Vec<String> = known.iter().map(|p| p.as_str().to_owned()).collect();
            items.insert(star_at.index(items.len() + 1), "*".to_owned());
            items.insert(unknown_at.index(items.len() + 1), unknown);
            prop_assert!(PermissionSet::parse(&items).is_err());
        }
    }

    proptest! {
        #[test]
        fn subset_agrees_with_contains(a in any_set(), b in any_set()) {
            let by_members = Permission::ALL.iter().all(|p| !a.contains(*p) || b.contains(*p));
            // `All` is more than any explicit list, even a list naming every permission.
            let expected = match (&a, &b) {
                (PermissionSet::All, PermissionSet::Only(_)) => false,
                _ => by_members,
            };
            prop_assert_eq!(a.is_subset_of(&b), expected);
            prop_assert_eq!(a.first_missing_from(&b).is_none(), expected);
        }

        #[test]
        fn strings_round_trip(set in any_set()) {
            let strings = set.to_strings();
            if strings.is_empty() {
                prop_assert!(PermissionSet::parse(&strings).is_err());
            } else {
                prop_assert_eq!(PermissionSet::parse(&strings).unwrap(), set);
            }
        }
    }
}
