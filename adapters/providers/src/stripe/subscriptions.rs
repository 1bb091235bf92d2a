//! Stripe subscriptions: every one of the account, as each stands now, from
//! `GET /v1/subscriptions` newest first. The list leaves canceled subscriptions out unless asked
//! for `status=all`, and each subscription's customer is expanded in the same request
//! (`expand[]=data.customer`), so that a page costs one request.
//!
//! The cursor is the id of the last subscription read, which the next page's `starting_after`
//! goes on after.

use jiff::Timestamp;
use serde::Deserialize;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::Customer;
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_ports::providers::{ProviderError, SubscriptionPage};

use super::VERSION;
use super::listing::{Expandable, List, Metadata, PAGE_SIZE};
use crate::api::Api;
use crate::payment::{VISITOR, currency};
use crate::subscription::stripe_style_status;

#[derive(Deserialize)]
struct Subscription {
    id: String,
    status: String,
    /// The currency every item bills in.
    currency: String,
    /// When it started, which for one backdated is before it was `created`.
    start_date: i64,
    ended_at: Option<i64>,
    /// Canceled to end with the current period.
    #[serde(default)]
    cancel_at_period_end: bool,
    /// When it is set to be canceled (or was, for one that ended so).
    cancel_at: Option<i64>,
    customer: Expandable<StripeCustomer>,
    #[serde(default)]
    metadata: Metadata,
    items: List<Item>,
}

/// A customer as expanded; a deleted one keeps only its id.
#[derive(Deserialize)]
struct StripeCustomer {
    id: String,
    email: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
struct Item {
    price: Price,
    /// Absent for metered prices, which bill for usage instead.
    quantity: Option<i64>,
}

#[derive(Deserialize)]
struct Price {
    /// `None` for tiered prices, and for those of a fraction of a minor unit.
    unit_amount: Option<i64>,
    recurring: Option<Recurring>,
}

#[derive(Deserialize)]
struct Recurring {
    interval: String,
    interval_count: u32,
    /// `licensed` (a fixed quantity) or `metered` (billed for usage after the period).
    usage_type: Option<String>,
}

/// One page of the account's subscriptions, newest first.
pub(crate) async fn subscriptions(
    api: &Api,
    key: &str,
    page: Option<&str>,
) -> Result<SubscriptionPage, ProviderError> {
    let mut query = vec![
        ("status", "all"),
        ("limit", PAGE_SIZE),
        ("expand[]", "data.customer"),
    ];
    query.extend(after(page)?.map(|id| ("starting_after", id)));
    let list: List<Subscription> = api.get("v1/subscriptions", &query, key, &VERSION).await?;
    // The cursor follows what Stripe listed, skipped subscriptions included.
    let next = list
        .data
        .last()
        .filter(|_| list.has_more)
        .map(|last| last.id.clone());
    let mut subscriptions = Vec::with_capacity(list.data.len());
    for subscription in &list.data {
        subscriptions.extend(normalise(subscription)?);
    }
    Ok(SubscriptionPage {
        subscriptions,
        next,
    })
}

/// The subscription id a cursor names. Anything else was not written by this listing and is
/// refused rather than sent on: reading from the wrong place would skip subscriptions.
fn after(page: Option<&str>) -> Result<Option<&str>, ProviderError> {
    let Some(page) = page else {
        return Ok(None);
    };
    let well_formed = page
        .strip_prefix("sub_")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphanumeric()));
    if well_formed {
        Ok(Some(page))
    } else {
        Err(ProviderError::Unavailable(format!(
            "unknown Stripe cursor {page:?}"
        )))
    }
}

/// The subscription in the domain's terms; `None` for one whose first payment has not gone
/// through (yet), which Stripe does not count as a subscription either.
fn normalise(subscription: &Subscription) -> Result<Option<ProviderSubscription>, ProviderError> {
    let Some(status) = status(&subscription.status)? else {
        return Ok(None);
    };
    Ok(Some(ProviderSubscription {
        provider: Provider::Stripe,
        cancel_scheduled: cancel_scheduled(subscription, status),
        id: subscription.id.clone(),
        status,
        amount_minor: amount(&subscription.items.data),
        currency: currency(&subscription.currency, Provider::Stripe)?,
        interval: interval(subscription)?,
        started_at: time(subscription.start_date)?,
        ended_at: subscription.ended_at.map(time).transpose()?,
        customer: customer(&subscription.customer),
        visitor_id: subscription.metadata.get(VISITOR).cloned(),
    }))
}

/// Whether it is canceled to end later: set to cancel at the period's end or at a date, and not
/// ended yet.
fn cancel_scheduled(subscription: &Subscription, status: SubscriptionStatus) -> bool {
    let ended = status == SubscriptionStatus::Ended || subscription.ended_at.is_some();
    let set_to_cancel = subscription.cancel_at_period_end || subscription.cancel_at.is_some();
    set_to_cancel && !ended
}

/// Stripe's status in the domain's terms (see [`stripe_style_status`]).
fn status(text: &str) -> Result<Option<SubscriptionStatus>, ProviderError> {
    stripe_style_status(text, Provider::Stripe)
}

/// What a period costs: each item's unit price times its quantity. Metered and tiered prices
/// have no fixed price per period, so they count nothing rather than a guess.
fn amount(items: &[Item]) -> i64 {
    items
        .iter()
        .filter(|item| {
            let usage = item
                .price
                .recurring
                .as_ref()
                .and_then(|r| r.usage_type.as_deref());
            usage != Some("metered")
        })
        .map(|item| {
            let unit = item.price.unit_amount.unwrap_or(0);
            unit.saturating_mul(item.quantity.unwrap_or(1))
        })
        .fold(0, i64::saturating_add)
}

