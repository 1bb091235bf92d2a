//! Looking up one Polar payment by the checkout or order a webhook or a tracker event names,
//! normalised as the listing normalises it (see [`orders`](super::orders)).
//!
//! An order is `GET /v1/orders/{id}`. A checkout is `GET /v1/checkouts/{id}`, which counts once
//! its `status` is `succeeded`; its order is then found with the order list's documented
//! `checkout_id` filter (`GET /v1/orders/?checkout_id=…&organization_id=…`), oldest first in
//! case later orders of its subscription ever carry it too. A checkout or order of another
//! organization than the credential's (a token may see several) is no payment of this one.

use serde::Deserialize;

use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::ProviderPayment;
use datafast_ports::providers::ProviderError;

use super::listing::{List, order};
use super::orders::{Order, belongs_to, payment};
use crate::api::Api;

#[derive(Deserialize)]
struct Checkout {
    /// `open`, `expired`, `confirmed` (the customer clicked Pay), `succeeded` or `failed`.
    status: String,
    organization_id: String,
}

/// The payment `reference` names, or `None`.
pub(crate) async fn lookup(
    api: &Api,
    token: &str,
    organization: &str,
    reference: &PaymentReference,
) -> Result<Option<ProviderPayment>, ProviderError> {
    match reference {
        PaymentReference::PolarCheckout(id) if is_uuid(id) => {
            by_checkout(api, token, organization, id).await
        }
        PaymentReference::PolarOrder(id) if is_uuid(id) => {
            let found = order(api, token, id).await?;
            ours(found.as_ref(), organization)
        }
        _ => Ok(None),
    }
}

/// The order the succeeded checkout `id` made.
async fn by_checkout(
    api: &Api,
    token: &str,
    organization: &str,
    id: &str,
) -> Result<Option<ProviderPayment>, ProviderError> {
    let path = format!("v1/checkouts/{id}");
    let checkout: Option<Checkout> = api.find(&path, &[], token, &[]).await?;
    let paid = checkout.is_some_and(|c| {
        c.status == "succeeded" && c.organization_id.eq_ignore_ascii_case(organization)
    });
    if !paid {
        return Ok(None);
    }
    let query = [
        ("checkout_id", id),
        ("organization_id", organization),
        ("sorting", "created_at"),
        ("limit", "1"),
    ];
    let orders: List<Order> = api.get("v1/orders/", &query, token, &[]).await?;
    ours(orders.items.first(), organization)
}

/// `order` as a payment, when it is one of `organization`'s.
fn ours(
    order: Option<&Order>,
    organization: &str,
) -> Result<Option<ProviderPayment>, ProviderError> {
    match order {
        Some(order) if belongs_to(order, organization) => payment(order),
        _ => Ok(None),
    }
}

/// Whether `id` is a version-4 UUID, as every Polar id is: Polar refuses any other id in a
/// path (422), which for an id from outside is no payment rather than a failing provider.
fn is_uuid(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
        && groups[2].starts_with('4')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_version_4_uuids_are_sent_to_polar() {
        assert!(is_uuid("5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60"));
        assert!(is_uuid("5F0C6A4E-8A6B-4B8E-9A59-1B2C3D4E5F60"));
        for bad in [
            "",
            "abc",
            "5f0c6a4e8a6b4b8e9a591b2c3d4e5f60",
            "5f0c6a4e-8a6b-1b8e-9a59-1b2c3d4e5f60",
            "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f6g",
            "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60-0",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
    }
}
