//! The checked `POST /api/events` event (`IncomingEvent` and its typed parts) and `validate`,
//! which checks, bounds and normalises an `EventDraft` into one. The rules of each event
//! type's `extraData` are in `extra.rs`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use url::Url;

use crate::ValidationError;
use crate::event::EventKind;
use crate::goal::GoalName;
use crate::ingest::draft::{DeviceDraft, EventDraft, SentFields};
use crate::ingest::extra::event_data;
use crate::ingest::sanitize::sanitize_value;
use crate::website::{Currency, TrackingId};

/// Longest accepted page or referrer URL.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest host name, as DNS allows: a longer host is no real site's, so a page URL with one
/// is refused and a referrer with one counts as none.
pub const MAX_HOST_CHARS: usize = 253;
/// Longest stored page path. DataFast documents none; real paths are far shorter, and each
/// distinct path is held in the analytics index, so a longer one is cut rather than refused:
/// the event of a real tracker on an odd page is kept, with the start of its path. 500 is
/// also the longest value an analytics filter takes, so any stored path can be filtered on.
pub const MAX_PATH_CHARS: usize = 500;
/// Longest stored link of an `external_link` event: like a path, cut rather than refused.
pub const MAX_LINK_CHARS: usize = 500;
/// Most entries kept from `adClickIds`, and from identify's extra properties.
const MAX_MAP_ENTRIES: usize = 20;
/// Ad click ids the script looks for in page URLs.
pub const AD_CLICK_IDS: [&str; 9] = [
    "gclid",
    "gclsrc",
    "wbraid",
    "gbraid",
    "li_fat_id",
    "fbclid",
    "msclkid",
    "ttclid",
    "twclid",
];

/// Why an event is refused with 400.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

pub(crate) fn invalid(field: &str, message: &str) -> IngestError {
    IngestError::Invalid(ValidationError::new(field, message))
}

/// A visitor id: a UUID v4, stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VisitorId(String);

impl VisitorId {
    /// Accepts exactly the SDK's shape: 36 characters, version nibble `4`, variant `8`–`b`.
    pub fn parse(input: &str) -> Option<Self> {
        is_uuid_v4(input).then(|| Self(input.to_ascii_lowercase()))
    }

    /// Parses a visitor id a client sent under `field`: every route and body that takes one
    /// reports a malformed id with this one message.
    pub fn parse_at(input: &str, field: &str) -> Result<Self, ValidationError> {
        Self::parse(input).ok_or_else(|| ValidationError::new(field, "must be a UUID v4"))
    }

