//! Polar's schemas as its API reference shows them: a held payment as an order (with its
//! customer, product, subscription and the checkout's metadata), its refund, the checkout
//! session that made it and an earlier one of the same purchase left open; a held subscription
//! as a subscription; and the list query that pages, sorts and filters them. A held
//! subscription that still runs (trialing, active or past due) and has an end is one canceled
//! at the end of its period: `cancel_at_period_end` with `ends_at` at that end, and no
//! `ended_at` yet.

use serde_json::{Map, Value, json};

use datafast_domain::provider_subscription::SubscriptionStatus;

use crate::server::FakePayment;
use crate::subscription::FakeSubscription;
use crate::time::rfc3339;

const TRIAL_DAYS: i64 = 14;
const MONTH: i64 = 30 * 86_400;
const PRODUCT_ID: &str = "8a2f5b3c-1d4e-4f6a-9b7c-0d1e2f3a4b5c";

/// Marks a query as Polar's.
#[derive(Debug)]
pub(crate) enum Polar {}

/// A list request's query: paging, sorting, and filters that may repeat.
pub(crate) type Query = crate::list::Query<Polar>;

/// Why a query cannot be served: the parameter, and what is wrong with it.
pub(crate) type Invalid = (&'static str, &'static str);

impl Query {
    /// Whether `value` passes the filter `name` (any value when it is absent).
    pub(crate) fn allows(&self, name: &str, value: Option<&str>) -> bool {
        let allowed = self.all(name);
        allowed.is_empty() || value.is_some_and(|v| allowed.contains(&v))
    }

    /// `page` from 1 and `limit` from 1 to 100 (10 by default).
    pub(crate) fn page(&self) -> Result<(usize, usize), Invalid> {
        let page = self
            .count("page", 1)
            .filter(|page| *page >= 1)
            .ok_or(("page", "Input should be greater than 0"))?;
        let limit = self
            .count("limit", 10)
            .filter(|limit| (1..=100).contains(limit))
            .ok_or(("limit", "Input should be less than or equal to 100"))?;
        Ok((page, limit))
    }

    /// Newest first unless `sorting=created_at` asks for oldest first.
    pub(crate) fn newest_first(&self) -> Result<bool, Invalid> {
        match self.get("sorting") {
            None | Some("-created_at") => Ok(true),
            Some("created_at") => Ok(false),
            Some(_) => Err(("sorting", "Input should be a valid sorting criterion")),
        }
    }

    /// The subscription list's sorting: latest started first unless `sorting=started_at` asks
    /// for the earliest. Subscriptions have no `created_at` criterion.
    pub(crate) fn latest_started_first(&self) -> Result<bool, Invalid> {
        match self.get("sorting") {
            None | Some("-started_at") => Ok(true),
            Some("started_at") => Ok(false),
            Some(_) => Err(("sorting", "Input should be a valid sorting criterion")),
        }
    }

    /// The subscription list's deprecated `active` filter: `true` keeps those trialing or
    /// active, `false` those canceled or unpaid.
    pub(crate) fn allows_activity(&self, status: &str) -> bool {
        match self.get("active") {
            Some("true") => matches!(status, "trialing" | "active"),
            Some("false") => matches!(status, "canceled" | "unpaid"),
            _ => true,
        }
    }
}

/// Polar's times, in UTC.
fn time(seconds: i64) -> String {
    rfc3339(seconds, "")
}

/// A UUID made from `seed`, so that the ids Polar would assign stay the same between calls.
pub(crate) fn uuid(seed: &str) -> String {
    let hash = |salt: u64| {
        seed.bytes()
            .fold(0xcbf2_9ce4_8422_2325 ^ salt, |hash, byte| {
                (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
            })
    };
    let hex = format!("{:016x}{:016x}", hash(1), hash(2));
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn customer_id(payment: &FakePayment) -> String {
    payment
        .customer_id
        .clone()
        .unwrap_or_else(|| uuid(&format!("customer {}", payment.id)))
}

/// `paid`, `partially_refunded` or `refunded`.
fn status(payment: &FakePayment) -> &'static str {
    match payment.refunded_minor {
        0 => "paid",
        given if given >= payment.amount_minor => "refunded",
        _ => "partially_refunded",
    }
}

pub(crate) fn billing_reason(payment: &FakePayment) -> &'static str {
    match (payment.renewal, payment.subscription_id.is_some()) {
        (true, _) => "subscription_cycle",
        (false, true) => "subscription_create",
        (false, false) => "purchase",
    }
}

