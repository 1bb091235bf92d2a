//! Who a visitor is without cookies. The cookieless id is a keyed hash of the IP, user agent
//! and website domain under a salt that changes every UTC day, so the same visitor is
//! recognised within a day and cannot be followed across days; the IP is never kept or
//! returned. When its sessions start and end is the session module's.

use hmac::{Hmac, Mac};
use jiff::{Timestamp, tz::TimeZone};
use sha2::Sha256;

use crate::ingest::payload::VisitorId;

type HmacSha256 = Hmac<Sha256>;

/// The salt of the UTC day containing `now`, derived from the server's `secret`.
fn daily_salt(secret: &[u8], now: Timestamp) -> [u8; 32] {
    let date = now.to_zoned(TimeZone::UTC).date();
    keyed(
        secret,
        &[b"datafast-cookieless-salt", date.to_string().as_bytes()],
    )
}

/// HMAC-SHA-256 of `parts`, each prefixed with its length so that no two different inputs
/// give the same message (`ab`+`c` against `a`+`bc`).
fn keyed(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes keys of every length (long ones are hashed first), so the error branch is
    // dead; it returns a fixed value rather than panic.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return [0; 32];
    };
    for part in parts {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The visitor id of a cookieless event: UUID v4 shaped (so clients that check the shape
/// accept it), stable for one IP, user agent and website domain within a UTC day.
pub fn cookieless_visitor_id(
    secret: &[u8],
    now: Timestamp,
    ip: std::net::IpAddr,
    user_agent: &str,
    website_domain: &str,
) -> VisitorId {
    let salt = daily_salt(secret, now);
    let digest = keyed(
        &salt,
        &[
            ip.to_string().as_bytes(),
            user_agent.as_bytes(),
            website_domain.to_ascii_lowercase().as_bytes(),
        ],
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    VisitorId::from_trusted(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn cookieless_ids_are_stable_within_a_day_only() {
        let id = |time: &str, addr: &str, ua: &str, domain: &str| {
            cookieless_visitor_id(b"secret", at(time), ip(addr), ua, domain)
        };
        let morning = id("2026-05-21T00:00:01Z", "1.2.3.4", "UA", "example.com");
        assert_eq!(
            morning,
            id("2026-05-21T23:59:59Z", "1.2.3.4", "UA", "example.com")
        );
        assert_ne!(
            morning,
            id("2026-05-22T00:00:00Z", "1.2.3.4", "UA", "example.com")
        );
        assert_ne!(
            morning,
            id("2026-05-21T12:00:00Z", "1.2.3.5", "UA", "example.com")
        );
        assert_ne!(
            morning,
            id("2026-05-21T12:00:00Z", "1.2.3.4", "UA2", "example.com")
        );
        assert_ne!(
            morning,
            id("2026-05-21T12:00:00Z", "1.2.3.4", "UA", "example.org")
        );
        assert_ne!(
            morning,
            cookieless_visitor_id(
                b"other",
                at("2026-05-21T12:00:00Z"),
                ip("1.2.3.4"),
                "UA",
                "example.com"
            )
        );
    }

    #[test]
    fn cookieless_ids_look_like_uuid_v4_and_hide_the_ip() {
        let id = cookieless_visitor_id(
            b"k",
            at("2026-05-21T10:00:00Z"),
            ip("203.0.113.9"),
            "UA",
            "example.com",
        );
        assert_eq!(VisitorId::parse(id.as_str()), Some(id.clone()));
        assert!(!id.as_str().contains("203"));
    }
}
