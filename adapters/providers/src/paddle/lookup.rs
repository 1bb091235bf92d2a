//! Looking up one Paddle transaction by the id a webhook or a tracker event names, normalised as
//! the listing normalises it (see [`transactions`](super::transactions)).
//!
//! `GET /transactions/{id}` with the customer and the adjustment totals included, as the
//! listing includes them. Only a transaction in a status the listing lists as a payment
//! (`billed`, `paid`, `completed`) is one; a draft or ready checkout, a canceled or a past-due
//! one is not (yet).
//!
//! Refunds: what is reflected is what the listing reflects, the `refund` part of
//! `adjustments_totals` (Paddle's own sum of the transaction's refund adjustments), so a
//! partial refund shows as partial and a refund of the whole as full. Credits and chargebacks,
//! the other adjustment actions, are not counted as refunds; nor is a refund still pending
//! approval, as far as Paddle leaves it out of the totals.

use serde::Deserialize;

use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::ProviderPayment;
use datafast_ports::providers::ProviderError;

use super::VERSION;
use super::listing::{BILLED, INCLUDE};
use super::transactions::{Transaction, payment};
use crate::api::Api;

/// Paddle's answer of one entity.
#[derive(Deserialize)]
struct One<T> {
    data: T,
}

/// The payment `reference` names, or `None`.
pub(crate) async fn lookup(
    api: &Api,
    key: &str,
    reference: &PaymentReference,
) -> Result<Option<ProviderPayment>, ProviderError> {
    let PaymentReference::PaddleTransaction(id) = reference else {
        return Ok(None);
    };
    // Every transaction id has this prefix; anything else names no transaction.
    if !id.starts_with("txn_") {
        return Ok(None);
    }
    let path = format!("transactions/{id}");
    let query = [("include", INCLUDE)];
    let found: Option<One<Transaction>> = api.find(&path, &query, key, &VERSION).await?;
    match found {
        Some(One { data }) if billed(&data) => payment(&data).map(Some),
        _ => Ok(None),
    }
}

/// Whether the transaction is in a status the listing lists as a payment.
fn billed(transaction: &Transaction) -> bool {
    BILLED.split(',').any(|status| status == transaction.status)
}
