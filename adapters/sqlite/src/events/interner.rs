//! The event writer's memory of dictionary ids: what committed transactions resolved, kept
//! (within a bound) so most events find their website, labels and context without an index
//! probe, and the per-transaction interner that consults it before the database.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, Transaction};

use datafast_domain::event::VisitContext;
use datafast_domain::id::WebsiteId;

use super::contexts::{context_digest, find_context, insert_context};
use super::dictionary::{DICTIONARIES, Dictionary, WEBSITES};
use crate::error::Failure;

/// Dictionary ids the event writer has seen committed, kept across transactions so that most
/// events resolve their website, hostname, path, goal and context without an index probe.
/// Dictionary rows are never deleted or renumbered, so a committed id stays right forever.
#[derive(Debug, Default)]
pub(crate) struct KnownIds {
    values: [HashMap<String, i64>; DICTIONARIES],
    /// The website dictionary again, by website id: formatting an id to look it up as text
    /// showed in the writer's profile.
    websites: HashMap<WebsiteId, i64>,
    contexts: HashMap<i64, i64>,
    /// What the entries above hold, counted as [`entry_bytes`] says.
    bytes: usize,
}

/// Bytes remembered at most, text and entries together; past it the memory starts over (a
/// site with endless distinct paths must not grow the writer without bound). Real values are a
/// few dozen bytes, so this is about 200,000 of them; made-up values of 256 bytes, 50,000.
const MAX_KNOWN_BYTES: usize = 16 << 20;
/// What one remembered id costs besides its text: its key and id in a table slot, with the
/// table's spare room.
const ENTRY_BYTES: usize = 48;
/// Longest dictionary value remembered.
const MAX_KNOWN_VALUE_BYTES: usize = 256;

/// What remembering a value of `len` bytes costs, by the count [`MAX_KNOWN_BYTES`] bounds.
fn entry_bytes(len: usize) -> usize {
    ENTRY_BYTES + len
}

impl KnownIds {
    fn value(&self, dictionary: Dictionary, value: &str) -> Option<i64> {
        self.values[dictionary.slot].get(value).copied()
    }

    /// Adds what a transaction resolved; call only once that transaction has committed, since
    /// the ids it created do not exist otherwise.
    pub(crate) fn learn(&mut self, learned: Learned) {
        let ids = learned.websites.len() + learned.contexts.len();
        let learning = ids * ENTRY_BYTES
            + learned
                .values
                .keys()
                .map(|(_, value)| value.len())
                .filter(|len| *len <= MAX_KNOWN_VALUE_BYTES)
                .map(entry_bytes)
                .sum::<usize>();
        if self.bytes + learning > MAX_KNOWN_BYTES {
            *self = Self::default();
        }
        // Long values (made-up paths, say) are looked up in the database each time rather than
        // held here: the memory stays small whatever the traffic sends.
        for ((dictionary, value), id) in learned.values {
            if value.len() <= MAX_KNOWN_VALUE_BYTES {
                self.bytes += entry_bytes(value.len());
                self.values[dictionary].insert(value, id);
            }
        }
        self.bytes += ids * ENTRY_BYTES;
        self.websites.extend(learned.websites);
        self.contexts.extend(learned.contexts);
    }
}

/// What one transaction's [`Interner`] resolved, for [`KnownIds::learn`] after the commit.
#[derive(Debug, Default)]
pub(crate) struct Learned {
    values: HashMap<(usize, String), i64>,
    websites: Vec<(WebsiteId, i64)>,
    contexts: HashMap<i64, i64>,
}

/// Interns values within one write transaction: from the writer's committed memory first,
/// then from what this transaction already resolved, then from the database.
pub(crate) struct Interner<'a, 'c> {
    tx: &'a Transaction<'c>,
    known: &'a KnownIds,
    seen: HashMap<(usize, String), i64>,
    websites: Vec<(WebsiteId, i64)>,
    contexts: HashMap<i64, i64>,
}

impl<'a, 'c> Interner<'a, 'c> {
    pub(crate) fn new(tx: &'a Transaction<'c>, known: &'a KnownIds) -> Self {
        Self {
            tx,
            known,
            seen: HashMap::new(),
            websites: Vec::new(),
            contexts: HashMap::new(),
        }
    }

    /// What this transaction resolved that the writer's memory did not have.
    pub(crate) fn learned(self) -> Learned {
        Learned {
            values: self.seen,
            websites: self.websites,
            contexts: self.contexts,
        }
    }

    /// The dictionary id of a website, looked up by its id before its text is made.
    pub(super) fn website(&mut self, website: WebsiteId) -> Result<i64, Failure> {
        if let Some(id) = self.known.websites.get(&website) {
            return Ok(*id);
        }
        if let Some((_, id)) = self.websites.iter().find(|(known, _)| *known == website) {
            return Ok(*id);
        }
        let id = self.id(WEBSITES, &website.to_string())?;
        self.websites.push((website, id));
        Ok(id)
    }

    pub(super) fn id(&mut self, dictionary: Dictionary, value: &str) -> Result<i64, Failure> {
        if let Some(id) = self.known.value(dictionary, value) {
            return Ok(id);
        }
        let key = (dictionary.slot, value.to_owned());
        if let Some(id) = self.seen.get(&key) {
            return Ok(*id);
        }
        let found: Option<i64> = self
            .tx
            .prepare_cached(dictionary.find)?
            .query_row([value], |row| row.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                self.tx.prepare_cached(dictionary.add)?.execute([value])?;
                self.tx.last_insert_rowid()
            }
        };
        self.seen.insert(key, id);
        Ok(id)
    }

    pub(super) fn context(&mut self, context: &VisitContext) -> Result<i64, Failure> {
        let digest = context_digest(context);
        if let Some(id) = self.known.contexts.get(&digest) {
            return Ok(*id);
        }
        if let Some(id) = self.contexts.get(&digest) {
            return Ok(*id);
        }
        let id = match find_context(self.tx, digest)? {
            Some(id) => id,
            None => insert_context(self.tx, digest, context)?,
        };
        self.contexts.insert(digest, id);
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::dictionary::LABELS;

    #[test]
    fn the_writer_remembers_at_most_16_mib_of_dictionary_values() {
        let mut known = KnownIds::default();
        // Made-up paths of 250 bytes, a thousand per transaction: 25 MB of text in all.
        for batch in 0..100 {
            let values = (0..1000)
                .map(|n| {
                    let value = format!("/{batch}/{n}/{}", "p".repeat(240));
                    ((LABELS.slot, value), i64::from(batch * 1000 + n))
                })
                .collect();
            known.learn(Learned {
                values,
                websites: Vec::new(),
                contexts: HashMap::new(),
            });
        }
        // Each remembered value: its text, and its key and id in a table slot (48 bytes).
        let held: usize = known
            .values
            .iter()
            .flat_map(HashMap::keys)
            .map(|value| value.len() + 48)
            .sum();
        assert!(held <= 16 << 20, "{held} bytes of dictionary values held");
        assert!(held > 0, "recent values are remembered");
    }
}
