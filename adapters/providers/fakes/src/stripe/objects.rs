//! Stripe's objects as its API reference shows them at version `2024-12-18.acacia`: a held
//! payment as a charge (with its invoice and balance transaction, expanded when asked), its
//! refund, and the Checkout Session that carries the checkout's metadata.

use serde_json::{Map, Value, json};

use crate::server::FakePayment;

/// Marks a query as Stripe's.
#[derive(Debug)]
pub(crate) enum Stripe {}

/// A list request's query: paging, `created[…]`, filters and `expand[]`, which repeats.
pub(crate) type Query = crate::list::Query<Stripe>;

impl Query {
    fn number(&self, name: &str) -> Option<i64> {
        self.get(name)?.parse().ok()
    }

    /// Stripe's `limit`: 10 by default, 1 to 100.
    pub(crate) fn limit(&self) -> usize {
        self.number("limit").map_or(10, |limit| limit.clamp(1, 100)) as usize
    }

    pub(crate) fn payment_intent(&self) -> Option<&str> {
        self.get("payment_intent")
    }

    pub(crate) fn starting_after(&self) -> Option<&str> {
        self.get("starting_after")
    }

    /// `created[gte]`, `created[gt]`, `created[lte]` and `created[lt]`, as Stripe filters.
    pub(crate) fn created_in(&self, created: i64) -> bool {
        self.number("created[gte]").is_none_or(|at| created >= at)
            && self.number("created[gt]").is_none_or(|at| created > at)
            && self.number("created[lte]").is_none_or(|at| created <= at)
            && self.number("created[lt]").is_none_or(|at| created < at)
    }

    /// Whether `path` is expanded, itself or as the parent of an expanded field.
    fn expands(&self, path: &str) -> bool {
        self.all("expand[]").iter().any(|value| {
            value
                .strip_prefix(path)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
        })
    }

    /// The Checkout Session list's `payment_intent` and `subscription` filters.
    pub(crate) fn matches_session(&self, payment: &FakePayment) -> bool {
        let intent = self.get("payment_intent");
        let subscription = self.get("subscription");
        let for_intent = payment
            .subscription_id
            .is_none()
            .then_some(payment.id.as_str());
        intent.is_none_or(|id| for_intent == Some(id))
            && subscription.is_none_or(|id| payment.subscription_id.as_deref() == Some(id))
    }
}

/// The part of a payment's id after its `pi_`, shared by the objects made from it.
pub(crate) fn stem(payment: &FakePayment) -> &str {
    payment.id.strip_prefix("pi_").unwrap_or(&payment.id)
}

pub(crate) fn charge_id(payment: &FakePayment) -> String {
    format!("ch_{}", stem(payment))
}

pub(crate) fn refund_id(payment: &FakePayment) -> String {
    format!("re_{}", stem(payment))
}

pub(crate) fn session_id(payment: &FakePayment) -> String {
    format!("cs_live_{}", stem(payment))
}

fn invoice_id(payment: &FakePayment) -> String {
    format!("in_{}", stem(payment))
}

fn metadata(payment: &FakePayment) -> Value {
    let map: Map<String, Value> = payment
        .metadata
        .iter()
        .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
        .collect();
    Value::Object(map)
}

/// The charge's invoice, for a subscription's payments: its first (`subscription_create`) or
/// a later one (`subscription_cycle`). The subscription's own metadata is not the checkout's.
fn invoice(payment: &FakePayment) -> Value {
    let reason = if payment.renewal {
        "subscription_cycle"
    } else {
        "subscription_create"
    };
    json!({
        "id": invoice_id(payment),
        "object": "invoice",
        "amount_paid": payment.amount_minor,
        "billing_reason": reason,
        "currency": payment.currency.to_lowercase(),
        "customer": payment.customer_id,
        "customer_email": payment.email,
        "customer_name": payment.name,
        "status": "paid",
        "subscription": payment.subscription_id,
        "subscription_details": {"metadata": {}},
        "created": payment.created,
    })
}

fn balance_transaction(payment: &FakePayment) -> Value {
    json!({
        "id": format!("txn_{}", stem(payment)),
        "object": "balance_transaction",
        "amount": payment.amount_minor,
        "currency": payment.currency.to_lowercase(),
        "fee": 0,
        "net": payment.amount_minor,
        "status": "available",
        "type": "charge",
        "created": payment.created,
    })
}

/// The charge of a payment; `prefix` is where the charge sits in the answer (`data.` in a
/// charge list, `data.charge.` in a refund list), for `expand[]`.
pub(crate) fn charge(payment: &FakePayment, query: &Query, prefix: &str) -> Value {
    let invoice = match &payment.subscription_id {
        Some(_) if query.expands(&format!("{prefix}invoice")) => invoice(payment),
        Some(_) => Value::from(invoice_id(payment)),
        None => Value::Null,
    };
    let balance = if query.expands(&format!("{prefix}balance_transaction")) {
        balance_transaction(payment)
    } else {
        Value::from(format!("txn_{}", stem(payment)))
    };
    json!({
        "id": charge_id(payment),
        "object": "charge",
        "amount": payment.amount_minor,
        "amount_captured": payment.amount_minor,
        "amount_refunded": payment.refunded_minor,
        "balance_transaction": balance,
        "billing_details": {
            "address": null, "email": payment.email, "name": payment.name, "phone": null
        },
        "captured": true,
        "created": payment.created,
        "currency": payment.currency.to_lowercase(),
        "customer": payment.customer_id,
        "description": null,
        "invoice": invoice,
        "livemode": true,
        "metadata": {},
        "paid": true,
        "payment_intent": payment.id,
        "receipt_email": payment.email,
        "refunded": payment.refunded_minor >= payment.amount_minor && payment.refunded_minor > 0,
        "status": "succeeded",
    })
}

pub(crate) fn refund(payment: &FakePayment, query: &Query) -> Value {
    let charge = if query.expands("data.charge") {
        self::charge(payment, query, "data.charge.")
    } else {
        Value::from(charge_id(payment))
    };
    json!({
        "id": refund_id(payment),
        "object": "refund",
        "amount": payment.refunded_minor,
        "charge": charge,
        "created": payment.refunded_at,
        "currency": payment.currency.to_lowercase(),
        "metadata": {},
        "payment_intent": payment.id,
        "reason": "requested_by_customer",
        "status": "succeeded",
    })
}

/// A complete Checkout Session: where DataFast's `metadata` lives.
pub(crate) fn checkout_session(payment: &FakePayment) -> Value {
    let mode = if payment.subscription_id.is_some() {
        "subscription"
    } else {
        "payment"
    };
    json!({
        "id": session_id(payment),
        "object": "checkout.session",
        "amount_total": payment.amount_minor,
        "created": payment.created,
        "currency": payment.currency.to_lowercase(),
        "customer": payment.customer_id,
        "customer_details": {"email": payment.email, "name": payment.name},
        "livemode": true,
        "metadata": metadata(payment),
        "mode": mode,
        "payment_intent": payment.subscription_id.is_none().then_some(payment.id.as_str()),
        "payment_status": "paid",
        "status": "complete",
        "subscription": payment.subscription_id,
    })
}
