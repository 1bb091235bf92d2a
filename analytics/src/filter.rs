//! Analytics filters (a country that is not FR or DE, a page containing `/docs`): what they
//! are and how one value is tested. The index and the reference model both test values through
//! [`Filter::matches`], so they agree on every rule below. How a query string writes them is
//! the HTTP adapter's business.

use crate::countries::country_name;

/// What a filter looks at. Event-level: every metric is computed over the events that pass
/// every filter (see `docs/analytics.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Country,
    Region,
    City,
    Device,
    Browser,
    Os,
    /// The referrer host or its normalised source (`Google`, `Direct/None`).
    Referrer,
    Page,
    /// The first pageview's path of the event's session.
    EntryPage,
    Hostname,
    Goal,
    UtmSource,
    UtmMedium,
    UtmCampaign,
    UtmTerm,
    UtmContent,
    Ref,
    Source,
    Via,
    /// The channel of the event's acquisition (`Organic search`, `Direct`), as
    /// [`datafast_domain::ingest::channel::channel`] reads it.
    Channel,
}

impl Dimension {
    pub const ALL: [Dimension; 20] = [
        Dimension::Country,
        Dimension::Region,
        Dimension::City,
        Dimension::Device,
        Dimension::Browser,
        Dimension::Os,
        Dimension::Referrer,
        Dimension::Page,
        Dimension::EntryPage,
        Dimension::Hostname,
        Dimension::Goal,
        Dimension::UtmSource,
        Dimension::UtmMedium,
        Dimension::UtmCampaign,
        Dimension::UtmTerm,
        Dimension::UtmContent,
        Dimension::Ref,
        Dimension::Source,
        Dimension::Via,
        Dimension::Channel,
    ];

    /// Only page filters test substrings (`contains`, `does_not_contain`).
    pub fn takes_substrings(self) -> bool {
        matches!(self, Dimension::Page | Dimension::EntryPage)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Is,
    IsNot,
    Contains,
    DoesNotContain,
}

/// One filter: the event passes when `operator` holds for one of `values` (`is`, `contains`)
/// or for none of them (`is_not`, `does_not_contain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub dimension: Dimension,
    pub operator: Operator,
    pub values: Vec<String>,
}

impl Filter {
    /// Whether an event whose values for this dimension are `candidates` passes. A missing
    /// value (`None`) equals and contains nothing. The referrer dimension passes two candidates
    /// (host and source); the others one.
    pub fn matches(&self, candidates: &[Option<&str>]) -> bool {
        let positive = candidates.iter().flatten().any(|candidate| {
            self.values
                .iter()
                .any(|wanted| self.value_matches(candidate, wanted))
        });
        match self.operator {
            Operator::Is | Operator::Contains => positive,
            Operator::IsNot | Operator::DoesNotContain => !positive,
        }
    }

    fn value_matches(&self, candidate: &str, wanted: &str) -> bool {
        match self.operator {
            Operator::Contains | Operator::DoesNotContain => candidate
                .to_ascii_lowercase()
                .contains(&wanted.to_ascii_lowercase()),
            Operator::Is | Operator::IsNot => match self.dimension {
                // Paths are case-sensitive on the web; everything else is a label.
                Dimension::Page | Dimension::EntryPage => candidate == wanted,
                Dimension::Country => {
                    candidate.eq_ignore_ascii_case(wanted)
                        || country_name(candidate).eq_ignore_ascii_case(wanted)
                }
                // "Filtering Safari also includes Mobile Safari."
                Dimension::Browser => {
                    candidate.eq_ignore_ascii_case(wanted)
                        || candidate
                            .strip_prefix("Mobile ")
                            .is_some_and(|rest| rest.eq_ignore_ascii_case(wanted))
                }
                _ => candidate.eq_ignore_ascii_case(wanted),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(dimension: Dimension, operator: Operator, values: &[&str]) -> Filter {
        Filter {
            dimension,
            operator,
            values: values.iter().map(|v| (*v).to_owned()).collect(),
        }
    }

    #[test]
    fn values_match_by_the_dimension_rules() {
        let country = filter(Dimension::Country, Operator::Is, &["United States", "fr"]);
        assert!(country.matches(&[Some("US")]));
        assert!(country.matches(&[Some("FR")]));
        assert!(!country.matches(&[Some("DE")]));
        assert!(!country.matches(&[None]));
        let not_country = filter(Dimension::Country, Operator::IsNot, &["US"]);
        assert!(not_country.matches(&[None]));
        assert!(!not_country.matches(&[Some("us")]));
        let safari = filter(Dimension::Browser, Operator::Is, &["Safari"]);
        assert!(safari.matches(&[Some("Mobile Safari")]));
        assert!(!safari.matches(&[Some("Chrome")]));
        let referrer = filter(Dimension::Referrer, Operator::Is, &["google.com", "X"]);
        assert!(referrer.matches(&[None, Some("X")]));
        assert!(referrer.matches(&[Some("google.com"), Some("Google")]));
        let page = filter(Dimension::Page, Operator::DoesNotContain, &["/DOCS"]);
        assert!(!page.matches(&[Some("/docs/intro")]));
        assert!(filter(Dimension::Page, Operator::Is, &["/Docs"]).matches(&[Some("/Docs")]));
        assert!(!filter(Dimension::Page, Operator::Is, &["/Docs"]).matches(&[Some("/docs")]));
    }
}
