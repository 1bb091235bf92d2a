//! Stripe's webhook scheme and the charge, refund and Checkout Session events read from it.
//!
//! `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…][,v0=<hex>]` signs `"{t}.{body}"` with
//! HMAC-SHA256 keyed by the whole endpoint secret (`whsec_…`) as bytes; any `v1` matching is
//! enough (there are several while a secret is rolled), and `v0` and other schemes are not
//! Stripe's live signatures. Sources: <https://docs.stripe.com/webhooks#verify-manually>, and
//! `WebhookSignature` in stripe/stripe-python `stripe/_webhook.py` and stripe/stripe-node
//! `src/Webhooks.ts` (default tolerance 300 s).

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use datafast_domain::payment_reference::PaymentReference;
use datafast_ports::providers::{WebhookDelivery, WebhookNotice, WebhookRefusal};

use super::{Identified, TimedScheme, ignored, parse, payment};

const TITLE: &str = "Stripe";

const SCHEME: TimedScheme = TimedScheme {
    header: "stripe-signature",
    separator: ',',
    time_key: "t",
    signature_key: "v1",
    joiner: b".",
};

pub(super) fn read(
    secret: &str,
    delivery: &WebhookDelivery,
    now: Timestamp,
) -> Result<WebhookNotice, WebhookRefusal> {
    SCHEME.verify(secret, delivery, now)?;
    notice(&delivery.body)
}

/// What every event has: its type.
#[derive(Deserialize)]
struct Head {
    #[serde(rename = "type")]
    kind: String,
}

/// An event whose `data.object` is read as `T`.
#[derive(Deserialize)]
struct Event<T> {
    data: Data<T>,
}

#[derive(Deserialize)]
struct Data<T> {
    object: T,
}

/// A refund, read for the charge it refunds.
#[derive(Deserialize)]
struct Refund {
    charge: Option<String>,
}

fn notice(body: &[u8]) -> Result<WebhookNotice, WebhookRefusal> {
    let head: Head = parse(body, TITLE)?;
    let reference = match head.kind.as_str() {
        "charge.succeeded" | "charge.refunded" | "charge.updated" | "charge.captured" => {
            PaymentReference::StripeCharge(object::<Identified>(body)?.id)
        }
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            PaymentReference::StripeCheckoutSession(object::<Identified>(body)?.id)
        }
        kind if kind == "charge.refund.updated" || kind.starts_with("refund.") => {
            // Stripe's refund may name no charge (`charge` is nullable): nothing to look up.
            match object::<Refund>(body)?.charge {
                Some(charge) => PaymentReference::StripeCharge(charge),
                None => return Ok(ignored(head.kind)),
            }
        }
        _ => return Ok(ignored(head.kind)),
    };
    Ok(payment(reference))
}

/// The event's `data.object` as `T`.
fn object<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebhookRefusal> {
    Ok(parse::<Event<T>>(body, TITLE)?.data.object)
}
