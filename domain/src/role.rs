//! A user's role on a website (owner, member, viewer) and what each role may change, per
//! DataFast's published role matrix.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;
use crate::permission::Permission;

/// The permissions a viewer exercises on a website: every read a website route requires.
const READS: &[Permission] = &[
    Permission::AnalyticsRead,
    Permission::VisitorsRead,
    Permission::SettingsRead,
    Permission::ApiKeysRead,
    Permission::TeamRead,
    Permission::AlertsRead,
    Permission::FunnelsRead,
    Permission::GoalsRead,
];

/// What a member adds: every write a website route requires that is not owner-only.
const MEMBER_WRITES: &[Permission] = &[
    Permission::SettingsWrite,
    Permission::ApiKeysWrite,
    Permission::AlertsWrite,
    Permission::FunnelsWrite,
    Permission::GoalsWrite,
    Permission::PaymentsWrite,
    Permission::IdentifyWrite,
];

/// What an owner adds: the owner-only writes (team changes, website deletion).
const OWNER_WRITES: &[Permission] = &[Permission::TeamWrite, Permission::WebsitesWrite];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Member,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Member => "member",
            Role::Owner => "owner",
        }
    }

    /// Parses a role that can be granted by invitation: `viewer` or `member`. Ownership is
    /// never granted through the API.
    pub fn parse_invitable(input: &str) -> Result<Role, ValidationError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "member" => Ok(Role::Member),
            _ => Err(ValidationError::new(
                "role",
                "must be \"viewer\" or \"member\"",
            )),
        }
    }

    /// The permissions the role exercises through the website's routes: what an invitation
    /// to the role hands over, so what its sender must hold.
    pub fn website_permissions(self) -> Vec<Permission> {
        let layers: &[&[Permission]] = match self {
            Role::Viewer => &[READS],
            Role::Member => &[READS, MEMBER_WRITES],
            Role::Owner => &[READS, MEMBER_WRITES, OWNER_WRITES],
        };
        layers
            .iter()
            .flat_map(|layer| layer.iter().copied())
            .collect()
    }

    pub fn parse(input: &str) -> Option<Role> {
        match input {
            "viewer" => Some(Role::Viewer),
            "member" => Some(Role::Member),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
