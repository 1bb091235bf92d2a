//! Polar subscriptions: every one of the organization, as each stands now, from
//! `GET /v1/subscriptions/` newest first (`sorting=-started_at`). The `active` filter is left
//! out on purpose: given, it would hide the ended subscriptions, which are listed too.
//!
//! Polar numbers its pages; the cursor is the number of the next one. A subscription started
//! while the list is read pushes the others one place on, so one may be listed twice, never
//! missed.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::Provider;
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_ports::providers::{ProviderError, SubscriptionPage};

use super::listing::{List, PAGE_SIZE};
use super::orders::{OrderCustomer, text};
use crate::api::Api;
use crate::payment::{VISITOR, currency};
use crate::subscription::stripe_style_status;

#[derive(Deserialize)]
struct Subscription {
    id: String,
    created_at: Timestamp,
    status: String,
    /// Minor units per period, after any discount.
    amount: i64,
    currency: String,
    recurring_interval: String,
    /// Older answers lack it: every period was one interval then.
    #[serde(default = "one")]
    recurring_interval_count: u32,
    started_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
    /// Canceled to end with the current period (at `ends_at`).
    #[serde(default)]
    cancel_at_period_end: bool,
    customer: OrderCustomer,
    /// Polar copies the checkout's metadata onto the subscription it makes.
    #[serde(default)]
    metadata: HashMap<String, Value>,
}

fn one() -> u32 {
    1
}

/// One page of the organization's subscriptions, newest first.
pub(crate) async fn subscriptions(
    api: &Api,
    token: &str,
    organization: &str,
    page: Option<&str>,
) -> Result<SubscriptionPage, ProviderError> {
    let number = page_number(page)?;
    let number_text = number.to_string();
    let query = [
        ("organization_id", organization),
        ("limit", PAGE_SIZE),
        ("page", number_text.as_str()),
        ("sorting", "-started_at"),
    ];
    let list: List<Subscription> = api.get("v1/subscriptions/", &query, token, &[]).await?;
    let mut subscriptions = Vec::with_capacity(list.items.len());
    // A token may see several organizations; the filter should keep the others out, and
    // whatever slips through is not this organization's revenue.
    for subscription in list
        .items
        .iter()
        .filter(|s| s.customer.belongs_to(organization))
    {
        subscriptions.extend(normalise(subscription)?);
    }
    Ok(SubscriptionPage {
        subscriptions,
        next: list
            .has_page_after(number)
            .then(|| (number + 1).to_string()),
    })
}

/// The page number a cursor names, 1 without one. Anything else was not written by this
/// listing and is refused: reading from the wrong place would skip subscriptions.
fn page_number(page: Option<&str>) -> Result<u32, ProviderError> {
    let Some(page) = page else {
        return Ok(1);
    };
    page.parse::<u32>()
        .ok()
        .filter(|number| *number > 0 && page.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| ProviderError::Unavailable(format!("unknown Polar cursor {page:?}")))
}

/// The subscription in the domain's terms; `None` for one whose first payment has not gone
/// through (yet).
fn normalise(subscription: &Subscription) -> Result<Option<ProviderSubscription>, ProviderError> {
    let Some(status) = status(&subscription.status)? else {
        return Ok(None);
    };
    Ok(Some(ProviderSubscription {
        provider: Provider::Polar,
        cancel_scheduled: subscription.cancel_at_period_end
            && status != SubscriptionStatus::Ended
            && subscription.ended_at.is_none(),
        id: subscription.id.clone(),
        status,
        amount_minor: subscription.amount,
        currency: currency(&subscription.currency, Provider::Polar)?,
        interval: interval(subscription)?,
        // Polar lists only started subscriptions; the creation time stands in regardless.
        started_at: subscription.started_at.unwrap_or(subscription.created_at),
        ended_at: subscription.ended_at,
        customer: subscription.customer.customer(),
        visitor_id: text(&subscription.metadata, VISITOR),
    }))
}

/// Polar's status in the domain's terms (see [`stripe_style_status`]).
fn status(text: &str) -> Result<Option<SubscriptionStatus>, ProviderError> {
    stripe_style_status(text, Provider::Polar)
}

fn interval(subscription: &Subscription) -> Result<BillingInterval, ProviderError> {
    let unit = match subscription.recurring_interval.as_str() {
        "day" => IntervalUnit::Day,
        "week" => IntervalUnit::Week,
        "month" => IntervalUnit::Month,
        "year" => IntervalUnit::Year,
        other => {
            return Err(ProviderError::Unavailable(format!(
                "Polar sent an unknown recurring interval {other:?}"
            )));
        }
    };
    Ok(BillingInterval {
        unit,
        count: subscription.recurring_interval_count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_status(status: &str) -> Subscription {
        serde_json::from_value(serde_json::json!({
            "id": "1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b",
            "created_at": "2025-01-01T00:00:00Z",
            "status": status, "amount": 900, "currency": "usd",
            "recurring_interval": "month", "cancel_at_period_end": status == "active",
            "started_at": null, "ended_at": null, "metadata": {"datafast_visitor_id": 7},
            "customer": {"id": "c1", "email": null, "name": null, "organization_id": "o1"}
        }))
        .unwrap()
    }

    #[test]
    fn every_polar_status_has_its_place() {
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
    fn missing_answers_fall_back_to_what_polar_meant() {
        let read = normalise(&with_status("active")).unwrap().unwrap();
        assert_eq!(read.interval, BillingInterval::MONTHLY);
        assert_eq!(read.started_at, "2025-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(read.visitor_id, None, "a number is no visitor id");
    }

    #[test]
    fn only_page_numbers_are_cursors() {
        assert_eq!(page_number(None).unwrap(), 1);
        assert_eq!(page_number(Some("2")).unwrap(), 2);
        for bad in ["", "0", "-1", "+2", "orders:2", "two"] {
            assert!(page_number(Some(bad)).is_err(), "{bad}");
        }
    }
}
