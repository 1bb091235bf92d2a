//! Lemon Squeezy's objects as its API reference shows them: a held payment as an order (a
//! one-off, or a subscription's first payment, whose subscription an order list includes on
//! request) or as a subscription invoice (a renewal's; a subscription's first payment has an
//! `initial` one too, as Lemon Squeezy issues).
//!
//! Ids: an order's is the payment's id (a number); so is a renewal invoice's, while a first
//! payment's `initial` invoice is numbered [`INITIAL_INVOICE_OFFSET`] above its order.

use serde_json::{Value, json};

use super::list::Store;
use crate::server::FakePayment;
use crate::time::rfc3339;

/// How far above its order a subscription's `initial` invoice is numbered.
pub(crate) const INITIAL_INVOICE_OFFSET: i64 = 1_000_000;
const TRIAL_DAYS: i64 = 14;
const API: &str = "https://api.lemonsqueezy.com/v1";

/// The ids a test reads a payment back by, as the Lemon Squeezy fake numbers its records.
impl FakePayment {
    /// The subscription invoice of a subscription's payment: a renewal's own, or the `initial`
    /// one of its first payment; `None` for a one-off payment.
    pub fn lemonsqueezy_invoice_id(&self) -> Option<String> {
        self.subscription_id.as_ref()?;
        let order: i64 = self.id.parse().ok()?;
        let id = if self.renewal {
            order
        } else {
            order + INITIAL_INVOICE_OFFSET
        };
        Some(id.to_string())
    }
}

/// A number where Lemon Squeezy writes one; `null` for what is not one.
pub(super) fn number(text: Option<&str>) -> Value {
    text.and_then(|t| t.parse::<i64>().ok())
        .map_or(Value::Null, |n| json!(n))
}

/// Lemon Squeezy's times carry microseconds.
pub(super) fn time(seconds: i64) -> String {
    rfc3339(seconds, ".000000")
}

fn updated(payment: &FakePayment) -> i64 {
    payment
        .refunded_at
        .unwrap_or(payment.created)
        .max(payment.created)
}

/// `paid`, `partial_refund` or `refunded`.
pub(crate) fn status(payment: &FakePayment) -> &'static str {
    match payment.refunded_minor {
        0 => "paid",
        given if given >= payment.amount_minor => "refunded",
        _ => "partial_refund",
    }
}

fn status_formatted(payment: &FakePayment) -> &'static str {
    match status(payment) {
        "paid" => "Paid",
        "refunded" => "Refunded",
        _ => "Partial refund",
    }
}

/// An amount as a customer reads it, for the `_formatted` fields.
pub(super) fn formatted(amount: i64, currency: &str) -> String {
    let major = format!("{}.{:02}", amount / 100, (amount % 100).abs());
    match currency {
        "USD" => format!("${major}"),
        "EUR" => format!("€{major}"),
        "GBP" => format!("£{major}"),
        other => format!("{major} {other}"),
    }
}

/// A JSON:API resource of `kind` with `attributes`, linked to each of its `related` ones.
pub(super) fn resource(kind: &str, id: &str, related: &[&str], attributes: Value) -> Value {
    let mut relationships = json!({});
    for name in related {
        relationships[*name] = json!({"links": {
            "related": format!("{API}/{kind}/{id}/{name}"),
            "self": format!("{API}/{kind}/{id}/relationships/{name}")
        }});
    }
    json!({
        "type": kind,
        "id": id,
        "attributes": attributes,
        "relationships": relationships,
        "links": {"self": format!("{API}/{kind}/{id}")}
    })
}

/// The attributes an order and a subscription invoice share: who paid, how much of what
/// currency, and what was given back.
fn sale(payment: &FakePayment, store: Store) -> Value {
    let currency = payment.currency.to_uppercase();
    let (amount, refunded) = (payment.amount_minor, payment.refunded_minor);
    let mut sale = json!({
        "store_id": store.id,
        "customer_id": number(payment.customer_id.as_deref()),
        "user_name": payment.name,
        "user_email": payment.email,
        "currency": currency, "currency_rate": "1.00000000",
        "status": status(payment),
        "status_formatted": status_formatted(payment),
        "refunded": status(payment) == "refunded",
        "refunded_at": payment.refunded_at.map(time),
        "subtotal": amount, "discount_total": 0, "tax": 0, "tax_inclusive": false,
        "total": amount, "refunded_amount": refunded,
        "subtotal_usd": amount, "discount_total_usd": 0, "tax_usd": 0, "total_usd": amount,
        "refunded_amount_usd": refunded,
        "created_at": time(payment.created),
        "updated_at": time(updated(payment)),
        "test_mode": store.test_mode
    });
    extend(
        &mut sale,
        json!({
            "subtotal_formatted": formatted(amount, &currency),
            "discount_total_formatted": formatted(0, &currency),
            "tax_formatted": formatted(0, &currency),
            "total_formatted": formatted(amount, &currency),
            "refunded_amount_formatted": formatted(refunded, &currency)
        }),
    );
    sale
}

