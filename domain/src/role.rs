//! A user's role on a website (owner, member, viewer) and what each role may change, per
//! DataFast's published role matrix.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;

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
