//! The location adapter: a [`GeoLocator`] over a MaxMind-format (MMDB) database file, such as
//! GeoLite2 or GeoIP2 City or Country. The file is read once, at start-up; lookups answer from
//! memory.

#[cfg(feature = "test-support")]
pub mod testing;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use datafast_ports::geo::{GeoLocator, Location};
use maxminddb::Reader;
use serde::Deserialize;

/// The language of the region and city names kept with events.
const NAME_LANGUAGE: &str = "en";

/// Why a location database could not be loaded.
#[derive(Debug, thiserror::Error)]
#[error("cannot load the location database {path}: {reason}")]
pub struct GeoLoadError {
    pub path: PathBuf,
    pub reason: String,
}

/// A [`GeoLocator`] answering from an MMDB database held in memory.
pub struct MmdbLocator {
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for MmdbLocator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MmdbLocator")
            .field("database_type", &self.reader.metadata.database_type)
            .field("build_epoch", &self.reader.metadata.build_epoch)
            .finish()
    }
}

impl MmdbLocator {
    /// Reads the database at `path` into memory.
    ///
    /// # Errors
    /// A missing, unreadable or malformed file.
    pub fn open(path: &Path) -> Result<Self, GeoLoadError> {
        let fail = |reason: String| GeoLoadError {
            path: path.to_path_buf(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        Self::from_bytes(bytes).map_err(fail)
    }

    /// Builds a locator over database bytes already in memory.
    ///
    /// # Errors
    /// Bytes that are not an MMDB database, described in words.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        let reader = Reader::from_source(bytes).map_err(|e| e.to_string())?;
        // A broken search tree would otherwise only show on the first lookups, as unknown
        // locations; probing once turns it into a start-up error.
        reader
            .lookup::<Record<'_>>(IpAddr::from([1, 1, 1, 1]))
            .map_err(|e| e.to_string())?;
        Ok(Self { reader })
    }

    /// The database's own name for its layout, such as `GeoLite2-City`.
    pub fn database_type(&self) -> &str {
        &self.reader.metadata.database_type
    }
}

impl GeoLocator for MmdbLocator {
    fn locate(&self, address: IpAddr) -> Location {
        // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; the databases key them as IPv4.
        let address = address.to_canonical();
        match self.reader.lookup::<Record<'_>>(address) {
            Ok(Some(record)) => record.into_location(),
            Ok(None) => Location::default(),
            Err(error) => {
                // The address is deliberately not logged.
                tracing::debug!(%error, "location lookup failed");
                Location::default()
            }
        }
    }
}

/// The part of a City or Country record that events keep. Country databases simply have no
/// subdivisions or city.
#[derive(Debug, Deserialize)]
struct Record<'a> {
    #[serde(borrow, default)]
    country: Option<Place<'a>>,
    #[serde(borrow, default)]
    registered_country: Option<Place<'a>>,
    #[serde(borrow, default)]
    subdivisions: Option<Vec<Place<'a>>>,
    #[serde(borrow, default)]
    city: Option<Place<'a>>,
}

#[derive(Debug, Deserialize)]
struct Place<'a> {
    #[serde(borrow, default)]
    iso_code: Option<&'a str>,
    #[serde(borrow, default)]
    names: Option<BTreeMap<&'a str, &'a str>>,
}

impl Place<'_> {
    fn english_name(&self) -> Option<String> {
        self.names
            .as_ref()?
            .get(NAME_LANGUAGE)
            .map(|name| name.trim())
            .filter(|name| !name.is_empty())
            .map(str::to_owned)
    }

    fn country_code(&self) -> Option<String> {
        self.iso_code
            .filter(|code| code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
            .map(str::to_ascii_uppercase)
    }
}

impl Record<'_> {
    fn into_location(self) -> Location {
        // Some networks (anycast, satellite) only carry the registering country.
        let country = self
            .country
            .as_ref()
            .and_then(Place::country_code)
            .or_else(|| {
                self.registered_country
                    .as_ref()
                    .and_then(Place::country_code)
            });
        let region = self
            .subdivisions
            .as_ref()
            .and_then(|subdivisions| subdivisions.first())
            .and_then(Place::english_name);
        let city = self.city.as_ref().and_then(Place::english_name);
        Location {
            country,
            region,
            city,
        }
    }
}