/// The first item's billing period: Stripe bills every item of a subscription on one cycle.
fn interval(subscription: &Subscription) -> Result<BillingInterval, ProviderError> {
    let recurring = subscription
        .items
        .data
        .iter()
        .find_map(|item| item.price.recurring.as_ref());
    let unit = recurring.and_then(|r| unit(&r.interval));
    match (recurring, unit) {
        (Some(recurring), Some(unit)) => Ok(BillingInterval {
            unit,
            count: recurring.interval_count,
        }),
        _ => Err(ProviderError::Unavailable(format!(
            "Stripe sent subscription {} without a recurring price",
            subscription.id
        ))),
    }
}

fn unit(text: &str) -> Option<IntervalUnit> {
    match text {
        "day" => Some(IntervalUnit::Day),
        "week" => Some(IntervalUnit::Week),
        "month" => Some(IntervalUnit::Month),
        "year" => Some(IntervalUnit::Year),
        _ => None,
    }
}

fn customer(customer: &Expandable<StripeCustomer>) -> Customer {
    match customer {
        Expandable::Object(found) => Customer {
            id: Some(found.id.clone()),
            email: found.email.clone(),
            name: found.name.clone(),
        },
        Expandable::Id(id) => Customer {
            id: Some(id.clone()),
            ..Customer::default()
        },
    }
}

fn time(seconds: i64) -> Result<Timestamp, ProviderError> {
    Timestamp::from_second(seconds).map_err(|_| {
        ProviderError::Unavailable(format!("Stripe sent an impossible time {seconds}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subscription(json: serde_json::Value) -> Subscription {
        serde_json::from_value(json).unwrap()
    }

    fn with_status(status: &str) -> Subscription {
        subscription(serde_json::json!({
            "id": "sub_1", "status": status, "currency": "usd", "start_date": 1_700_000_000,
            "ended_at": null, "customer": "cus_1", "metadata": {},
            "items": {"object": "list", "has_more": false, "data": [{
                "quantity": 1,
                "price": {
                    "unit_amount": 500,
                    "recurring": {"interval": "month", "interval_count": 1}
                }
            }]}
        }))
    }

    #[test]
    fn every_stripe_status_has_its_place() {
        let cases = [
            ("trialing", Some(SubscriptionStatus::Trialing)),
            ("active", Some(SubscriptionStatus::Active)),
            ("past_due", Some(SubscriptionStatus::PastDue)),
            ("unpaid", Some(SubscriptionStatus::PastDue)),
            ("paused", Some(SubscriptionStatus::Paused)),
            ("canceled", Some(SubscriptionStatus::Ended)),
            ("incomplete_expired", Some(SubscriptionStatus::Ended)),
            ("incomplete", None),
        ];
        for (text, expected) in cases {
            let read = normalise(&with_status(text)).unwrap();
            assert_eq!(read.map(|s| s.status), expected, "{text}");
        }
        assert!(normalise(&with_status("dormant")).is_err());
    }

    #[test]
    fn a_cancellation_at_the_period_end_or_at_a_date_is_scheduled_until_it_ends() {
        let read = |status: &str, period_end: bool, cancel_at: Option<i64>| {
            let mut subscription = with_status(status);
            subscription.cancel_at_period_end = period_end;
            subscription.cancel_at = cancel_at;
            subscription.ended_at = (status == "canceled").then_some(1_702_592_000);
            normalise(&subscription).unwrap().unwrap().cancel_scheduled
        };
        assert!(
            read("active", true, Some(1_702_592_000)),
            "at the period end"
        );
        assert!(read("past_due", true, None), "at the period end");
        assert!(read("trialing", false, Some(1_702_592_000)), "at a date");
        assert!(!read("active", false, None), "renewing");
        assert!(!read("canceled", false, Some(1_702_592_000)), "ended");
        assert!(!read("canceled", true, None), "ended");
    }

    #[test]
    fn metered_and_tiered_items_add_nothing_to_the_period_amount() {
        let read = subscription(serde_json::json!({
            "id": "sub_2", "status": "active", "currency": "eur", "start_date": 1_700_000_000,
            "ended_at": null, "metadata": {},
            "customer": {"id": "cus_2", "object": "customer", "deleted": true},
            "items": {"object": "list", "has_more": false, "data": [
                {"quantity": 2, "price": {"unit_amount": 1_000, "recurring":
                    {"interval": "week", "interval_count": 2, "usage_type": "licensed"}}},
                {"price": {"unit_amount": 3, "recurring":
                    {"interval": "week", "interval_count": 2, "usage_type": "metered"}}},
                {"quantity": 4, "price": {"unit_amount": null, "recurring":
                    {"interval": "week", "interval_count": 2}}}
            ]}
        }));
        let read = normalise(&read).unwrap().unwrap();
        assert_eq!(read.amount_minor, 2_000);
        assert_eq!(
            read.interval,
            BillingInterval {
                unit: IntervalUnit::Week,
                count: 2
            }
        );
        assert_eq!(read.customer.id.as_deref(), Some("cus_2"));
        assert_eq!(read.customer.email, None);
    }

    #[test]
    fn only_subscription_ids_are_cursors() {
        assert_eq!(after(None).unwrap(), None);
        assert_eq!(after(Some("sub_1MowQV")).unwrap(), Some("sub_1MowQV"));
        for bad in ["", "sub_", "c:ch_1", "sub_1&limit=1", "cus_1"] {
            assert!(after(Some(bad)).is_err(), "{bad}");
        }
    }
}
