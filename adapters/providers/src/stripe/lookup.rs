//! Looking up one Stripe payment by the Checkout Session or the charge a webhook or a tracker
//! event names, normalised as the listing normalises it (see [`listing`](super::listing)).
//!
//! A session (`GET /v1/checkout/sessions/{id}`) counts once `payment_status` is `paid`; its
//! charge is found by its payment intent (`GET /v1/charges?payment_intent=…`, one-off
//! payments) or, for a subscription's session, through its first invoice
//! (`GET /v1/invoices/{id}`, whose `charge` is then read). A charge
//! (`GET /v1/charges/{id}`) counts once it has `succeeded`. Either way the charge is read with
//! its invoice and balance transaction expanded, as the listing reads it, and joined to its
//! Checkout Session when its own metadata names no visitor, as the listing joins it.

use serde::Deserialize;

use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::ProviderPayment;
use datafast_ports::providers::ProviderError;

use super::VERSION;
use super::listing::{Charge, CheckoutSession, List, normalise, payment, session_filter};
use crate::api::Api;

/// What a charge is read with, as the listing reads each charge of its list.
const EXPAND: [(&str, &str); 2] = [("expand[]", "invoice"), ("expand[]", "balance_transaction")];
/// The same, for the charges of a list.
const EXPAND_LISTED: [(&str, &str); 2] = [
    ("expand[]", "data.invoice"),
    ("expand[]", "data.balance_transaction"),
];

/// A Checkout Session as retrieved: what says whether it was paid and where its charge is,
/// beside what the listing reads of it (its metadata and customer details).
#[derive(Deserialize)]
struct Session {
    /// `paid`, `unpaid`, or `no_payment_required` (a trial, a setup, a free order).
    payment_status: String,
    /// One-off payments (`mode=payment`).
    payment_intent: Option<String>,
    /// A subscription's first invoice (`mode=subscription`).
    invoice: Option<String>,
    #[serde(flatten)]
    session: CheckoutSession,
}

#[derive(Deserialize)]
struct Invoice {
    charge: Option<String>,
}

/// The payment `reference` names, or `None`.
pub(crate) async fn lookup(
    api: &Api,
    key: &str,
    reference: &PaymentReference,
) -> Result<Option<ProviderPayment>, ProviderError> {
    match reference {
        PaymentReference::StripeCheckoutSession(id) => by_session(api, key, id).await,
        PaymentReference::StripeCharge(id) => by_charge(api, key, id).await,
        _ => Ok(None),
    }
}

/// The charge `id` as the listing shows it, joined to its session when it needs to be.
async fn by_charge(
    api: &Api,
    key: &str,
    id: &str,
) -> Result<Option<ProviderPayment>, ProviderError> {
    let Some(charge) = charge(api, key, id).await? else {
        return Ok(None);
    };
    // `normalise` drops a charge that has not succeeded, as the listing does.
    let mut payments = normalise(api, key, std::iter::once(&charge)).await?;
    Ok(payments.pop())
}

/// The paid session `id`'s payment, normalised with the session in hand where the listing
/// would have fetched that same session.
async fn by_session(
    api: &Api,
    key: &str,
    id: &str,
) -> Result<Option<ProviderPayment>, ProviderError> {
    let path = format!("v1/checkout/sessions/{id}");
    let Some(session) = api.find::<Session>(&path, &[], key, &VERSION).await? else {
        return Ok(None);
    };
    if session.payment_status != "paid" {
        return Ok(None);
    }
    let Some(charge) = session_charge(api, key, &session).await? else {
        return Ok(None);
    };
    if charge.status != "succeeded" {
        return Ok(None);
    }
    // As the listing does: the session stands in only for a charge naming no visitor itself.
    let joined = session_filter(&charge).map(|_| &session.session);
    payment(&charge, joined).map(Some)
}

/// The charge that paid `session`: its payment intent's, or its first invoice's.
async fn session_charge(
    api: &Api,
    key: &str,
    session: &Session,
) -> Result<Option<Charge>, ProviderError> {
    if let Some(intent) = &session.payment_intent {
        return intent_charge(api, key, intent).await;
    }
    let Some(invoice) = &session.invoice else {
        return Ok(None);
    };
    let path = format!("v1/invoices/{invoice}");
    let invoice: Option<Invoice> = api.find(&path, &[], key, &VERSION).await?;
    match invoice.and_then(|invoice| invoice.charge) {
        Some(id) => charge(api, key, &id).await,
        // An invoice paid without a charge (from the customer's balance) made no payment.
        None => Ok(None),
    }
}

/// The charge `id`, with what the listing expands of it.
async fn charge(api: &Api, key: &str, id: &str) -> Result<Option<Charge>, ProviderError> {
    let path = format!("v1/charges/{id}");
    Ok(api.find(&path, &EXPAND, key, &VERSION).await?)
}

/// The payment intent's succeeded charge; earlier attempts of it may have failed.
async fn intent_charge(
    api: &Api,
    key: &str,
    intent: &str,
) -> Result<Option<Charge>, ProviderError> {
    let query = [
        &[("payment_intent", intent), ("limit", "100")][..],
        &EXPAND_LISTED,
    ]
    .concat();
    let list: List<Charge> = api.get("v1/charges", &query, key, &VERSION).await?;
    Ok(list.data.into_iter().find(|c| c.status == "succeeded"))
}