/// The checkout's metadata, which Polar copies onto the order and its subscription.
fn metadata(payment: &FakePayment) -> Value {
    let pairs: Map<String, Value> = payment
        .metadata
        .iter()
        .map(|(key, value)| (key.clone(), json!(value)))
        .collect();
    Value::Object(pairs)
}

fn subscription(payment: &FakePayment, id: &str) -> Value {
    let trial_end = payment.created + TRIAL_DAYS * 86_400;
    json!({
        "metadata": metadata(payment),
        "created_at": time(payment.created),
        "modified_at": null,
        "id": id,
        "amount": payment.amount_minor,
        "currency": payment.currency.to_lowercase(),
        "recurring_interval": "month",
        "recurring_interval_count": 1,
        "status": if payment.trial { "trialing" } else { "active" },
        "current_period_start": time(payment.created),
        "current_period_end": time(payment.created + if payment.trial { TRIAL_DAYS * 86_400 } else { MONTH }),
        "trial_start": payment.trial.then(|| time(payment.created)),
        "trial_end": payment.trial.then(|| time(trial_end)),
        "cancel_at_period_end": false,
        "canceled_at": null,
        "started_at": time(payment.created),
        "ends_at": null,
        "ended_at": null,
        "customer_id": customer_id(payment),
        "product_id": PRODUCT_ID,
        "discount_id": null,
        "checkout_id": null,
        "customer_cancellation_reason": null,
        "customer_cancellation_comment": null
    })
}

/// The payment as an order of the organization `organization_id`.
pub(crate) fn order(payment: &FakePayment, organization_id: &str) -> Value {
    let amount = payment.amount_minor;
    let refunded = payment.refunded_minor;
    let currency = payment.currency.to_lowercase();
    let subscribed = payment.subscription_id.is_some();
    let mut order = json!({
        "id": payment.id,
        "created_at": time(payment.created),
        "modified_at": payment.refunded_at.map(time),
        "status": status(payment),
        "paid": true,
        "subtotal_amount": amount, "discount_amount": 0, "net_amount": amount,
        "tax_amount": 0, "total_amount": amount,
        "applied_balance_amount": 0, "due_amount": 0,
        "refunded_amount": refunded, "refunded_tax_amount": 0,
        "currency": currency,
        "billing_reason": billing_reason(payment),
        "billing_name": payment.name,
        "billing_address": {"country": "US"},
        "invoice_number": format!("ACME-{:04}", payment.created.rem_euclid(10_000)),
        "is_invoice_generated": false,
        "receipt_number": null,
        "customer_id": customer_id(payment),
        "product_id": PRODUCT_ID,
        "discount_id": null,
        "subscription_id": payment.subscription_id,
        "checkout_id": checkout_id(payment),
        "metadata": metadata(payment),
        "custom_field_data": {},
        "platform_fee_amount": 0,
        "platform_fee_currency": null,
        "description": "Pro",
        "refundable_amount": amount - refunded,
        "refundable_tax_amount": 0
    });
    order["customer"] = customer(
        &Customer {
            id: customer_id(payment),
            created: payment.created,
            email: payment.email.as_deref(),
            name: payment.name.as_deref(),
        },
        organization_id,
    );
    order["product"] = product(subscribed.then_some(("month", 1)), organization_id);
    order["discount"] = Value::Null;
    order["subscription"] = payment
        .subscription_id
        .as_deref()
        .map_or(Value::Null, |id| subscription(payment, id));
    order["items"] = json!([{
        "created_at": time(payment.created), "modified_at": null,
        "id": uuid(&format!("item {}", payment.id)), "label": "Pro",
        "amount": amount, "tax_amount": 0, "proration": false,
        "product_price_id": uuid("price")
    }]);
    order
}

/// The refund of everything given back so far of the payment, made at `refunded_at`.
pub(crate) fn refund(payment: &FakePayment, organization_id: &str) -> Value {
    let at = time(payment.refunded_at.unwrap_or(payment.created));
    json!({
        "created_at": at,
        "modified_at": null,
        "id": refund_id(payment),
        "metadata": {},
        "status": "succeeded",
        "reason": "customer_request",
        "amount": payment.refunded_minor,
        "tax_amount": 0,
        "currency": payment.currency.to_lowercase(),
        "organization_id": organization_id,
        "order_id": payment.id,
        "subscription_id": payment.subscription_id,
        "customer_id": customer_id(payment),
        "revoke_benefits": false,
        "dispute": null
    })
}

/// The checkout that made the payment; a renewal was made by none.
pub(crate) fn checkout_id(payment: &FakePayment) -> Option<String> {
    (!payment.renewal).then(|| uuid(&format!("checkout {}", payment.id)))
}

