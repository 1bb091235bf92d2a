//! Stripe payments: the charges created in a window, then the refunds made in it (each with its
//! charge, so a refund of an older payment updates that payment), mapped to normalised payments.
//!
//! Stripe lists newest first and pages with `starting_after`. The cursor names the phase and
//! the last object read: `c:<charge id>`, then `r` for the first page of refunds, then
//! `r:<refund id>`.
//!
//! Attribution: DataFast asks for `datafast_visitor_id` in the Checkout Session's `metadata`,
//! which Stripe does not copy onto the charge. So a charge without it in its own metadata, or
//! its subscription's, is joined to its session, found by payment intent (one-off payments) or
//! by subscription (a subscription's first and later payments).

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{
    Customer, ProviderPayment, Refund, Subscription, SyncWindow,
};
use datafast_domain::website::Currency;
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::VERSION;
use crate::api::Api;

/// Stripe's largest page.
const PAGE_SIZE: &str = "100";
const VISITOR: &str = "datafast_visitor_id";
const SESSION: &str = "datafast_session_id";

type Metadata = HashMap<String, String>;

#[derive(Deserialize)]
struct List<T> {
    data: Vec<T>,
    has_more: bool,
}

#[derive(Deserialize)]
struct Charge {
    id: String,
    amount: i64,
    amount_refunded: i64,
    refunded: bool,
    currency: String,
    created: i64,
    status: String,
    customer: Option<String>,
    billing_details: Option<BillingDetails>,
    receipt_email: Option<String>,
    #[serde(default)]
    metadata: Metadata,
    payment_intent: Option<String>,
    invoice: Option<Expandable<Invoice>>,
    balance_transaction: Option<Expandable<BalanceTransaction>>,
}

#[derive(Deserialize)]
struct BillingDetails {
    email: Option<String>,
    name: Option<String>,
}

