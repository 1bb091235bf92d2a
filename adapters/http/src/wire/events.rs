//! The `POST /api/events` body as clients send it (`RawEvent`: every field optional, camelCase
//! names, unknown fields ignored), read into the domain's `EventDraft` and validated there.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Deref;

use serde::Deserialize;
use serde_json::Value;

use datafast_domain::ingest::{
    DeviceDraft, EventDraft, IncomingEvent, Sent, SentFields, SizeDraft, validate,
};

use crate::error::ApiError;

/// Reads and validates a `POST /api/events` body: 400 with the JSON parser's message when it
/// is not a JSON object of the payload's shape, 400 naming the field when a rule refuses it.
///
/// # Errors
/// The `ApiError` the endpoint answers with.
pub fn read_event(body: &[u8]) -> Result<IncomingEvent, ApiError> {
    let raw: RawEvent<'_> = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))?;
    validate(raw.into_draft()).map_err(|e| ApiError::bad_request(e.to_string()))
}

/// A text field of the payload: borrowed from the request body, and copied only when the JSON
/// string holds escapes. Almost every field is read once during validation and dropped, so
/// copying each one into its own allocation was wasted work on every event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Text<'a>(#[serde(borrow)] pub Cow<'a, str>);

impl Deref for Text<'_> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(text: &'a str) -> Self {
        Self(Cow::Borrowed(text))
    }
}

impl From<String> for Text<'_> {
    fn from(text: String) -> Self {
        Self(Cow::Owned(text))
    }
}

/// The body of `POST /api/events`, as sent by the tracking script and the SDK. Loosely typed
/// where clients differ (numbers may come as floats, `extraData` values as anything).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawEvent<'a> {
    #[serde(borrow)]
    pub website_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub domain: Option<Text<'a>>,
    #[serde(borrow)]
    pub visitor_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub session_id: Option<Text<'a>>,
    #[serde(borrow)]
    pub href: Option<Text<'a>>,
    #[serde(borrow)]
    pub referrer: Option<Text<'a>>,
    #[serde(rename = "type", borrow)]
    pub kind: Option<Text<'a>>,
    pub viewport: Option<RawSize>,
    pub ad_click_ids: Option<BTreeMap<String, Value>>,
    pub extra_data: Option<BTreeMap<String, Value>>,
    #[serde(borrow)]
    pub visitor_first_seen_at: Option<Text<'a>>,
    pub visitor_session_number: Option<f64>,
    #[serde(borrow)]
    pub language: Option<Text<'a>>,
    #[serde(borrow)]
    pub timezone: Option<Text<'a>>,
    pub screen_width: Option<f64>,
    pub screen_height: Option<f64>,
    #[serde(borrow)]
    pub device: Option<RawDevice<'a>>,
    pub cookieless: Option<bool>,
}

/// `viewport`: the window's inner size.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct RawSize {
    pub width: Option<f64>,
    pub height: Option<f64>,
}

/// The SDK's `device` object.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RawDevice<'a> {
    #[serde(borrow)]
    pub platform: Option<Text<'a>>,
    #[serde(borrow)]
    pub os_version: Option<Text<'a>>,
    #[serde(borrow)]
    pub model: Option<Text<'a>>,
}

impl<'a> RawEvent<'a> {
    /// The payload as the domain's plain input: text moved, not copied; `cookieless` set only
    /// by `true`.
    pub fn into_draft(self) -> EventDraft<'a> {
        let text = |field: Option<Text<'a>>| field.map(|t| t.0);
        EventDraft {
            website_id: text(self.website_id),
            domain: text(self.domain),
            visitor_id: text(self.visitor_id),
            session_id: text(self.session_id),
            href: text(self.href),
            referrer: text(self.referrer),
            kind: text(self.kind),
            viewport: self.viewport.map(|v| SizeDraft {
                width: v.width,
                height: v.height,
            }),
            ad_click_ids: sent_fields(self.ad_click_ids),
            extra_data: sent_fields(self.extra_data),
            visitor_first_seen_at: text(self.visitor_first_seen_at),
            visitor_session_number: self.visitor_session_number,
            language: text(self.language),
            timezone: text(self.timezone),
            screen_width: self.screen_width,
            screen_height: self.screen_height,
            device: self.device.map(|d| DeviceDraft {
                platform: text(d.platform),
                os_version: text(d.os_version),
                model: text(d.model),
            }),
            cookieless: self.cookieless == Some(true),
        }
    }
}

/// An object of loosely typed values (`extraData`, `adClickIds`); absent or null is empty.
fn sent_fields(fields: Option<BTreeMap<String, Value>>) -> SentFields<'static> {
    fields
        .unwrap_or_default()
        .into_iter()
        .map(|(key, value)| (key, owned_sent(value)))
        .collect()
}

/// A JSON value as the domain's loosely typed value, its string moved rather than copied.
fn owned_sent(value: Value) -> Sent<'static> {
    match value {
        Value::Null => Sent::Null,
        Value::Bool(flag) => Sent::Bool(flag),
        Value::Number(number) => Sent::Number(number.to_string()),
        Value::String(text) => Sent::Text(Cow::Owned(text)),
        Value::Array(_) | Value::Object(_) => Sent::Nested,
    }
}

#[cfg(test)]
mod tests;
