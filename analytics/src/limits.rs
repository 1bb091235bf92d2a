//! The caps on distinct values per website and field that keep what clients send from growing
//! the index without bound, and the `(other)` bucket that values past a cap are stored as.
//!
//! The rule, which the reference model applies too: for each website and field, the first
//! `cap` distinct values in storage (sequence) order keep their names; every later new value is
//! stored as [`OTHER`], so breakdowns show it as one `(other)` row and filters test `(other)`
//! (an `is:` filter on a value past the cap matches nothing, `is:(other)` matches them all).
//! Fields whose values come from fixed lists (device, browser name) or from the server's
//! location database (country, region, city) are not capped, nor are visitor ids.

use crate::index::{Interner, NONE};

/// What every value past its field's cap is stored, shown and filtered as.
pub const OTHER: &str = "(other)";

/// A field whose distinct values are capped per website.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Path,
    Hostname,
    /// The referrer's host.
    Referrer,
    /// The referrer as the referrers breakdown groups it (`Google`, a host, `Direct/None`).
    Source,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Ref,
    SourceParam,
    Via,
    /// The operating system's shown name (an app's platform is whatever the SDK says).
    Os,
    BrowserVersion,
    OsVersion,
    Goal,
    /// Server-side goal descriptions.
    Description,
    /// Custom event parameter names and values.
    ParamName,
    ParamValue,
    /// Profile property names and values (identify), counted apart from event parameters so
    /// that event answers depend on the events alone.
    PropertyName,
    PropertyValue,
}

impl Field {
    pub const ALL: [Field; 21] = [
        Field::Path,
        Field::Hostname,
        Field::Referrer,
        Field::Source,
        Field::UtmSource,
        Field::UtmMedium,
        Field::UtmCampaign,
        Field::UtmTerm,
        Field::UtmContent,
        Field::Ref,
        Field::SourceParam,
        Field::Via,
        Field::Os,
        Field::BrowserVersion,
        Field::OsVersion,
        Field::Goal,
        Field::Description,
        Field::ParamName,
        Field::ParamValue,
        Field::PropertyName,
        Field::PropertyValue,
    ];

    fn slot(self) -> usize {
        self as usize
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// How many distinct values of each field one website keeps under their own names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Page paths (at most 500 characters each, as ingestion cuts them).
    pub paths: u32,
    /// Page host names (at most 253 characters).
    pub hostnames: u32,
    /// Referrer hosts, and apart from them the referrer sources (at most 253 characters).
    pub referrers: u32,
    /// Each campaign tag apart: `utm_*`, `ref`, `source`, `via` (at most 255 characters).
    pub campaign_values: u32,
    /// Operating system names, browser versions and system versions, each apart (at most 32
    /// characters).
    pub software: u32,
    /// Goal names (at most 64 characters), and apart from them goal descriptions (255).
    pub goals: u32,
    /// Parameter names of events, and apart from them of profiles (64 characters).
    pub param_names: u32,
    /// Parameter values of events, and apart from them of profiles (255 characters; an
    /// external link's `url` 500).
    pub param_values: u32,
}

impl Limits {
    /// Generous for a large site: tens of thousands of pages, thousands of referrers and
    /// campaigns. Worst cases per website are in `docs/operations.md`.
    pub const DEFAULT: Limits = Limits {
        paths: 50_000,
        hostnames: 10_000,
        referrers: 20_000,
        campaign_values: 10_000,
        software: 5_000,
        goals: 10_000,
        param_names: 1_000,
        param_values: 50_000,
    };

    /// The same cap for every field (tests and benchmarks use small ones).
    pub const fn uniform(cap: u32) -> Self {
        Limits {
            paths: cap,
            hostnames: cap,
            referrers: cap,
            campaign_values: cap,
            software: cap,
            goals: cap,
            param_names: cap,
            param_values: cap,
        }
    }

