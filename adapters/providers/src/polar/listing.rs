//! Polar payments: the organization's orders made in a window, then the refunds made in it,
//! each with its order (so a refund of an earlier payment updates that payment); the orders
//! themselves are read in [`orders`](super::orders).
//!
//! Neither list takes a date filter, so both are read newest first (`sorting=-created_at`) a
//! page at a time until their records are older than the window. The cursor names the list and
//! its page: `orders:<n>`, then `refunds:<n>`.

use jiff::Timestamp;
use reqwest::StatusCode;
use serde::Deserialize;

use datafast_domain::provider_payment::SyncWindow;
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::orders::{Order, payment};
use crate::api::Api;

/// Polar's largest page.
const PAGE_SIZE: &str = "100";
/// Each refund on a page costs a request for its order, so refund pages are kept small.
const REFUND_PAGE_SIZE: &str = "20";

#[derive(Deserialize)]
struct List<T> {
    items: Vec<T>,
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    max_page: u32,
}

#[derive(Deserialize)]
struct RefundObject {
    order_id: String,
    created_at: Timestamp,
    status: String,
}

/// Where a page of the listing starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Orders(u32),
    Refunds(u32),
}

impl Cursor {
    fn parse(page: Option<&str>) -> Result<Self, ProviderError> {
        let Some(page) = page else {
            return Ok(Cursor::Orders(1));
        };
        let parsed = match page.split_once(':') {
            Some(("orders", number)) => number.parse().ok().map(Cursor::Orders),
            Some(("refunds", number)) => number.parse().ok().map(Cursor::Refunds),
            _ => None,
        };
        parsed
            .filter(|cursor| cursor.number() > 0)
            .ok_or_else(|| ProviderError::Unavailable(format!("unknown Polar cursor {page:?}")))
    }

    fn number(self) -> u32 {
        match self {
            Cursor::Orders(number) | Cursor::Refunds(number) => number,
        }
    }

    /// The page after this one, or the first of the next list, or none after the last.
    fn after(self, more: bool) -> Option<Cursor> {
        match (self, more) {
            (Cursor::Orders(number), true) => Some(Cursor::Orders(number + 1)),
            (Cursor::Orders(_), false) => Some(Cursor::Refunds(1)),
            (Cursor::Refunds(number), true) => Some(Cursor::Refunds(number + 1)),
            (Cursor::Refunds(_), false) => None,
        }
    }

    fn encode(self) -> String {
        match self {
            Cursor::Orders(number) => format!("orders:{number}"),
            Cursor::Refunds(number) => format!("refunds:{number}"),
        }
    }
}

/// One page of the organization's orders made within `window`, or of its refunds made in it.
pub(crate) async fn payments(
    api: &Api,
    token: &str,
    organization_id: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let cursor = Cursor::parse(page)?;
    let number = cursor.number().to_string();
    let within = |at: Timestamp| window.from <= at && at < window.to;
    let mut query = vec![
        ("organization_id", organization_id),
        ("page", number.as_str()),
        ("sorting", "-created_at"),
    ];
    let (payments, more) = match cursor {
        Cursor::Orders(_) => {
            query.push(("limit", PAGE_SIZE));
            let list: List<Order> = api.get("v1/orders/", &query, token, &[]).await?;
            let mut payments = Vec::new();
            for order in list.items.iter().filter(|o| within(o.created_at)) {
                payments.extend(payment(order)?);
            }
            let more = more_after(cursor, &list, |o| o.created_at, window);
            (payments, more)
        }
        Cursor::Refunds(_) => {
            query.extend([("limit", REFUND_PAGE_SIZE), ("succeeded", "true")]);
            let list: List<RefundObject> = api.get("v1/refunds/", &query, token, &[]).await?;
            let mut orders: Vec<&str> = list
                .items
                .iter()
                .filter(|r| r.status == "succeeded" && within(r.created_at))
                .map(|r| r.order_id.as_str())
                .collect();
            orders.sort_unstable();
            orders.dedup();
            let mut payments = Vec::new();
            for id in orders {
                if let Some(order) = order(api, token, id).await? {
                    payments.extend(payment(&order)?);
                }
            }
            let more = more_after(cursor, &list, |r| r.created_at, window);
            (payments, more)
        }
    };
    Ok(PaymentPage {
        payments,
        next: cursor.after(more).map(Cursor::encode),
    })
}

/// Whether the list goes on past this page with records the window may still need: there is a
/// later page, and this one did not already reach back before the window.
fn more_after<T>(
    cursor: Cursor,
    list: &List<T>,
    created: impl Fn(&T) -> Timestamp,
    window: &SyncWindow,
) -> bool {
    cursor.number() < list.pagination.max_page
        && list
            .items
            .last()
            .is_some_and(|last| created(last) >= window.from)
}

/// The refunded order; `None` if Polar no longer shows it.
async fn order(api: &Api, token: &str, id: &str) -> Result<Option<Order>, ProviderError> {
    match api.get(&format!("v1/orders/{id}"), &[], token, &[]).await {
        Ok(order) => Ok(Some(order)),
        Err(failure) if failure.status() == Some(StatusCode::NOT_FOUND) => Ok(None),
        Err(failure) => Err(failure.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_they_wrote() {
        assert_eq!(Cursor::parse(None), Ok(Cursor::Orders(1)));
        for cursor in [Cursor::Orders(2), Cursor::Refunds(1)] {
            assert_eq!(Cursor::parse(Some(&cursor.encode())), Ok(cursor));
        }
        for bad in ["orders:0", "refunds:", "orders", "c:1"] {
            assert!(Cursor::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
