//! Paddle subscriptions: every one of the account's, in any status, a page at a time newest
//! first, as the domain's subscriptions.
//!
//! `GET /subscriptions?order_by=id[DESC]` lists them (Paddle's ids grow with time, so the
//! newest come first), paged by `after` from `meta.pagination.next`; the cursor is
//! `subscriptions:<after>`. The list takes no `include`, so the customers' emails and names are
//! read with one `GET /customers?id=…` per page, archived customers included (the list leaves
//! them out unless asked).
//!
//! Amount: a period's price is the sum of the recurring items (a one-time charge waiting for the
//! next bill is not part of it; an `inactive` item is not billed), each its unit price times its
//! quantity. A price's `unit_price` is in its base currency; a subscription in another currency
//! is billed at the price's override in that currency, which is read when there is one, else
//! the base amount stands (Paddle converts it at the day's rate, which the list does not tell).
//! Statuses map one to one, `canceled` being ended at `canceled_at`, and a `scheduled_change`
//! whose action is `cancel` is a cancellation scheduled for the period's end; the visitor is the
//! subscription's `custom_data.datafast_visitor_id`, copied from the checkout's.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::Customer;
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_ports::providers::{ProviderError, SubscriptionPage};

use super::VERSION;
use super::listing::{List, continues_after};
use super::transactions::minor_units;
use crate::api::Api;
use crate::payment::{VISITOR, currency};

/// A page of subscriptions; its customers, at most as many, fit in one page of theirs.
const PAGE_SIZE: &str = "100";
const CUSTOMER_PAGE_SIZE: &str = "200";
/// What every cursor of this listing starts with.
const CURSOR: &str = "subscriptions:";

#[derive(Deserialize)]
struct Subscription {
    id: String,
    status: String,
    customer_id: Option<String>,
    currency_code: String,
    created_at: Timestamp,
    started_at: Option<Timestamp>,
    canceled_at: Option<Timestamp>,
    /// A change Paddle applies at the end of the period: `cancel`, `pause` or `resume`.
    scheduled_change: Option<ScheduledChange>,
    billing_cycle: Cycle,
    #[serde(default)]
    items: Vec<Item>,
    custom_data: Option<HashMap<String, Value>>,
}

#[derive(Deserialize)]
struct ScheduledChange {
    action: String,
}

#[derive(Deserialize)]
struct Cycle {
    interval: String,
    frequency: u32,
}

#[derive(Deserialize)]
struct Item {
    /// `active`, `inactive` or `trialing`.
    status: String,
    quantity: i64,
    recurring: bool,
    price: Price,
}

#[derive(Deserialize)]
struct Price {
    unit_price: Money,
    #[serde(default)]
    unit_price_overrides: Vec<Override>,
}

#[derive(Deserialize)]
struct Override {
    unit_price: Money,
}

/// An amount as a string of minor units.
#[derive(Deserialize)]
struct Money {
    amount: String,
    currency_code: String,
}

#[derive(Deserialize)]
struct PaddleCustomer {
    id: String,
    email: Option<String>,
    name: Option<String>,
}

/// One page of the account's subscriptions, newest first.
pub(crate) async fn subscriptions(
    api: &Api,
    key: &str,
    page: Option<&str>,
) -> Result<SubscriptionPage, ProviderError> {
    let after = after(page)?;
    let mut query = vec![("order_by", "id[DESC]"), ("per_page", PAGE_SIZE)];
    query.extend(after.map(|id| ("after", id)));
    let list: List<Subscription> = api.get("subscriptions", &query, key, &VERSION).await?;
    let customers = customers(api, key, &list.data).await?;
    let subscriptions = list
        .data
        .iter()
        .map(|s| subscription(s, &customers))
        .collect::<Result<_, _>>()?;
    Ok(SubscriptionPage {
        subscriptions,
        next: continues_after(&list, |s| &s.id).map(|id| format!("{CURSOR}{id}")),
    })
}

/// The id the page `page` names goes on after; a cursor this listing never wrote is refused
/// rather than guessed at, since reading from the wrong place would skip subscriptions.
fn after(page: Option<&str>) -> Result<Option<&str>, ProviderError> {
    let Some(page) = page else {
        return Ok(None);
    };
    match page.strip_prefix(CURSOR) {
        Some(id) if !id.is_empty() => Ok(Some(id)),
        _ => Err(ProviderError::Unavailable(format!(
            "unknown {} cursor {page:?}",
            Provider::Paddle.title()
        ))),
    }
}

