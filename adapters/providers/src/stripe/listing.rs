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
use serde::de::DeserializeOwned;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{Customer, ProviderPayment, Subscription, SyncWindow};
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::VERSION;
use crate::api::Api;
use crate::cursor::{AfterId, AfterIds, Phase};
use crate::payment::{SESSION, VISITOR, currency, refund};

/// Stripe's largest page.
pub(super) const PAGE_SIZE: &str = "100";

pub(super) type Metadata = HashMap<String, String>;

#[derive(Deserialize)]
pub(super) struct List<T> {
    pub(super) data: Vec<T>,
    pub(super) has_more: bool,
}

#[derive(Deserialize)]
pub(super) struct Charge {
    id: String,
    amount: i64,
    amount_refunded: i64,
    refunded: bool,
    currency: String,
    created: i64,
    pub(super) status: String,
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
pub(super) enum Expandable<T> {
    Object(T),
    Id(String),
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
pub(super) struct CheckoutSession {
    #[serde(default)]
    metadata: Metadata,
    customer_details: Option<BillingDetails>,
}

/// The charges created in the window, then the refunds made in it.
const CURSOR: AfterIds = AfterIds::new("c", "r", Provider::Stripe);

/// What Stripe lists for the import: where, what to expand of it, and the id to go on after.
trait Listed: DeserializeOwned {
    const PATH: &'static str;
    const EXPAND: [&'static str; 2];
    fn id(&self) -> &str;
}

impl Listed for Charge {
    const PATH: &'static str = "v1/charges";
    const EXPAND: [&'static str; 2] = ["data.invoice", "data.balance_transaction"];
    fn id(&self) -> &str {
        &self.id
    }
}

impl Listed for RefundObject {
    const PATH: &'static str = "v1/refunds";
    const EXPAND: [&'static str; 2] = ["data.charge.invoice", "data.charge.balance_transaction"];
    fn id(&self) -> &str {
        &self.id
    }
}

/// One page of charges, then of refunds, within `window`.
pub(crate) async fn payments(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let cursor = CURSOR.parse(page)?;
    match cursor.phase {
        Phase::First => {
            let (charges, next) = list_page::<Charge>(api, key, window, cursor).await?;
            let payments = normalise(api, key, charges.iter()).await?;
            Ok(PaymentPage { payments, next })
        }
        Phase::Second => {
            let (refunds, next) = list_page::<RefundObject>(api, key, window, cursor).await?;
            let payments = normalise(api, key, refunded_charges(&refunds)).await?;
            Ok(PaymentPage { payments, next })
        }
    }
}

/// The page of `T` made within `window` that `cursor` starts, and the cursor after it.
async fn list_page<T: Listed>(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    cursor: AfterId<'_>,
) -> Result<(Vec<T>, Option<String>), ProviderError> {
    let from = window.from.as_second().to_string();
    let to = window.to.as_second().to_string();
    let mut query = vec![
        ("limit", PAGE_SIZE),
        ("created[gte]", from.as_str()),
        ("created[lt]", to.as_str()),
    ];
    query.extend(cursor.after.map(|id| ("starting_after", id)));
    query.extend(T::EXPAND.map(|field| ("expand[]", field)));
    let list: List<T> = api.get(T::PATH, &query, key, &VERSION).await?;
    let last = list.data.last().filter(|_| list.has_more).map(T::id);
    let next = CURSOR.next(cursor.phase, last);
    Ok((list.data, next))
}

/// The charges refunds were made of, but for failed refunds, which gave nothing back.
fn refunded_charges(refunds: &[RefundObject]) -> impl Iterator<Item = &Charge> {
    refunds
        .iter()
        .filter(|refund| refund.status.as_deref() != Some("failed"))
        .filter_map(|refund| refund.charge.as_ref()?.object())
}

/// The succeeded charges as payments, each joined to its Checkout Session when it carries no
/// visitor itself. Sessions are fetched once per page each.
pub(super) async fn normalise<'a>(
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
pub(super) fn session_filter(charge: &Charge) -> Option<(&'static str, String)> {
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
        .get("v1/checkout/sessions", &query, key, &VERSION)
        .await?;
    Ok(list.data.into_iter().next())
}

pub(super) fn payment(
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
        Some(balance) => Some((
            balance.amount,
            currency(&balance.currency, Provider::Stripe)?,
        )),
        None => None,
    };
    Ok(ProviderPayment {
        provider: Provider::Stripe,
        transaction_id: charge
            .payment_intent
            .clone()
            .unwrap_or_else(|| charge.id.clone()),
        amount_minor: charge.amount,
        currency: currency(&charge.currency, Provider::Stripe)?,
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
        refund: refund(charge.amount, charge.amount_refunded, charge.refunded),
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
