//! Object ids: 12 bytes shown as 24 lowercase hex characters, the shape DataFast's ids have.
//! The first four bytes are the creation second, so ids sort by time; the other eight are random.
//! Both parts are arguments: the domain reads no clock and draws no randomness.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

/// The input was not 24 hexadecimal characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("ids are 24 hexadecimal characters")]
pub struct InvalidId;

impl InvalidId {
    /// The error as a client sees it for the field that held the id: every route that reads
    /// an id from a path, a query or a body reports a malformed one with this one message.
    pub fn at(self, field: impl Into<String>) -> ValidationError {
        ValidationError::new(field, self.to_string())
    }
}

/// Decodes 24 hex characters (either case) into 12 bytes.
fn decode(input: &str) -> Result<[u8; 12], InvalidId> {
    let bytes = input.as_bytes();
    if bytes.len() != 24 {
        return Err(InvalidId);
    }
    let mut out = [0u8; 12];
    for (index, pair) in bytes.chunks_exact(2).enumerate() {
        let high = (pair[0] as char).to_digit(16).ok_or(InvalidId)?;
        let low = (pair[1] as char).to_digit(16).ok_or(InvalidId)?;
        out[index] = u8::try_from(high * 16 + low).map_err(|_| InvalidId)?;
    }
    Ok(out)
}

macro_rules! object_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 12]);

        impl $name {
            /// Builds an id from its creation second and eight random bytes.
            pub fn from_parts(unix_seconds: u32, random: [u8; 8]) -> Self {
                let mut bytes = [0u8; 12];
                bytes[..4].copy_from_slice(&unix_seconds.to_be_bytes());
                bytes[4..].copy_from_slice(&random);
                Self(bytes)
            }

            pub fn parse(input: &str) -> Result<Self, InvalidId> {
                decode(input).map(Self)
            }

            pub fn to_bytes(self) -> [u8; 12] {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for byte in self.0 {
                    write!(f, "{byte:02x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

object_id!(
    /// A user account.
    AccountId
);
object_id!(
    /// A website.
    WebsiteId
);
object_id!(
    /// An account token (`dft_`).
    TokenId
);
object_id!(
    /// A website API key (`df_`).
    ApiKeyId
);
object_id!(
    /// A funnel.
    FunnelId
);
object_id!(
    /// An alert.
    AlertId
);
object_id!(
    /// A team invitation.
    InvitationId
);
object_id!(
    /// One alert delivery attempt in the history.
    AlertLogId
);
object_id!(
    /// A visitor profile (`profileId` in the identify response).
    ProfileId
);
object_id!(
    /// A signed-in browser session of the dashboard.
    SessionId
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn display_then_parse_round_trips(seconds in any::<u32>(), random in any::<[u8; 8]>()) {
            let id = WebsiteId::from_parts(seconds, random);
            let text = id.to_string();
            prop_assert_eq!(text.len(), 24);
            prop_assert!(text.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
            prop_assert_eq!(WebsiteId::parse(&text).unwrap(), id);
        }

        #[test]
        fn parse_never_panics(input in ".{0,40}") {
            let _ = WebsiteId::parse(&input);
        }
    }

    #[test]
    fn ids_sort_by_creation_second() {
        let older = FunnelId::from_parts(100, [255; 8]);
        let newer = FunnelId::from_parts(101, [0; 8]);
        assert!(older < newer);
        assert!(older.to_string() < newer.to_string());
    }

    #[test]
    fn rejects_wrong_length_and_non_hex() {
        assert!(AccountId::parse("665f0b3c4d2e1a001234567").is_err());
        assert!(AccountId::parse("665f0b3c4d2e1a00123456zz").is_err());
        assert!(AccountId::parse("665f0b3c4d2e1a0012345678").is_ok());
        assert!(AccountId::parse("éé5f0b3c4d2e1a00123456").is_err());
    }
}
