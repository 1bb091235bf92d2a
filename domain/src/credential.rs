//! Raw credentials: `dft_` account tokens and `df_` website API keys. A raw value exists only
//! between its creation and the response that shows it once; storage keeps a keyed hash (made
//! by the credential-hasher port) and the short display form built here.

use std::fmt;

/// The two kinds of bearer credential, told apart by their prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    AccountToken,
    WebsiteKey,
}

impl CredentialKind {
    pub fn prefix(self) -> &'static str {
        match self {
            CredentialKind::AccountToken => "dft_",
            CredentialKind::WebsiteKey => "df_",
        }
    }

    /// Tells the kind of a presented bearer value; `None` when it has neither shape.
    pub fn of(bearer: &str) -> Option<CredentialKind> {
        let (kind, body) = if let Some(body) = bearer.strip_prefix("dft_") {
            (CredentialKind::AccountToken, body)
        } else if let Some(body) = bearer.strip_prefix("df_") {
            (CredentialKind::WebsiteKey, body)
        } else {
            return None;
        };
        let well_formed =
            body.len() == SECRET_HEX_LEN && body.bytes().all(|b| b.is_ascii_hexdigit());
        well_formed.then_some(kind)
    }
}

/// 32 random bytes, as 64 hex characters after the prefix.
pub const SECRET_BYTES: usize = 32;
const SECRET_HEX_LEN: usize = SECRET_BYTES * 2;

/// A freshly minted raw credential. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct RawSecret(String);

impl RawSecret {
    /// Builds the raw value from random bytes drawn by the caller from the OS.
    pub fn from_random(kind: CredentialKind, random: [u8; SECRET_BYTES]) -> Self {
        let mut text = String::with_capacity(kind.prefix().len() + SECRET_HEX_LEN);
        text.push_str(kind.prefix());
        for byte in random {
            text.push_str(&format!("{byte:02x}"));
        }
        Self(text)
    }

    /// The value to hand to the client once.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The short form kept and listed: `dft_ab1...xyz9`.
    pub fn display_form(&self) -> String {
        display_form(&self.0)
    }
}

impl fmt::Debug for RawSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawSecret({})", self.display_form())
    }
}

/// Masks a raw credential to its prefix, three characters, an ellipsis and the last four.
pub fn display_form(raw: &str) -> String {
    let (prefix, body) = match raw.find('_') {
        Some(index) => raw.split_at(index + 1),
        None => ("", raw),
    };
    let chars: Vec<char> = body.chars().collect();
    if chars.len() < 8 {
        return format!("{prefix}...");
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}{head}...{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_values_are_recognised_and_masked() {
        let raw = RawSecret::from_random(CredentialKind::AccountToken, [0xab; 32]);
        assert_eq!(
            CredentialKind::of(raw.expose()),
            Some(CredentialKind::AccountToken)
        );
        assert_eq!(raw.display_form(), "dft_aba...abab");
        assert!(!format!("{raw:?}").contains(raw.expose()));
        let key = RawSecret::from_random(CredentialKind::WebsiteKey, [1; 32]);
        assert_eq!(
            CredentialKind::of(key.expose()),
            Some(CredentialKind::WebsiteKey)
        );
    }

    #[test]
    fn malformed_bearers_have_no_kind() {
        assert_eq!(CredentialKind::of("dft_short"), None);
        assert_eq!(CredentialKind::of("sk_live_abc"), None);
        assert_eq!(CredentialKind::of(&format!("dft_{}", "z".repeat(64))), None);
    }
}
