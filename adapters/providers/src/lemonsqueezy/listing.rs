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

use datafast_domain::provider_payment::{Subscription, SyncWindow};
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::JSON_API;
use super::records::{List, concerns, invoice, order};
use crate::api::Api;

/// Lemon Squeezy's largest page.
const PAGE_SIZE: &str = "100";

/// How long before a window a pass still reads records back, to find the refunds made in the
/// window of payments made before it. It bounds what every pass re-reads; a refund of a
/// payment made longer before than this is not seen.
const REFUND_LOOKBACK: SignedDuration = SignedDuration::from_hours(60 * 24);

/// Where a page of the listing starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor {
    Orders(u32),
    Invoices(u32),
}

impl Cursor {
    fn parse(page: Option<&str>) -> Result<Self, ProviderError> {
        let Some(page) = page else {
            return Ok(Cursor::Orders(1));
        };
        let parsed = match page.split_once(':') {
            Some(("orders", number)) => number.parse().ok().map(Cursor::Orders),
            Some(("invoices", number)) => number.parse().ok().map(Cursor::Invoices),
            _ => None,
        };
        parsed.filter(|cursor| cursor.number() > 0).ok_or_else(|| {
            ProviderError::Unavailable(format!("unknown Lemon Squeezy cursor {page:?}"))
        })
    }

    fn number(self) -> u32 {
        match self {
            Cursor::Orders(number) | Cursor::Invoices(number) => number,
        }
    }

    /// The page after this one, or the first of the next list, or none after the last.
    fn after(self, more: bool) -> Option<Cursor> {
        match (self, more) {
            (Cursor::Orders(number), true) => Some(Cursor::Orders(number + 1)),
            (Cursor::Orders(_), false) => Some(Cursor::Invoices(1)),
            (Cursor::Invoices(number), true) => Some(Cursor::Invoices(number + 1)),
            (Cursor::Invoices(_), false) => None,
        }
    }

    fn encode(self) -> String {
        match self {
            Cursor::Orders(number) => format!("orders:{number}"),
            Cursor::Invoices(number) => format!("invoices:{number}"),
        }
    }
}

/// One page of the store's orders, or of its subscription invoices, made or refunded within
/// `window`.
pub(crate) async fn payments(
    api: &Api,
    key: &str,
    store_id: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let cursor = Cursor::parse(page)?;
    let number = cursor.number().to_string();
    let mut query = vec![
        ("filter[store_id]", store_id),
        ("page[number]", number.as_str()),
        ("page[size]", PAGE_SIZE),
    ];
    let path = match cursor {
        Cursor::Orders(_) => {
            // An order names no subscription itself; its included subscriptions do.
            query.push(("include", "subscriptions"));
            "v1/orders"
        }
        Cursor::Invoices(_) => "v1/subscription-invoices",
    };
    let list: List = api.get(path, &query, key, &JSON_API).await?;
    let subscriptions: HashMap<String, Subscription> = list
        .included
        .iter()
        .map(|s| {
            let opened = Subscription {
                id: s.id.clone(),
                trial: s.attributes.trial_ends_at.is_some(),
            };
            (s.attributes.order_id.to_string(), opened)
        })
        .collect();
    let mut payments = Vec::new();
    for record in list.data.iter().filter(|r| concerns(&r.attributes, window)) {
        let payment = match cursor {
            Cursor::Orders(_) => Some(order(record, subscriptions.get(&record.id))?),
            Cursor::Invoices(_) => invoice(record)?,
        };
        payments.extend(payment);
    }
    let horizon = window
        .from
        .checked_sub(REFUND_LOOKBACK)
        .unwrap_or(Timestamp::MIN);
    let more = list.meta.page.current_page < list.meta.page.last_page
        && list
            .data
            .last()
            .is_some_and(|last| last.attributes.created_at >= horizon);
    Ok(PaymentPage {
        payments,
        next: cursor.after(more).map(Cursor::encode),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_what_they_wrote() {
        assert_eq!(Cursor::parse(None), Ok(Cursor::Orders(1)));
        for cursor in [Cursor::Orders(3), Cursor::Invoices(1)] {
            assert_eq!(Cursor::parse(Some(&cursor.encode())), Ok(cursor));
        }
        for bad in ["orders:0", "orders:x", "charges:2", "3"] {
            assert!(Cursor::parse(Some(bad)).is_err(), "{bad}");
        }
    }
}
