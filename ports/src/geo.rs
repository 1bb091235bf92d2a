//! The location port: from a client address to a country, region and city. The address is
//! only ever passed through; nothing here or behind it stores it.

use std::net::IpAddr;

/// Where an address is, as far as the location database knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    /// ISO 3166-1 alpha-2, uppercase.
    pub country: Option<String>,
    /// The first subdivision's name.
    pub region: Option<String>,
    pub city: Option<String>,
}

/// Looks addresses up. Called on the ingestion hot path, so implementations answer from
/// memory without blocking.
#[cfg_attr(feature = "mocks", mockall::automock)]
pub trait GeoLocator: Send + Sync {
    fn locate(&self, address: IpAddr) -> Location;
}

/// The locator used when no location database is configured: every location is unknown.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLocation;

impl GeoLocator for NoLocation {
    fn locate(&self, _address: IpAddr) -> Location {
        Location::default()
    }
}
