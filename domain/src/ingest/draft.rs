//! What a client sent, before any rule: the plain input that `validate` and the Website API's
//! write rules (`server.rs`) check. The wire format that carried it (JSON field names, their
//! alias spellings, which explicit nulls are refused) is the HTTP adapter's; here every field
//! is already under one name, and a loosely typed value says only what kind of value it was.

use std::borrow::Cow;
use std::collections::BTreeMap;

/// A value sent where clients differ in what they send (custom parameters, metadata,
/// identifiers, amounts, flags): its kind and, for a scalar, its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent<'a> {
    Null,
    Bool(bool),
    /// A number, written as the wire format writes it (`3`, `29.5`, `1e300`).
    Number(String),
    Text(Cow<'a, str>),
    /// A list or an object: no rule reads inside one.
    Nested,
}

impl Sent<'_> {
    /// The value as the script turns it into text: strings as they are, numbers and booleans
    /// printed; null, lists and objects give nothing.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Sent::Text(text) => Some(Cow::Borrowed(text)),
            Sent::Number(number) => Some(Cow::Borrowed(number)),
            Sent::Bool(flag) => Some(Cow::Owned(flag.to_string())),
            Sent::Null | Sent::Nested => None,
        }
    }

    /// The value when it was sent as a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Sent::Text(text) => Some(text),
            _ => None,
        }
    }
}

/// An object's fields by name, as sent (`extraData`, `adClickIds`, metadata).
pub type SentFields<'a> = BTreeMap<String, Sent<'a>>;

/// A `POST /api/events` body: every field optional, text borrowed from the request body where
/// the wire format allows it. Absent and null are the same here.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventDraft<'a> {
    pub website_id: Option<Cow<'a, str>>,
    pub domain: Option<Cow<'a, str>>,
    pub visitor_id: Option<Cow<'a, str>>,
    pub session_id: Option<Cow<'a, str>>,
    pub href: Option<Cow<'a, str>>,
    pub referrer: Option<Cow<'a, str>>,
    /// The event type (`type` on the wire).
    pub kind: Option<Cow<'a, str>>,
    pub viewport: Option<SizeDraft>,
    pub ad_click_ids: SentFields<'a>,
    pub extra_data: SentFields<'a>,
    pub visitor_first_seen_at: Option<Cow<'a, str>>,
    /// Loosely typed: clients may send it as a float.
    pub visitor_session_number: Option<f64>,
    pub language: Option<Cow<'a, str>>,
    pub timezone: Option<Cow<'a, str>>,
    pub screen_width: Option<f64>,
    pub screen_height: Option<f64>,
    pub device: Option<DeviceDraft<'a>>,
    pub cookieless: bool,
}

/// `viewport`: the window's inner size, as sent.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SizeDraft {
    pub width: Option<f64>,
    pub height: Option<f64>,
}

/// The SDK's description of the device, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceDraft<'a> {
    pub platform: Option<Cow<'a, str>>,
    pub os_version: Option<Cow<'a, str>>,
    pub model: Option<Cow<'a, str>>,
}

/// `POST /api/v1/goals` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoalDraft<'a> {
    pub visitor_id: Option<Sent<'a>>,
    pub name: Option<Sent<'a>>,
    pub description: Option<Sent<'a>>,
    pub metadata: Option<MetadataDraft<'a>>,
}

/// A goal's `metadata` as sent: an object's fields, or a value of another kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetadataDraft<'a> {
    Object(SentFields<'a>),
    NotAnObject,
}

/// `POST /api/v1/payments` as sent: the email and name under whichever spelling came first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentDraft<'a> {
    pub transaction_id: Option<Sent<'a>>,
    pub amount: Option<Sent<'a>>,
    pub currency: Option<Sent<'a>>,
    pub visitor_id: Option<Sent<'a>>,
    pub email: Option<Sent<'a>>,
    pub name: Option<Sent<'a>>,
    pub customer_id: Option<Sent<'a>>,
    pub renewal: Option<Sent<'a>>,
    pub refunded: Option<Sent<'a>>,
    /// `is_free_trial` on the wire.
    pub free_trial: Option<Sent<'a>>,
    pub timestamp: Option<Sent<'a>>,
}

/// `POST /api/v1/identify` as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentifyDraft<'a> {
    pub visitor_id: Option<Sent<'a>>,
    pub user_id: Option<Sent<'a>>,
    /// Every other field of the body: the profile's properties.
    pub properties: SentFields<'a>,
}

/// A time range of a delete as sent: both ends, and the names they were sent under, which
/// the errors about them use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeDraft<'a> {
    pub start: Option<&'a str>,
    pub end: Option<&'a str>,
    pub names: (&'static str, &'static str),
}

impl Default for RangeDraft<'_> {
    /// No range, under the documented names `startAt` and `endAt`.
    fn default() -> Self {
        Self {
            start: None,
            end: None,
            names: ("startAt", "endAt"),
        }
    }
}

/// The conditions of `DELETE /api/v1/goals` as sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GoalDeleteDraft<'a> {
    pub visitor_id: Option<&'a str>,
    pub name: Option<&'a str>,
    pub range: RangeDraft<'a>,
}

/// The conditions of `DELETE /api/v1/payments` as sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PaymentDeleteDraft<'a> {
    pub transaction_id: Option<&'a str>,
    pub visitor_id: Option<&'a str>,
    pub range: RangeDraft<'a>,
}
