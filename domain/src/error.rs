//! The one validation error every parser in the domain returns: which field, and why.

use std::fmt;

/// A rejected input: the field it concerns (as the client spells it) and a readable reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The same error reported under another field name, for nested inputs (`steps[2].url`).
    pub fn within(self, field: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: self.message,
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Invalid {}: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}
