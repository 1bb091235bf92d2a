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

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::{ProviderPayment, SyncWindow};
use datafast_ports::providers::{PaymentPage, ProviderError};

use super::VERSION;
use super::transactions::{Transaction, payment};
use crate::api::Api;
use crate::cursor::{AfterIds, Phase};

/// Paddle's largest transaction page; refund pages match it, so that one request reads all
/// the transactions a page of refunds names.
const PAGE_SIZE: &str = "30";
/// The statuses of a transaction that is a payment: invoiced (`billed`, for manual collection)
/// or collected (`paid`, then `completed`).
pub(super) const BILLED: &str = "billed,paid,completed";
/// The customer, for an email; the adjustment totals, for what was refunded.
pub(super) const INCLUDE: &str = "customer,adjustments_totals";

/// The transactions billed in the window, then the refunds approved in it.
const CURSOR: AfterIds = AfterIds::new("transactions", "refunds", Provider::Paddle);

#[derive(Deserialize)]
pub(super) struct List<T> {
    pub(super) data: Vec<T>,
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

/// One page of the transactions billed within `window`, or of the refunds approved in it.
pub(crate) async fn payments(
    api: &Api,
    key: &str,
    window: &SyncWindow,
    page: Option<&str>,
) -> Result<PaymentPage, ProviderError> {
    let cursor = CURSOR.parse(page)?;
    match cursor.phase {
        Phase::First => transactions(api, key, window, cursor.after).await,
        Phase::Second => refunds(api, key, window, cursor.after).await,
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
    let after = continues_after(&list, |t| &t.id);
    Ok(PaymentPage {
        payments,
        next: CURSOR.next(Phase::First, after.as_deref()),
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
    let reached_back = list
        .data
        .last()
        .is_none_or(|last| last.created_at < window.from);
    let after = continues_after(&list, |a| &a.id).filter(|_| !reached_back);
    Ok(PaymentPage {
        payments: refunded_transactions(api, key, &refunded).await?,
        next: CURSOR.next(Phase::Second, after.as_deref()),
    })
}

/// The transactions `ids` name, as payments: one request, since a refund page is no larger
/// than a transaction page.
async fn refunded_transactions(
    api: &Api,
    key: &str,
    ids: &[&str],
) -> Result<Vec<ProviderPayment>, ProviderError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = ids.join(",");
    let query = [
        ("id", ids.as_str()),
        ("per_page", PAGE_SIZE),
        ("include", INCLUDE),
    ];
    let transactions: List<Transaction> = api.get("transactions", &query, key, &VERSION).await?;
    transactions.data.iter().map(payment).collect()
}

/// Where the list goes on: the `after` of Paddle's `next` link (else the page's last id), when
/// it says there is more.
pub(super) fn continues_after<T>(list: &List<T>, id: impl Fn(&T) -> &String) -> Option<String> {
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
    use crate::cursor::AfterId;

    #[test]
    fn cursors_name_a_list_and_where_it_goes_on() {
        let at = |phase, after| AfterId { phase, after };
        assert_eq!(CURSOR.parse(None), Ok(at(Phase::First, None)));
        assert_eq!(CURSOR.parse(Some("refunds")), Ok(at(Phase::Second, None)));
        assert_eq!(
            CURSOR.parse(Some("transactions:txn_01")),
            Ok(at(Phase::First, Some("txn_01")))
        );
        assert_eq!(
            CURSOR.parse(Some("refunds:adj_01")),
            Ok(at(Phase::Second, Some("adj_01")))
        );
        for bad in ["transactions:", "transactions", "r:adj_01"] {
            assert!(CURSOR.parse(Some(bad)).is_err(), "{bad}");
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
