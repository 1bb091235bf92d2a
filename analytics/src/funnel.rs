//! Funnel results (decision 5 of the reference) and the step URL patterns.

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

/// One step's result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelStepResult {
    /// Visitors who completed this step after every earlier one, in order.
    pub visitors: u64,
    /// Percent of the previous step's visitors (100 for the first step with visitors).
    pub conversion_rate: f64,
    /// Visitors of the previous step who did not reach this one (0 for the first step).
    pub dropoff: u64,
    /// Revenue of this step's visitors' counted payments in the range.
    pub revenue: f64,
}

/// `GET /analytics/funnels/{id}`: one result per step of the funnel, in its order.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelResult {
    pub steps: Vec<FunnelStepResult>,
    /// Percent of the first step's visitors who reached the last step.
    pub conversion_rate: f64,
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        round2(100.0 * part as f64 / whole as f64)
    }
}

/// Builds the result from (visitors, revenue) per step.
pub(crate) fn funnel_response(steps: &[(u64, f64)]) -> FunnelResult {
    let first = steps.first().map_or(0, |s| s.0);
    let last = steps.last().map_or(0, |s| s.0);
    let results = steps
        .iter()
        .enumerate()
        .map(|(index, (visitors, revenue))| {
            let before = if index == 0 {
                *visitors
            } else {
                steps[index - 1].0
            };
            FunnelStepResult {
                visitors: *visitors,
                conversion_rate: percent(*visitors, before),
                dropoff: before.saturating_sub(*visitors),
                revenue: round2(*revenue),
            }
        })
        .collect();
    FunnelResult {
        steps: results,
        conversion_rate: percent(last, first),
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
