//! User accounts: who owns websites and tokens, identified by a unique email.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;
use crate::id::AccountId;
use crate::text;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub email: Email,
    pub image: Option<String>,
    pub created_at: Timestamp,
}

/// An email address, lowercased, checked against RFC 5321/5322 syntax.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let candidate = input.trim().to_lowercase();
        let has_dotted_domain = candidate
            .rsplit_once('@')
            .is_some_and(|(_, domain)| domain.contains('.') && !domain.ends_with('.'));
        if candidate.len() > 254
            || !has_dotted_domain
            || !email_address::EmailAddress::is_valid(&candidate)
        {
            return Err(ValidationError::new(
                "email",
                "must be a valid email address",
            ));
        }
        Ok(Self(candidate))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> Self {
        value.0
    }
}

/// A person's display name: 1 to 100 characters.
pub fn parse_account_name(input: &str) -> Result<String, ValidationError> {
    text::bounded("name", input, 1, 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_lowercased_and_checked() {
        assert_eq!(
            Email::parse(" Jane@Example.COM ").unwrap().as_str(),
            "jane@example.com"
        );
        assert!(Email::parse("not-an-email").is_err());
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("").is_err());
    }
}
