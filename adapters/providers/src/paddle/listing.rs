//! Paddle payments: the transactions billed in a window, then the refunds approved in it, each
//! with its transaction (so a refund of an earlier payment updates that payment); the
//! transactions themselves are read in [`transactions`](super::transactions).
//!
//! Transactions are filtered on `billed_at`, not `created_at`: Paddle creates a checkout's
//! transaction when the checkout opens and bills it when the customer pays, perhaps much later,
//! so a window of creation times could be read before its payments are made. Refunds are
//! adjustments (`action=refund`), which take no date filter: they are read newest first until
//! they are older than the window. Pages follow Paddle's `after` (from `meta.pagination.next`);
//! the cursor is `transactions:<after>`, then `refunds` and `refunds:<after>`.

use jiff::Timestamp;
use reqwest::Url;
use serde::Deserialize;

use datafast_domain::provider_payment::SyncWindow;
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::VERSION;
use super::transactions::{Transaction, payment};
use crate::api::Api;

/// Paddle's largest transaction page; refund pages match it, so that one request reads all
/// the transactions a page of refunds names.
const PAGE_SIZE: &str = "30";
/// The statuses of a transaction that is a payment: invoiced (`billed`, for manual collection)
/// or collected (`paid`, then `completed`).
const BILLED: &str = "billed,paid,completed";
/// The customer, for an email; the adjustment totals, for what was refunded.
const INCLUDE: &str = "customer,adjustments_totals";

#[derive(Deserialize)]
struct List<T> {
    data: Vec<T>,
    meta: ListMeta,
}

#[derive(Deserialize)]
struct ListMeta {
    pagination: Pagination,
}

#[derive(Deserialize)]
struct Pagination {
    next: Option<String>,
    has_more: bool,
}

#[derive(Deserialize)]
struct Adjustment {
    id: String,
    transaction_id: String,
    status: String,
    created_at: Timestamp,
}

/// Where a page of the listing starts: a list, and the id it goes on after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cursor<'a> {
    Transactions(Option<&'a str>),
    Refunds(Option<&'a str>),
}

impl<'a> Cursor<'a> {
    fn parse(page: Option<&'a str>) -> Result<Self, ProviderError> {
        let parsed = match page {
            None => Some(Cursor::Transactions(None)),
            Some("refunds") => Some(Cursor::Refunds(None)),
            Some(page) => match page.split_once(':') {
                Some(("transactions", id)) if !id.is_empty() => {
                    Some(Cursor::Transactions(Some(id)))
                }
                Some(("refunds", id)) if !id.is_empty() => Some(Cursor::Refunds(Some(id))),
                _ => None,
            },
        };
        parsed.ok_or_else(|| ProviderError::Unavailable(format!("unknown Paddle cursor {page:?}")))
    }
}

/// One page of the transactions billed within `window`, or of the refunds approved in it.
pub(crate) async fn payments(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    match Cursor::parse(page)? {
        Cursor::Transactions(after) => transactions(api, key, window, after).await,
        Cursor::Refunds(after) => refunds(api, key, window, after).await,
    }
}

async fn transactions(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    after: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    // Whole seconds, the window widened to them: a payment read twice is harmless.
    let from = whole_second(window.from, false);
    let to = whole_second(window.to, true);
    let mut query = vec![
        ("status", BILLED),
        ("billed_at[GTE]", from.as_str()),
        ("billed_at[LT]", to.as_str()),
        ("order_by", "billed_at[ASC]"),
        ("per_page", PAGE_SIZE),
        ("include", INCLUDE),
    ];
    query.extend(after.map(|id| ("after", id)));
    let list: List<Transaction> = api.get("transactions", &query, key, &VERSION).await?;
    let payments = list.data.iter().map(payment).collect::<Result<_, _>>()?;
    let next = match continues_after(&list, |t| &t.id) {
        Some(after) => format!("transactions:{after}"),
        None => "refunds".to_owned(),
    };
    Ok(PaymentPage {
        payments,
        next: Some(next),
    })
}

async fn refunds(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    after: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let mut query = vec![
        ("action", "refund"),
        ("status", "approved"),
        ("order_by", "id[DESC]"),
        ("per_page", PAGE_SIZE),
    ];
    query.extend(after.map(|id| ("after", id)));
    let list: List<Adjustment> = api.get("adjustments", &query, key, &VERSION).await?;
    let mut refunded: Vec<&str> = list
        .data
        .iter()
        .filter(|a| {
            a.status == "approved" && window.from <= a.created_at && a.created_at < window.to
        })
        .map(|a| a.transaction_id.as_str())
        .collect();
    refunded.sort_unstable();
    refunded.dedup();
    let mut payments = Vec::new();
    if !refunded.is_empty() {
        let ids = refunded.join(",");
        let query = [
            ("id", ids.as_str()),
            ("per_page", PAGE_SIZE),
            ("include", INCLUDE),
        ];
        let transactions: List<Transaction> =
            api.get("transactions", &query, key, &VERSION).await?;
        payments = transactions
            .data
            .iter()
            .map(payment)
            .collect::<Result<_, _>>()?;
    }
    let reached_back = list
        .data
        .last()
        .is_none_or(|last| last.created_at < window.from);
    let next = match continues_after(&list, |a| &a.id) {
        Some(after) if !reached_back => Some(format!("refunds:{after}")),
        _ => None,
    };
    Ok(PaymentPage { payments, next })
}

/// Where the list goes on: the `after` of Paddle's `next` link (else the page's last id), when
/// it says there is more.
fn continues_after<T>(list: &List<T>, id: impl Fn(&T) -> &String) -> Option<String> {
    if !list.meta.pagination.has_more {
        return None;
    }
    let from_link = list
        .meta
        .pagination
        .next
        .as_deref()
        .and_then(|next| Url::parse(next).ok())
        .and_then(|next| {
            next.query_pairs()
                .find(|(name, _)| name == "after")
                .map(|(_, value)| value.into_owned())
        });
    from_link.or_else(|| list.data.last().map(|last| id(last).clone()))
}

/// `at` in whole seconds, rounded down, or up when `up`, as RFC 3339.
fn whole_second(at: Timestamp, up: bool) -> String {
    let second = at.as_second() + i64::from(up && at.subsec_nanosecond() > 0);
    Timestamp::from_second(second).unwrap_or(at).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_a_list_and_where_it_goes_on() {
        assert_eq!(Cursor::parse(None), Ok(Cursor::Transactions(None)));
        assert_eq!(Cursor::parse(Some("refunds")), Ok(Cursor::Refunds(None)));
        assert_eq!(
            Cursor::parse(Some("transactions:txn_01")),
            Ok(Cursor::Transactions(Some("txn_01")))
        );
        assert_eq!(
            Cursor::parse(Some("refunds:adj_01")),
            Ok(Cursor::Refunds(Some("adj_01")))
        );
        for bad in ["transactions:", "transactions", "r:adj_01"] {
            assert!(Cursor::parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn window_bounds_widen_to_whole_seconds() {
        let at: Timestamp = "2025-06-15T10:00:00.250Z".parse().unwrap();
        assert_eq!(whole_second(at, false), "2025-06-15T10:00:00Z");
        assert_eq!(whole_second(at, true), "2025-06-15T10:00:01Z");
        let exact: Timestamp = "2025-06-15T10:00:00Z".parse().unwrap();
        assert_eq!(whole_second(exact, true), "2025-06-15T10:00:00Z");
    }
}
