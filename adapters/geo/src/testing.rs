//! A minimal MMDB writer for tests: enough of the MaxMind DB format (an IPv6 search tree with
//! 32-bit records, the data section, the metadata) to build small City or Country databases
//! without shipping or downloading one.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// A value of the MMDB data section.
#[derive(Debug, Clone, PartialEq)]
pub enum MmdbValue {
    Text(String),
    Uint16(u16),
    Uint32(u32),
    Uint64(u64),
    Map(BTreeMap<String, MmdbValue>),
    Array(Vec<MmdbValue>),
}

impl MmdbValue {
    pub fn text(value: &str) -> Self {
        MmdbValue::Text(value.to_owned())
    }

    pub fn map<const N: usize>(entries: [(&str, MmdbValue); N]) -> Self {
        MmdbValue::Map(
            entries
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect(),
        )
    }

    /// `{"iso_code": code, "names": {"en": name}}`, the shape of countries and subdivisions.
    pub fn place(iso_code: Option<&str>, english_name: Option<&str>) -> Self {
        let mut entries = BTreeMap::new();
        if let Some(code) = iso_code {
            entries.insert("iso_code".to_owned(), MmdbValue::text(code));
        }
        if let Some(name) = english_name {
            entries.insert(
                "names".to_owned(),
                MmdbValue::map([("en", MmdbValue::text(name))]),
            );
        }
        MmdbValue::Map(entries)
    }

    /// A GeoIP2 City record.
    pub fn city_record(country: &str, region: Option<&str>, city: Option<&str>) -> Self {
        let mut entries = BTreeMap::new();
        entries.insert(
            "country".to_owned(),
            MmdbValue::place(Some(country), Some(country)),
        );
        if let Some(region) = region {
            entries.insert(
                "subdivisions".to_owned(),
                MmdbValue::Array(vec![MmdbValue::place(Some("XX"), Some(region))]),
            );
        }
        if let Some(city) = city {
            entries.insert("city".to_owned(), MmdbValue::place(None, Some(city)));
        }
        MmdbValue::Map(entries)
    }

    /// A GeoIP2 Country record.
    pub fn country_record(country: &str) -> Self {
        MmdbValue::map([("country", MmdbValue::place(Some(country), Some(country)))])
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            MmdbValue::Text(text) => {
                write_control(out, 2, text.len());
                out.extend_from_slice(text.as_bytes());
            }
            MmdbValue::Uint16(n) => write_uint(out, 5, u64::from(*n)),
            MmdbValue::Uint32(n) => write_uint(out, 6, u64::from(*n)),
            MmdbValue::Uint64(n) => write_uint(out, 9, *n),
            MmdbValue::Map(entries) => {
                write_control(out, 7, entries.len());
                for (key, value) in entries {
                    MmdbValue::Text(key.clone()).encode(out);
                    value.encode(out);
                }
            }
            MmdbValue::Array(items) => {
                write_control(out, 11, items.len());
                for item in items {
                    item.encode(out);
                }
            }
        }
    }
}

/// Writes a control byte (type and size), with the extended-type byte and the longer size
/// forms the format defines.
fn write_control(out: &mut Vec<u8>, kind: u8, size: usize) {
    let (type_bits, extended) = if kind > 7 {
        (0u8, Some(kind - 7))
    } else {
        (kind << 5, None)
    };
    let size_bytes: Vec<u8>;
    let size_bits = if size < 29 {
        size_bytes = Vec::new();
        size as u8
    } else if size < 285 {
        size_bytes = vec![(size - 29) as u8];
        29
    } else if size < 65_821 {
        size_bytes = ((size - 285) as u16).to_be_bytes().to_vec();
        30
    } else {
        size_bytes = ((size - 65_821) as u32).to_be_bytes()[1..].to_vec();
        31
    };
    out.push(type_bits | size_bits);
    if let Some(extended) = extended {
        out.push(extended);
    }
    out.extend_from_slice(&size_bytes);
}

fn write_uint(out: &mut Vec<u8>, kind: u8, value: u64) {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    write_control(out, kind, bytes.len() - skip);
    out.extend_from_slice(&bytes[skip..]);
}

