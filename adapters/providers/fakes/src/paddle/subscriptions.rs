//! The Paddle fake's subscriptions, `GET /subscriptions` (filters `id`, `status`,
//! `customer_id`, `collection_mode`; `order_by=id[…]`, `id[DESC]` by default; `per_page` up to
//! 200), and their customers, `GET /customers` (filters `id`, `email`, `status`, active only by
//! default as at Paddle).
//!
//! A held subscription's amount is shown as Paddle bills seats: a base item and, from 20 minor
//! units, two seats at a tenth each, so that a client which reads one item, or ignores the
//! quantity, reads the wrong amount. Prices are in US dollars, with an override in the
//! subscription's currency when it is another (at a different amount, as overrides are), so
//! that a client which reads only the base amount reads the wrong one too.
//!
//! Statuses in reverse: trialing is `trialing`, active `active` (with a scheduled cancellation
//! when the held one has an end), past due `past_due`, paused `paused`, ended `canceled` at its
//! end. A customer is archived once every subscription of theirs has ended.

use actix_web::web;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::{Map, Value, json};

use datafast_domain::provider_subscription::{BillingInterval, SubscriptionStatus};

use super::list::{Query, list};
use super::objects::{customer_id, derived_id, time};
use super::{Orders, invalid_field, paging};
use crate::server::{Admitted, FakePayment, Shared, lock};
use crate::subscription::FakeSubscription;

const SUBSCRIPTION_ORDERS: Orders = (&["id"], "must be id[ASC] or id[DESC]");
const CUSTOMER_ORDERS: Orders = (&["id"], "must be id[ASC] or id[DESC]");
const TRIAL_DAYS: i64 = 14;
const DAY: i64 = 86_400;
/// Subscriptions from this amount bill two extra seats.
const SEATED_FROM: i64 = 20;

pub(crate) async fn subscriptions(
    Admitted { state, .. }: Admitted,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    let (per_page, descending) = match paging(&query, (50, 200), SUBSCRIPTION_ORDERS) {
        Ok((per_page, _, descending)) => (per_page, descending),
        Err((field, message)) => return invalid_field(field, message),
    };
    let mut held: Vec<FakeSubscription> = lock(&state)
        .subscriptions
        .iter()
        .filter(|s| {
            query.allows("id", Some(&s.id))
                && query.allows("status", Some(s.stripe_style_status()))
                && query.allows("customer_id", Some(&subscriber(s)))
                && query.allows("collection_mode", Some("automatic"))
        })
        .cloned()
        .collect();
    held.sort_by(|a, b| a.id.cmp(&b.id));
    if descending {
        held.reverse();
    }
    let entities: Vec<_> = held.iter().map(|s| (s.id.clone(), entity(s))).collect();
    list(&entities, &query, per_page, &request)
}

pub(crate) async fn customers(
    Admitted { state, .. }: Admitted,
    request: HttpRequest,
    query: web::Query<Query>,
) -> HttpResponse {
    let (per_page, descending) = match paging(&query, (50, 200), CUSTOMER_ORDERS) {
        Ok((per_page, _, descending)) => (per_page, descending),
        Err((field, message)) => return invalid_field(field, message),
    };
    let status = query.list("status").unwrap_or_else(|| vec!["active"]);
    let mut customers: Vec<(String, Value)> = held_customers(&state)
        .into_iter()
        .filter(|(id, customer)| {
            query.allows("id", Some(id))
                && query.allows("email", customer["email"].as_str())
                && customer["status"]
                    .as_str()
                    .is_some_and(|s| status.contains(&s))
        })
        .collect();
    customers.sort_by(|a, b| a.0.cmp(&b.0));
    if descending {
        customers.reverse();
    }
    list(&customers, &query, per_page, &request)
}

/// Every customer the fake knows, by id: the subscriptions' and the payments' (the first
/// holding an id names it).
fn held_customers(state: &Shared) -> Vec<(String, Value)> {
    let state = lock(state);
    let mut customers: Vec<(String, Value)> = Vec::new();
    for subscription in &state.subscriptions {
        let id = subscriber(subscription);
        if customers.iter().any(|(known, _)| *known == id) {
            continue;
        }
        let archived = state
            .subscriptions
            .iter()
            .filter(|s| subscriber(s) == id)
            .all(|s| s.status == SubscriptionStatus::Ended);
        let entity = customer(
            &id,
            None,
            subscription.email.as_deref(),
            archived,
            subscription.created,
        );
        customers.push((id, entity));
    }
    for payment in &state.payments {
        let id = customer_id(payment);
        if !customers.iter().any(|(known, _)| *known == id) {
            customers.push((id.clone(), paying_customer(&id, payment)));
        }
    }
    customers
}

