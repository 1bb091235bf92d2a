//! The Lemon Squeezy fake's subscriptions: `GET /v1/subscriptions` (newest first, paged and
//! filtered as the other lists, `filter[status]` and `filter[user_email]` too) and the prices
//! their items are on, `GET /v1/prices/{id}`.
//!
//! As at Lemon Squeezy, a subscription carries no amount or currency: its first item names a
//! price and a quantity, and prices are in the store's currency (the account's), whatever the
//! held subscription's own. Subscriptions of one plan share a price, its id derived from the
//! unit price and the interval. An amount that divides by three is shown as three seats at a
//! third each, so that a client which ignores the quantity reads the wrong amount.
//!
//! Statuses in reverse: trialing is `on_trial`, active `active` (or `cancelled`, in its grace
//! period, when the held one has an end), past due `past_due`, paused `paused`, ended `expired`.

use actix_web::HttpResponse;
use actix_web::web;
use datafast_domain::provider_subscription::{BillingInterval, IntervalUnit, SubscriptionStatus};
use serde_json::{Value, json};

use super::list::{Query, Store, list, listed_store};
use super::objects::{number, resource, time};
use super::{CONTENT_TYPE, not_found};
use crate::server::{Admitted, Shared, lock};
use crate::subscription::FakeSubscription;

const TRIAL_DAYS: i64 = 14;
const DAY: i64 = 86_400;
/// How long after its end an expired subscription was last updated.
const EXPIRY_LAG: i64 = 90;
const API: &str = "https://api.lemonsqueezy.com/v1";

/// The store's subscriptions, newest first.
pub(crate) async fn subscriptions(
    Admitted { account, state }: Admitted,
    query: web::Query<Query>,
) -> HttpResponse {
    let Some(store) = listed_store(&account, &query) else {
        return list::<FakeSubscription>(&[], &query, "subscriptions", |_| (Vec::new(), None));
    };
    let held: Vec<FakeSubscription> = held(&state)
        .into_iter()
        .filter(|s| query.filter("status").is_none_or(|v| status(s).0 == v))
        .filter(|s| {
            query
                .filter("user_email")
                .is_none_or(|e| s.email.as_deref() == Some(e))
        })
        .collect();
    list(&held, &query, "subscriptions", |page| {
        let data = page.iter().map(|s| subscription(s, store)).collect();
        (data, None)
    })
}

/// The price a held subscription's item is on, by its id; 404 when none is.
pub(crate) async fn price(Admitted { state, .. }: Admitted, id: web::Path<String>) -> HttpResponse {
    let held = held(&state);
    let Some(found) = held.iter().find(|s| price_id(s).to_string() == *id) else {
        return not_found();
    };
    HttpResponse::Ok().content_type(CONTENT_TYPE).json(json!({
        "jsonapi": {"version": "1.0"},
        "links": {"self": format!("{API}/prices/{id}")},
        "data": price_object(found)
    }))
}

fn held(state: &Shared) -> Vec<FakeSubscription> {
    lock(state).subscriptions.clone()
}

/// Seats: three of a third each when the amount divides by three, else one.
fn quantity(subscription: &FakeSubscription) -> i64 {
    if subscription.amount_minor > 0 && subscription.amount_minor % 3 == 0 {
        3
    } else {
        1
    }
}

fn unit_price(subscription: &FakeSubscription) -> i64 {
    subscription.amount_minor / quantity(subscription)
}

/// The plan's price id: one per unit price and interval.
fn price_id(subscription: &FakeSubscription) -> i64 {
    let BillingInterval { unit, count } = subscription.interval;
    let unit = match unit {
        IntervalUnit::Day => 1,
        IntervalUnit::Week => 2,
        IntervalUnit::Month => 3,
        IntervalUnit::Year => 4,
    };
    unit_price(subscription) * 1_000 + unit * 100 + i64::from(count.min(99))
}

/// Lemon Squeezy's status and its formatted form.
fn status(subscription: &FakeSubscription) -> (&'static str, &'static str) {
    match subscription.status {
        SubscriptionStatus::Trialing => ("on_trial", "On Trial"),
        SubscriptionStatus::Active if subscription.ended_at.is_some() => ("cancelled", "Cancelled"),
        SubscriptionStatus::Active => ("active", "Active"),
        SubscriptionStatus::PastDue => ("past_due", "Past due"),
        SubscriptionStatus::Paused => ("paused", "Paused"),
        SubscriptionStatus::Ended => ("expired", "Expired"),
    }
}

