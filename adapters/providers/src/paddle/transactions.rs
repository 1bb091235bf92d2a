//! Paddle's transactions as its API answers them (with the customer and the adjustment totals
//! included), and each as a normalised payment.
//!
//! The transaction id is Paddle's (`txn_…`). The checkout's `custom_data` stays on its
//! transaction, so the visitor and session are read from there.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{Customer, ProviderPayment, Subscription};
use datafast_ports::providers::ProviderError;

use crate::payment::{SESSION, VISITOR, currency, refund};

#[derive(Deserialize)]
pub(super) struct Transaction {
    pub(super) id: String,
    /// `draft`, `ready`, `billed`, `paid`, `completed`, `canceled` or `past_due`.
    pub(super) status: String,
    customer_id: Option<String>,
    subscription_id: Option<String>,
    /// `web`, `api`, `subscription_recurring`, `subscription_charge`, …
    origin: String,
    custom_data: Option<HashMap<String, Value>>,
    currency_code: String,
    details: Details,
    #[serde(default)]
    items: Vec<Item>,
    billed_at: Option<Timestamp>,
    created_at: Timestamp,
    customer: Option<TransactionCustomer>,
    adjustments_totals: Option<AdjustmentsTotals>,
}

#[derive(Deserialize)]
struct Details {
    totals: Totals,
    payout_totals: Option<Totals>,
}

/// Amounts are strings of minor units.
#[derive(Deserialize)]
struct Totals {
    grand_total: String,
    currency_code: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    price: Option<Price>,
}

#[derive(Deserialize)]
struct Price {
    trial_period: Option<Value>,
}

#[derive(Deserialize)]
struct TransactionCustomer {
    email: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct AdjustmentsTotals {
    breakdown: Option<Breakdown>,
}

#[derive(Deserialize)]
struct Breakdown {
    refund: String,
}

pub(super) fn minor_units(amount: &str) -> Result<i64, ProviderError> {
    amount
        .parse()
        .map_err(|_| ProviderError::Unavailable(format!("Paddle sent an amount {amount:?}")))
}

pub(super) fn payment(transaction: &Transaction) -> Result<ProviderPayment, ProviderError> {
    let amount_minor = minor_units(&transaction.details.totals.grand_total)?;
    let settlement = match &transaction.details.payout_totals {
        Some(Totals {
            grand_total,
            currency_code: Some(code),
        }) => Some((minor_units(grand_total)?, currency(code, Provider::Paddle)?)),
        _ => None,
    };
    let refunded = match transaction
        .adjustments_totals
        .as_ref()
        .and_then(|t| t.breakdown.as_ref())
    {
        Some(breakdown) => minor_units(&breakdown.refund)?,
        None => 0,
    };
    let meta = |name: &str| {
        let data = transaction.custom_data.as_ref()?;
        data.get(name)?.as_str().map(str::to_owned)
    };
    let renewal = transaction.origin == "subscription_recurring";
    // A subscription's first transaction for a price with a trial period opens that trial.
    let trial = !renewal
        && transaction.items.iter().any(|item| {
            item.price
                .as_ref()
                .is_some_and(|p| p.trial_period.is_some())
        });
    let customer = transaction.customer.as_ref();
    Ok(ProviderPayment {
        provider: Provider::Paddle,
        transaction_id: transaction.id.clone(),
        amount_minor,
        currency: currency(&transaction.currency_code, Provider::Paddle)?,
        settlement,
        customer: Customer {
            id: transaction.customer_id.clone(),
            email: customer.and_then(|c| c.email.clone()),
            name: customer.and_then(|c| c.name.clone()),
        },
        renewal,
        refund: refund(amount_minor, refunded, false),
        subscription: transaction
            .subscription_id
            .clone()
            .map(|id| Subscription { id, trial }),
        occurred_at: transaction.billed_at.unwrap_or(transaction.created_at),
        visitor_id: meta(VISITOR),
        session_id: meta(SESSION),
    })
}
