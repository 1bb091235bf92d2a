//! Website API keys (`df_`): at most ten per website, listed masked, rolled in place.

use jiff::Timestamp;

use crate::id::{AccountId, ApiKeyId, WebsiteId};
use crate::{ValidationError, text};

/// How many keys one website may hold.
pub const MAX_KEYS_PER_WEBSITE: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub website_id: WebsiteId,
    pub name: String,
    pub display_key: String,
    pub created_by: AccountId,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
}

/// A key name: 1 to 100 characters; "API key" when none is given.
pub fn parse_key_name(input: Option<&str>) -> Result<String, ValidationError> {
    match input {
        None => Ok("API key".to_owned()),
        Some(name) => text::bounded("name", name, 1, 100),
    }
}
