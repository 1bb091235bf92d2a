//! Paddle's entities as its API reference shows them at `Paddle-Version: 1`: a held payment as
//! a transaction (with its customer and adjustment totals when included), an earlier
//! transaction of the same purchase whose checkout was left unpaid, and its refund as an
//! adjustment.
//!
//! A transaction is created when its checkout opens, a little before it is billed at the
//! payment's time, so that filtering on the one rather than the other shows.

use serde_json::{Value, json};

use super::list::Query;
use crate::server::FakePayment;
use crate::time::rfc3339;

/// How long before the payment its checkout, and so its transaction, was opened.
const CHECKOUT_LEAD: i64 = 120;
/// Trials last this long.
const TRIAL_DAYS: i64 = 14;

/// Paddle's own times carry microseconds.
pub(super) fn time(seconds: i64) -> String {
    rfc3339(seconds, ".000000")
}

/// When the transaction was created: its checkout opened a little before the payment.
pub(crate) fn created_at(payment: &FakePayment) -> i64 {
    payment.created - CHECKOUT_LEAD
}

/// A Paddle-style id from `prefix` and a payment id: 26 lowercase characters after the prefix.
pub(super) fn derived_id(prefix: &str, seed: &str, lead: i64) -> String {
    let tail: String = seed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let tail = format!("{tail:0>14}");
    format!("{prefix}_01{lead:010}{}", &tail[tail.len() - 14..])
}

pub(crate) fn customer_id(payment: &FakePayment) -> String {
    payment
        .customer_id
        .clone()
        .unwrap_or_else(|| derived_id("ctm", &payment.id, 0))
}

/// The transaction of a checkout opened for the payment's purchase and left before paying.
pub(crate) fn unpaid_transaction_id(payment: &FakePayment) -> String {
    derived_id("txn", &payment.id, created_at(payment))
}

/// The ids a test reads a payment back by, as the Paddle fake names its entities.
impl FakePayment {
    /// A transaction of the same purchase whose checkout was opened and left: `ready`, never
    /// billed.
    pub fn paddle_unpaid_transaction_id(&self) -> String {
        unpaid_transaction_id(self)
    }
}

/// The transaction of the payment's abandoned checkout: `ready`, with nothing billed, paid or
/// given back.
pub(crate) fn unpaid_transaction(payment: &FakePayment, query: &Query, payout: &str) -> Value {
    let mut transaction = transaction(payment, query, payout);
    if let Some(fields) = transaction.as_object_mut() {
        fields.remove("adjustments");
        fields.remove("adjustments_totals");
        fields.extend([
            ("id".to_owned(), json!(unpaid_transaction_id(payment))),
            ("status".to_owned(), json!("ready")),
            ("billed_at".to_owned(), Value::Null),
            ("invoice_id".to_owned(), Value::Null),
            ("invoice_number".to_owned(), Value::Null),
            ("updated_at".to_owned(), json!(time(created_at(payment)))),
            ("payments".to_owned(), json!([])),
        ]);
    }
    transaction
}

/// The refund's id, sortable by when it was made as Paddle's ids are.
pub(crate) fn adjustment_id(payment: &FakePayment) -> String {
    derived_id(
        "adj",
        &payment.id,
        payment.refunded_at.unwrap_or(payment.created),
    )
}

fn amounts(amount: i64, currency: &str) -> Value {
    let fee = if amount > 0 { amount * 5 / 100 + 50 } else { 0 };
    json!({
        "subtotal": amount.to_string(), "discount": "0", "tax": "0", "total": amount.to_string(),
        "credit": "0", "credit_to_balance": "0", "balance": "0",
        "grand_total": amount.to_string(), "grand_total_tax": "0",
        "fee": fee.to_string(), "earnings": (amount - fee).to_string(), "currency_code": currency
    })
}