/// When a cancelled subscription expires, or an expired one did.
fn ends_at(subscription: &FakeSubscription) -> Option<i64> {
    match status(subscription).0 {
        "cancelled" => subscription.ended_at,
        "expired" => Some(
            subscription
                .ended_at
                .unwrap_or(subscription.created + subscription.period_seconds()),
        ),
        _ => None,
    }
}

/// The day of the month renewals are charged on, the day it started.
fn billing_anchor(created: i64) -> Value {
    let day = time(created).get(8..10).and_then(|d| d.parse::<i64>().ok());
    json!(day.unwrap_or(1))
}

fn subscription(subscription: &FakeSubscription, store: Store) -> Value {
    let id = subscription.id.as_str();
    let created = subscription.created;
    let (status, formatted) = status(subscription);
    let ends = ends_at(subscription);
    // Expiring is a job that runs a little after the end; a cancellation is recorded at once.
    let updated = match status {
        "expired" => ends.map_or(created, |end| end + EXPIRY_LAG),
        _ => created,
    };
    let attributes = json!({
        "store_id": store.id,
        "customer_id": number(subscription.customer_id.as_deref()),
        "order_id": number(Some(id)), "order_item_id": number(Some(id)),
        "product_id": 1, "variant_id": price_id(subscription),
        "product_name": "Product", "variant_name": subscription.interval.unit.as_str(),
        "user_name": null, "user_email": subscription.email,
        "status": status, "status_formatted": formatted,
        "card_brand": "visa", "card_last_four": "4242", "payment_processor": "stripe",
        "pause": if status == "paused" { json!({"mode": "void", "resumes_at": null}) } else { Value::Null },
        "cancelled": matches!(status, "cancelled" | "expired"),
        "trial_ends_at": (status == "on_trial").then(|| time(created + TRIAL_DAYS * DAY)),
        "billing_anchor": billing_anchor(created),
        "first_subscription_item": {
            "id": number(Some(id)), "subscription_id": number(Some(id)),
            "price_id": price_id(subscription), "quantity": quantity(subscription),
            "is_usage_based": false,
            "created_at": time(created), "updated_at": time(created)
        },
        "urls": {
            "update_payment_method": format!("https://store.lemonsqueezy.com/subscription/{id}/payment-details?signature=fake"),
            "customer_portal": format!("https://store.lemonsqueezy.com/billing?expires=0&user={id}&signature=fake"),
            "customer_portal_update_subscription": format!("https://store.lemonsqueezy.com/billing/{id}/update?signature=fake")
        },
        "renews_at": time(created + subscription.period_seconds()),
        "ends_at": ends.map(time),
        "created_at": time(created),
        "updated_at": time(updated),
        "test_mode": store.test_mode
    });
    let related = [
        "store",
        "customer",
        "order",
        "order-item",
        "product",
        "variant",
        "subscription-items",
        "subscription-invoices",
    ];
    resource("subscriptions", id, &related, attributes)
}

/// The plan's price: standard, per seat, renewing every interval.
fn price_object(subscription: &FakeSubscription) -> Value {
    let id = price_id(subscription).to_string();
    let attributes = json!({
        "variant_id": price_id(subscription),
        "category": "subscription", "scheme": "standard", "usage_aggregation": null,
        "unit_price": unit_price(subscription), "unit_price_decimal": null,
        "setup_fee_enabled": false, "setup_fee": 0, "package_size": 1, "tiers": null,
        "renewal_interval_unit": subscription.interval.unit.as_str(),
        "renewal_interval_quantity": subscription.interval.count,
        "trial_interval_unit": "day", "trial_interval_quantity": TRIAL_DAYS,
        "min_price": null, "suggested_price": null, "tax_code": "saas",
        "created_at": "2024-05-24T14:15:06.000000Z", "updated_at": "2024-06-15T10:03:14.000000Z"
    });
    resource("prices", &id, &["variant"], attributes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seats_at_the_unit_price_make_the_amount() {
        for amount in [0, 1, 2_900, 9_900, 12_345] {
            let held = FakeSubscription::monthly("7001", amount, "USD", 0);
            assert_eq!(unit_price(&held) * quantity(&held), amount, "{amount}");
        }
        let yearly = FakeSubscription::monthly("7002", 2_900, "USD", 0).every(BillingInterval {
            unit: IntervalUnit::Year,
            count: 1,
        });
        let monthly = FakeSubscription::monthly("7003", 2_900, "USD", 0);
        assert_ne!(price_id(&yearly), price_id(&monthly), "a plan per interval");
        let same = FakeSubscription::monthly("7004", 2_900, "EUR", 9);
        assert_eq!(price_id(&same), price_id(&monthly), "one price per plan");
    }
}