fn paying_customer(id: &str, payment: &FakePayment) -> Value {
    let (name, email) = (payment.name.as_deref(), payment.email.as_deref());
    customer(id, name, email, false, payment.created)
}

fn customer(id: &str, name: Option<&str>, email: Option<&str>, archived: bool, at: i64) -> Value {
    json!({
        "id": id, "name": name, "email": email, "marketing_consent": false,
        "status": if archived { "archived" } else { "active" },
        "custom_data": null, "locale": "en",
        "created_at": time(at), "updated_at": time(at), "import_meta": null
    })
}

/// The subscription's customer: the held one's, else one of its own.
fn subscriber(subscription: &FakeSubscription) -> String {
    subscription
        .customer_id
        .clone()
        .unwrap_or_else(|| derived_id("ctm", &subscription.id, 0))
}

/// The dates that follow from the status: next bill, current period, pause and cancellation.
struct Dates {
    first_billed: Option<i64>,
    next_billed: Option<i64>,
    paused: Option<i64>,
    canceled: Option<i64>,
}

fn dates(subscription: &FakeSubscription) -> Dates {
    let created = subscription.created;
    let renews = created + subscription.period_seconds();
    let trial_ends = created + TRIAL_DAYS * DAY;
    let billing = |next| Dates {
        first_billed: Some(created),
        next_billed: next,
        paused: None,
        canceled: None,
    };
    match subscription.status {
        SubscriptionStatus::Trialing => Dates {
            first_billed: None,
            next_billed: Some(trial_ends),
            paused: None,
            canceled: None,
        },
        SubscriptionStatus::Active | SubscriptionStatus::PastDue => billing(Some(renews)),
        SubscriptionStatus::Paused => Dates {
            paused: Some(renews),
            ..billing(None)
        },
        SubscriptionStatus::Ended => Dates {
            canceled: Some(subscription.ended_at.unwrap_or(renews)),
            ..billing(None)
        },
    }
}

fn entity(subscription: &FakeSubscription) -> Value {
    let id = subscription.id.as_str();
    let created = subscription.created;
    let dates = dates(subscription);
    let length = subscription.period_seconds();
    let current = dates.next_billed.map(|next| {
        let starts = (next - length).max(created);
        json!({"starts_at": time(starts), "ends_at": time(next)})
    });
    let custom_data: Map<String, Value> = subscription
        .metadata
        .iter()
        .map(|(key, value)| (key.clone(), json!(value)))
        .collect();
    let scheduled = subscription
        .ended_at
        .filter(|_| subscription.status != SubscriptionStatus::Ended)
        .map(|at| json!({"action": "cancel", "effective_at": time(at), "resume_at": null}));
    let updated = [dates.paused, dates.canceled, Some(created)]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(created);
    json!({
        "id": id,
        "status": subscription.stripe_style_status(),
        "customer_id": subscriber(subscription),
        "address_id": derived_id("add", id, 0),
        "business_id": null,
        "currency_code": subscription.currency.to_uppercase(),
        "created_at": time(created),
        "updated_at": time(updated),
        "started_at": time(created),
        "first_billed_at": dates.first_billed.map(time),
        "next_billed_at": dates.next_billed.map(time),
        "paused_at": dates.paused.map(time),
        "canceled_at": dates.canceled.map(time),
        "discount": null,
        "collection_mode": "automatic",
        "billing_details": null,
        "current_billing_period": current,
        "billing_cycle": cycle(subscription.interval),
        "scheduled_change": scheduled,
        "management_urls": {
            "update_payment_method": format!("https://buyer-portal.paddle.com/subscriptions/{id}/update-payment-method"),
            "cancel": format!("https://buyer-portal.paddle.com/subscriptions/{id}/cancel")
        },
        "items": items(subscription),
        "custom_data": if custom_data.is_empty() { Value::Null } else { Value::Object(custom_data) },
        "import_meta": null
    })
}

fn cycle(interval: BillingInterval) -> Value {
    json!({"interval": interval.unit.as_str(), "frequency": interval.count})
}

