//! Polar payments: the organization's orders made in a window, then the refunds made in it,
//! each with its order (so a refund of an earlier payment updates that payment); the orders
//! themselves are read in [`orders`](super::orders).
//!
//! Neither list takes a date filter, so both are read newest first (`sorting=-created_at`) a
//! page at a time until their records are older than the window. The cursor names the list and
//! its page: `orders:<n>`, then `refunds:<n>`.

use jiff::Timestamp;
use serde::Deserialize;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{ProviderPayment, SyncWindow};
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::orders::{Order, payment};
use crate::api::Api;
use crate::cursor::{NumberedPage, NumberedPages, Phase};

/// Polar's largest page.
pub(super) const PAGE_SIZE: &str = "100";
/// Each refund on a page costs a request for its order, so refund pages are kept small.
const REFUND_PAGE_SIZE: &str = "20";

/// The organization's orders, then its refunds.
const PAGES: NumberedPages = NumberedPages::new("orders", "refunds", Provider::Polar);

#[derive(Deserialize)]
pub(super) struct List<T> {
    pub(super) items: Vec<T>,
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    max_page: u32,
}

impl<T> List<T> {
    /// Whether Polar has a page of this list after page `number`.
    pub(super) fn has_page_after(&self, number: u32) -> bool {
        number < self.pagination.max_page
    }
}

#[derive(Deserialize)]
struct RefundObject {
    order_id: String,
    created_at: Timestamp,
    status: String,
}

/// One page of the organization's orders made within `window`, or of its refunds made in it.
pub(crate) async fn payments(
    api: &Api,
    token: &str,
    organization_id: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let cursor = PAGES.parse(page)?;
    let number = cursor.number.to_string();
    let query = [
        ("organization_id", organization_id),
        ("page", number.as_str()),
        ("sorting", "-created_at"),
    ];
    let (payments, more) = match cursor.phase {
        Phase::First => {
            let query = [&query[..], &[("limit", PAGE_SIZE)]].concat();
            let list: List<Order> = api.get("v1/orders/", &query, token, &[]).await?;
            let more = more_after(cursor, &list, |o| o.created_at, window);
            (made_within(&list, window)?, more)
        }
        Phase::Second => {
            let query = [
                &query[..],
                &[("limit", REFUND_PAGE_SIZE), ("succeeded", "true")],
            ]
            .concat();
            let list: List<RefundObject> = api.get("v1/refunds/", &query, token, &[]).await?;
            let more = more_after(cursor, &list, |r| r.created_at, window);
            (refunded_within(api, token, &list, window).await?, more)
        }
    };
    Ok(PaymentPage {
        payments,
        next: PAGES.next(cursor, more),
    })
}

/// The page's orders made within `window`, as payments.
fn made_within(
    list: &List<Order>,
    window: &SyncWindow,
) -> Result<Vec<ProviderPayment>, ProviderError> {
    let mut payments = Vec::new();
    for order in list.items.iter().filter(|o| within(window, o.created_at)) {
        payments.extend(payment(order)?);
    }
    Ok(payments)
}

/// The orders the page's refunds made within `window` gave back, as they stand now: each read
/// once, however many of its refunds the page holds.
async fn refunded_within(
    api: &Api,
    token: &str,
    list: &List<RefundObject>,
    window: &SyncWindow,
) -> Result<Vec<ProviderPayment>, ProviderError> {
    let mut orders: Vec<&str> = list
        .items
        .iter()
        .filter(|r| r.status == "succeeded" && within(window, r.created_at))
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
    Ok(payments)
}

fn within(window: &SyncWindow, at: Timestamp) -> bool {
    window.from <= at && at < window.to
}

/// Whether the list goes on past this page with records the window may still need: there is a
/// later page, and this one did not already reach back before the window.
fn more_after<T>(
    cursor: NumberedPage,
    list: &List<T>,
    created: impl Fn(&T) -> Timestamp,
    window: &SyncWindow,
) -> bool {
    list.has_page_after(cursor.number)
        && list
            .items
            .last()
            .is_some_and(|last| created(last) >= window.from)
}

/// The order `id`; `None` if Polar does not show it (any more).
pub(super) async fn order(
    api: &Api,
    token: &str,
    id: &str,
) -> Result<Option<Order>, ProviderError> {
    Ok(api
        .find(&format!("v1/orders/{id}"), &[], token, &[])
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::assert_reads_back;

    #[test]
    fn cursors_read_back_what_they_wrote() {
        assert_reads_back(
            PAGES,
            [(Phase::First, 2), (Phase::Second, 1)],
            &["orders:0", "refunds:", "orders", "c:1"],
        );
    }
}