/// The payment as a transaction. Payouts are in `payout_currency`, at a rate of one.
pub(crate) fn transaction(payment: &FakePayment, query: &Query, payout_currency: &str) -> Value {
    let currency = payment.currency.to_uppercase();
    let amount = payment.amount_minor.to_string();
    let created = time(created_at(payment));
    let billed = time(payment.created);
    let subscribed = payment.subscription_id.is_some();
    let custom_data: serde_json::Map<String, Value> = payment
        .metadata
        .iter()
        .map(|(key, value)| (key.clone(), json!(value)))
        .collect();
    let totals = amounts(payment.amount_minor, &currency);
    let mut payout = amounts(payment.amount_minor, payout_currency);
    payout["exchange_rate"] = json!("1.0");
    payout["fee_rate"] = json!("0.05");
    let refunded = payment.refunded_minor;
    let price_id = "pri_01gsz8x8sawmvhz1pv30nge1ke";
    let price = json!({
        "id": price_id, "description": "Standard", "type": "standard",
        "name": "Standard", "product_id": "pro_01gsz4t5hdjse780zja8vvr7jg",
        "billing_cycle": if subscribed { json!({"interval": "month", "frequency": 1}) } else { Value::Null },
        "trial_period": if payment.trial { json!({"interval": "day", "frequency": TRIAL_DAYS}) } else { Value::Null },
        "tax_mode": "account_setting",
        "unit_price": {"amount": amount, "currency_code": currency},
        "unit_price_overrides": [], "custom_data": null,
        "quantity": {"minimum": 1, "maximum": 1}, "status": "active",
        "created_at": "2023-02-23T13:55:22.538367Z", "updated_at": "2024-04-11T13:54:52.254748Z",
        "import_meta": null
    });
    let mut transaction = json!({
        "id": payment.id,
        "status": "completed",
        "customer_id": customer_id(payment),
        "address_id": "add_01hv8gq3318ktkfengj2r75gfx",
        "business_id": null,
        "custom_data": if custom_data.is_empty() { Value::Null } else { Value::Object(custom_data) },
        "origin": if payment.renewal { "subscription_recurring" } else { "web" },
        "collection_mode": "automatic",
        "subscription_id": payment.subscription_id,
        "invoice_id": format!("inv_{}", &payment.id.trim_start_matches("txn_")),
        "invoice_number": format!("325-{:05}", payment.created.rem_euclid(100_000)),
        "billing_details": null,
        "billing_period": if subscribed {
            json!({"starts_at": billed, "ends_at": time(payment.created + 30 * 86_400)})
        } else { Value::Null },
        "currency_code": currency,
        "discount_id": null,
        "created_at": created,
        "updated_at": billed,
        "billed_at": billed,
        "revised_at": null,
        "items": [{"price_id": price_id, "price": price, "quantity": 1, "proration": null}],
        "details": {
            "tax_rates_used": [{"tax_rate": "0", "totals": {
                "subtotal": amount, "discount": "0", "tax": "0", "total": amount}}],
            "totals": totals,
            "adjusted_totals": amounts(payment.amount_minor - refunded, &currency),
            "payout_totals": payout,
            "adjusted_payout_totals": amounts(payment.amount_minor - refunded, payout_currency),
            "line_items": [{
                "id": "txnitm_01hv8x29nsh54c2pgt0hnq0zkx", "price_id": price_id, "quantity": 1,
                "proration": null, "tax_rate": "0",
                "unit_totals": {"subtotal": amount, "discount": "0", "tax": "0", "total": amount},
                "totals": {"subtotal": amount, "discount": "0", "tax": "0", "total": amount},
                "product": {"id": "pro_01gsz4t5hdjse780zja8vvr7jg", "name": "Standard", "type": "standard"}
            }]
        },
        "payments": [{
            "payment_attempt_id": "497f6eca-6276-4993-bfeb-53cbbbba6f08",
            "stored_payment_method_id": "7c5a4dd4-4f3b-4b2f-9d1e-6a2b8e6f0c11",
            "payment_method_id": "paymtd_01hv8x1tpjfnttxddw73xnqx6s",
            "amount": amount, "status": "captured", "error_code": null,
            "method_details": {"type": "card", "card": {
                "type": "visa", "last4": "4242", "expiry_month": 1, "expiry_year": 2030,
                "cardholder_name": payment.name}},
            "created_at": billed, "captured_at": billed
        }],
        "checkout": {"url": format!("https://example.com/pay?_ptxn={}", payment.id)}
    });
    if query.includes("customer") {
        transaction["customer"] = json!({
            "id": customer_id(payment), "name": payment.name, "email": payment.email,
            "marketing_consent": false, "status": "active", "custom_data": null, "locale": "en",
            "created_at": created, "updated_at": created, "import_meta": null
        });
    }
    // Paddle includes adjustments only for transactions that have some.
    if refunded > 0 && query.includes("adjustments_totals") {
        let mut totals = amounts(refunded, &currency);
        totals["breakdown"] =
            json!({"credit": "0", "refund": refunded.to_string(), "chargeback": "0"});
        transaction["adjustments_totals"] = totals;
    }
    if refunded > 0 && query.includes("adjustments") {
        transaction["adjustments"] = json!([adjustment(payment, payout_currency)]);
    }
    transaction
}

/// The payment's refund, as one approved adjustment of everything given back so far.
pub(crate) fn adjustment(payment: &FakePayment, payout_currency: &str) -> Value {
    let currency = payment.currency.to_uppercase();
    let refunded = payment.refunded_minor;
    let kind = if refunded >= payment.amount_minor {
        "full"
    } else {
        "partial"
    };
    let at = time(payment.refunded_at.unwrap_or(payment.created));
    let mut totals = amounts(refunded, &currency);
    totals["retained_fee"] = json!("0");
    json!({
        "id": adjustment_id(payment),
        "action": "refund",
        "type": kind,
        "transaction_id": payment.id,
        "subscription_id": payment.subscription_id,
        "customer_id": customer_id(payment),
        "reason": "Customer requested a refund",
        "credit_applied_to_balance": null,
        "currency_code": currency,
        "status": "approved",
        "items": [{
            "id": "adjitm_01hvfgtw6d6ktaq2rrxbf2jb39", "item_id": "txnitm_01hv8x29nsh54c2pgt0hnq0zkx",
            "type": kind, "amount": refunded.to_string(), "proration": null,
            "totals": {"subtotal": refunded.to_string(), "tax": "0", "total": refunded.to_string()}
        }],
        "totals": totals,
        "payout_totals": amounts(refunded, payout_currency),
        "tax_rates_used": [],
        "created_at": at,
        "updated_at": at
    })
}