#[derive(Debug, Clone, Copy)]
enum Slot {
    Empty,
    Node(usize),
    Data(usize),
}

/// Builds an MMDB database in memory: insert networks with their records, then `build`.
#[derive(Debug)]
pub struct MmdbWriter {
    database_type: String,
    nodes: Vec<[Slot; 2]>,
    data: Vec<u8>,
}

impl MmdbWriter {
    /// An empty IPv6 database (IPv4 networks live under `::/96`, as MaxMind lays them out).
    pub fn new(database_type: &str) -> Self {
        Self {
            database_type: database_type.to_owned(),
            nodes: vec![[Slot::Empty, Slot::Empty]],
            data: Vec::new(),
        }
    }

    /// Maps `network/prefix_len` to `record`; inside it, longer prefixes keep their own records
    /// whatever the order of insertion.
    ///
    /// # Panics
    /// A zero or too long prefix (test code only).
    pub fn insert(&mut self, network: IpAddr, prefix_len: u8, record: &MmdbValue) -> &mut Self {
        let (bits, prefix) = match network {
            IpAddr::V4(v4) => (u128::from(u32::from(v4)), u32::from(prefix_len) + 96),
            IpAddr::V6(v6) => (u128::from(v6), u32::from(prefix_len)),
        };
        assert!(
            (1..=128).contains(&prefix) && prefix_len > 0,
            "bad prefix length"
        );
        let offset = self.data.len();
        record.encode(&mut self.data);

        let mut node = 0usize;
        for depth in 0..prefix {
            let bit = ((bits >> (127 - depth)) & 1) as usize;
            if depth + 1 == prefix {
                match self.nodes[node][bit] {
                    Slot::Node(subtree) => self.fill_gaps(subtree, offset),
                    Slot::Empty | Slot::Data(_) => self.nodes[node][bit] = Slot::Data(offset),
                }
                break;
            }
            node = match self.nodes[node][bit] {
                Slot::Node(next) => next,
                inherited @ (Slot::Empty | Slot::Data(_)) => {
                    // Split: the new node passes the shorter network's record on to both halves.
                    self.nodes.push([inherited, inherited]);
                    let next = self.nodes.len() - 1;
                    self.nodes[node][bit] = Slot::Node(next);
                    next
                }
            };
        }
        self
    }

    /// Gives `offset` to every address under `node` that no longer network already covers.
    fn fill_gaps(&mut self, node: usize, offset: usize) {
        for bit in 0..2 {
            match self.nodes[node][bit] {
                Slot::Empty => self.nodes[node][bit] = Slot::Data(offset),
                Slot::Node(child) => self.fill_gaps(child, offset),
                Slot::Data(_) => {}
            }
        }
    }

    /// The database file's bytes.
    pub fn build(&self) -> Vec<u8> {
        let node_count = self.nodes.len();
        let value = |slot: Slot| -> u32 {
            let n = match slot {
                Slot::Node(index) => index,
                Slot::Empty => node_count,
                Slot::Data(offset) => node_count + 16 + offset,
            };
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        let mut out = Vec::new();
        for [left, right] in &self.nodes {
            out.extend_from_slice(&value(*left).to_be_bytes());
            out.extend_from_slice(&value(*right).to_be_bytes());
        }
        out.extend_from_slice(&[0u8; 16]);
        out.extend_from_slice(&self.data);
        out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
        let metadata = MmdbValue::map([
            (
                "node_count",
                MmdbValue::Uint32(u32::try_from(node_count).unwrap_or(u32::MAX)),
            ),
            ("record_size", MmdbValue::Uint16(32)),
            ("ip_version", MmdbValue::Uint16(6)),
            ("database_type", MmdbValue::text(&self.database_type)),
            ("languages", MmdbValue::Array(vec![MmdbValue::text("en")])),
            ("binary_format_major_version", MmdbValue::Uint16(2)),
            ("binary_format_minor_version", MmdbValue::Uint16(0)),
            ("build_epoch", MmdbValue::Uint64(1_700_000_000)),
            (
                "description",
                MmdbValue::map([("en", MmdbValue::text("test database"))]),
            ),
        ]);
        metadata.encode(&mut out);
        out
    }
}
