//! Polar's orders as its API answers them, and each as a normalised payment.
//!
//! The transaction id is the order's id (a UUID). Polar copies the checkout's metadata onto its
//! order, so the visitor and session are read from the order's `metadata`.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{Customer, ProviderPayment, Refund, Subscription};
use datafast_ports::providers::ProviderError;

use crate::payment::{SESSION, VISITOR, currency, refund};

/// The statuses of an order that was paid, some or all of it since perhaps given back.
const PAID: [&str; 3] = ["paid", "refunded", "partially_refunded"];

#[derive(Deserialize)]
pub(super) struct Order {
    id: String,
    pub(super) created_at: Timestamp,
    status: String,
    /// Cents, after discounts and with tax.
    total_amount: i64,
    /// Cents given back, before tax; the tax given back is apart.
    refunded_amount: i64,
    refunded_tax_amount: i64,
    currency: String,
    /// `purchase`, `subscription_create`, `subscription_cycle` or `subscription_update`.
    billing_reason: String,
    customer: OrderCustomer,
    subscription_id: Option<String>,
    subscription: Option<OrderSubscription>,
    #[serde(default)]
    metadata: HashMap<String, Value>,
}

/// The customer of an order or a subscription, as Polar embeds it in either.
#[derive(Deserialize)]
pub(super) struct OrderCustomer {
    id: String,
    /// The organization the customer, and so the order or subscription, belongs to.
    organization_id: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

impl OrderCustomer {
    pub(super) fn customer(&self) -> Customer {
        Customer {
            id: Some(self.id.clone()),
            email: self.email.clone(),
            name: self.name.clone(),
        }
    }

    /// Whether the customer is one of `organization`'s: a token may see several.
    pub(super) fn belongs_to(&self, organization: &str) -> bool {
        self.organization_id
            .as_deref()
            .is_some_and(|id| id.eq_ignore_ascii_case(organization))
    }
}

/// The text metadata `name`: Polar's metadata values may also be numbers or booleans, which
/// no DataFast key holds.
pub(super) fn text(metadata: &HashMap<String, Value>, name: &str) -> Option<String> {
    metadata
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[derive(Deserialize)]
struct OrderSubscription {
    trial_start: Option<Timestamp>,
}

/// The order as a payment; `None` for one never paid (a draft, pending or void order).
pub(super) fn payment(order: &Order) -> Result<Option<ProviderPayment>, ProviderError> {
    if !PAID.contains(&order.status.as_str()) {
        return Ok(None);
    }
    let currency = currency(&order.currency, Provider::Polar)?;
    let meta = |name: &str| text(&order.metadata, name);
    let opened_trial = order.billing_reason == "subscription_create"
        && order
            .subscription
            .as_ref()
            .is_some_and(|s| s.trial_start.is_some());
    Ok(Some(ProviderPayment {
        provider: Provider::Polar,
        transaction_id: order.id.clone(),
        amount_minor: order.total_amount,
        currency,
        settlement: None,
        customer: order.customer.customer(),
        renewal: order.billing_reason == "subscription_cycle",
        refund: refund_of(order),
        subscription: order.subscription_id.clone().map(|id| Subscription {
            id,
            trial: opened_trial,
        }),
        occurred_at: order.created_at,
        visitor_id: meta(VISITOR),
        session_id: meta(SESSION),
    }))
}

/// Whether the order is one of `organization`'s: a token may see several organizations.
pub(super) fn belongs_to(order: &Order, organization: &str) -> bool {
    order.customer.belongs_to(organization)
}

/// The amount is read with tax, so the tax given back counts towards the refund too.
fn refund_of(order: &Order) -> Refund {
    let given_back = order.refunded_amount + order.refunded_tax_amount;
    refund(order.total_amount, given_back, order.status == "refunded")
}
