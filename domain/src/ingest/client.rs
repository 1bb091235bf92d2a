//! Which address an event came from, and whom forwarded headers are believed from: only a
//! proxy the operator trusts, since anyone else can write them.

use std::net::{IpAddr, SocketAddr};

use crate::website::IpRule;

/// Headers that carry the visitor's address, in the order they are believed.
pub const FORWARDED_HEADERS: [&str; 4] = [
    "x-datafast-real-ip",
    "cf-connecting-ip",
    "x-real-ip",
    "x-forwarded-for",
];

/// Whether the connection's `peer` is one of the operator's `trusted_proxies`, whose forwarded
/// headers (client address, scheme, host) may therefore be believed.
pub fn is_trusted_proxy(peer: IpAddr, trusted_proxies: &[IpRule]) -> bool {
    trusted_proxies.iter().any(|rule| rule.matches(peer))
}

/// The visitor's address. `header` looks a request header up by lowercase name (so no HTTP
/// type enters the domain); `peer` is the socket's remote address.
///
/// When `peer` matches one of `trusted_proxies`, the first of `x-datafast-real-ip`,
/// `cf-connecting-ip`, `x-real-ip` and the first entry of `x-forwarded-for` that holds an
/// address wins; otherwise, or when none does, the peer.
pub fn client_ip<'h>(
    header: impl Fn(&str) -> Option<&'h str>,
    peer: IpAddr,
    trusted_proxies: &[IpRule],
) -> IpAddr {
    if !is_trusted_proxy(peer, trusted_proxies) {
        return peer;
    }
    FORWARDED_HEADERS
        .iter()
        .filter_map(|name| header(name))
        .find_map(|value| parse_address(value.split(',').next().unwrap_or_default()))
        .unwrap_or(peer)
}

/// An address as proxies write it: bare, or with a port (`1.2.3.4:80`, `[::1]:80`).
fn parse_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    if text.len() > 64 {
        return None;
    }
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|t| t.strip_suffix(']'))
                .and_then(|t| t.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn resolve(headers: &[(&str, &str)], peer: &str, trusted: &[&str]) -> IpAddr {
        let map: HashMap<&str, &str> = headers.iter().copied().collect();
        let rules: Vec<IpRule> = trusted.iter().map(|t| IpRule::parse(t).unwrap()).collect();
        client_ip(|name| map.get(name).copied(), ip(peer), &rules)
    }

    #[test]
    fn untrusted_peers_cannot_forge_their_address() {
        let headers = [("x-forwarded-for", "9.9.9.9"), ("x-real-ip", "8.8.8.8")];
        assert_eq!(
            resolve(&headers, "203.0.113.7", &["10.0.0.0/8"]),
            ip("203.0.113.7")
        );
        assert_eq!(resolve(&headers, "203.0.113.7", &[]), ip("203.0.113.7"));
    }

    #[test]
    fn headers_are_read_in_order_behind_a_trusted_proxy() {
        let all = [
            ("x-forwarded-for", "4.4.4.4, 10.0.0.2"),
            ("x-real-ip", "3.3.3.3"),
            ("cf-connecting-ip", "2.2.2.2"),
            ("x-datafast-real-ip", "1.1.1.1"),
        ];
        let peer = "10.0.0.1";
        let trusted = ["10.0.0.0/8"];
        assert_eq!(resolve(&all, peer, &trusted), ip("1.1.1.1"));
        assert_eq!(resolve(&all[..3], peer, &trusted), ip("2.2.2.2"));
        assert_eq!(resolve(&all[..2], peer, &trusted), ip("3.3.3.3"));
        assert_eq!(resolve(&all[..1], peer, &trusted), ip("4.4.4.4"));
        assert_eq!(resolve(&[], peer, &trusted), ip("10.0.0.1"));
    }

    #[test]
    fn garbage_headers_fall_through() {
        let headers = [
            ("x-datafast-real-ip", "not an ip"),
            ("x-real-ip", "[2001:db8::1]:443"),
        ];
        assert_eq!(resolve(&headers, "::1", &["::1"]), ip("2001:db8::1"));
        let headers = [("x-forwarded-for", "1.2.3.4:5678")];
        assert_eq!(
            resolve(&headers, "127.0.0.1", &["127.0.0.1"]),
            ip("1.2.3.4")
        );
    }
}
