//! Paddle Billing's webhook scheme and the transaction and adjustment events read from it.
//!
//! `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>…]` signs `"{ts}:{body}"` with HMAC-SHA256
//! keyed by the notification destination's secret key (`pdl_ntfset_…`) as bytes; there is at
//! least one `h1`, several while a secret is rotated. Sources:
//! <https://developer.paddle.com/webhooks/signature-verification> and PaddleHQ/paddle-node-sdk
//! `src/notifications/helpers/webhooks-validator.ts`. Paddle's SDKs allow a signed time only
//! five seconds old; the five minutes allowed here, as for the other providers, tolerate clock
//! skew between Paddle and this server and still bound a replay.

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use datafast_domain::payment_reference::PaymentReference;
use datafast_ports::providers::{WebhookDelivery, WebhookNotice, WebhookRefusal};

use super::{Identified, TimedScheme, ignored, parse, payment};

const TITLE: &str = "Paddle";

const SCHEME: TimedScheme = TimedScheme {
    header: "paddle-signature",
    separator: ';',
    time_key: "ts",
    signature_key: "h1",
    joiner: b":",
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
    event_type: String,
}

/// An event whose `data` is read as `T`.
#[derive(Deserialize)]
struct Event<T> {
    data: T,
}

/// An adjustment (a refund, credit or chargeback), read for the transaction it adjusts.
#[derive(Deserialize)]
struct Adjustment {
    transaction_id: String,
}

fn notice(body: &[u8]) -> Result<WebhookNotice, WebhookRefusal> {
    let head: Head = parse(body, TITLE)?;
    let reference = match head.event_type.as_str() {
        "transaction.completed"
        | "transaction.paid"
        | "transaction.updated"
        | "transaction.billed" => PaymentReference::PaddleTransaction(data::<Identified>(body)?.id),
        "adjustment.created" | "adjustment.updated" => {
            PaymentReference::PaddleTransaction(data::<Adjustment>(body)?.transaction_id)
        }
        _ => return Ok(ignored(head.event_type)),
    };
    Ok(payment(reference))
}

/// The event's `data` as `T`.
fn data<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebhookRefusal> {
    Ok(parse::<Event<T>>(body, TITLE)?.data)
}
