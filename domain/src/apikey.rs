//! Website API keys (`df_`): at most ten per website, listed masked, rolled in place, each
//! recording the issuer whose authority caps it.

use jiff::Timestamp;

use crate::id::{AccountId, ApiKeyId, TokenId, WebsiteId};
use crate::permission::PermissionSet;
use crate::{ValidationError, text};

/// How many keys one website may hold.
pub const MAX_KEYS_PER_WEBSITE: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub website_id: WebsiteId,
    pub name: String,
    pub display_key: String,
    pub issued_by: KeyIssuer,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// Who issued a key (created it, or last rolled it), and so how far it reaches: the key acts
/// for `account`, capped at member, with `permissions`. Revoking `token` revokes the key, and
/// so does removing `account` from the website.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyIssuer {
    pub account: AccountId,
    /// `None` only for keys issued before issuers were recorded.
    pub token: Option<TokenId>,
    pub permissions: PermissionSet,
}

/// A key name: 1 to 100 characters; "API key" when none is given.
pub fn parse_key_name(input: Option<&str>) -> Result<String, ValidationError> {
    match input {
        None => Ok("API key".to_owned()),
        Some(name) => text::bounded("name", name, 1, 100),
    }
}
