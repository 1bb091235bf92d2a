//! Visitor profiles: what `identify` (from the tracker, the SDK or `POST /api/v1/identify`)
//! says about who a visitor is.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::id::WebsiteId;

/// The latest identity of one visitor on one website; a new identify replaces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorProfile {
    /// Stable across re-identifications; `profileId` in the identify response.
    pub profile_id: String,
    pub website_id: WebsiteId,
    pub visitor_id: String,
    pub user_id: String,
    /// Name, image and any other properties, bounded and sanitised.
    pub metadata: BTreeMap<String, String>,
    pub identified_at: Timestamp,
}