/// The customers of `subscriptions`, by id, in one request.
async fn customers(
    api: &Api,
    key: &str,
    subscriptions: &[Subscription],
) -> Result<HashMap<String, PaddleCustomer>, ProviderError> {
    let mut ids: Vec<&str> = subscriptions
        .iter()
        .filter_map(|s| s.customer_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let ids = ids.join(",");
    let query = [
        ("id", ids.as_str()),
        ("status", "active,archived"),
        ("per_page", CUSTOMER_PAGE_SIZE),
    ];
    let list: List<PaddleCustomer> = api.get("customers", &query, key, &VERSION).await?;
    Ok(list.data.into_iter().map(|c| (c.id.clone(), c)).collect())
}

fn subscription(
    subscription: &Subscription,
    customers: &HashMap<String, PaddleCustomer>,
) -> Result<ProviderSubscription, ProviderError> {
    let status = status(&subscription.status)?;
    let customer = subscription
        .customer_id
        .as_ref()
        .and_then(|id| customers.get(id));
    Ok(ProviderSubscription {
        provider: Provider::Paddle,
        cancel_scheduled: status != SubscriptionStatus::Ended
            && subscription
                .scheduled_change
                .as_ref()
                .is_some_and(|change| change.action == "cancel"),
        id: subscription.id.clone(),
        status,
        amount_minor: amount(subscription)?,
        currency: currency(&subscription.currency_code, Provider::Paddle)?,
        interval: interval(&subscription.billing_cycle)?,
        started_at: subscription.started_at.unwrap_or(subscription.created_at),
        ended_at: subscription
            .canceled_at
            .filter(|_| status == SubscriptionStatus::Ended),
        customer: Customer {
            id: subscription.customer_id.clone(),
            email: customer.and_then(|c| c.email.clone()),
            name: customer.and_then(|c| c.name.clone()),
        },
        visitor_id: subscription
            .custom_data
            .as_ref()
            .and_then(|data| data.get(VISITOR)?.as_str().map(str::to_owned)),
    })
}

fn status(text: &str) -> Result<SubscriptionStatus, ProviderError> {
    Ok(match text {
        "trialing" => SubscriptionStatus::Trialing,
        "active" => SubscriptionStatus::Active,
        "past_due" => SubscriptionStatus::PastDue,
        "paused" => SubscriptionStatus::Paused,
        "canceled" => SubscriptionStatus::Ended,
        other => {
            return Err(ProviderError::Unavailable(format!(
                "Paddle sent a subscription status {other:?}"
            )));
        }
    })
}

fn interval(cycle: &Cycle) -> Result<BillingInterval, ProviderError> {
    let unit = match cycle.interval.as_str() {
        "day" => IntervalUnit::Day,
        "week" => IntervalUnit::Week,
        "month" => IntervalUnit::Month,
        "year" => IntervalUnit::Year,
        other => {
            return Err(ProviderError::Unavailable(format!(
                "Paddle sent a billing interval {other:?}"
            )));
        }
    };
    Ok(BillingInterval {
        unit,
        count: cycle.frequency.max(1),
    })
}

/// What a period costs: the recurring, billed items, each unit price times quantity.
fn amount(subscription: &Subscription) -> Result<i64, ProviderError> {
    let mut total = 0_i64;
    for item in &subscription.items {
        if !item.recurring || item.status == "inactive" {
            continue;
        }
        let unit = minor_units(&unit_price(&item.price, &subscription.currency_code).amount)?;
        total = total.saturating_add(unit.saturating_mul(item.quantity));
    }
    Ok(total)
}

/// The price's amount in `currency`: its base one, or its override in that currency.
fn unit_price<'a>(price: &'a Price, currency: &str) -> &'a Money {
    let base = &price.unit_price;
    if base.currency_code.eq_ignore_ascii_case(currency) {
        return base;
    }
    price
        .unit_price_overrides
        .iter()
        .map(|o| &o.unit_price)
        .find(|money| money.currency_code.eq_ignore_ascii_case(currency))
        .unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_name_where_the_list_goes_on() {
        assert_eq!(after(None), Ok(None));
        assert_eq!(after(Some("subscriptions:sub_01")), Ok(Some("sub_01")));
        for bad in [
            "subscriptions:",
            "subscriptions",
            "sub_01",
            "transactions:txn_01",
        ] {
            assert!(after(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_a_scheduled_cancellation_schedules_a_cancel() {
        let read = |status: &str, change: Value| {
            let subscription: Subscription = serde_json::from_value(serde_json::json!({
                "id": "sub_01", "status": status, "customer_id": null, "currency_code": "USD",
                "created_at": "2025-01-01T00:00:00Z", "started_at": null,
                "canceled_at": null, "scheduled_change": change,
                "billing_cycle": {"interval": "month", "frequency": 1},
                "items": [], "custom_data": null
            }))
            .unwrap();
            let read = self::subscription(&subscription, &HashMap::new()).unwrap();
            read.cancel_scheduled
        };
        let at = |action| {
            serde_json::json!({
                "action": action, "effective_at": "2025-02-01T00:00:00Z", "resume_at": null
            })
        };
        assert!(read("active", at("cancel")));
        assert!(!read("active", Value::Null), "renewing");
        assert!(!read("active", at("pause")), "a pause is no cancellation");
        assert!(!read("canceled", at("cancel")), "ended");
    }

    #[test]
    fn every_status_has_its_meaning() {
        let cases = [
            ("trialing", SubscriptionStatus::Trialing),
            ("active", SubscriptionStatus::Active),
            ("past_due", SubscriptionStatus::PastDue),
            ("paused", SubscriptionStatus::Paused),
            ("canceled", SubscriptionStatus::Ended),
        ];
        for (text, expected) in cases {
            assert_eq!(status(text), Ok(expected), "{text}");
        }
        assert!(status("cancelled").is_err());
    }
}
