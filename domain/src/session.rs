//! Signing in to the dashboard: passwords as people type them, browser sessions and how long
//! they live, the one-time codes behind setup and invitation links, and the rule that throttles
//! failed sign-ins. Hashing is not here: the password-hasher port does it.

use std::fmt;

use jiff::{SignedDuration, Timestamp};

use crate::ValidationError;
use crate::id::{AccountId, InvitationId, SessionId};

/// Fewer characters than this are refused: length is what makes a password hard to guess.
pub const PASSWORD_MIN_CHARS: usize = 10;
/// More than this is refused, which also bounds the hashing work one request can ask for.
pub const PASSWORD_MAX_CHARS: usize = 128;

/// A password as typed, checked for length. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// # Errors
    /// Fewer than [`PASSWORD_MIN_CHARS`] or more than [`PASSWORD_MAX_CHARS`] characters,
    /// reported under `field`.
    pub fn parse(field: &str, input: &str) -> Result<Self, ValidationError> {
        let chars = input.chars().count();
        if chars < PASSWORD_MIN_CHARS {
            return Err(ValidationError::new(
                field,
                format!("must be at least {PASSWORD_MIN_CHARS} characters"),
            ));
        }
        if chars > PASSWORD_MAX_CHARS {
            return Err(ValidationError::new(
                field,
                format!("must be at most {PASSWORD_MAX_CHARS} characters"),
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// The typed text, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A stored password: the PHC string of its hash, salt and parameters included.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_phc(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_phc(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// Bytes of randomness in a session cookie or a link code.
pub const OPAQUE_SECRET_BYTES: usize = 32;

/// A random value a browser holds (a session cookie) or a link carries (a setup or invitation
/// code): 64 hex characters. Storage keeps only its keyed hash. `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct OpaqueSecret(String);

impl OpaqueSecret {
    pub fn from_random(random: [u8; OPAQUE_SECRET_BYTES]) -> Self {
        Self(random.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    /// Reads a presented value; `None` unless it has the minted shape, so that nothing else
    /// is ever hashed and looked up.
    pub fn parse(input: &str) -> Option<Self> {
        let well_formed = input.len() == OPAQUE_SECRET_BYTES * 2
            && input
                .bytes()
                .all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte));
        well_formed.then(|| Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for OpaqueSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OpaqueSecret(..)")
    }
}

/// How long a session lasts after signing in, whatever its use: a stolen cookie stops working
/// by itself.
pub const SESSION_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 30);

/// A signed-in browser. It acts with its account's whole authority, and ends at sign-out, at
/// a password change, or when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: SessionId,
    pub account_id: AccountId,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

impl Session {
    pub fn new(id: SessionId, account_id: AccountId, now: Timestamp) -> Self {
        Self {
            id,
            account_id,
            created_at: now,
            expires_at: now.saturating_add(SESSION_LIFETIME).unwrap_or(now),
        }
    }

    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

/// What a one-time link does when opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Sets the password of an account (the owner's first, or a reset from the shell).
    SetPassword(AccountId),
    /// Joins a website's team through a pending invitation.
    Join(InvitationId),
}

/// How long a setup link works: long enough to open it after a first start, short enough
/// that a copy found later in a log is useless.
pub const SETUP_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 7);
/// How long an invitation link works.
pub const JOIN_LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(24 * 14);

/// A one-time link's meaning and deadline; it works once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCode {
    pub purpose: LinkPurpose,
    pub expires_at: Timestamp,
}

impl LinkCode {
    pub fn new(purpose: LinkPurpose, now: Timestamp) -> Self {
        let lifetime = match purpose {
            LinkPurpose::SetPassword(_) => SETUP_LINK_LIFETIME,
            LinkPurpose::Join(_) => JOIN_LINK_LIFETIME,
        };
        Self {
            purpose,
            expires_at: now.saturating_add(lifetime).unwrap_or(now),
        }
    }

    pub fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

/// Failed sign-ins allowed for one email within [`SIGN_IN_WINDOW`]; the next is refused
/// until the window ends, whatever the password.
pub const SIGN_IN_FAILURES_ALLOWED: u32 = 5;
/// The window failed sign-ins are counted in.
pub const SIGN_IN_WINDOW: SignedDuration = SignedDuration::from_mins(15);

/// Failed sign-ins of one email in the current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInFailures {
    count: u32,
    window_start: Timestamp,
}

impl SignInFailures {
    pub fn first(now: Timestamp) -> Self {
        Self {
            count: 1,
            window_start: now,
        }
    }

    /// Counts one more failure, starting a new window when the last one has ended.
    #[must_use]
    pub fn after_failure(self, now: Timestamp) -> Self {
        if self.window_over(now) {
            Self::first(now)
        } else {
            Self {
                count: self.count.saturating_add(1),
                ..self
            }
        }
    }

    /// How long until another attempt is allowed; `None` when one is allowed now.
    pub fn retry_after(&self, now: Timestamp) -> Option<SignedDuration> {
        if self.count < SIGN_IN_FAILURES_ALLOWED || self.window_over(now) {
            return None;
        }
        Some(self.window_end().duration_since(now))
    }

    /// Whether these failures no longer matter at `now`, so the record can be dropped.
    pub fn window_over(&self, now: Timestamp) -> bool {
        now >= self.window_end()
    }

    fn window_end(&self) -> Timestamp {
        self.window_start
            .saturating_add(SIGN_IN_WINDOW)
            .unwrap_or(self.window_start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn passwords_are_bounded_by_characters_and_never_shown() {
        assert!(Password::parse("password", "short").is_err());
        assert!(Password::parse("password", &"é".repeat(10)).is_ok());
        assert!(Password::parse("password", &"x".repeat(129)).is_err());
        let password = Password::parse("password", "correct horse battery").unwrap();
        assert!(!format!("{password:?}").contains("horse"));
    }

    #[test]
    fn opaque_secrets_accept_only_the_minted_shape() {
        let minted = OpaqueSecret::from_random([0xab; OPAQUE_SECRET_BYTES]);
        assert_eq!(OpaqueSecret::parse(minted.expose()).as_ref(), Some(&minted));
        assert!(OpaqueSecret::parse(&"AB".repeat(32)).is_none());
        assert!(OpaqueSecret::parse("abc").is_none());
        assert!(!format!("{minted:?}").contains("abab"));
    }

    #[test]
    fn sessions_and_links_expire() {
        let session = Session::new(
            SessionId::from_parts(1, [1; 8]),
            AccountId::from_parts(1, [2; 8]),
            at(0),
        );
        assert!(session.is_live(at(0)));
        assert!(!session.is_live(at(0).saturating_add(SESSION_LIFETIME).unwrap()));
        let setup = LinkCode::new(LinkPurpose::SetPassword(session.account_id), at(0));
        assert!(setup.is_live(at(3600)));
        assert!(!setup.is_live(at(0).saturating_add(SETUP_LINK_LIFETIME).unwrap()));
    }

    #[test]
    fn the_sixth_failure_in_a_window_is_refused_until_it_ends() {
        let mut failures = SignInFailures::first(at(0));
        for second in 1..SIGN_IN_FAILURES_ALLOWED {
            assert_eq!(failures.retry_after(at(i64::from(second))), None);
            failures = failures.after_failure(at(i64::from(second)));
        }
        assert_eq!(
            failures.retry_after(at(60)),
            Some(SIGN_IN_WINDOW - SignedDuration::from_secs(60))
        );
        let window = SIGN_IN_WINDOW.as_secs();
        assert_eq!(failures.retry_after(at(window)), None);
        assert_eq!(
            failures.after_failure(at(window)),
            SignInFailures::first(at(window))
        );
    }
}
