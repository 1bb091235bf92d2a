//! Stored events: what the event store keeps of each pageview, goal, payment, identify and
//! outbound click. Ingestion builds them; analytics and tracked goals read them.

use jiff::Timestamp;

use crate::id::WebsiteId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Pageview,
    Custom,
    Payment,
    Identify,
    ExternalLink,
}

impl EventKind {
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

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub website_id: WebsiteId,
    pub kind: EventKind,
    pub occurred_at: Timestamp,
    pub visitor_id: String,
    pub session_id: String,
    /// The goal name for custom and payment events (`payment`, `subscription_renewed`, ...).
    pub goal_name: Option<String>,
    pub hostname: String,
    pub path: String,
}