    /// Wraps a server-derived id that is already UUID-shaped (cookieless visitors).
    pub(crate) fn from_trusted(text: String) -> Self {
        Self(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for VisitorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A session id: `s` followed by a UUID v4, stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(String);

impl SessionId {
    pub fn parse(input: &str) -> Option<Self> {
        let uuid = input.strip_prefix('s')?;
        if !is_uuid_v4(uuid) {
            return None;
        }
        // `s` is already lowercase: the whole input can be lowercased in one copy.
        Some(Self(input.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn is_uuid_v4(input: &str) -> bool {
    let bytes = input.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
        && bytes[14] == b'4'
        && matches!(bytes[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

/// The page an event happened on, split for the rules and the storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageUrl {
    /// The full URL, normalised by the URL parser.
    pub href: String,
    /// Lowercase host, without a port; at most [`MAX_HOST_CHARS`].
    pub host: String,
    /// Cut to [`MAX_PATH_CHARS`] (see [`cut_url_text`]).
    pub path: String,
    /// The query string without `?`, when there is one.
    pub query: Option<String>,
}

impl PageUrl {
    /// Parses an absolute `http` or `https` URL with a host of at most [`MAX_HOST_CHARS`].
    pub fn parse(field: &str, input: &str) -> Result<Self, IngestError> {
        // A character is at least a byte: only a long input needs counting.
        if input.len() > MAX_URL_CHARS && input.chars().count() > MAX_URL_CHARS {
            return Err(invalid(field, "must be at most 2048 characters"));
        }
        let url = Url::parse(input.trim())
            .map_err(|_| invalid(field, "must be an absolute http(s) URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(field, "must be an absolute http(s) URL"));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| invalid(field, "must have a host"))?
            .to_ascii_lowercase();
        if host.len() > MAX_HOST_CHARS {
            return Err(invalid(field, "must have a host of at most 253 characters"));
        }
        let path = cut_url_text(url.path(), MAX_PATH_CHARS).to_owned();
        let query = url.query().map(str::to_owned);
        Ok(Self {
            // The parser's own buffer is the normalised URL: taken, not copied.
            href: url.into(),
            host,
            path,
            query,
        })
    }
}

/// The longest prefix of `text` of at most `max` characters that does not end inside a
/// percent escape (`%C3%A9` is kept whole or dropped whole).
pub fn cut_url_text(text: &str, max: usize) -> &str {
    let Some((end, _)) = text.char_indices().nth(max) else {
        return text;
    };
    let cut = &text[..end];
    // A parsed URL's path and query are ASCII, escapes included: look at the last two bytes.
    let tail = cut.as_bytes();
    let dangling = match tail {
        [.., b'%'] => 1,
        [.., b'%', hex] if hex.is_ascii_hexdigit() => 2,
        _ => 0,
    };
    &cut[..cut.len() - dangling]
}

/// A width and height in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub width: u32,
    pub height: u32,
}

/// The SDK's description of the device, bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub platform: String,
    pub os_version: Option<String>,
    pub model: Option<String>,
}

/// What the payment event identifies; at least one of `email` and the provider ids is set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PaymentData {
    pub email: Option<String>,
    pub amount: Option<f64>,
    pub currency: Option<Currency>,
    pub stripe_session_id: Option<String>,
    pub lemonsqueezy_order_id: Option<String>,
    pub polar_checkout_id: Option<String>,
    pub paddle_transaction_id: Option<String>,
}

impl PaymentData {
    /// The provider checkouts and orders the event names, to be looked up with the website's
    /// connections.
    pub fn references(&self) -> Vec<crate::payment_reference::PaymentReference> {
        use crate::payment_reference::PaymentReference as Reference;
        let named = [
            (
                &self.stripe_session_id,
                Reference::StripeCheckoutSession as fn(String) -> Reference,
            ),
            (&self.lemonsqueezy_order_id, Reference::LemonSqueezyOrder),
            (&self.polar_checkout_id, Reference::PolarCheckout),
            (&self.paddle_transaction_id, Reference::PaddleTransaction),
        ];
        named
            .into_iter()
            .filter_map(|(id, reference)| id.clone().map(reference))
            .collect()
    }
}

/// The event type and its checked `extraData`.
#[derive(Debug, Clone, PartialEq)]
pub enum EventData {
    Pageview,
    Custom {
        name: GoalName,
        /// Lowercase keys `[a-z0-9_-]`, sanitised values; at most 10.
        params: BTreeMap<String, String>,
    },
    Identify {
        user_id: String,
        name: Option<String>,
        image: Option<String>,
        /// Other properties, sanitised like custom parameters.
        properties: BTreeMap<String, String>,
    },
    Payment(PaymentData),
    ExternalLink {
        url: String,
        text: Option<String>,
    },
}

impl EventData {
    pub fn kind(&self) -> EventKind {
        match self {
            EventData::Pageview => EventKind::Pageview,
            EventData::Custom { .. } => EventKind::Custom,
            EventData::Identify { .. } => EventKind::Identify,
            EventData::Payment(_) => EventKind::Payment,
            EventData::ExternalLink { .. } => EventKind::ExternalLink,
        }
    }
}

/// A checked event, ready for enrichment. Nothing in it is trusted beyond its shape: the
/// website still has to be found and its rules applied.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingEvent {
    pub tracking_id: TrackingId,
    /// The `domain` the client claims, lowercase (an app identifier on React Native).
    pub domain: String,
    /// `None` in cookieless mode, where the client's id is thrown away and the server derives
    /// one.
    pub visitor_id: Option<VisitorId>,
    pub session_id: SessionId,
    pub page: PageUrl,
    /// The referrer when it is an absolute http(s) URL; anything else counts as none.
    pub referrer: Option<PageUrl>,
    pub data: EventData,
    pub viewport: Option<Size>,
    pub screen: Option<Size>,
    pub ad_click_ids: BTreeMap<String, String>,
    pub visitor_first_seen_at: Option<Timestamp>,
    pub visitor_session_number: Option<u32>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub device: Option<Device>,
    pub cookieless: bool,
}

/// Checks and normalises a payload.
///
/// # Errors
///
/// `IngestError::Invalid` naming the first field that is missing or malformed: the tracking
/// id, type, href, visitor and session ids, and each type's `extraData`. Optional
/// descriptive fields (language, time zone, sizes, first-seen time) that are malformed are
/// dropped rather than refused, since old clients send them in varied shapes.
pub fn validate(draft: EventDraft<'_>) -> Result<IncomingEvent, IngestError> {
    let tracking_id = draft
        .website_id
        .as_deref()
        .and_then(TrackingId::parse)
        .ok_or_else(|| invalid("websiteId", "must be a dfid_ tracking id"))?;
    let domain = claimed_domain(draft.domain.as_deref())?;
    let kind = event_kind(draft.kind.as_deref())?;
    let page = PageUrl::parse("href", draft.href.as_deref().unwrap_or_default())?;
    let cookieless = draft.cookieless;
    let visitor_id = if cookieless {
        None
    } else {
        // An absent id gets the same answer as a malformed one.
        let sent = draft.visitor_id.as_deref().unwrap_or_default();
        Some(VisitorId::parse_at(sent, "visitorId")?)
    };
    let session_id = draft
        .session_id
        .as_deref()
        .and_then(SessionId::parse)
        .ok_or_else(|| invalid("sessionId", "must be s followed by a UUID v4"))?;
    let data = event_data(kind, &draft.extra_data)?;
    Ok(IncomingEvent {
        tracking_id,
        domain,
        visitor_id,
        session_id,
        page,
        referrer: referrer(draft.referrer.as_deref()),
        data,
        viewport: draft.viewport.and_then(|v| size(v.width, v.height)),
        screen: size(draft.screen_width, draft.screen_height),
        ad_click_ids: ad_click_ids(draft.ad_click_ids),
        visitor_first_seen_at: draft
            .visitor_first_seen_at
            .as_deref()
            .filter(|_| !cookieless)
            .and_then(|t| t.parse::<Timestamp>().ok()),
        visitor_session_number: session_number(draft.visitor_session_number),
        language: draft.language.as_deref().and_then(|l| short_token(l, 35)),
        timezone: draft.timezone.as_deref().and_then(|t| short_token(t, 64)),
        device: draft.device.and_then(device),
        cookieless,
    })
}

/// The `domain` the client claims: a host name or an app identifier, lowercased.
fn claimed_domain(input: Option<&str>) -> Result<String, IngestError> {
    input
        .map(|d| d.trim().to_ascii_lowercase())
        .filter(|d| {
            !d.is_empty()
                && d.len() <= 253
                && d.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
        })
        .ok_or_else(|| invalid("domain", "must be a host name or app identifier"))
}

fn event_kind(input: Option<&str>) -> Result<EventKind, IngestError> {
    input.and_then(EventKind::parse).ok_or_else(|| {
        invalid(
            "type",
            "must be one of: pageview, custom, identify, payment, external_link",
        )
    })
}

/// The referrer when it is an absolute http(s) URL; anything else counts as none.
fn referrer(input: Option<&str>) -> Option<PageUrl> {
    input
        .filter(|r| !r.trim().is_empty())
        .and_then(|r| PageUrl::parse("referrer", r).ok())
}

fn session_number(input: Option<f64>) -> Option<u32> {
    input
        .filter(|n| n.fract() == 0.0 && (0.0..=1_000_000.0).contains(n))
        .map(|n| n as u32)
}

/// A language tag or time-zone name: kept only when it is short and made of the characters
/// such names use.
fn short_token(input: &str, max: usize) -> Option<String> {
    let text = input.trim();
    (!text.is_empty()
        && text.len() <= max
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'/' | b'+')))
    .then(|| text.to_owned())
}

fn size(width: Option<f64>, height: Option<f64>) -> Option<Size> {
    let dimension = |v: f64| (v.is_finite() && (0.0..=100_000.0).contains(&v)).then_some(v as u32);
    Some(Size {
        width: dimension(width?)?,
        height: dimension(height?)?,
    })
}

fn device(draft: DeviceDraft<'_>) -> Option<Device> {
    let mut platform = draft.platform.as_deref().and_then(|p| short_token(p, 32))?;
    platform.make_ascii_lowercase();
    let bounded = |v: Option<String>, max: usize| {
        v.map(|t| {
            // Printable ASCII within the bound, the usual text, would come out unchanged:
            // keep it rather than rebuild it character by character.
            if t.len() <= max && t.bytes().all(|b| (0x20..0x7f).contains(&b)) {
                return t;
            }
            t.chars()
                .filter(|c| !c.is_control())
                .take(max)
                .collect::<String>()
        })
        .filter(|t| !t.trim().is_empty())
    };
    Some(Device {
        platform,
        // On the web this is the whole user agent, hence the generous bound.
        os_version: bounded(draft.os_version.map(Cow::into_owned), 512),
        model: bounded(draft.model.map(Cow::into_owned), 128),
    })
}

fn ad_click_ids(sent: SentFields<'_>) -> BTreeMap<String, String> {
    sent.into_iter()
        .filter(|(k, _)| AD_CLICK_IDS.contains(&k.as_str()))
        .filter_map(|(k, v)| {
            let text = sanitize_value(&v.text()?);
            (!text.is_empty()).then_some((k, text))
        })
        .take(MAX_MAP_ENTRIES)
        .collect()
}

#[cfg(test)]
mod tests;