/// The base item, and two seats at a tenth of the amount each from [`SEATED_FROM`].
fn items(subscription: &FakeSubscription) -> Vec<Value> {
    let amount = subscription.amount_minor;
    let seat = if amount >= SEATED_FROM {
        amount / 10
    } else {
        0
    };
    let mut items = vec![item(subscription, "Base plan", amount - 2 * seat, 1)];
    if seat > 0 {
        items.push(item(subscription, "Extra seat", seat, 2));
    }
    items
}

fn item(subscription: &FakeSubscription, name: &str, unit: i64, quantity: i64) -> Value {
    let created = time(subscription.created);
    let trialing = subscription.status == SubscriptionStatus::Trialing;
    let trial_ends = time(subscription.created + TRIAL_DAYS * DAY);
    let dates = dates(subscription);
    json!({
        "status": if trialing { "trialing" } else { "active" },
        "quantity": quantity,
        "recurring": true,
        "created_at": created, "updated_at": created,
        "previously_billed_at": dates.first_billed.map(time),
        "next_billed_at": dates.next_billed.map(time),
        "trial_dates": if trialing { json!({"starts_at": created, "ends_at": trial_ends}) } else { Value::Null },
        "price": price(subscription, name, unit),
        "product": {
            "id": derived_id("pro", name, 0), "name": name, "type": "standard",
            "description": null, "tax_category": "saas", "image_url": null,
            "custom_data": null, "status": "active", "import_meta": null,
            "created_at": "2023-02-23T12:43:46.605Z", "updated_at": "2024-04-05T15:47:17.163Z"
        }
    })
}

/// The price of `unit` in the subscription's currency: a US dollar price, with an override in
/// that currency when it is another.
fn price(subscription: &FakeSubscription, name: &str, unit: i64) -> Value {
    let currency = subscription.currency.to_uppercase();
    let (base, overrides) = if currency == "USD" {
        (unit, json!([]))
    } else {
        let country = countries(&currency);
        let local = json!({"amount": unit.to_string(), "currency_code": currency});
        (
            unit + unit / 10 + 100,
            json!([{"country_codes": country, "unit_price": local}]),
        )
    };
    let seed = format!("{name}{unit}{}", subscription.interval.unit.as_str());
    json!({
        "id": derived_id("pri", &seed, 0),
        "product_id": derived_id("pro", name, 0),
        "description": format!("{name}, every {}", subscription.interval.unit.as_str()),
        "type": "standard", "name": name,
        "billing_cycle": cycle(subscription.interval),
        "trial_period": if subscription.status == SubscriptionStatus::Trialing {
            json!({"interval": "day", "frequency": TRIAL_DAYS})
        } else { Value::Null },
        "tax_mode": "account_setting",
        "unit_price": {"amount": base.to_string(), "currency_code": "USD"},
        "unit_price_overrides": overrides,
        "quantity": {"minimum": 1, "maximum": 100},
        "status": "active", "custom_data": null, "import_meta": null,
        "created_at": "2023-02-23T13:55:22.538367Z", "updated_at": "2024-04-11T13:54:52.254748Z"
    })
}

/// The countries a currency's override is for.
fn countries(currency: &str) -> Value {
    match currency {
        "EUR" => json!(["DE", "FR", "NL"]),
        "GBP" => json!(["GB"]),
        other => json!([other.get(..2).unwrap_or("US")]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_add_up_to_the_amount_in_its_own_currency() {
        for (amount, currency) in [(0, "USD"), (15, "USD"), (20, "EUR"), (4_900, "GBP")] {
            let held = FakeSubscription::monthly("sub_01", amount, currency, 0);
            let total: i64 = items(&held)
                .iter()
                .map(|item| {
                    let price = &item["price"];
                    let local = price["unit_price_overrides"][0]["unit_price"].clone();
                    let unit = if currency == "USD" {
                        price["unit_price"].clone()
                    } else {
                        local
                    };
                    assert_eq!(unit["currency_code"], currency);
                    let unit: i64 = unit["amount"].as_str().unwrap().parse().unwrap();
                    unit * item["quantity"].as_i64().unwrap()
                })
                .sum();
            assert_eq!(total, amount, "{amount} {currency}");
        }
        let seated = FakeSubscription::monthly("sub_01", 4_900, "USD", 0);
        assert_eq!(items(&seated).len(), 2, "a base item and the seats");
    }
}
