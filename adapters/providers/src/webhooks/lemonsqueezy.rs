//! Lemon Squeezy's webhook scheme and the order and subscription-invoice events read from it.
//!
//! `X-Signature: <hex>` is the HMAC-SHA256 hex digest of the raw body keyed by the signing
//! secret the user chose; there is no signed time, so a delivery cannot be bounded in age.
//! The body is a JSON:API document: `meta.event_name`, and the resource in `data` (`type`,
//! `id`). Sources: <https://docs.lemonsqueezy.com/help/webhooks/signing-requests> and
//! <https://docs.lemonsqueezy.com/api/webhooks> (headers `X-Event-Name`, `X-Signature`;
//! example payload).

use serde::Deserialize;

use datafast_domain::payment_reference::PaymentReference;
use datafast_ports::providers::{WebhookDelivery, WebhookNotice, WebhookRefusal};

use super::{hex_signature, ignored, parse, payment, required, signed_by};

const HEADER: &str = "x-signature";
const TITLE: &str = "Lemon Squeezy";

pub(super) fn read(
    secret: &str,
    delivery: &WebhookDelivery,
) -> Result<WebhookNotice, WebhookRefusal> {
    let signatures = Vec::from_iter(hex_signature(required(delivery, HEADER)?));
    if !signed_by(secret.as_bytes(), &[&delivery.body], &signatures) {
        return Err(WebhookRefusal::Forged);
    }
    notice(&delivery.body)
}

/// What every event has: its name. The `X-Event-Name` header says the same but is not
/// covered by the signature, so only the body's is read.
#[derive(Deserialize)]
struct Head {
    meta: Meta,
}

#[derive(Deserialize)]
struct Meta {
    event_name: String,
}

/// An event read for its resource.
#[derive(Deserialize)]
struct Event {
    data: Resource,
}

#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

fn notice(body: &[u8]) -> Result<WebhookNotice, WebhookRefusal> {
    let head: Head = parse(body, TITLE)?;
    let reference = match head.meta.event_name.as_str() {
        "order_created" | "order_refunded" => {
            PaymentReference::LemonSqueezyOrder(resource(body, "orders")?)
        }
        "subscription_payment_success"
        | "subscription_payment_refunded"
        | "subscription_payment_recovered" => PaymentReference::LemonSqueezySubscriptionInvoice(
            resource(body, "subscription-invoices")?,
        ),
        _ => return Ok(ignored(head.meta.event_name)),
    };
    Ok(payment(reference))
}

/// The id of the event's resource, which must be of `kind`: an id of another resource type
/// would be looked up as the wrong thing.
fn resource(body: &[u8], kind: &str) -> Result<String, WebhookRefusal> {
    let resource = parse::<Event>(body, TITLE)?.data;
    if resource.kind == kind {
        Ok(resource.id)
    } else {
        Err(WebhookRefusal::Malformed(TITLE))
    }
}
