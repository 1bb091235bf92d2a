//! Funnel results: the response shape (decision 5 of the reference) and the step URL patterns.

use datafast_domain::funnel::{Funnel, StepKind};
use serde::Serialize;

use crate::response::round2;

/// Whether a path matches a step pattern, where `*` stands for any run of characters
/// (`/blog/*`, `/*/pricing`); without `*` the path must be equal.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let mut parts = pattern.split('*');
    let Some(first) = parts.next() else {
        return false;
    };
    let Some(mut rest) = path.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelStepDefinition {
    pub id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "goalName", skip_serializing_if = "Option::is_none")]
    pub goal_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelDefinition {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub steps: Vec<FunnelStepDefinition>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelStepResult {
    #[serde(flatten)]
    pub step: FunnelStepDefinition,
    /// Visitors who completed this step after every earlier one, in order.
    pub visitors: u64,
    /// Percent of the previous step's visitors (100 for the first step with visitors).
    #[serde(rename = "conversionRate")]
    pub conversion_rate: f64,
    /// Visitors of the previous step who did not reach this one (0 for the first step).
    pub dropoff: u64,
    /// Revenue of this step's visitors' counted payments in the range.
    pub revenue: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelResult {
    pub funnel: FunnelDefinition,
    pub steps: Vec<FunnelStepResult>,
    /// Percent of the first step's visitors who reached the last step.
    #[serde(rename = "conversionRate")]
    pub conversion_rate: f64,
}

/// `GET /analytics/funnels/{id}`: `{"data": [result]}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FunnelResponse {
    pub data: Vec<FunnelResult>,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round2(100.0 * part as f64 / whole as f64)
    }
}

/// Builds the response from (visitors, revenue) per step.
pub(crate) fn funnel_response(funnel: &Funnel, steps: &[(u64, f64)]) -> FunnelResponse {
    let definitions: Vec<FunnelStepDefinition> = funnel
        .steps
        .iter()
        .map(|step| {
            let (kind, url, goal_name) = match &step.kind {
                StepKind::Pageview { url } => ("pageview", Some(url.clone()), None),
                StepKind::Goal { goal_name } => ("goal", None, Some(goal_name.to_string())),
            };
            FunnelStepDefinition {
                id: step.id.clone(),
                name: step.name.clone(),
                kind,
                url,
                goal_name,
            }
        })
        .collect();
    let first = steps.first().map_or(0, |s| s.0);
    let last = steps.last().map_or(0, |s| s.0);
    let results = definitions
        .iter()
        .zip(steps)
        .enumerate()
        .map(|(index, (definition, (visitors, revenue)))| {
            let before = if index == 0 {
                *visitors
            } else {
                steps[index - 1].0
            };
            FunnelStepResult {
                step: definition.clone(),
                visitors: *visitors,
                conversion_rate: percent(*visitors, before),
                dropoff: before.saturating_sub(*visitors),
                revenue: round2(*revenue),
            }
        })
        .collect();
    FunnelResponse {
        data: vec![FunnelResult {
            funnel: FunnelDefinition {
                id: funnel.id.to_string(),
                name: funnel.name.clone(),
                steps: definitions,
            },
            steps: results,
            conversion_rate: percent(last, first),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_with_wildcards() {
        assert!(path_matches("/pricing", "/pricing"));
        assert!(!path_matches("/pricing", "/pricing/x"));
        assert!(path_matches("/blog/*", "/blog/a/b"));
        assert!(path_matches("/blog/*", "/blog/"));
        assert!(!path_matches("/blog/*", "/blog"));
        assert!(path_matches("/*/pricing", "/en/pricing"));
        assert!(!path_matches("/*/pricing", "/en/pricing/x"));
        assert!(path_matches("*", "/anything"));
        assert!(path_matches("/a*a", "/aa"));
        assert!(!path_matches("/a*a", "/a"));
    }
}
