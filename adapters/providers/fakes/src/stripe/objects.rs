//! Stripe's objects as its API reference shows them at version `2024-12-18.acacia`: a held
//! payment as a charge (with its invoice and balance transaction, expanded when asked), its
//! refund, the Checkout Session that carries the checkout's metadata, and an earlier session
//! of the same purchase whose payment was declined and which was then left unpaid; a held
//! subscription as a subscription with its items, prices and (expanded when asked) customer.
//! A held subscription that still runs (trialing, active or past due) and has an end is one
//! canceled at the end of its period: `cancel_at_period_end` with `cancel_at` at that end, and
//! no `ended_at` yet.

use serde_json::{Map, Value, json};

use datafast_domain::provider_subscription::SubscriptionStatus;

use crate::server::FakePayment;
use crate::subscription::FakeSubscription;

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

    /// The subscription list's `status` filter: every status but `canceled` when absent, `all`,
    /// `ended` (`canceled` or `incomplete_expired`), or one status.
    pub(crate) fn lists_status(&self, status: &str) -> bool {
        match self.get("status") {
            None => status != "canceled",
            Some("all") => true,
            Some("ended") => matches!(status, "canceled" | "incomplete_expired"),
            Some(wanted) => wanted == status,
        }
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

/// The session of the same purchase the buyer opened first and left unpaid.
pub(crate) fn unpaid_session_id(payment: &FakePayment) -> String {
    format!("cs_live_open_{}", stem(payment))
}

/// The payment intent of that session's declined attempt; it has no succeeded charge.
fn declined_intent_id(payment: &FakePayment) -> String {
    format!("pi_{}Declined", stem(payment))
}

pub(crate) fn invoice_id(payment: &FakePayment) -> String {
    format!("in_{}", stem(payment))
}

/// The ids a test reads a payment back by, as the Stripe fake names its objects.
impl FakePayment {
    /// The Checkout Session that made this payment (a one-off, or a subscription's first
    /// payment; a renewal has none): complete, `payment_status: paid`.
    pub fn stripe_session_id(&self) -> String {
        session_id(self)
    }

    /// A Checkout Session the buyer opened for the same purchase, whose card was declined
    /// there, and which the buyer then left: `status: open`, `payment_status: unpaid`, with the
    /// payment intent of the declined attempt.
    pub fn stripe_unpaid_session_id(&self) -> String {
        unpaid_session_id(self)
    }

    /// The payment's charge.
    pub fn stripe_charge_id(&self) -> String {
        charge_id(self)
    }
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
/// a later one (`subscription_cycle`), paid by the payment's charge. The subscription's own
/// metadata is not the checkout's.
pub(crate) fn invoice(payment: &FakePayment) -> Value {
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
        "charge": charge_id(payment),
        "currency": payment.currency.to_lowercase(),
        "customer": payment.customer_id,
        "customer_email": payment.email,
        "customer_name": payment.name,
        "payment_intent": payment.id,
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

/// A complete Checkout Session: where DataFast's `metadata` lives. A one-off payment's names
/// its payment intent; a subscription's, its subscription and that subscription's first
/// invoice.
pub(crate) fn checkout_session(payment: &FakePayment) -> Value {
    let subscribed = payment.subscription_id.is_some();
    let mut session = session(payment);
    extend(
        &mut session,
        json!({
            "id": session_id(payment),
            "customer": payment.customer_id,
            "customer_details": {"email": payment.email, "name": payment.name},
            "invoice": subscribed.then(|| invoice_id(payment)),
            "payment_intent": (!subscribed).then_some(payment.id.as_str()),
            "payment_status": "paid",
            "status": "complete",
            "subscription": payment.subscription_id,
        }),
    );
    session
}

/// An open Checkout Session for the payment's purchase where the buyer's card was declined:
/// still open and unpaid, keeping (in payment mode) the payment intent Stripe made when the
/// buyer confirmed, with no customer and no invoice.
pub(crate) fn unpaid_session(payment: &FakePayment) -> Value {
    let mut session = session(payment);
    extend(
        &mut session,
        json!({
            "id": unpaid_session_id(payment),
            "customer": null,
            "customer_details": null,
            "invoice": null,
            "payment_intent": payment.subscription_id.is_none().then(|| declined_intent_id(payment)),
            "payment_status": "unpaid",
            "status": "open",
            "subscription": null,
        }),
    );
    session
}

/// What a payment's sessions share: the purchase and the checkout's metadata.
fn session(payment: &FakePayment) -> Value {
    let mode = if payment.subscription_id.is_some() {
        "subscription"
    } else {
        "payment"
    };
    json!({
        "object": "checkout.session",
        "amount_total": payment.amount_minor,
        "created": payment.created,
        "currency": payment.currency.to_lowercase(),
        "livemode": true,
        "metadata": metadata(payment),
        "mode": mode,
    })
}

/// Adds the fields of `more` to the object `value`.
fn extend(value: &mut Value, more: Value) {
    if let (Some(object), Value::Object(more)) = (value.as_object_mut(), more) {
        object.extend(more);
    }
}

/// The metadata key under which [`FakeSubscription::stripe_items`] keeps the items; the Stripe
/// fake reads it and never shows it.
const ITEMS_KEY: &str = "fake_stripe_items";

/// How a test bills a subscription at Stripe over several items.
impl FakeSubscription {
    /// The same subscription, billed at Stripe as `items`, each a unit amount and a quantity (a
    /// plan and its seats, say); its amount becomes what they add up to. Without it, Stripe
    /// shows one item of quantity one.
    #[must_use]
    pub fn stripe_items(mut self, items: &[(i64, u32)]) -> Self {
        self.amount_minor = items
            .iter()
            .map(|(unit, quantity)| unit.saturating_mul(i64::from(*quantity)))
            .fold(0, i64::saturating_add);
        let written: Vec<String> = items
            .iter()
            .map(|(unit, quantity)| format!("{unit}x{quantity}"))
            .collect();
        self.metadata.retain(|(key, _)| key != ITEMS_KEY);
        self.metadata
            .push((ITEMS_KEY.to_owned(), written.join(",")));
        self
    }
}

/// The subscription's items as unit amounts and quantities.
fn items_of(subscription: &FakeSubscription) -> Vec<(i64, u32)> {
    let written = subscription
        .metadata
        .iter()
        .find(|(key, _)| key == ITEMS_KEY)
        .map(|(_, value)| value.as_str());
    let read = |item: &str| {
        let (unit, quantity) = item.split_once('x')?;
        Some((unit.parse().ok()?, quantity.parse().ok()?))
    };
    match written {
        Some(items) => items.split(',').filter_map(read).collect(),
        None => vec![(subscription.amount_minor, 1)],
    }
}

fn subscription_stem(subscription: &FakeSubscription) -> &str {
    subscription
        .id
        .strip_prefix("sub_")
        .unwrap_or(&subscription.id)
}

fn subscription_customer_id(subscription: &FakeSubscription) -> String {
    subscription
        .customer_id
        .clone()
        .unwrap_or_else(|| format!("cus_{}", subscription_stem(subscription)))
}

/// The subscription as Stripe lists it; its customer expanded when `expand[]` asks for
/// `data.customer`.
pub(crate) fn subscription(subscription: &FakeSubscription, query: &Query) -> Value {
    let customer = if query.expands("data.customer") {
        stripe_customer(subscription)
    } else {
        Value::from(subscription_customer_id(subscription))
    };
    let trialing = subscription.status == SubscriptionStatus::Trialing;
    let trial_end = subscription.created + 14 * 86_400;
    let period_end = subscription.created + subscription.period_seconds();
    let scheduled_end = subscription.scheduled_end();
    // One canceled to end later has not ended; its cancellation was asked for at once.
    let ended_at = subscription.ended_at.filter(|_| scheduled_end.is_none());
    let canceled_at = scheduled_end.map_or(ended_at, |_| Some(subscription.created));
    let mut object = json!({
        "id": subscription.id,
        "object": "subscription",
        "application": null,
        "application_fee_percent": null,
        "automatic_tax": {"enabled": false, "liability": null, "disabled_reason": null},
        "billing_cycle_anchor": subscription.created,
        "billing_thresholds": null,
        "cancel_at": subscription.ended_at,
        "cancel_at_period_end": scheduled_end.is_some(),
        "canceled_at": canceled_at,
        "cancellation_details": {
            "comment": null, "feedback": null,
            "reason": subscription.ended_at.map(|_| "cancellation_requested")
        },
        "collection_method": "charge_automatically",
        "created": subscription.created,
        "currency": subscription.currency.to_lowercase(),
        "current_period_end": period_end,
        "current_period_start": subscription.created,
        "customer": customer,
    });
    extend(
        &mut object,
        json!({
            "days_until_due": null,
            "default_payment_method": format!("pm_{}", subscription_stem(subscription)),
            "default_source": null,
            "default_tax_rates": [],
            "description": null,
            "discount": null,
            "discounts": [],
            "ended_at": ended_at,
            "items": items(subscription),
            "latest_invoice": format!("in_{}", subscription_stem(subscription)),
            "livemode": true,
            "metadata": subscription_metadata(subscription),
            "pause_collection": null,
            "pending_update": null,
            "schedule": null,
            "start_date": subscription.created,
            "status": subscription.stripe_style_status(),
            "test_clock": null,
            "trial_end": trialing.then_some(trial_end),
            "trial_start": trialing.then_some(subscription.created),
        }),
    );
    object
}

/// The metadata as set, without the fake's own record of the items.
fn subscription_metadata(subscription: &FakeSubscription) -> Value {
    let map: Map<String, Value> = subscription
        .metadata
        .iter()
        .filter(|(key, _)| key != ITEMS_KEY)
        .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
        .collect();
    Value::Object(map)
}

/// The `items` sublist: one subscription item per unit price, each with its price.
fn items(subscription: &FakeSubscription) -> Value {
    let stem = subscription_stem(subscription);
    let data: Vec<Value> = items_of(subscription)
        .into_iter()
        .enumerate()
        .map(|(at, (unit, quantity))| {
            json!({
                "id": format!("si_{stem}{at}"),
                "object": "subscription_item",
                "billing_thresholds": null,
                "created": subscription.created,
                "discounts": [],
                "metadata": {},
                "price": price(subscription, &format!("price_{stem}{at}"), unit),
                "quantity": quantity,
                "subscription": subscription.id,
                "tax_rates": [],
            })
        })
        .collect();
    json!({
        "object": "list",
        "data": data,
        "has_more": false,
        "total_count": data.len(),
        "url": format!("/v1/subscription_items?subscription={}", subscription.id),
    })
}

fn price(subscription: &FakeSubscription, id: &str, unit: i64) -> Value {
    json!({
        "id": id,
        "object": "price",
        "active": true,
        "billing_scheme": "per_unit",
        "created": subscription.created,
        "currency": subscription.currency.to_lowercase(),
        "custom_unit_amount": null,
        "livemode": true,
        "lookup_key": null,
        "metadata": {},
        "nickname": null,
        "product": format!("prod_{}", subscription_stem(subscription)),
        "recurring": {
            "aggregate_usage": null,
            "interval": subscription.interval.unit.as_str(),
            "interval_count": subscription.interval.count,
            "meter": null,
            "trial_period_days": null,
            "usage_type": "licensed",
        },
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": "recurring",
        "unit_amount": unit,
        "unit_amount_decimal": unit.to_string(),
    })
}

/// The subscription's customer as an expanded object.
fn stripe_customer(subscription: &FakeSubscription) -> Value {
    json!({
        "id": subscription_customer_id(subscription),
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": subscription.created,
        "currency": subscription.currency.to_lowercase(),
        "default_source": null,
        "delinquent": subscription.status == SubscriptionStatus::PastDue,
        "description": null,
        "email": subscription.email,
        "invoice_prefix": subscription_stem(subscription).to_uppercase(),
        "livemode": true,
        "metadata": {},
        "name": null,
        "phone": null,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null,
    })
}
