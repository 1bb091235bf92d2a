//! Which addresses a webhook may reach: public unicast addresses, plus whatever the operator's
//! allowlist names. Everything else (loopback, private, link-local, multicast, CGNAT,
//! documentation and other special-purpose ranges, in any IPv6 form that embeds them) is
//! internal, so that an alert cannot make the server probe its own network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use datafast_domain::website::IpRule;

/// IPv4 blocks that are not globally reachable (IANA special-purpose registry), as
/// (network, prefix length).
const INTERNAL_V4: [(u32, u8); 15] = [
    (0x0000_0000, 8),  // 0.0.0.0/8 "this network", with the unspecified address
    (0x0A00_0000, 8),  // 10.0.0.0/8 private
    (0x6440_0000, 10), // 100.64.0.0/10 carrier-grade NAT
    (0x7F00_0000, 8),  // 127.0.0.0/8 loopback
    (0xA9FE_0000, 16), // 169.254.0.0/16 link-local, cloud metadata services
    (0xAC10_0000, 12), // 172.16.0.0/12 private
    (0xC000_0000, 24), // 192.0.0.0/24 IETF protocol assignments
    (0xC000_0200, 24), // 192.0.2.0/24 documentation
    (0xC058_6300, 24), // 192.88.99.0/24 former 6to4 relays
    (0xC0A8_0000, 16), // 192.168.0.0/16 private
    (0xC612_0000, 15), // 198.18.0.0/15 benchmarking
    (0xC633_6400, 24), // 198.51.100.0/24 documentation
    (0xCB00_7100, 24), // 203.0.113.0/24 documentation
    (0xE000_0000, 4),  // 224.0.0.0/4 multicast
    (0xF000_0000, 4),  // 240.0.0.0/4 reserved, with the broadcast address
];

/// Blocks inside IPv6 global unicast (2000::/3) that are not globally reachable.
const INTERNAL_V6_GLOBAL: [(u128, u8); 3] = [
    (0x2001_0000 << 96, 23), // 2001::/23 IETF protocol assignments (Teredo, benchmarking...)
    (0x2001_0db8 << 96, 32), // 2001:db8::/32 documentation
    (0x3fff_0000 << 96, 20), // 3fff::/20 documentation
];

fn in_block(bits: u128, width: u32, network: u128, prefix: u8) -> bool {
    let shift = width - u32::from(prefix);
    bits.checked_shr(shift).unwrap_or(0) == network.checked_shr(shift).unwrap_or(0)
}

/// Whether `ip` is internal: anything but a globally reachable unicast address.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let bits = u128::from(u32::from(ip));
    INTERNAL_V4
        .iter()
        .any(|&(network, prefix)| in_block(bits, 32, u128::from(network), prefix))
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_internal_v4(v4);
    }
    let bits = u128::from(ip);
    // Outside 2000::/3 there is no global unicast: loopback, unspecified, unique local
    // (fc00::/7), link-local (fe80::/10), site-local, multicast (ff00::/8), discard (100::/64),
    // local-use NAT64 (64:ff9b:1::/48) and unassigned space all fall here.
    if !in_block(bits, 128, 0x2 << 124, 3) {
        return true;
    }
    INTERNAL_V6_GLOBAL
        .iter()
        .any(|&(network, prefix)| in_block(bits, 128, network, prefix))
}

/// The IPv4 address an IPv6 address stands for, in the forms that reach IPv4 hosts:
/// IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, which also covers :: and ::1),
/// NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::/48).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from(bits as u32);
    if in_block(bits, 128, 0xffff << 32, 96)
        || in_block(bits, 128, 0, 96)
        || in_block(bits, 128, 0x0064_ff9b << 96, 96)
    {
        return Some(low);
    }
    if in_block(bits, 128, 0x2002 << 112, 16) {
        return Some(Ipv4Addr::from((bits >> 80) as u32));
    }
    None
}

/// The addresses webhooks may reach: every public one, and internal ones the operator's
/// allowlist names.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allowed: Vec<IpRule>,
}

impl AddressPolicy {
    pub fn new(allowed: Vec<IpRule>) -> Self {
        Self { allowed }
    }

    /// Whether a connection to `ip` may be made.
    pub fn permits(&self, ip: IpAddr) -> bool {
        // ::ffff:10.0.0.1 is 10.0.0.1 on the wire: match the allowlist on the IPv4 form.
        let ip = ip.to_canonical();
        !is_internal(ip) || self.allowed.iter().any(|rule| rule.matches(ip))
    }
}

#[cfg(test)]
mod tests;
