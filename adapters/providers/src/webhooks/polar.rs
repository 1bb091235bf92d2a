//! Polar's webhook scheme, Standard Webhooks, and the order, refund and checkout events read
//! from it.
//!
//! `webhook-id`, `webhook-timestamp` (unix seconds) and `webhook-signature: v1,<base64>[
//! v1,<base64>…]` (space-separated) sign `"{id}.{timestamp}.{body}"` with HMAC-SHA256; the
//! timestamp may be five minutes off. Sources: <https://www.standardwebhooks.com>
//! (standard-webhooks/standard-webhooks `libraries/javascript/src/index.ts`) and
//! <https://polar.sh/docs/integrate/webhooks/delivery>.
//!
//! The HMAC key depends on when the endpoint's secret was generated, and the secret alone does
//! not say which, so both are tried, as Polar's own SDK does (polarsource/polar
//! `sdk/generator/python/template/polar/webhooks.py`, `_signing_keys`):
//! - secrets generated before 2026-09-08 sign with the secret's own UTF-8 bytes, `whsec_`
//!   included. The older SDKs reach that by base64-encoding the secret for a Standard
//!   Webhooks library that decodes it again (polarsource/polar-js `src/webhooks.ts`,
//!   polarsource/polar-python `src/polar_sdk/_webhooks/__init__.py`);
//! - later ones follow the Standard Webhooks spec: the key is the base64 after `whsec_`
//!   (polarsource/polar `server/polar/webhook/tasks.py` `sign_webhook`, `constants.py`
//!   `WEBHOOK_STANDARD_SIGNATURE_CUTOFF`; pull requests #14102 and #14117).
//!
//! Accepting either key weakens nothing: both are derived from the one secret.

use base64::Engine;
use base64::alphabet;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use datafast_domain::payment_reference::PaymentReference;
use datafast_ports::providers::{WebhookDelivery, WebhookNotice, WebhookRefusal};

use super::{Identified, fresh, ignored, parse, payment, required, signed_by, unix_seconds};

const ID: &str = "webhook-id";
const TIMESTAMP: &str = "webhook-timestamp";
const SIGNATURE: &str = "webhook-signature";
const TITLE: &str = "Polar";

/// The prefix Standard Webhooks puts before a secret's base64 key.
const SECRET_PREFIX: &str = "whsec_";

/// Base64 read with or without its padding, as Polar's SDK reads a secret's key.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

pub(super) fn read(
    secret: &str,
    delivery: &WebhookDelivery,
    now: Timestamp,
) -> Result<WebhookNotice, WebhookRefusal> {
    let id = required(delivery, ID)?;
    let timestamp = required(delivery, TIMESTAMP)?;
    let signatures = signatures(required(delivery, SIGNATURE)?);
    let message = [
        id.as_bytes(),
        b".",
        timestamp.as_bytes(),
        b".",
        &delivery.body,
    ];
    if !keys(secret)
        .iter()
        .any(|key| signed_by(key, &message, &signatures))
    {
        return Err(WebhookRefusal::Forged);
    }
    fresh(unix_seconds(timestamp)?, now)?;
    notice(&delivery.body)
}

/// The `v1` signatures of the header; other versions, and signatures that are not base64,
/// match nothing.
fn signatures(header: &str) -> Vec<Vec<u8>> {
    header
        .split_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .filter_map(|signature| STANDARD.decode(signature).ok())
        .collect()
}

/// The keys the secret may sign with: its UTF-8 bytes, then the key its base64 encodes.
fn keys(secret: &str) -> Vec<Vec<u8>> {
    let mut keys = vec![secret.as_bytes().to_vec()];
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    if let Ok(key) = KEY_BASE64.decode(encoded)
        && !key.is_empty()
        && key != secret.as_bytes()
    {
        keys.push(key);
    }
    keys
}

/// What every event has: its type.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
}

/// An event whose `data` is read as `T`.
#[derive(Deserialize)]
struct Event<T> {
    data: T,
}

/// A refund, read for the order it refunds.
#[derive(Deserialize)]
struct Refund {
    order_id: String,
}

/// A checkout, read for whether it was paid.
#[derive(Deserialize)]
struct Checkout {
    id: String,
    status: String,
}

fn notice(body: &[u8]) -> Result<WebhookNotice, WebhookRefusal> {
    let head: Head = parse(body, TITLE)?;
    let reference = match head.kind.as_str() {
        "order.created" | "order.paid" | "order.updated" | "order.refunded" => {
            PaymentReference::PolarOrder(data::<Identified>(body)?.id)
        }
        "refund.created" | "refund.updated" => {
            PaymentReference::PolarOrder(data::<Refund>(body)?.order_id)
        }
        "checkout.updated" => match data::<Checkout>(body)? {
            // Only a paid checkout has a payment; its other updates are the buyer typing.
            Checkout { id, status } if status == "succeeded" => PaymentReference::PolarCheckout(id),
            _ => return Ok(ignored(head.kind)),
        },
        _ => return Ok(ignored(head.kind)),
    };
    Ok(payment(reference))
}

/// The event's `data` as `T`.
fn data<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebhookRefusal> {
    Ok(parse::<Event<T>>(body, TITLE)?.data)
}
