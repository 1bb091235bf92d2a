//! Looking up one Lemon Squeezy payment by the order or subscription invoice a webhook or a
//! tracker event names, normalised as the listing normalises it (see
//! [`records`](super::records)).
//!
//! An order is `GET /v1/orders/{id}?include=subscriptions` (the subscription it opened, as
//! the listing includes it); an invoice is `GET /v1/subscription-invoices/{id}?include=
//! subscription`. Either counts when it belongs to the credential's store and was paid (since
//! perhaps refunded). A subscription's `initial` invoice is the same payment as the order that
//! opened the subscription, which the listing lists instead: it is answered with that order,
//! found through the included subscription's `order_id`.

use serde::Deserialize;

use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::ProviderPayment;
use datafast_ports::providers::ProviderError;

use super::JSON_API;
use super::records::{Resource, Sale, SubscriptionAttributes, invoice, opened, order, paid};
use crate::api::Api;

/// A JSON:API answer of one record, with the subscriptions included beside it.
#[derive(Deserialize)]
struct One {
    data: Resource<Sale>,
    #[serde(default)]
    included: Vec<Resource<SubscriptionAttributes>>,
}

/// The payment `reference` names, or `None`.
pub(crate) async fn lookup(
    api: &Api,
    key: &str,
    store: &str,
    reference: &PaymentReference,
) -> Result<Option<ProviderPayment>, ProviderError> {
    match reference {
        PaymentReference::LemonSqueezyOrder(id) => by_order(api, key, store, id).await,
        PaymentReference::LemonSqueezySubscriptionInvoice(id) => {
            by_invoice(api, key, store, id).await
        }
        _ => Ok(None),
    }
}

/// The order `id` with the subscription it opened, if it is a paid order of `store`.
async fn by_order(
    api: &Api,
    key: &str,
    store: &str,
    id: &str,
) -> Result<Option<ProviderPayment>, ProviderError> {
    let path = format!("v1/orders/{id}");
    let Some(found) = store_record(api, key, store, &path, "subscriptions").await? else {
        return Ok(None);
    };
    let subscription = found
        .included
        .iter()
        .find(|s| s.attributes.order_id.to_string() == found.data.id)
        .map(opened);
    order(&found.data, subscription.as_ref()).map(Some)
}

/// The subscription invoice `id` as a renewal; its subscription's order for the `initial` one.
async fn by_invoice(
    api: &Api,
    key: &str,
    store: &str,
    id: &str,
) -> Result<Option<ProviderPayment>, ProviderError> {
    let path = format!("v1/subscription-invoices/{id}");
    let Some(found) = store_record(api, key, store, &path, "subscription").await? else {
        return Ok(None);
    };
    if let Some(renewal) = invoice(&found.data)? {
        return Ok(Some(renewal));
    }
    match found.included.first() {
        Some(subscription) => {
            let order_id = subscription.attributes.order_id.to_string();
            by_order(api, key, store, &order_id).await
        }
        None => Ok(None),
    }
}

/// The record at `path` with `include`d subscriptions; `None` when there is none, when it is
/// another store's (an API key sees every store of its user), or when it was never paid.
async fn store_record(
    api: &Api,
    key: &str,
    store: &str,
    path: &str,
    include: &str,
) -> Result<Option<One>, ProviderError> {
    let query = [("include", include)];
    let found: Option<One> = api.find(path, &query, key, &JSON_API).await?;
    Ok(found.filter(|one| {
        let sale = &one.data.attributes;
        sale.store_id.is_some_and(|id| id.to_string() == store) && paid(sale)
    }))
}
