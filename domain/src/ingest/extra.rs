//! The rules of each event type's `extraData`: a custom event's name and parameters, an
//! identify's user and properties, a payment's identifiers, amount and currency, an external
//! link's URL and text. Parameter names and bounded identifiers are shared with the Website
//! API's write bodies.

use std::collections::BTreeMap;

use crate::event::EventKind;
use crate::goal::GoalName;
use crate::ingest::draft::{Sent, SentFields};
use crate::ingest::payload::{
    EventData, IngestError, MAX_LINK_CHARS, PageUrl, PaymentData, cut_url_text, invalid,
};
use crate::ingest::sanitize::sanitize_value;
use crate::website::Currency;

/// Most custom parameters on one event, as the script and SDK allow.
pub const MAX_PARAMS: usize = 10;
/// Longest custom parameter name.
pub const MAX_PARAM_KEY: usize = 64;
/// Longest identifier (user id, payment ids, email).
pub const MAX_IDENTIFIER: usize = 255;
/// Payment fields that identify a payment (one is required).
const PAYMENT_IDS: [&str; 5] = [
    "email",
    "stripe_session_id",
    "lemonsqueezy_order_id",
    "polar_checkout_id",
    "paddle_transaction_id",
];

/// The event's type with its checked `extraData`.
pub(crate) fn event_data(
    kind: EventKind,
    extra: &SentFields<'_>,
) -> Result<EventData, IngestError> {
    match kind {
        EventKind::Pageview => Ok(EventData::Pageview),
        EventKind::Custom => custom(extra),
        EventKind::Identify => identify(extra),
        EventKind::Payment => payment(extra),
        EventKind::ExternalLink => external_link(extra),
    }
}

/// A parameter name: lowercased, `[a-z0-9_-]`, 1 to 64 characters.
pub(crate) fn param_key(key: &str) -> Option<String> {
    let key = key.trim().to_ascii_lowercase();
    (!key.is_empty()
        && key.len() <= MAX_PARAM_KEY
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-')))
    .then_some(key)
}

/// Parameters other than the reserved `skip` keys: invalid names are dropped as the script
/// drops them, more than ten is refused.
pub(crate) fn params(
    extra: &SentFields<'_>,
    skip: &[&str],
) -> Result<BTreeMap<String, String>, IngestError> {
    let mut out = BTreeMap::new();
    for (key, value) in extra.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
        let (Some(key), Some(text)) = (param_key(key), value.text()) else {
            continue;
        };
        out.insert(key, sanitize_value(&text));
        if out.len() > MAX_PARAMS {
            return Err(invalid("extraData", "at most 10 parameters"));
        }
    }
    Ok(out)
}

fn identifier(extra: &SentFields<'_>, key: &str) -> Result<Option<String>, IngestError> {
    let Some(text) = extra.get(key).and_then(Sent::text) else {
        return Ok(None);
    };
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_IDENTIFIER || text.chars().any(char::is_control) {
        return Err(invalid(
            &format!("extraData.{key}"),
            "must be at most 255 characters without control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// An optional descriptive text: sanitised, and none when nothing is left.
fn optional_text(extra: &SentFields<'_>, key: &str) -> Option<String> {
    extra
        .get(key)
        .and_then(Sent::text)
        .map(|t| sanitize_value(&t))
        .filter(|t| !t.is_empty())
}

fn custom(extra: &SentFields<'_>) -> Result<EventData, IngestError> {
    let name = extra
        .get("eventName")
        .and_then(Sent::as_str)
        .ok_or_else(|| invalid("extraData.eventName", "is required for custom events"))?;
    let name = GoalName::parse_custom(name)
        .map_err(|e| IngestError::Invalid(e.within("extraData.eventName")))?;
    Ok(EventData::Custom {
        name,
        params: params(extra, &["eventName"])?,
    })
}

fn identify(extra: &SentFields<'_>) -> Result<EventData, IngestError> {
    let user_id = identifier(extra, "user_id")?
        .ok_or_else(|| invalid("extraData.user_id", "is required for identify events"))?;
    Ok(EventData::Identify {
        user_id,
        name: optional_text(extra, "name"),
        image: optional_text(extra, "image"),
        properties: params(extra, &["user_id", "name", "image"])?,
    })
}

fn payment(extra: &SentFields<'_>) -> Result<EventData, IngestError> {
    let mut data = PaymentData {
        email: identifier(extra, "email")?,
        stripe_session_id: identifier(extra, "stripe_session_id")?,
        lemonsqueezy_order_id: identifier(extra, "lemonsqueezy_order_id")?,
        polar_checkout_id: identifier(extra, "polar_checkout_id")?,
        paddle_transaction_id: identifier(extra, "paddle_transaction_id")?,
        ..PaymentData::default()
    };
    if PAYMENT_IDS.iter().all(|k| {
        extra
            .get(*k)
            .and_then(Sent::text)
            .is_none_or(|t| t.trim().is_empty())
    }) {
        return Err(invalid(
            "extraData",
            "a payment needs an email or a provider's payment id",
        ));
    }
    if let Some(email) = &data.email
        && !email_address::EmailAddress::is_valid(email)
    {
        return Err(invalid("extraData.email", "must be an email address"));
    }
    data.amount = amount(extra.get("amount"))?;
    data.currency = match extra.get("currency").and_then(Sent::text) {
        None => None,
        Some(code) => Some(
            Currency::parse(&code)
                .map_err(|e| IngestError::Invalid(e.within("extraData.currency")))?,
        ),
    };
    Ok(EventData::Payment(data))
}

/// A payment event's amount: none when absent or null, else a non-negative number, which
/// may come as text.
fn amount(sent: Option<&Sent<'_>>) -> Result<Option<f64>, IngestError> {
    match sent {
        None | Some(Sent::Null) => Ok(None),
        Some(v) => v
            .text()
            .and_then(|t| t.trim().parse::<f64>().ok())
            .filter(|a| a.is_finite() && *a >= 0.0)
            .map(Some)
            .ok_or_else(|| invalid("extraData.amount", "must be a non-negative number")),
    }
}

fn external_link(extra: &SentFields<'_>) -> Result<EventData, IngestError> {
    let url = extra
        .get("url")
        .and_then(Sent::as_str)
        .ok_or_else(|| invalid("extraData.url", "is required for external_link events"))?;
    let url = PageUrl::parse("extraData.url", url)?.href;
    let url = match cut_url_text(&url, MAX_LINK_CHARS) {
        cut if cut.len() == url.len() => url,
        cut => cut.to_owned(),
    };
    Ok(EventData::ExternalLink {
        url,
        text: optional_text(extra, "text"),
    })
}
