//! Lemon Squeezy payments: the store's orders, then its subscriptions' later invoices, each
//! list read newest first a page at a time; the records themselves are read in
//! [`records`](super::records).
//!
//! Neither list takes a date or refund filter, so a pass reads from the newest record back to
//! the window's start less [`REFUND_LOOKBACK`]: records created in the window are its payments,
//! and older ones refunded in it are sent again, with their refund. The cursor names the list
//! and its page: `orders:<n>`, then `invoices:<n>`.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{Subscription, SyncWindow};
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::JSON_API;
use super::records::{List, concerns, invoice, opened, order};
use crate::api::Api;
use crate::cursor::{NumberedPages, Phase};

/// Lemon Squeezy's largest page.
const PAGE_SIZE: &str = "100";

/// How long before a window a pass still reads records back, to find the refunds made in the
/// window of payments made before it. It bounds what every pass re-reads; a refund of a
/// payment made longer before than this is not seen.
const REFUND_LOOKBACK: SignedDuration = SignedDuration::from_hours(60 * 24);

/// The store's orders, then its subscription invoices.
const PAGES: NumberedPages = NumberedPages::new("orders", "invoices", Provider::LemonSqueezy);

/// One page of the store's orders, or of its subscription invoices, made or refunded within
/// `window`.
pub(crate) async fn payments(
    api: &Api,
    key: &str,
    store_id: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let cursor = PAGES.parse(page)?;
    let number = cursor.number.to_string();
    let mut query = vec![
        ("filter[store_id]", store_id),
        ("page[number]", number.as_str()),
        ("page[size]", PAGE_SIZE),
    ];
    let path = match cursor.phase {
        Phase::First => {
            // An order names no subscription itself; its included subscriptions do.
            query.push(("include", "subscriptions"));
            "v1/orders"
        }
        Phase::Second => "v1/subscription-invoices",
    };
    let list: List = api.get(path, &query, key, &JSON_API).await?;
    let subscriptions = subscriptions(&list);
    let mut payments = Vec::new();
    for record in list.data.iter().filter(|r| concerns(&r.attributes, window)) {
        let payment = match cursor.phase {
            Phase::First => Some(order(record, subscriptions.get(&record.id))?),
            Phase::Second => invoice(record)?,
        };
        payments.extend(payment);
    }
    Ok(PaymentPage {
        payments,
        next: PAGES.next(cursor, more_after(&list, window)),
    })
}

/// The subscriptions included with a page of orders, by the id of the order that opened each.
fn subscriptions(list: &List) -> HashMap<String, Subscription> {
    list.included
        .iter()
        .map(|s| (s.attributes.order_id.to_string(), opened(s)))
        .collect()
}

/// Whether the list goes on past this page with records a pass over `window` still reads:
/// there is a later page, and this one did not already reach back past the refund lookback.
fn more_after(list: &List, window: &SyncWindow) -> bool {
    let horizon = window
        .from
        .checked_sub(REFUND_LOOKBACK)
        .unwrap_or(Timestamp::MIN);
    list.meta.page.current_page < list.meta.page.last_page
        && list
            .data
            .last()
            .is_some_and(|last| last.attributes.created_at >= horizon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cursor::assert_reads_back;

    #[test]
    fn cursors_read_back_what_they_wrote() {
        assert_reads_back(
            PAGES,
            [(Phase::First, 3), (Phase::Second, 1)],
            &["orders:0", "orders:x", "charges:2", "3"],
        );
    }
}
