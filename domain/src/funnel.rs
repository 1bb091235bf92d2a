//! Funnels: named sequences of 2 to 8 steps, each a pageview of a URL pattern or a goal.
//! Deleting a funnel is a soft delete; disabling one keeps it but marks it inactive.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;

use crate::ValidationError;
use crate::goal::GoalName;
use crate::id::{FunnelId, WebsiteId};
use crate::text;

pub const MIN_STEPS: usize = 2;
pub const MAX_STEPS: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funnel {
    pub id: FunnelId,
    pub website_id: WebsiteId,
    pub name: FunnelName,
    pub slug: String,
    pub steps: Vec<FunnelStep>,
    pub is_active: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunnelStep {
    /// A slug of the step's name, unique within the funnel.
    pub id: String,
    pub name: String,
    pub kind: StepKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepKind {
    /// A pageview whose path matches `url` (`*` is a wildcard).
    Pageview {
        url: String,
    },
    Goal {
        goal_name: GoalName,
    },
}

/// A step as a client sends it, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepInput {
    pub name: Option<String>,
    pub kind: String,
    pub url: Option<String>,
    pub goal_name: Option<String>,
}

/// A funnel name: 1 to 100 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunnelName(String);

impl FunnelName {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        text::bounded("name", input, 1, 100).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key this name is unique under among a website's live funnels.
    pub fn key(&self) -> FunnelNameKey {
        FunnelNameKey::of(&self.0)
    }
}

impl FromStr for FunnelName {
    type Err = ValidationError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        Self::parse(input)
    }
}

impl fmt::Display for FunnelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What funnel names are unique under among a website's live funnels: the name in Unicode
/// lower case (`str::to_lowercase`), so `Signup` and `SIGNUP`, `ΑΒΓ` and `αβγ`, or the Kelvin
/// sign `K` and `k` are one name, while `Sign-up` and `Signup` stay two. Every backend compares
/// these keys, never names. SQLite stores them (`funnels.name_key`, under a unique index), so a
/// change to how a key is made needs a migration that re-keys the stored funnels.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FunnelNameKey(String);

impl FunnelNameKey {
    /// The key of the funnel name `name`.
    pub fn of(name: &str) -> Self {
        Self(name.to_lowercase())
    }

    /// The key as text, as a backend stores it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Funnel {
    /// The key this funnel's name is unique under.
    pub fn name_key(&self) -> FunnelNameKey {
        self.name.key()
    }
}

/// Lowercase ASCII letters and digits joined by single hyphens: `Signup funnel` →
/// `signup-funnel`. Empty when nothing slug-worthy remains.
pub fn slugify(input: &str) -> String {
    let mut slug = String::new();
    for c in input.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').chars().take(64).collect()
}

/// Validates a pageview URL pattern: a path starting with `/` (a full URL is reduced to its
/// path), at most 500 characters, no spaces.
fn parse_step_url(input: &str) -> Result<String, ValidationError> {
    let trimmed = input.trim();
    let path = match trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
    {
        Some(rest) => match rest.find('/') {
            Some(at) => &rest[at..],
            None => "/",
        },
        None => trimmed,
    };
    if !path.starts_with('/')
        || path.chars().count() > 500
        || path.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(ValidationError::new(
            "url",
            "must be a path starting with / (use * as a wildcard)",
        ));
    }
    Ok(path.to_owned())
}

