//! Analytics filters (`filter_country=is_not:FR,DE`, `filter_page=contains:/docs`): what they
//! are, how their values are written, and how one value is tested. The index and the reference
//! model both test values through [`Filter::matches`], so they agree on every rule below.

use datafast_domain::ValidationError;

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
}

impl Dimension {
    pub const ALL: [Dimension; 19] = [
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
    ];

    /// The name after `filter_` (and the old unprefixed parameter name).
    pub fn name(self) -> &'static str {
        match self {
            Dimension::Country => "country",
            Dimension::Region => "region",
            Dimension::City => "city",
            Dimension::Device => "device",
            Dimension::Browser => "browser",
            Dimension::Os => "os",
            Dimension::Referrer => "referrer",
            Dimension::Page => "page",
            Dimension::EntryPage => "entry_page",
            Dimension::Hostname => "hostname",
            Dimension::Goal => "goal",
            Dimension::UtmSource => "utm_source",
            Dimension::UtmMedium => "utm_medium",
            Dimension::UtmCampaign => "utm_campaign",
            Dimension::UtmTerm => "utm_term",
            Dimension::UtmContent => "utm_content",
            Dimension::Ref => "ref",
            Dimension::Source => "source",
            Dimension::Via => "via",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Page filters also take `contains:` and `does_not_contain:`.
    fn takes_substrings(self) -> bool {
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
    /// Parses a value such as `is_not:France,DE`, reported under `parameter`.
    ///
    /// # Errors
    /// An empty list, or a substring operator on a dimension other than pages.
    pub fn parse(
        parameter: &str,
        dimension: Dimension,
        raw: &str,
    ) -> Result<Self, ValidationError> {
        let raw = raw.trim();
        let (operator, list) = if let Some(rest) = raw.strip_prefix("is_not:") {
            (Operator::IsNot, rest)
        } else if let Some(rest) = raw.strip_prefix("is:") {
            (Operator::Is, rest)
        } else if let Some(rest) = raw.strip_prefix("does_not_contain:") {
            (Operator::DoesNotContain, rest)
        } else if let Some(rest) = raw.strip_prefix("contains:") {
            (Operator::Contains, rest)
        } else {
            (Operator::Is, raw)
        };
        if matches!(operator, Operator::Contains | Operator::DoesNotContain)
            && !dimension.takes_substrings()
        {
            return Err(ValidationError::new(
                parameter,
                "contains: and does_not_contain: apply to page filters only",
            ));
        }
        let values: Vec<String> = list
            .split(',')
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .collect();
        if values.is_empty() {
            return Err(ValidationError::new(
                parameter,
                "needs at least one value, such as is:value or a comma-separated list",
            ));
        }
        if values.len() > 100 || values.iter().any(|v| v.len() > 500) {
            return Err(ValidationError::new(
                parameter,
                "takes at most 100 values of at most 500 characters",
            ));
        }
        Ok(Self {
            dimension,
            operator,
            values,
        })
    }

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

    fn filter(dimension: Dimension, raw: &str) -> Filter {
        Filter::parse("filter", dimension, raw).unwrap()
    }

    #[test]
    fn operators_and_lists_parse() {
        let f = filter(Dimension::Country, "is_not:France, DE");
        assert_eq!(f.operator, Operator::IsNot);
        assert_eq!(f.values, vec!["France", "DE"]);
        assert_eq!(
            filter(Dimension::Page, "contains:/docs").operator,
            Operator::Contains
        );
        assert_eq!(filter(Dimension::Device, "mobile").operator, Operator::Is);
        assert!(Filter::parse("filter_country", Dimension::Country, "contains:U").is_err());
        assert!(Filter::parse("filter_country", Dimension::Country, "is:, ,").is_err());
    }

    #[test]
    fn values_match_by_the_dimension_rules() {
        let country = filter(Dimension::Country, "United States,fr");
        assert!(country.matches(&[Some("US")]));
        assert!(country.matches(&[Some("FR")]));
        assert!(!country.matches(&[Some("DE")]));
        assert!(!country.matches(&[None]));
        let not_country = filter(Dimension::Country, "is_not:US");
        assert!(not_country.matches(&[None]));
        assert!(!not_country.matches(&[Some("us")]));
        let safari = filter(Dimension::Browser, "Safari");
        assert!(safari.matches(&[Some("Mobile Safari")]));
        assert!(!safari.matches(&[Some("Chrome")]));
        let referrer = filter(Dimension::Referrer, "google.com,X");
        assert!(referrer.matches(&[None, Some("X")]));
        assert!(referrer.matches(&[Some("google.com"), Some("Google")]));
        let page = filter(Dimension::Page, "does_not_contain:/DOCS");
        assert!(!page.matches(&[Some("/docs/intro")]));
        assert!(filter(Dimension::Page, "/Docs").matches(&[Some("/Docs")]));
        assert!(!filter(Dimension::Page, "/Docs").matches(&[Some("/docs")]));
    }
}
