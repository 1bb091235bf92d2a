//! Goal names, tracked-goal statistics, and goal customizations with their colour palette.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::ValidationError;
use crate::text;

/// The longest goal name accepted.
pub const MAX_GOAL_NAME: usize = 64;

/// Names the product itself emits (payments, trials, subscriptions) or reserves (`identify`).
/// Clients may refer to them, but may not send custom goals under them.
pub const RESERVED_GOAL_NAMES: &[&str] = &[
    "identify",
    "payment",
    "free_trial",
    "trial_started",
    "trial_converted",
    "subscription_started",
    "subscription_upgraded",
    "subscription_downgraded",
    "subscription_renewed",
    "subscription_cancel_scheduled",
    "subscription_reactivated",
    "subscription_ended",
];

/// A normalised goal name: lowercase, spaces turned into underscores, only `a-z 0-9 _ - :`,
/// 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct GoalName(String);

impl GoalName {
    /// The goal the product completes for a payment: `free_trial` for a trial,
    /// `subscription_renewed` for a subscription's later payment, else `payment`.
    pub fn of_payment(free_trial: bool, renewal: bool) -> Self {
        // Each is a constant in the normalised form, so it needs no parsing.
        let name = match (free_trial, renewal) {
            (true, _) => "free_trial",
            (false, true) => "subscription_renewed",
            (false, false) => "payment",
        };
        Self(name.to_owned())
    }

    /// Normalises and checks a name used to refer to a goal (a KPI, an alert trigger, a funnel
    /// step, a customization). Reserved names are allowed here.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let normalised: String = input
            .trim()
            .to_lowercase()
            .chars()
            .map(|c| if c.is_whitespace() { '_' } else { c })
            .collect();
        if normalised.is_empty() {
            return Err(ValidationError::new("goalName", "must not be empty"));
        }
        if normalised.chars().count() > MAX_GOAL_NAME {
            return Err(ValidationError::new(
                "goalName",
                format!("must be at most {MAX_GOAL_NAME} characters"),
            ));
        }
        if !normalised.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-' | b':')
        }) {
            return Err(ValidationError::new(
                "goalName",
                "may contain only a-z, 0-9, _, - and :",
            ));
        }
        Ok(Self(normalised))
    }

    /// Like [`GoalName::parse`], and also refuses reserved names: for goals a client sends.
    pub fn parse_custom(input: &str) -> Result<Self, ValidationError> {
        let name = Self::parse(input)?;
        if name.is_reserved() {
            return Err(ValidationError::new(
                "goalName",
                format!("'{name}' is a reserved goal name"),
            ));
        }
        Ok(name)
    }

    pub fn is_reserved(&self) -> bool {
        RESERVED_GOAL_NAMES.contains(&self.0.as_str())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GoalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for GoalName {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<GoalName> for String {
    fn from(value: GoalName) -> Self {
        value.0
    }
}

/// Whether a tracked goal came from a custom event or from the payment pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GoalEventType {
    Custom,
    Payment,
}

/// How often a goal happened: completions and unique visitors, as the store counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalCount {
    pub name: String,
    pub event_type: GoalEventType,
    pub total: u64,
    pub unique_visitors: u64,
}

/// A goal as `GET /websites/{id}/goals` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackedGoal {
    pub name: String,
    pub event_type: GoalEventType,
    pub total: u64,
    pub unique_visitors: u64,
    /// Unique visitors who completed the goal ÷ all unique visitors of the website, 0 to 1.
    pub conversion_rate: f64,
}

/// Orders goal counts by frequency (completions, then unique visitors, then name) and adds each
/// goal's conversion rate over `website_visitors`.
pub fn rank_goals(mut counts: Vec<GoalCount>, website_visitors: u64) -> Vec<TrackedGoal> {
    counts.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then(b.unique_visitors.cmp(&a.unique_visitors))
            .then(a.name.cmp(&b.name))
    });
    counts
        .into_iter()
        .map(|count| TrackedGoal {
            conversion_rate: conversion_rate(count.unique_visitors, website_visitors),
            name: count.name,
            event_type: count.event_type,
            total: count.total,
            unique_visitors: count.unique_visitors,
        })
        .collect()
}

