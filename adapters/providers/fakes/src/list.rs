//! What the fakes' lists share: a list request's query as the pairs it was sent with, which
//! each fake reads in its provider's own terms in its own module, and the cutting of the held
//! records into pages, by number or after an id.

use std::marker::PhantomData;
use std::ops::Range;

use serde::Deserialize;

/// A list request's query as its pairs, in order; names may repeat (`expand[]`, Polar's
/// filters). `P` marks whose query it is, so that each fake adds the readings its provider
/// documents (Paddle's and Polar's `allows` differ) without the others seeing them.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(crate) struct Query<P> {
    pairs: Vec<(String, String)>,
    #[serde(skip)]
    provider: PhantomData<P>,
}

impl<P> Default for Query<P> {
    fn default() -> Self {
        Self {
            pairs: Vec::new(),
            provider: PhantomData,
        }
    }
}

impl<P> Query<P> {
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// Every value of `name`, in order.
    pub(crate) fn all(&self, name: &str) -> Vec<&str> {
        self.pairs()
            .filter(|(key, _)| *key == name)
            .map(|(_, value)| value)
            .collect()
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.all(name).first().copied()
    }

    /// A comma-separated parameter, `None` when absent.
    pub(crate) fn list(&self, name: &str) -> Option<Vec<&str>> {
        Some(self.get(name)?.split(',').map(str::trim).collect())
    }

    /// Whether `include` names `related`.
    pub(crate) fn includes(&self, related: &str) -> bool {
        self.list("include")
            .is_some_and(|all| all.contains(&related))
    }

    /// A count such as a page number or size: `default` when absent, `None` when not a number.
    pub(crate) fn count(&self, name: &str, default: usize) -> Option<usize> {
        match self.get(name) {
            None => Some(default),
            Some(text) => text.parse().ok(),
        }
    }
}

/// Where page `number` (from 1) of `size` records lies among `total`: empty past the last.
pub(crate) fn numbered(total: usize, number: usize, size: usize) -> Range<usize> {
    let start = number.saturating_sub(1).saturating_mul(size).min(total);
    start..start.saturating_add(size).min(total)
}

/// Just past the record with `id`, when one has it.
pub(crate) fn past<T>(records: &[(String, T)], id: &str) -> Option<usize> {
    records
        .iter()
        .position(|(key, _)| key == id)
        .map(|at| at + 1)
}

/// The page of at most `size` records from `start`, and whether more follow it.
pub(crate) fn page_from<T>(records: &[T], start: usize, size: usize) -> (&[T], bool) {
    let rest = &records[start.min(records.len())..];
    let page = &rest[..size.min(rest.len())];
    (page, rest.len() > page.len())
}
