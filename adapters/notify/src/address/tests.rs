//! The address classifier against the ranges it must refuse, in every IPv6 spelling.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use super::*;

fn v4(text: &str) -> IpAddr {
    IpAddr::V4(text.parse().unwrap_or(Ipv4Addr::UNSPECIFIED))
}

fn v6(text: &str) -> IpAddr {
    IpAddr::V6(text.parse().unwrap_or(Ipv6Addr::UNSPECIFIED))
}

/// A random address inside `network/prefix`.
fn inside_v4(network: u32, prefix: u8, host: u32) -> Ipv4Addr {
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    Ipv4Addr::from((network & mask) | (host & !mask))
}

fn inside_v6(network: u128, prefix: u8, host: u128) -> Ipv6Addr {
    let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
    Ipv6Addr::from((network & mask) | (host & !mask))
}

/// Every IPv6 spelling that reaches the IPv4 address `ip`.
fn v6_forms(ip: Ipv4Addr) -> [Ipv6Addr; 4] {
    let bits = u128::from(u32::from(ip));
    [
        ip.to_ipv6_mapped(),
        ip.to_ipv6_compatible(),
        Ipv6Addr::from((0x0064_ff9b << 96) | bits),
        Ipv6Addr::from((0x2002 << 112) | (bits << 80)),
    ]
}

/// The blocks that must be refused, written out independently of the implementation's tables.
const REFUSED_V4: [&str; 15] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.0.2.0/24",
    "192.88.99.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "198.51.100.0/24",
    "203.0.113.0/24",
    "224.0.0.0/4",
    "240.0.0.0/4",
];

const REFUSED_V6: [&str; 12] = [
    "::/128",
    "::1/128",
    "64:ff9b:1::/48",
    "100::/64",
    "2001::/23",
    "2001:db8::/32",
    "3fff::/20",
    "fc00::/7",
    "fe80::/10",
    "fec0::/10",
    "ff00::/8",
    "4000::/3",
];

/// `network/prefix` as numbers.
fn block(text: &str) -> (IpAddr, u8) {
    let (network, prefix) = text.split_once('/').unwrap_or((text, "0"));
    (
        network.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        prefix.parse().unwrap_or(0),
    )
}

#[test]
fn the_usual_suspects_are_internal() {
    for ip in [
        "127.0.0.1",
        "10.1.2.3",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "255.255.255.255",
        "224.0.0.1",
        "192.0.2.10",
        "198.18.0.1",
    ] {
        assert!(is_internal(v4(ip)), "{ip}");
    }
    for ip in [
        "::",
        "::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "64:ff9b::10.0.0.1",
        "2002:7f00:1::",
        "fd00:ec2::254",
        "fe80::1",
        "ff02::1",
        "2001:db8::1",
        "2001::1",
        "100::1",
    ] {
        assert!(is_internal(v6(ip)), "{ip}");
    }
}

#[test]
fn public_addresses_are_not_internal() {
    for ip in [
        "8.8.8.8",
        "1.1.1.1",
        "93.184.216.34",
        "172.32.0.1",
        "100.128.0.1",
    ] {
        assert!(!is_internal(v4(ip)), "{ip}");
    }
    for ip in [
        "2606:4700:4700::1111",
        "2a00:1450:4001::1",
        "::ffff:8.8.8.8",
        "64:ff9b::8.8.8.8",
        "2002:0808:0808::1",
    ] {
        assert!(!is_internal(v6(ip)), "{ip}");
    }
}

#[test]
fn the_allowlist_admits_what_it_names_and_nothing_else() {
    let rules = ["10.0.0.0/8", "127.0.0.1", "fd00::/8"]
        .iter()
        .filter_map(|r| IpRule::parse(r).ok())
        .collect();
    let policy = AddressPolicy::new(rules);
    assert!(policy.permits(v4("10.200.0.1")));
    assert!(policy.permits(v4("127.0.0.1")));
    assert!(policy.permits(v6("::ffff:10.0.0.1")));
    assert!(policy.permits(v6("fd12::1")));
    assert!(policy.permits(v4("8.8.8.8")));
    assert!(!policy.permits(v4("127.0.0.2")));
    assert!(!policy.permits(v6("::1")));
    assert!(!policy.permits(v4("192.168.1.1")));
    assert!(!AddressPolicy::default().permits(v4("10.0.0.1")));
}

proptest! {
    #[test]
    fn every_address_in_an_internal_ipv4_block_is_refused_in_every_form(
        index in 0..REFUSED_V4.len(),
        host in any::<u32>(),
    ) {
        let (network, prefix) = block(REFUSED_V4[index]);
        let IpAddr::V4(network) = network else {
            return Err(TestCaseError::fail("not an IPv4 block"));
        };
        let ip = inside_v4(u32::from(network), prefix, host);
        let policy = AddressPolicy::default();
        prop_assert!(!policy.permits(IpAddr::V4(ip)), "{}", ip);
        for form in v6_forms(ip) {
            prop_assert!(!policy.permits(IpAddr::V6(form)), "{}", form);
        }
    }

    #[test]
    fn every_address_in_an_internal_ipv6_block_is_refused(
        index in 0..REFUSED_V6.len(),
        host in any::<u128>(),
    ) {
        let (network, prefix) = block(REFUSED_V6[index]);
        let IpAddr::V6(network) = network else {
            return Err(TestCaseError::fail("not an IPv6 block"));
        };
        let ip = inside_v6(u128::from(network), prefix, host);
        prop_assert!(!AddressPolicy::default().permits(IpAddr::V6(ip)), "{}", ip);
    }

    /// The standard library's own predicates, as an independent witness.
    #[test]
    fn whatever_std_calls_special_is_refused(bits in any::<u32>(), wide in any::<u128>()) {
        let ip = Ipv4Addr::from(bits);
        let special = ip.is_private() || ip.is_loopback() || ip.is_link_local()
            || ip.is_multicast() || ip.is_broadcast() || ip.is_unspecified()
            || ip.is_documentation();
        prop_assert!(!special || is_internal(IpAddr::V4(ip)), "{}", ip);
        let ip = Ipv6Addr::from(wide);
        let special = ip.is_loopback() || ip.is_unspecified() || ip.is_multicast()
            || ip.is_unique_local() || ip.is_unicast_link_local();
        prop_assert!(!special || is_internal(IpAddr::V6(ip)), "{}", ip);
    }
}