/// Validates 2 to 8 steps and gives each a unique id.
pub fn build_steps(inputs: Vec<StepInput>) -> Result<Vec<FunnelStep>, ValidationError> {
    if inputs.len() < MIN_STEPS || inputs.len() > MAX_STEPS {
        return Err(ValidationError::new(
            "steps",
            format!("a funnel needs {MIN_STEPS} to {MAX_STEPS} steps"),
        ));
    }
    let mut steps: Vec<FunnelStep> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.into_iter().enumerate() {
        let at = |field: &str| format!("steps[{index}].{field}");
        let kind = match input.kind.trim() {
            "pageview" => {
                let url = input.url.as_deref().ok_or_else(|| {
                    ValidationError::new(at("url"), "is required for a pageview step")
                })?;
                StepKind::Pageview {
                    url: parse_step_url(url).map_err(|e| e.within(at("url")))?,
                }
            }
            "goal" => {
                let goal = input.goal_name.as_deref().ok_or_else(|| {
                    ValidationError::new(at("goalName"), "is required for a goal step")
                })?;
                StepKind::Goal {
                    goal_name: GoalName::parse(goal).map_err(|e| e.within(at("goalName")))?,
                }
            }
            _ => {
                return Err(ValidationError::new(
                    at("type"),
                    "must be \"pageview\" or \"goal\"",
                ));
            }
        };
        let name = match input.name.as_deref() {
            Some(name) => text::bounded(&at("name"), name, 1, 100)?,
            None => match &kind {
                StepKind::Pageview { url } => url.clone(),
                StepKind::Goal { goal_name } => goal_name.to_string(),
            },
        };
        let base = match slugify(&name) {
            slug if slug.is_empty() => format!("step-{}", index + 1),
            slug => slug,
        };
        let mut id = base.clone();
        let mut suffix = 2;
        while steps.iter().any(|s| s.id == id) {
            id = format!("{base}-{suffix}");
            suffix += 1;
        }
        steps.push(FunnelStep { id, name, kind });
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pageview(url: &str) -> StepInput {
        StepInput {
            name: None,
            kind: "pageview".into(),
            url: Some(url.into()),
            goal_name: None,
        }
    }

    fn goal(name: &str) -> StepInput {
        StepInput {
            name: Some("Signed up".into()),
            kind: "goal".into(),
            url: None,
            goal_name: Some(name.into()),
        }
    }

    #[test]
    fn the_spec_example_builds() {
        let steps = build_steps(vec![
            StepInput {
                name: Some("Landing page".into()),
                ..pageview("/")
            },
            StepInput {
                name: Some("Signup page".into()),
                ..pageview("/signup")
            },
            goal("Signup"),
        ])
        .unwrap();
        assert_eq!(steps[0].id, "landing-page");
        assert_eq!(
            steps[2].kind,
            StepKind::Goal {
                goal_name: GoalName::parse("signup").unwrap()
            }
        );
    }

    #[test]
    fn step_rules_are_enforced() {
        assert!(build_steps(vec![pageview("/")]).is_err());
        assert!(build_steps(vec![pageview("/"); 9]).is_err());
        assert!(build_steps(vec![pageview("/"), pageview("no-slash")]).is_err());
        assert!(
            build_steps(vec![
                pageview("/"),
                StepInput {
                    kind: "goal".into(),
                    ..Default::default()
                }
            ])
            .is_err()
        );
        assert!(
            build_steps(vec![
                pageview("/"),
                StepInput {
                    kind: "click".into(),
                    ..Default::default()
                }
            ])
            .is_err()
        );
        let reduced =
            build_steps(vec![pageview("https://example.com/pricing"), pageview("/")]).unwrap();
        assert_eq!(
            reduced[0].kind,
            StepKind::Pageview {
                url: "/pricing".into()
            }
        );
    }

    #[test]
    fn slugs_are_tidy() {
        assert_eq!(slugify("Signup funnel"), "signup-funnel");
        assert_eq!(slugify("  --Über Funnel!! 2 "), "ber-funnel-2");
        assert_eq!(slugify("✓✓"), "");
    }

    #[test]
    fn funnel_names_clash_whatever_their_case() {
        for (name, other) in [
            ("Signup", "SIGNUP"),
            ("Über Funnel", "üBER fUNNEL"),
            ("ΑΒΓ", "αβγ"),
            ("\u{212A}elvin", "kelvin"),
        ] {
            assert_eq!(
                FunnelNameKey::of(name),
                FunnelNameKey::of(other),
                "{name:?}"
            );
        }
        assert_eq!(FunnelNameKey::of("Checkout ✓").as_str(), "checkout ✓");
        assert_ne!(FunnelNameKey::of("Sign-up"), FunnelNameKey::of("Signup"));
        assert_ne!(FunnelNameKey::of("Signup "), FunnelNameKey::of("Signup"));
    }

    proptest! {
        #[test]
        fn step_ids_are_unique(urls in proptest::collection::vec("/[a-z]{0,3}", 2..=8)) {
            let steps = build_steps(urls.iter().map(|u| pageview(u)).collect()).unwrap();
            let mut ids: Vec<&str> = steps.iter().map(|s| s.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            prop_assert_eq!(ids.len(), steps.len());
        }
    }
}
