//! Stored events: what the event store keeps of each pageview, goal, payment, identify and
//! outbound click, with the visit context (source, campaign, software, location) that
//! ingestion derived. Ingestion builds them; analytics and tracked goals read them.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::goal::GoalName;
use crate::id::WebsiteId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Pageview,
    Custom,
    Payment,
    Identify,
    ExternalLink,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Pageview,
        EventKind::Custom,
        EventKind::Payment,
        EventKind::Identify,
        EventKind::ExternalLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Pageview => "pageview",
            EventKind::Custom => "custom",
            EventKind::Payment => "payment",
            EventKind::Identify => "identify",
            EventKind::ExternalLink => "external_link",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "pageview" => Some(EventKind::Pageview),
            "custom" => Some(EventKind::Custom),
            "payment" => Some(EventKind::Payment),
            "identify" => Some(EventKind::Identify),
            "external_link" => Some(EventKind::ExternalLink),
            _ => None,
        }
    }
}

/// The device families analytics group visitors by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum DeviceKind {
    Desktop,
    Mobile,
    Tablet,
    #[default]
    Other,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 4] = [
        DeviceKind::Desktop,
        DeviceKind::Mobile,
        DeviceKind::Tablet,
        DeviceKind::Other,
    ];

    /// `desktop`, `mobile`, `tablet` or `other`: the label analytics answers give.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Desktop => "desktop",
            DeviceKind::Mobile => "mobile",
            DeviceKind::Tablet => "tablet",
            DeviceKind::Other => "other",
        }
    }

    /// The kind a label names, for stores that keep the label.
    pub fn parse(label: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == label)
    }
}

/// Where a visit came from and what it ran on, as known when the event arrived. Events of one
/// session nearly always share it, so stores keep it once and point to it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VisitContext {
    /// The referrer's host without `www.`; `None` for direct and same-site visits.
    pub referrer: Option<String>,
    /// The referrer as analytics group it: `Google`, `X`, a bare host, or `Direct/None`.
    pub source: String,
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    /// The `ref` query parameter.
    pub ref_param: Option<String>,
    /// The `source` query parameter.
    pub source_param: Option<String>,
    /// The `via` query parameter.
    pub via: Option<String>,
    /// `Chrome`, `Safari`, ...; `Unknown` when not recognised.
    pub browser: String,
    /// The browser's version as the user agent gives it (`131.0.0.0`), when it does.
    pub browser_version: Option<String>,
    /// `Mac OSX`, `Windows 10`, `iOS`, ...; `Unknown` when not recognised.
    pub os: String,
    /// The operating system's version as the parser reads it (`10.15.7`, `NT 10.0`), when
    /// known.
    pub os_version: Option<String>,
    pub device: DeviceKind,
    /// ISO 3166-1 alpha-2 code; `None` without a location database or for unknown addresses.
    pub country: Option<String>,
    /// The region's name (subdivision), when the location database knows it.
    pub region: Option<String>,
    pub city: Option<String>,
}

impl VisitContext {
    /// The context of a visit nothing is known about.
    pub fn unknown() -> Self {
        Self {
            source: "Direct/None".to_owned(),
            browser: "Unknown".to_owned(),
            os: "Unknown".to_owned(),
            ..Self::default()
        }
    }

    /// The fields that say where the visit came from (referrer, source, campaign tags, `ref`,
    /// `source`, `via`), borrowed, in this order.
    pub fn acquisition_fields(&self) -> [Option<&str>; 10] {
        [
            self.referrer.as_deref(),
            Some(self.source.as_str()),
            self.utm_source.as_deref(),
            self.utm_medium.as_deref(),
            self.utm_campaign.as_deref(),
            self.utm_term.as_deref(),
            self.utm_content.as_deref(),
            self.ref_param.as_deref(),
            self.source_param.as_deref(),
            self.via.as_deref(),
        ]
    }
}

/// Who sent an event: the tracker or SDK (`POST /api/events`), or a backend through the
/// Website API (`isServer` in the visitor's goal timeline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EventOrigin {
    #[default]
    Client,
    Server,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub website_id: WebsiteId,
    pub kind: EventKind,
    pub occurred_at: Timestamp,
    pub visitor_id: String,
    pub session_id: String,
    /// The goal name for custom and payment events (`payment`, `free_trial`, ...).
    pub goal_name: Option<GoalName>,
    pub hostname: String,
    pub path: String,
    pub context: VisitContext,
    /// Custom goal parameters, goal metadata, identify properties, or an outbound link's
    /// `url` and `text`; bounded and sanitised by the parsers that built them.
    pub params: BTreeMap<String, String>,
    /// A server-side goal's description.
    pub description: Option<String>,
    pub origin: EventOrigin,
}

/// Which goal events a `DELETE /api/v1/goals` removes. Every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoalEventFilter {
    pub visitor_id: Option<String>,
    pub goal_name: Option<GoalName>,
    /// Inclusive bounds.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

impl GoalEventFilter {
    /// Whether `event` is a goal event (custom) this filter selects. Payment goals are removed
    /// with their payments, never through this filter.
    pub fn matches(&self, event: &Event) -> bool {
        event.kind == EventKind::Custom
            && self
                .visitor_id
                .as_deref()
                .is_none_or(|v| v == event.visitor_id)
            && self
                .goal_name
                .as_ref()
                .is_none_or(|n| Some(n) == event.goal_name.as_ref())
            && self.from.is_none_or(|from| event.occurred_at >= from)
            && self.to.is_none_or(|to| event.occurred_at <= to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_device_kind_round_trips_through_its_label_and_nothing_else_parses() {
        for kind in DeviceKind::ALL {
            assert_eq!(DeviceKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(DeviceKind::parse("Desktop"), None);
        assert_eq!(DeviceKind::parse(""), None);
    }
}
