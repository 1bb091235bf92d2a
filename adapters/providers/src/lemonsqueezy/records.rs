//! Lemon Squeezy's orders and subscription invoices as its list answers carry them, and each
//! as a normalised payment.
//!
//! Transaction ids: an order is its own id (the JSON:API `id`, a number). A renewal is
//! `subscription-invoice:<id>`: invoice ids are numbered apart from order ids, so a bare number
//! could name an order too. A subscription's `initial` invoice is skipped, being the same
//! payment as the order that opened the subscription.
//!
//! Checkout custom data reaches Lemon Squeezy's webhooks only, never these lists, so no visitor
//! is read here: the import attributes these payments by the customer's email instead.

use jiff::Timestamp;
use serde::Deserialize;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{
    Customer, ProviderPayment, Refund, Subscription, SyncWindow,
};
use datafast_ports::providers::ProviderError;

use crate::payment::{currency, refund};

/// What a renewal invoice's transaction id starts with.
const INVOICE_PREFIX: &str = "subscription-invoice:";

/// The statuses of a payment that was made, some or all of it since perhaps given back.
const PAID: [&str; 3] = ["paid", "refunded", "partial_refund"];

/// A JSON:API list page: the records, the subscriptions included with them, and where the page
/// stands.
#[derive(Deserialize)]
pub(super) struct List {
    pub(super) data: Vec<Resource<Sale>>,
    #[serde(default)]
    pub(super) included: Vec<Resource<SubscriptionAttributes>>,
    pub(super) meta: ListMeta,
}

#[derive(Deserialize)]
pub(super) struct ListMeta {
    pub(super) page: PageMeta,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct PageMeta {
    pub(super) current_page: u32,
    pub(super) last_page: u32,
}

#[derive(Deserialize)]
pub(super) struct Resource<T> {
    pub(super) id: String,
    pub(super) attributes: T,
}

/// The attributes an order and a subscription invoice share, and the two only invoices have.
#[derive(Deserialize)]
pub(super) struct Sale {
    /// The store the record belongs to.
    pub(super) store_id: Option<i64>,
    customer_id: Option<i64>,
    user_name: Option<String>,
    user_email: Option<String>,
    currency: String,
    /// Cents, tax included.
    total: i64,
    #[serde(default)]
    refunded_amount: i64,
    status: String,
    refunded_at: Option<Timestamp>,
    pub(super) created_at: Timestamp,
    updated_at: Option<Timestamp>,
    /// Invoices only: `initial`, `renewal` or `updated`.
    billing_reason: Option<String>,
    /// Invoices only.
    subscription_id: Option<i64>,
}

/// An included subscription: which order opened it, and whether it began with a trial.
#[derive(Deserialize)]
pub(super) struct SubscriptionAttributes {
    pub(super) order_id: i64,
    pub(super) trial_ends_at: Option<Timestamp>,
}

/// Whether the record was paid in the window, or refunded in it. A refund stamps `refunded_at`
/// (and `updated_at`, which is read too in case a partial refund leaves `refunded_at` as it
/// was).
pub(super) fn concerns(sale: &Sale, window: &SyncWindow) -> bool {
    let within = |at: Option<Timestamp>| at.is_some_and(|at| window.from <= at && at < window.to);
    paid(sale)
        && (within(Some(sale.created_at))
            || (sale.refunded_amount > 0 && (within(sale.refunded_at) || within(sale.updated_at))))
}

/// Whether the record is a payment that was made, whatever was given back of it since.
pub(super) fn paid(sale: &Sale) -> bool {
    PAID.contains(&sale.status.as_str())
}

/// An included subscription as the payment that opened it carries it.
pub(super) fn opened(record: &Resource<SubscriptionAttributes>) -> Subscription {
    Subscription {
        id: record.id.clone(),
        trial: record.attributes.trial_ends_at.is_some(),
    }
}

pub(super) fn order(
    record: &Resource<Sale>,
    subscription: Option<&Subscription>,
) -> Result<ProviderPayment, ProviderError> {
    sale(
        &record.attributes,
        record.id.clone(),
        false,
        subscription.cloned(),
    )
}

/// A renewal or update invoice as a payment; `None` for the initial one, which its order
/// already is.
pub(super) fn invoice(record: &Resource<Sale>) -> Result<Option<ProviderPayment>, ProviderError> {
    let attributes = &record.attributes;
    if attributes.billing_reason.as_deref() == Some("initial") {
        return Ok(None);
    }
    let subscription = attributes.subscription_id.map(|id| Subscription {
        id: id.to_string(),
        trial: false,
    });
    let transaction_id = format!("{INVOICE_PREFIX}{}", record.id);
    sale(attributes, transaction_id, true, subscription).map(Some)
}

fn sale(
    sale: &Sale,
    transaction_id: String,
    renewal: bool,
    subscription: Option<Subscription>,
) -> Result<ProviderPayment, ProviderError> {
    let currency = currency(&sale.currency, Provider::LemonSqueezy)?;
    Ok(ProviderPayment {
        provider: Provider::LemonSqueezy,
        transaction_id,
        amount_minor: sale.total,
        currency,
        settlement: None,
        customer: Customer {
            id: sale.customer_id.map(|id| id.to_string()),
            email: sale.user_email.clone(),
            name: sale.user_name.clone(),
        },
        renewal,
        refund: refund_of(sale),
        subscription,
        occurred_at: sale.created_at,
        visitor_id: None,
        session_id: None,
    })
}

/// A partial refund keeps the status `paid` or becomes `partial_refund`; a full one is
/// `refunded`.
fn refund_of(sale: &Sale) -> Refund {
    refund(sale.total, sale.refunded_amount, sale.status == "refunded")
}