    /// The cap of `field`.
    pub fn cap(&self, field: Field) -> u32 {
        match field {
            Field::Path => self.paths,
            Field::Hostname => self.hostnames,
            Field::Referrer | Field::Source => self.referrers,
            Field::UtmSource
            | Field::UtmMedium
            | Field::UtmCampaign
            | Field::UtmTerm
            | Field::UtmContent
            | Field::Ref
            | Field::SourceParam
            | Field::Via => self.campaign_values,
            Field::Os | Field::BrowserVersion | Field::OsVersion => self.software,
            Field::Goal | Field::Description => self.goals,
            Field::ParamName | Field::PropertyName => self.param_names,
            Field::ParamValue | Field::PropertyValue => self.param_values,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// One website's bookkeeping of the caps: per string id, the fields it is kept for; per
/// field, how many values it keeps. Four bytes per distinct string.
#[derive(Debug, Default)]
pub(crate) struct Kept {
    limits: Limits,
    fields: Vec<u32>,
    counts: [u32; Field::ALL.len()],
}

impl Kept {
    pub(crate) fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// The id of `value` as `field` stores it: its own while the field keeps it or has room
    /// for it, the id of [`OTHER`] past the cap (and then `value` itself is not stored).
    pub(crate) fn intern(&mut self, strings: &mut Interner, field: Field, value: &str) -> u32 {
        if let Some(id) = strings.get(value)
            && self.has(id, field)
        {
            return id;
        }
        let count = &mut self.counts[field.slot()];
        if *count >= self.limits.cap(field) {
            return strings.intern(OTHER);
        }
        *count += 1;
        let id = strings.intern(value);
        if id != NONE {
            let at = id as usize;
            if at >= self.fields.len() {
                self.fields.resize(at + 1, 0);
            }
            self.fields[at] |= field.bit();
        }
        id
    }

    /// [`Kept::intern`] of an optional value; `None` stays absent.
    pub(crate) fn intern_opt(
        &mut self,
        strings: &mut Interner,
        field: Field,
        value: Option<&str>,
    ) -> u32 {
        value.map_or(NONE, |v| self.intern(strings, field, v))
    }

    fn has(&self, id: u32, field: Field) -> bool {
        self.fields
            .get(id as usize)
            .is_some_and(|bits| bits & field.bit() != 0)
    }

    /// How many distinct values `field` keeps.
    pub(crate) fn count(&self, field: Field) -> u32 {
        self.counts[field.slot()]
    }

    /// Heap bytes of the bookkeeping.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.fields.capacity() * size_of::<u32>()
    }
}

/// The naive form of the rule, for the reference model: `seen` holds the values kept so far.
#[cfg(any(test, feature = "reference"))]
pub(crate) fn keep_or_other(
    seen: &mut std::collections::HashSet<String>,
    cap: u32,
    value: &str,
) -> String {
    if seen.contains(value) {
        return value.to_owned();
    }
    if seen.len() >= cap as usize {
        return OTHER.to_owned();
    }
    seen.insert(value.to_owned());
    value.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_values_keep_their_names_and_later_ones_are_other() {
        let mut strings = Interner::default();
        let mut kept = Kept::new(Limits::uniform(2));
        let a = kept.intern(&mut strings, Field::Path, "/a");
        let b = kept.intern(&mut strings, Field::Path, "/b");
        let c = kept.intern(&mut strings, Field::Path, "/c");
        assert_eq!(strings.value(a), "/a");
        assert_eq!(strings.value(b), "/b");
        assert_eq!(strings.value(c), OTHER);
        assert_eq!(
            strings.get("/c"),
            None,
            "a value past the cap is not stored"
        );
        // Kept values stay kept; each field counts apart, even for a string another has.
        assert_eq!(kept.intern(&mut strings, Field::Path, "/a"), a);
        assert_eq!(kept.intern(&mut strings, Field::Goal, "/a"), a);
        assert_eq!(kept.count(Field::Path), 2);
        assert_eq!(kept.count(Field::Goal), 1);
        assert_eq!(kept.intern_opt(&mut strings, Field::Via, None), NONE);
    }
}