/// `part ÷ whole`, rounded to four decimals, 0 when there is no whole.
fn conversion_rate(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let ratio = part.min(whole) as f64 / whole as f64;
    (ratio * 10_000.0).round() / 10_000.0
}

/// One colour of the goal palette.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaletteColor {
    pub color: &'static str,
    pub family: &'static str,
    pub label: &'static str,
}

/// The fixed goal palette: one or two shades for each KPI colour family, including every
/// colour DataFast's docs and public clients are known to send.
pub const PALETTE: &[PaletteColor] = &[
    PaletteColor {
        color: "#ef4444",
        family: "red",
        label: "Red",
    },
    PaletteColor {
        color: "#f97316",
        family: "orange",
        label: "Orange",
    },
    PaletteColor {
        color: "#eab308",
        family: "yellow",
        label: "Yellow",
    },
    PaletteColor {
        color: "#84cc16",
        family: "green",
        label: "Lime",
    },
    PaletteColor {
        color: "#22c55e",
        family: "green",
        label: "Green",
    },
    PaletteColor {
        color: "#a855f7",
        family: "purple",
        label: "Purple",
    },
    PaletteColor {
        color: "#ec4899",
        family: "pink",
        label: "Pink",
    },
    PaletteColor {
        color: "#6b7280",
        family: "gray",
        label: "Gray",
    },
    PaletteColor {
        color: "#8dcdff",
        family: "blue",
        label: "Light blue",
    },
    PaletteColor {
        color: "#3b82f6",
        family: "blue",
        label: "Blue",
    },
    PaletteColor {
        color: "#14b8a6",
        family: "teal",
        label: "Teal",
    },
    PaletteColor {
        color: "#6366f1",
        family: "indigo",
        label: "Indigo",
    },
];

/// A palette colour, compared case-insensitively and stored lower-case.
pub fn parse_palette_color(input: &str) -> Result<&'static str, ValidationError> {
    let wanted = input.trim().to_ascii_lowercase();
    PALETTE
        .iter()
        .find(|entry| entry.color == wanted)
        .map(|entry| entry.color)
        .ok_or_else(|| {
            ValidationError::new(
                "color",
                "must be one of the palette colours listed in `colors`",
            )
        })
}

/// How a goal is shown: all fields optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalCustomization {
    pub goal_name: GoalName,
    pub display_name: Option<String>,
    pub color: Option<String>,
    pub description: Option<String>,
    pub updated_at: Timestamp,
}

/// A change to one field: keep it, clear it (`null`), or set it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum FieldChange<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> FieldChange<T> {
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            FieldChange::Keep => current,
            FieldChange::Clear => None,
            FieldChange::Set(value) => Some(value),
        }
    }

    /// Validates a set value, keeping `Keep` and `Clear` as they are.
    pub fn try_map<U, E>(self, f: impl FnOnce(T) -> Result<U, E>) -> Result<FieldChange<U>, E> {
        Ok(match self {
            FieldChange::Keep => FieldChange::Keep,
            FieldChange::Clear => FieldChange::Clear,
            FieldChange::Set(value) => FieldChange::Set(f(value)?),
        })
    }
}

/// A validated `PATCH .../goals/customizations`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomizationChange {
    pub goal_name: GoalName,
    pub display_name: FieldChange<String>,
    pub color: FieldChange<String>,
    pub description: FieldChange<String>,
}

