//! Webhook deliveries: each provider's documented signature scheme checked against the
//! signing secret the user set, and the payment the event concerns. The schemes share one
//! primitive, an HMAC-SHA256 compared in constant time, and one bound on a signed time; each
//! provider's module says where its scheme is documented.
//!
//! Every scheme is checked before the body is read: nothing in an unverified body is trusted,
//! not even its event name. A signed time is checked after the signature, so that `Stale` is
//! only ever said of a delivery the provider really sent.

mod lemonsqueezy;
mod paddle;
mod polar;
mod stripe;

use hmac::{Hmac, Mac};
use jiff::Timestamp;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use sha2::Sha256;

use datafast_domain::integration::Provider;
use datafast_domain::payment_reference::PaymentReference;
use datafast_ports::providers::{WebhookDelivery, WebhookNotice, WebhookRefusal};

/// How far a signed time may be from now, either way. Five minutes is Stripe's and the
/// Standard Webhooks libraries' default: room for delivery delay and clock skew, too short
/// for a captured delivery to be replayed much later. A time ahead of now is bounded too,
/// or a delivery dated ahead would outlive the bound.
const TOLERANCE_SECONDS: u64 = 300;

/// Verifies `delivery` for `provider` and reads what it is about.
pub(crate) fn read(
    provider: Provider,
    secret: &str,
    delivery: &WebhookDelivery,
    now: Timestamp,
) -> Result<WebhookNotice, WebhookRefusal> {
    match provider {
        Provider::Stripe => stripe::read(secret, delivery, now),
        Provider::LemonSqueezy => lemonsqueezy::read(secret, delivery),
        Provider::Polar => polar::read(secret, delivery, now),
        Provider::Paddle => paddle::read(secret, delivery, now),
        // Neither signs with a secret set here: they connect through their own install flows.
        Provider::Shopify | Provider::WooCommerce => {
            Err(WebhookRefusal::Unsupported(provider.title()))
        }
    }
}

/// The header `name` (lower case), which the scheme cannot do without.
fn required<'a>(
    delivery: &'a WebhookDelivery,
    name: &'static str,
) -> Result<&'a str, WebhookRefusal> {
    delivery.header(name).ok_or(WebhookRefusal::Unsigned(name))
}

/// Whether one of `signatures` is the HMAC-SHA256 under `key` of `message`, given in parts
/// that are signed one after another. Each comparison takes the same time however much of a
/// signature matches (`verify_slice`), and a signature of the wrong length matches nothing.
fn signed_by(key: &[u8], message: &[&[u8]], signatures: &[Vec<u8>]) -> bool {
    // An empty key is one everybody holds: a secret never set verifies nothing.
    if key.is_empty() {
        return false;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return false;
    };
    for part in message {
        mac.update(part);
    }
    signatures
        .iter()
        .any(|signature| mac.clone().verify_slice(signature).is_ok())
}

/// A signature header of a signed time and hex signatures, as Stripe writes it
/// (`t=<unix>,v1=<hex>`, signing `"{t}.{body}"`) and Paddle does (`ts=<unix>;h1=<hex>`,
/// signing `"{ts}:{body}"`): several signatures while a secret is rolled, one time.
struct TimedScheme {
    header: &'static str,
    separator: char,
    time_key: &'static str,
    signature_key: &'static str,
    /// What goes between the time and the body in the signed content.
    joiner: &'static [u8],
}

impl TimedScheme {
    /// Checks the delivery's signature under `secret`, then its time.
    fn verify(
        &self,
        secret: &str,
        delivery: &WebhookDelivery,
        now: Timestamp,
    ) -> Result<(), WebhookRefusal> {
        let (time, signatures) = self.parse(required(delivery, self.header)?)?;
        let message = [time.as_bytes(), self.joiner, &delivery.body];
        if !signed_by(secret.as_bytes(), &message, &signatures) {
            return Err(WebhookRefusal::Forged);
        }
        fresh(unix_seconds(time)?, now)
    }

    /// The header's signed time as written, and its signatures.
    fn parse<'h>(&self, header: &'h str) -> Result<(&'h str, Vec<Vec<u8>>), WebhookRefusal> {
        let mut time = None;
        let mut signatures = Vec::new();
        for item in header.split(self.separator) {
            match item.trim().split_once('=') {
                // Two times: which one was signed is anyone's guess.
                Some((key, _)) if key == self.time_key && time.is_some() => {
                    return Err(WebhookRefusal::Forged);
                }
                Some((key, value)) if key == self.time_key => time = Some(value),
                Some((key, value)) if key == self.signature_key => {
                    signatures.extend(hex_signature(value));
                }
                _ => {}
            }
        }
        Ok((time.ok_or(WebhookRefusal::Forged)?, signatures))
    }
}

/// A hex signature's bytes; one that is not hex is left out, and so matches nothing.
fn hex_signature(text: &str) -> Option<Vec<u8>> {
    hex::decode(text.trim()).ok()
}

/// A signed time in unix seconds: ASCII digits only, as every provider writes it. Anything
/// else is a header no provider sent.
fn unix_seconds(text: &str) -> Result<i64, WebhookRefusal> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookRefusal::Forged);
    }
    text.parse().map_err(|_| WebhookRefusal::Forged)
}

/// Refuses a signed time more than [`TOLERANCE_SECONDS`] from `now`, before or after it.
fn fresh(signed_at: i64, now: Timestamp) -> Result<(), WebhookRefusal> {
    if now.as_second().abs_diff(signed_at) > TOLERANCE_SECONDS {
        Err(WebhookRefusal::Stale)
    } else {
        Ok(())
    }
}

/// The verified body read as `T`, one of `provider`'s event shapes.
fn parse<T: DeserializeOwned>(body: &[u8], provider: &'static str) -> Result<T, WebhookRefusal> {
    serde_json::from_slice(body).map_err(|_| WebhookRefusal::Malformed(provider))
}

/// Any object read only for its `id`.
#[derive(Deserialize)]
struct Identified {
    id: String,
}

/// A notice to look up the payment `reference` names.
fn payment(reference: PaymentReference) -> WebhookNotice {
    WebhookNotice::Payment(reference)
}

/// An event that concerns no payment, acknowledged by its name.
fn ignored(event: String) -> WebhookNotice {
    WebhookNotice::Ignored { event }
}
