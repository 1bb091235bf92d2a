//! The webhook client's DNS resolver: the system's answer, minus every address the
//! [`AddressPolicy`] refuses. The HTTP client connects only to what this returns, so a name
//! that resolves (or re-resolves, DNS rebinding) to an internal address never gets a
//! connection.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::address::AddressPolicy;

/// What the history shows for every refused webhook. It is the same whether the host names a
/// refused address, resolves only to refused addresses, or does not resolve at all, so the
/// history cannot tell an attacker anything about hosts on the server's network.
pub const REFUSED: &str = "no allowed address for the webhook host";

/// The resolver's error when no permitted address is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused;

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REFUSED)
    }
}

impl std::error::Error for Refused {}

/// Keeps the addresses `policy` permits; none left is [`Refused`].
pub fn permitted(
    policy: &AddressPolicy,
    addresses: impl IntoIterator<Item = SocketAddr>,
) -> Result<Vec<SocketAddr>, Refused> {
    let kept: Vec<SocketAddr> = addresses
        .into_iter()
        .filter(|address| policy.permits(address.ip()))
        .collect();
    if kept.is_empty() {
        Err(Refused)
    } else {
        Ok(kept)
    }
}

/// Resolves with the system resolver, then drops refused addresses.
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: Arc<AddressPolicy>,
}

impl GuardedResolver {
    pub fn new(policy: Arc<AddressPolicy>) -> Self {
        Self { policy }
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved = match tokio::net::lookup_host((host.as_str(), 0)).await {
                Ok(addresses) => addresses,
                Err(error) => {
                    // The cause stays in the log; the history gets the same answer as a
                    // refusal, so it does not reveal which internal names exist.
                    tracing::debug!(%error, "webhook host did not resolve");
                    return Err(Refused.into());
                }
            };
            let kept = permitted(&policy, resolved)?;
            let addresses: Addrs = Box::new(kept.into_iter());
            Ok(addresses)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafast_domain::website::IpRule;

    fn addresses(list: &[&str]) -> Vec<SocketAddr> {
        list.iter().filter_map(|a| a.parse().ok()).collect()
    }

    #[test]
    fn refused_addresses_are_dropped_and_none_left_is_refused() {
        let policy = AddressPolicy::default();
        let mixed = addresses(&["127.0.0.1:0", "93.184.216.34:0", "[::1]:0", "10.0.0.1:0"]);
        assert_eq!(
            permitted(&policy, mixed),
            Ok(addresses(&["93.184.216.34:0"]))
        );
        let internal = addresses(&["127.0.0.1:0", "[::ffff:169.254.169.254]:0"]);
        assert_eq!(permitted(&policy, internal), Err(Refused));
        assert_eq!(permitted(&policy, Vec::new()), Err(Refused));
    }

    #[test]
    fn the_allowlist_keeps_what_it_names() {
        let rules = IpRule::parse("127.0.0.1").into_iter().collect();
        let policy = AddressPolicy::new(rules);
        let both = addresses(&["127.0.0.1:0", "[::1]:0"]);
        assert_eq!(permitted(&policy, both), Ok(addresses(&["127.0.0.1:0"])));
    }

    #[tokio::test]
    async fn localhost_resolves_to_nothing_allowed() {
        let resolver = GuardedResolver::new(Arc::new(AddressPolicy::default()));
        let Ok(name) = "localhost".parse::<Name>() else {
            panic!("localhost is a valid name");
        };
        let error = resolver.resolve(name).await.err().map(|e| e.to_string());
        assert_eq!(error.as_deref(), Some(REFUSED));
    }
}