/// A checkout the buyer opened for the same purchase and left before paying.
pub(crate) fn unpaid_checkout_id(payment: &FakePayment) -> String {
    uuid(&format!("open checkout {}", payment.id))
}

/// The ids a test reads a payment back by, as the Polar fake names its objects.
impl FakePayment {
    /// The checkout session that made this payment (`succeeded`); `None` for a renewal.
    pub fn polar_checkout_id(&self) -> Option<String> {
        checkout_id(self)
    }

    /// A checkout session the buyer opened for the same purchase and left open, unpaid.
    pub fn polar_unpaid_checkout_id(&self) -> String {
        unpaid_checkout_id(self)
    }
}

/// The checkout session that made the payment, in the organization `organization_id`:
/// `succeeded`, its customer known; `None` for a renewal, which no checkout made.
pub(crate) fn paid_checkout(payment: &FakePayment, organization_id: &str) -> Option<Value> {
    let id = checkout_id(payment)?;
    let mut checkout = checkout(payment, organization_id, &id, "succeeded");
    extend(
        &mut checkout,
        json!({
            "customer_id": customer_id(payment),
            "customer_name": payment.name, "customer_email": payment.email,
            "customer_billing_name": payment.name, "customer_billing_address": {"country": "US"},
            "payment_method_type": "card",
            "subscription_id": payment.subscription_id
        }),
    );
    Some(checkout)
}

/// The checkout session of the same purchase that the buyer left `open`.
pub(crate) fn unpaid_checkout(payment: &FakePayment, organization_id: &str) -> Value {
    checkout(
        payment,
        organization_id,
        &unpaid_checkout_id(payment),
        "open",
    )
}

/// A checkout session `id` of the payment's purchase in `status`, before any customer is
/// known; it carries the checkout's metadata from the start.
fn checkout(payment: &FakePayment, organization_id: &str, id: &str, status: &str) -> Value {
    let amount = payment.amount_minor;
    let subscribed = payment.subscription_id.is_some();
    let secret = format!("polar_c_{}", id.replace('-', ""));
    let mut checkout = json!({
        "id": id, "created_at": time(payment.created - 300),
        "modified_at": time(payment.created), "expires_at": time(payment.created + 3_600),
        "payment_processor": "stripe", "status": status,
        "url": format!("https://buy.polar.sh/{secret}"), "client_secret": secret,
        "success_url": "https://example.com/thanks?checkout_id={CHECKOUT_ID}",
        "return_url": null, "embed_origin": null,
        "amount": amount, "discount_amount": 0, "net_amount": amount, "tax_amount": 0,
        "tax_behavior": "exclusive", "total_amount": amount,
        "currency": payment.currency.to_lowercase(),
        "allow_trial": payment.trial, "active_trial_interval": null,
        "active_trial_interval_count": null, "trial_end": null,
        "trial_interval": null, "trial_interval_count": null,
        "organization_id": organization_id, "product_id": PRODUCT_ID,
        "product_price_id": uuid("price"), "discount_id": null,
        "allow_discount_codes": true, "require_billing_address": false,
        "is_discount_applicable": true, "is_free_product_price": amount == 0,
        "is_payment_required": amount > 0, "is_payment_setup_required": subscribed,
        "is_payment_form_required": amount > 0 || subscribed
    });
    extend(
        &mut checkout,
        json!({
            "customer_id": null, "is_business_customer": false,
            "customer_name": null, "customer_email": null, "customer_ip_address": null,
            "customer_billing_name": null, "customer_billing_address": null,
            "customer_tax_id": null, "locale": "en", "payment_method_type": null,
            "payment_processor_metadata": {}, "billing_address_fields": {
                "country": "required", "state": "disabled", "city": "disabled",
                "postal_code": "disabled", "line1": "disabled", "line2": "disabled"
            },
            "metadata": metadata(payment), "external_customer_id": null,
            "customer_metadata": {}, "custom_field_data": {}, "attached_custom_fields": [],
            "products": [], "product": null, "product_price": null, "prices": null,
            "discount": null, "subscription_id": null
        }),
    );
    checkout
}

/// Adds the fields of `more` to the object `value`; objects this large outgrow one `json!`.
fn extend(value: &mut Value, more: Value) {
    if let (Some(object), Value::Object(more)) = (value.as_object_mut(), more) {
        object.extend(more);
    }
}

pub(crate) fn refund_id(payment: &FakePayment) -> String {
    uuid(&format!("refund {}", payment.id))
}

/// Who a customer object describes.
struct Customer<'a> {
    id: String,
    created: i64,
    email: Option<&'a str>,
    name: Option<&'a str>,
}