/// The payment as an order; its subscription is named in `relationships` when `included`.
pub(crate) fn order(payment: &FakePayment, store: Store, included: bool) -> Value {
    let currency = payment.currency.to_uppercase();
    let id = payment.id.as_str();
    let mut attributes = sale(payment, store);
    extend(
        &mut attributes,
        json!({
            "identifier": format!("104e18a2-d755-4d4b-80c4-{:0>12}", id),
            "order_number": number(Some(id)),
            "setup_fee": 0, "setup_fee_usd": 0, "setup_fee_formatted": formatted(0, &currency),
            "tax_name": null, "tax_rate": "0.00",
            "first_order_item": {
                "id": number(Some(id)), "order_id": number(Some(id)), "product_id": 1,
                "variant_id": 1, "price_id": 1, "quantity": 1, "product_name": "Product",
                "variant_name": "Default", "price": payment.amount_minor,
                "created_at": time(payment.created), "updated_at": time(payment.created),
                "test_mode": store.test_mode
            },
            "urls": {"receipt": format!("https://app.lemonsqueezy.com/my-orders/{id}?signature=fake")}
        }),
    );
    let related = [
        "store",
        "customer",
        "order-items",
        "subscriptions",
        "license-keys",
        "discount-redemptions",
    ];
    let mut order = resource("orders", id, &related, attributes);
    if included {
        let subscriptions: Vec<Value> = payment
            .subscription_id
            .iter()
            .map(|s| json!({"type": "subscriptions", "id": s}))
            .collect();
        order["relationships"]["subscriptions"]["data"] = json!(subscriptions);
    }
    order
}

/// Adds the fields of `more` to the object `value`; objects this large outgrow one `json!`.
pub(super) fn extend(value: &mut Value, more: Value) {
    if let (Some(object), Value::Object(more)) = (value.as_object_mut(), more) {
        object.extend(more);
    }
}

/// The subscription a first payment opened, as an order list includes it.
pub(crate) fn subscription(payment: &FakePayment, store: Store) -> Option<Value> {
    let id = payment.subscription_id.as_deref()?;
    let trial_ends = payment
        .trial
        .then(|| time(payment.created + TRIAL_DAYS * 86_400));
    let related = [
        "store",
        "customer",
        "order",
        "order-item",
        "product",
        "variant",
        "subscription-items",
        "subscription-invoices",
    ];
    let attributes = json!({
        "store_id": store.id,
        "customer_id": number(payment.customer_id.as_deref()),
        "order_id": number(Some(&payment.id)),
        "order_item_id": number(Some(&payment.id)),
        "product_id": 1, "variant_id": 1,
        "product_name": "Product", "variant_name": "Default",
        "user_name": payment.name, "user_email": payment.email,
        "status": if payment.trial { "on_trial" } else { "active" },
        "status_formatted": if payment.trial { "On Trial" } else { "Active" },
        "card_brand": "visa", "card_last_four": "4242",
        "pause": null, "cancelled": false,
        "trial_ends_at": trial_ends,
        "billing_anchor": 1,
        "urls": {
            "update_payment_method": format!("https://store.lemonsqueezy.com/subscription/{id}/payment-details"),
            "customer_portal": "https://store.lemonsqueezy.com/billing"
        },
        "renews_at": time(payment.created + 30 * 86_400),
        "ends_at": null,
        "created_at": time(payment.created),
        "updated_at": time(payment.created),
        "test_mode": store.test_mode
    });
    Some(resource("subscriptions", id, &related, attributes))
}

/// The payment as a subscription invoice numbered `id`, for `billing_reason`.
pub(crate) fn invoice(payment: &FakePayment, id: i64, billing_reason: &str, store: Store) -> Value {
    let mut attributes = sale(payment, store);
    extend(
        &mut attributes,
        json!({
            "subscription_id": number(payment.subscription_id.as_deref()),
            "billing_reason": billing_reason,
            "card_brand": "visa", "card_last_four": "4242",
            "urls": {"invoice_url": format!("https://app.lemonsqueezy.com/my-orders/subscription-invoice/{id}?signature=fake")}
        }),
    );
    let related = ["store", "subscription", "customer"];
    resource(
        "subscription-invoices",
        &id.to_string(),
        &related,
        attributes,
    )
}