impl CustomizationChange {
    pub fn parse(
        goal_name: &str,
        display_name: FieldChange<String>,
        color: FieldChange<String>,
        description: FieldChange<String>,
    ) -> Result<Self, ValidationError> {
        Ok(Self {
            goal_name: GoalName::parse(goal_name)?,
            display_name: display_name.try_map(|v| text::bounded("displayName", &v, 1, 80))?,
            color: color.try_map(|v| parse_palette_color(&v).map(str::to_owned))?,
            description: description.try_map(|v| text::bounded("description", &v, 1, 300))?,
        })
    }

    /// The customization after this change, from the current one (if any).
    pub fn apply(self, current: Option<GoalCustomization>, now: Timestamp) -> GoalCustomization {
        let (display_name, color, description) = match current {
            Some(c) => (c.display_name, c.color, c.description),
            None => (None, None, None),
        };
        GoalCustomization {
            goal_name: self.goal_name,
            display_name: self.display_name.apply(display_name),
            color: self.color.apply(color),
            description: self.description.apply(description),
            updated_at: now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_are_normalised() {
        assert_eq!(
            GoalName::parse("  Signup Started ").unwrap().as_str(),
            "signup_started"
        );
        assert_eq!(
            GoalName::parse("plan:pro-1").unwrap().as_str(),
            "plan:pro-1"
        );
        assert!(GoalName::parse("sign/up").is_err());
        assert!(GoalName::parse(&"a".repeat(65)).is_err());
        assert!(GoalName::parse("payment").is_ok());
        assert!(GoalName::parse_custom("payment").is_err());
        assert!(GoalName::parse_custom("Identify").is_err());
    }

    #[test]
    fn goals_rank_by_frequency_with_rates() {
        let ranked = rank_goals(
            vec![
                GoalCount {
                    name: "b".into(),
                    event_type: GoalEventType::Custom,
                    total: 5,
                    unique_visitors: 2,
                },
                GoalCount {
                    name: "a".into(),
                    event_type: GoalEventType::Payment,
                    total: 9,
                    unique_visitors: 3,
                },
            ],
            8,
        );
        assert_eq!(ranked[0].name, "a");
        assert_eq!(ranked[0].conversion_rate, 0.375);
        assert_eq!(ranked[1].conversion_rate, 0.25);
        assert_eq!(rank_goals(ranked_input(), 0)[0].conversion_rate, 0.0);
    }

    fn ranked_input() -> Vec<GoalCount> {
        vec![GoalCount {
            name: "x".into(),
            event_type: GoalEventType::Custom,
            total: 1,
            unique_visitors: 1,
        }]
    }

    #[test]
    fn palette_colours_compare_case_insensitively() {
        assert_eq!(parse_palette_color("#8DCDFF").unwrap(), "#8dcdff");
        assert!(parse_palette_color("#123456").is_err());
    }

    #[test]
    fn customization_changes_keep_clear_and_set() {
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let first = CustomizationChange::parse(
            "signup",
            FieldChange::Set("Sign up".into()),
            FieldChange::Set("#EF4444".into()),
            FieldChange::Keep,
        )
        .unwrap()
        .apply(None, now);
        assert_eq!(first.color.as_deref(), Some("#ef4444"));
        let second = CustomizationChange::parse(
            "signup",
            FieldChange::Keep,
            FieldChange::Clear,
            FieldChange::Keep,
        )
        .unwrap()
        .apply(Some(first), now);
        assert_eq!(second.display_name.as_deref(), Some("Sign up"));
        assert_eq!(second.color, None);
        assert!(
            CustomizationChange::parse(
                "signup",
                FieldChange::Set("x".repeat(81)),
                FieldChange::Keep,
                FieldChange::Keep
            )
            .is_err()
        );
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(input in "\\PC{0,70}") {
            if let Ok(name) = GoalName::parse(&input) {
                prop_assert_eq!(GoalName::parse(name.as_str()).unwrap(), name.clone());
                prop_assert!(name.as_str().len() <= MAX_GOAL_NAME);
            }
        }
    }
}