/// A customer of the organization `organization_id`, as orders and subscriptions embed it.
fn customer(customer: &Customer<'_>, organization_id: &str) -> Value {
    json!({
        "id": customer.id,
        "created_at": time(customer.created),
        "modified_at": null,
        "metadata": {},
        "external_id": null,
        "email": customer.email,
        "email_verified": false,
        "type": "individual",
        "name": customer.name,
        "billing_address": null,
        "tax_id": null,
        "locale": null,
        "organization_id": organization_id,
        "deleted_at": null,
        "avatar_url": "https://www.gravatar.com/avatar/00000000000000000000000000000000?d=404"
    })
}

/// The organization's product, recurring every `interval` (a unit and a count) or one-off.
fn product(interval: Option<(&str, u32)>, organization_id: &str) -> Value {
    json!({
        "metadata": {}, "id": PRODUCT_ID, "created_at": "2025-01-01T00:00:00Z",
        "modified_at": null, "trial_interval": null, "trial_interval_count": null,
        "name": "Pro", "description": null, "visibility": "public",
        "recurring_interval": interval.map(|(unit, _)| unit),
        "recurring_interval_count": interval.map(|(_, count)| count),
        "is_recurring": interval.is_some(), "is_archived": false,
        "organization_id": organization_id
    })
}

/// A held subscription as Polar lists it, in the organization `organization_id`.
pub(crate) fn listed_subscription(subscription: &FakeSubscription, organization_id: &str) -> Value {
    let mut object = subscription_fields(subscription);
    let unit = subscription.interval.unit.as_str();
    let customer_id = subscription
        .customer_id
        .clone()
        .unwrap_or_else(|| uuid(&format!("customer {}", subscription.id)));
    extend(
        &mut object,
        json!({
            "customer_id": customer_id,
            "product_id": PRODUCT_ID, "discount_id": null, "checkout_id": null,
            "seats": null, "units": null,
            "metadata": Value::Object(subscription.metadata.iter()
                .map(|(key, value)| (key.clone(), json!(value))).collect()),
            "custom_field_data": {},
            "product": product(Some((unit, subscription.interval.count)), organization_id),
            "discount": null, "meters": [], "pending_update": null,
            "prices": [{
                "created_at": "2025-01-01T00:00:00Z", "modified_at": null, "id": uuid("price"),
                "source": "catalog", "amount_type": "fixed", "is_archived": false,
                "product_id": PRODUCT_ID, "type": "recurring", "recurring_interval": unit,
                "price_currency": subscription.currency.to_lowercase(),
                "price_amount": subscription.amount_minor
            }]
        }),
    );
    object["customer"] = customer(
        &Customer {
            id: customer_id,
            created: subscription.created,
            email: subscription.email.as_deref(),
            name: None,
        },
        organization_id,
    );
    object
}

/// The subscription's own fields: amount, period, status and its times.
fn subscription_fields(subscription: &FakeSubscription) -> Value {
    let started = subscription.created;
    let trialing = subscription.status == SubscriptionStatus::Trialing;
    let ends = subscription.ended_at.map(time);
    let scheduled = subscription.scheduled_end().is_some();
    // One canceled to end later has not ended; its cancellation was recorded at once.
    let ended = ends.clone().filter(|_| !scheduled);
    let canceled = if scheduled {
        Some(time(started))
    } else {
        ended.clone()
    };
    json!({
        "created_at": time(started), "modified_at": canceled,
        "id": subscription.id,
        "amount": subscription.amount_minor,
        "currency": subscription.currency.to_lowercase(),
        "recurring_interval": subscription.interval.unit.as_str(),
        "recurring_interval_count": subscription.interval.count,
        "status": subscription.stripe_style_status(),
        "current_period_start": time(started),
        "current_period_end": time(started + subscription.period_seconds()),
        "current_meter_period_start": null, "current_meter_period_end": null,
        "trial_start": trialing.then(|| time(started)),
        "trial_end": trialing.then(|| time(started + TRIAL_DAYS * 86_400)),
        "cancel_at_period_end": scheduled,
        "canceled_at": canceled, "started_at": time(started), "ends_at": ends, "ended_at": ended,
        "past_due_at": (subscription.status == SubscriptionStatus::PastDue).then(|| time(started)),
        "pause_at_period_end": false,
        "paused_at": (subscription.status == SubscriptionStatus::Paused).then(|| time(started)),
        "resumes_at": null,
        "customer_cancellation_reason": ends.as_ref().map(|_| "too_expensive"),
        "customer_cancellation_comment": null
    })
}