/// An id, or the object when the request expanded it.
#[derive(Deserialize)]
#[serde(untagged)]
enum Expandable<T> {
    Object(T),
    Id(#[allow(dead_code, reason = "an id is read only to accept the answer")] String),
}

impl<T> Expandable<T> {
    fn object(&self) -> Option<&T> {
        match self {
            Expandable::Object(object) => Some(object),
            Expandable::Id(_) => None,
        }
    }
}

#[derive(Deserialize)]
struct Invoice {
    billing_reason: Option<String>,
    subscription: Option<String>,
    subscription_details: Option<SubscriptionDetails>,
    customer_email: Option<String>,
    customer_name: Option<String>,
}

#[derive(Deserialize)]
struct SubscriptionDetails {
    #[serde(default)]
    metadata: Metadata,
}

#[derive(Deserialize)]
struct BalanceTransaction {
    amount: i64,
    currency: String,
}

#[derive(Deserialize)]
struct RefundObject {
    id: String,
    status: Option<String>,
    charge: Option<Expandable<Charge>>,
}

#[derive(Deserialize)]
struct CheckoutSession {
    #[serde(default)]
    metadata: Metadata,
    customer_details: Option<BillingDetails>,
}

/// Where a page of the listing starts.
enum Cursor<'a> {
    Charges(Option<&'a str>),
    Refunds(Option<&'a str>),
}

fn cursor(page: Option<&str>) -> Result<Cursor<'_>, ProviderError> {
    match page {
        None => Ok(Cursor::Charges(None)),
        Some("r") => Ok(Cursor::Refunds(None)),
        Some(page) => match page.split_once(':') {
            Some(("c", id)) => Ok(Cursor::Charges(Some(id))),
            Some(("r", id)) => Ok(Cursor::Refunds(Some(id))),
            _ => Err(ProviderError::Unavailable(format!(
                "unknown Stripe cursor {page:?}"
            ))),
        },
    }
}

pub(super) async fn page(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    match cursor(page)? {
        Cursor::Charges(after) => charges(api, key, window, after).await,
        Cursor::Refunds(after) => refunds(api, key, window, after).await,
    }
}

/// The query every list call shares: the window, the page size, where to start, and what to
/// expand.
fn list_query<'a>(
    window: &'a (String, String),
    after: Option<&'a str>,
    expand: &[&'a str],
) -> Vec<(&'a str, &'a str)> {
    let mut query = vec![
        ("limit", PAGE_SIZE),
        ("created[gte]", window.0.as_str()),
        ("created[lt]", window.1.as_str()),
    ];
    query.extend(after.map(|id| ("starting_after", id)));
    query.extend(expand.iter().map(|field| ("expand[]", *field)));
    query
}

fn seconds(window: &SyncWindow) -> (String, String) {
    (
        window.from.as_second().to_string(),
        window.to.as_second().to_string(),
    )
}

async fn charges(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    after: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let bounds = seconds(window);
    let query = list_query(
        &bounds,
        after,
        &["data.invoice", "data.balance_transaction"],
    );
    let list: List<Charge> = api
        .get("v1/charges", &query, key, &[("Stripe-Version", VERSION)])
        .await?;
    let next = match (list.has_more, list.data.last()) {
        (true, Some(last)) => format!("c:{}", last.id),
        _ => "r".to_owned(),
    };
    let charges: Vec<Charge> = list.data;
    Ok(PaymentPage {
        payments: normalise(api, key, charges.iter()).await?,
        next: Some(next),
    })
}

async fn refunds(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    after: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let bounds = seconds(window);
    let query = list_query(
        &bounds,
        after,
        &["data.charge.invoice", "data.charge.balance_transaction"],
    );
    let list: List<RefundObject> = api
        .get("v1/refunds", &query, key, &[("Stripe-Version", VERSION)])
        .await?;
    let next = match (list.has_more, list.data.last()) {
        (true, Some(last)) => Some(format!("r:{}", last.id)),
        _ => None,
    };
    let charges = list
        .data
        .iter()
        .filter(|refund| refund.status.as_deref() != Some("failed"))
        .filter_map(|refund| refund.charge.as_ref()?.object());
    Ok(PaymentPage {
        payments: normalise(api, key, charges).await?,
        next,
    })
}

/// The succeeded charges as payments, each joined to its Checkout Session when it carries no
/// visitor itself. Sessions are fetched once per page each.
async fn normalise<'a>(
    api: &Api,
    key: &str,
    charges: impl Iterator<Item = &'a Charge>,
) -> Result<Vec<ProviderPayment>, ProviderError> {
    let mut sessions: HashMap<(&'static str, String), Option<CheckoutSession>> = HashMap::new();
    let mut payments = Vec::new();
    for charge in charges.filter(|charge| charge.status == "succeeded") {
        let session = match session_filter(charge) {
            Some(filter) => {
                if !sessions.contains_key(&filter) {
                    let found = session_by(api, key, &filter).await?;
                    sessions.insert(filter.clone(), found);
                }
                sessions.get(&filter).and_then(Option::as_ref)
            }
            None => None,
        };
        payments.push(payment(charge, session)?);
    }
    Ok(payments)
}

/// How to find the charge's Checkout Session, when its own metadata names no visitor.
fn session_filter(charge: &Charge) -> Option<(&'static str, String)> {
    if own_metadata(charge).is_some_and(|m| m.contains_key(VISITOR)) {
        return None;
    }
    let invoice = charge.invoice.as_ref().and_then(Expandable::object);
    match invoice.and_then(|invoice| invoice.subscription.clone()) {
        Some(subscription) => Some(("subscription", subscription)),
        None => Some(("payment_intent", charge.payment_intent.clone()?)),
    }
}

/// The charge's metadata, else its subscription's, whichever names a visitor.
fn own_metadata(charge: &Charge) -> Option<&Metadata> {
    if charge.metadata.contains_key(VISITOR) {
        return Some(&charge.metadata);
    }
    let invoice = charge.invoice.as_ref()?.object()?;
    Some(&invoice.subscription_details.as_ref()?.metadata)
}

async fn session_by(
    api: &Api,
    key: &str,
    (field, value): &(&'static str, String),
) -> Result<Option<CheckoutSession>, ProviderError> {
    let query = [(*field, value.as_str()), ("limit", "1")];
    let list: List<CheckoutSession> = api
        .get(
            "v1/checkout/sessions",
            &query,
            key,
            &[("Stripe-Version", VERSION)],
        )
        .await?;
    Ok(list.data.into_iter().next())
}

fn currency(code: &str) -> Result<Currency, ProviderError> {
    Currency::parse(code)
        .map_err(|_| ProviderError::Unavailable(format!("Stripe sent an unknown currency {code}")))
}

fn payment(
    charge: &Charge,
    session: Option<&CheckoutSession>,
) -> Result<ProviderPayment, ProviderError> {
    let invoice = charge.invoice.as_ref().and_then(Expandable::object);
    let metadata = own_metadata(charge)
        .filter(|m| m.contains_key(VISITOR))
        .or(session.map(|s| &s.metadata));
    let meta = |name: &str| metadata.and_then(|m| m.get(name)).cloned();
    let billing = charge.billing_details.as_ref();
    let from_session = session.and_then(|s| s.customer_details.as_ref());
    let settlement = match charge
        .balance_transaction
        .as_ref()
        .and_then(Expandable::object)
    {
        Some(balance) => Some((balance.amount, currency(&balance.currency)?)),
        None => None,
    };
    Ok(ProviderPayment {
        provider: Provider::Stripe,
        transaction_id: charge
            .payment_intent
            .clone()
            .unwrap_or_else(|| charge.id.clone()),
        amount_minor: charge.amount,
        currency: currency(&charge.currency)?,
        settlement,
        customer: Customer {
            id: charge.customer.clone(),
            email: billing
                .and_then(|b| b.email.clone())
                .or_else(|| charge.receipt_email.clone())
                .or_else(|| invoice.and_then(|i| i.customer_email.clone()))
                .or_else(|| from_session.and_then(|c| c.email.clone())),
            name: billing
                .and_then(|b| b.name.clone())
                .or_else(|| invoice.and_then(|i| i.customer_name.clone()))
                .or_else(|| from_session.and_then(|c| c.name.clone())),
        },
        renewal: invoice
            .and_then(|i| i.billing_reason.as_deref())
            .is_some_and(|reason| reason == "subscription_cycle"),
        refund: refund(charge),
        subscription: invoice
            .and_then(|i| i.subscription.clone())
            .map(|id| Subscription { id, trial: false }),
        occurred_at: Timestamp::from_second(charge.created).map_err(|_| {
            ProviderError::Unavailable(format!("Stripe sent an impossible time {}", charge.created))
        })?,
        visitor_id: meta(VISITOR),
        session_id: meta(SESSION),
    })
}

fn refund(charge: &Charge) -> Refund {
    if charge.refunded || (charge.amount > 0 && charge.amount_refunded >= charge.amount) {
        Refund::Full
    } else if charge.amount_refunded > 0 {
        Refund::Partial {
            amount_minor: charge.amount_refunded,
        }
    } else {
        Refund::None
    }
}
