//! Lemon Squeezy subscriptions: every one of the store's, in any status, a page at a time newest
//! first, as the domain's subscriptions.
//!
//! `GET /v1/subscriptions?filter[store_id]=…` lists them (by `created_at`, descending), paged by
//! number; the cursor is `subscriptions:<n>`. A subscription carries no amount: its first item
//! names a price, read with `GET /v1/prices/{id}` once per price a page needs, and prices are in
//! the store's currency, read with `GET /v1/stores/{id}` once per page that lists any.
//!
//! Statuses: `on_trial` is trialing; `active` active; `past_due` and `unpaid` (retries used up,
//! dunning not yet over) past due; `paused` paused; `expired` ended, at its `ends_at`.
//! `cancelled` is counted as active, with no end yet: Lemon Squeezy's own word for a
//! subscription still paid up to `ends_at` (its grace period), which it moves to `expired` when
//! that passes. So no clock is needed, and the answer says only what the provider says; a
//! `cancelled` one is read as scheduled to cancel.
//!
//! Checkout custom data never reaches a subscription, so no visitor is read: the import
//! attributes subscriptions by the customer's email instead.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::Customer;
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_domain::website::Currency;
use datafast_ports::providers::{ProviderError, SubscriptionPage};

use super::records::{ListMeta, Resource};
use super::{JSON_API, Store};
use crate::api::Api;
use crate::payment::currency;

/// Lemon Squeezy's largest page.
const PAGE_SIZE: &str = "100";
/// What every cursor of this listing starts with.
const CURSOR: &str = "subscriptions:";

#[derive(Deserialize)]
struct List {
    data: Vec<Resource<Attributes>>,
    meta: ListMeta,
}

#[derive(Deserialize)]
struct Attributes {
    store_id: i64,
    customer_id: Option<i64>,
    user_name: Option<String>,
    user_email: Option<String>,
    status: String,
    /// `null` when the subscription has no item yet, as in some free trials.
    first_subscription_item: Option<Item>,
    ends_at: Option<Timestamp>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

#[derive(Deserialize)]
struct Item {
    price_id: i64,
    quantity: i64,
}

#[derive(Deserialize)]
struct OnePrice {
    data: Resource<Price>,
}

/// A price, in the store's currency's minor units.
#[derive(Deserialize)]
struct Price {
    /// `standard`, `package`, `graduated` or `volume`.
    scheme: String,
    /// `null` for a usage-based price, whose period costs what is used.
    unit_price: Option<i64>,
    package_size: Option<i64>,
    tiers: Option<Vec<Tier>>,
    renewal_interval_unit: Option<String>,
    renewal_interval_quantity: Option<u32>,
}

#[derive(Deserialize)]
struct Tier {
    /// The tier's last unit, or `"inf"` for the last tier.
    last_unit: Value,
    unit_price: Option<i64>,
    fixed_fee: Option<i64>,
}

/// One page of the store's subscriptions, newest first.
pub(crate) async fn subscriptions(
    api: &Api,
    key: &str,
    store: &str,
    page: Option<&str>,
) -> Result<SubscriptionPage, ProviderError> {
    let number = page_number(page)?;
    let list = list_page(api, key, store, number).await?;
    // The filter already keeps to the store; this guards against an answer that did not.
    let records: Vec<&Resource<Attributes>> = list
        .data
        .iter()
        .filter(|record| record.attributes.store_id.to_string() == store)
        .collect();
    let subscriptions = if records.is_empty() {
        Vec::new()
    } else {
        let currency = store_currency(api, key, store).await?;
        let prices = prices(api, key, &records).await?;
        records
            .iter()
            .map(|record| subscription(record, &currency, &prices))
            .collect::<Result<_, _>>()?
    };
    let page = &list.meta.page;
    Ok(SubscriptionPage {
        subscriptions,
        next: (page.current_page < page.last_page).then(|| format!("{CURSOR}{}", number + 1)),
    })
}

/// The page number `page` names, from 1; a cursor this listing never wrote is refused rather
/// than guessed at, since reading from the wrong place would skip subscriptions.
fn page_number(page: Option<&str>) -> Result<u32, ProviderError> {
    let Some(page) = page else {
        return Ok(1);
    };
    page.strip_prefix(CURSOR)
        .and_then(|number| number.parse().ok())
        .filter(|number| *number > 0)
        .ok_or_else(|| {
            ProviderError::Unavailable(format!(
                "unknown {} cursor {page:?}",
                Provider::LemonSqueezy.title()
            ))
        })
}

async fn list_page(api: &Api, key: &str, store: &str, number: u32) -> Result<List, ProviderError> {
    let number = number.to_string();
    let query = [
        ("filter[store_id]", store),
        ("page[number]", number.as_str()),
        ("page[size]", PAGE_SIZE),
    ];
    Ok(api.get("v1/subscriptions", &query, key, &JSON_API).await?)
}

/// The store's currency, which its prices are in.
async fn store_currency(api: &Api, key: &str, store: &str) -> Result<Currency, ProviderError> {
    let path = format!("v1/stores/{store}");
    let found: Store = api.get(&path, &[], key, &JSON_API).await?;
    let code = found.data.attributes.currency.ok_or_else(|| {
        ProviderError::Unavailable(format!("Lemon Squeezy store {store} has no currency"))
    })?;
    currency(&code, Provider::LemonSqueezy)
}

/// The prices the `records`' items are on, each read once, by id.
async fn prices(
    api: &Api,
    key: &str,
    records: &[&Resource<Attributes>],
) -> Result<HashMap<i64, Price>, ProviderError> {
    let mut prices = HashMap::new();
    for record in records {
        let Some(item) = &record.attributes.first_subscription_item else {
            continue;
        };
        if prices.contains_key(&item.price_id) {
            continue;
        }
        let path = format!("v1/prices/{}", item.price_id);
        let price: OnePrice = api.get(&path, &[], key, &JSON_API).await?;
        prices.insert(item.price_id, price.data.attributes);
    }
    Ok(prices)
}

fn subscription(
    record: &Resource<Attributes>,
    currency: &Currency,
    prices: &HashMap<i64, Price>,
) -> Result<ProviderSubscription, ProviderError> {
    let attributes = &record.attributes;
    let status = status(&attributes.status)?;
    let (amount_minor, interval) = match &attributes.first_subscription_item {
        Some(item) => {
            let price = prices.get(&item.price_id).ok_or_else(|| {
                ProviderError::Unavailable(format!("Lemon Squeezy price {} unread", item.price_id))
            })?;
            (amount(price, item.quantity), interval(price)?)
        }
        // Nothing is billed yet: no amount, and monthly as the most common period.
        None => (0, BillingInterval::MONTHLY),
    };
    Ok(ProviderSubscription {
        provider: Provider::LemonSqueezy,
        // Active in its grace period, to expire at `ends_at`.
        cancel_scheduled: attributes.status == "cancelled",
        id: record.id.clone(),
        status,
        amount_minor,
        currency: currency.clone(),
        interval,
        started_at: attributes.created_at,
        ended_at: (status == SubscriptionStatus::Ended)
            .then(|| attributes.ends_at.unwrap_or(attributes.updated_at)),
        customer: Customer {
            id: attributes.customer_id.map(|id| id.to_string()),
            email: attributes.user_email.clone(),
            name: attributes.user_name.clone(),
        },
        visitor_id: None,
    })
}

/// Lemon Squeezy's status in the domain's terms (see the module's notes on `cancelled`).
fn status(text: &str) -> Result<SubscriptionStatus, ProviderError> {
    Ok(match text {
        "on_trial" => SubscriptionStatus::Trialing,
        "active" | "cancelled" => SubscriptionStatus::Active,
        "past_due" | "unpaid" => SubscriptionStatus::PastDue,
        "paused" => SubscriptionStatus::Paused,
        "expired" => SubscriptionStatus::Ended,
        other => {
            return Err(ProviderError::Unavailable(format!(
                "Lemon Squeezy sent a subscription status {other:?}"
            )));
        }
    })
}

fn interval(price: &Price) -> Result<BillingInterval, ProviderError> {
    let unit = match price.renewal_interval_unit.as_deref() {
        Some("day") => IntervalUnit::Day,
        Some("week") => IntervalUnit::Week,
        Some("month") => IntervalUnit::Month,
        Some("year") => IntervalUnit::Year,
        other => {
            return Err(ProviderError::Unavailable(format!(
                "Lemon Squeezy sent a renewal interval {other:?}"
            )));
        }
    };
    Ok(BillingInterval {
        unit,
        count: price.renewal_interval_quantity.unwrap_or(1).max(1),
    })
}

/// What `quantity` units of `price` cost a period. A usage-based price counts nothing: what a
/// period costs is only known once it is used.
fn amount(price: &Price, quantity: i64) -> i64 {
    let quantity = quantity.max(0);
    let unit = price.unit_price.unwrap_or(0);
    let tiers = price.tiers.as_deref().unwrap_or_default();
    match price.scheme.as_str() {
        "package" => {
            let size = price.package_size.unwrap_or(1).max(1);
            let packages = quantity.saturating_add(size - 1) / size;
            unit.saturating_mul(packages)
        }
        "volume" => volume(tiers, quantity),
        "graduated" => graduated(tiers, quantity),
        _ => unit.saturating_mul(quantity),
    }
}

/// A tier's last unit; `None` for the open-ended last tier.
fn last_unit(tier: &Tier) -> Option<i64> {
    tier.last_unit.as_i64()
}

/// Volume pricing: every unit at the price of the tier the whole quantity falls in.
fn volume(tiers: &[Tier], quantity: i64) -> i64 {
    tiers
        .iter()
        .find(|tier| last_unit(tier).is_none_or(|last| quantity <= last))
        .map_or(0, |tier| {
            let units = tier.unit_price.unwrap_or(0).saturating_mul(quantity);
            units.saturating_add(tier.fixed_fee.unwrap_or(0))
        })
}

/// Graduated pricing: each tier's units at that tier's price, with the fee of each tier used.
fn graduated(tiers: &[Tier], quantity: i64) -> i64 {
    let mut total = 0_i64;
    let mut counted = 0;
    for tier in tiers {
        if counted >= quantity {
            break;
        }
        let upto = last_unit(tier).map_or(quantity, |last| last.min(quantity));
        let units = (upto - counted).max(0);
        let cost = tier.unit_price.unwrap_or(0).saturating_mul(units);
        total = total
            .saturating_add(cost)
            .saturating_add(tier.fixed_fee.unwrap_or(0));
        counted = upto.max(counted);
    }
    total
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn price(value: Value) -> Price {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn cursors_name_a_page_number() {
        assert_eq!(page_number(None), Ok(1));
        assert_eq!(page_number(Some("subscriptions:3")), Ok(3));
        for bad in ["subscriptions:0", "subscriptions:x", "orders:2", "3", ""] {
            assert!(page_number(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_status_has_its_meaning() {
        let cases = [
            ("on_trial", SubscriptionStatus::Trialing),
            ("active", SubscriptionStatus::Active),
            ("cancelled", SubscriptionStatus::Active),
            ("past_due", SubscriptionStatus::PastDue),
            ("unpaid", SubscriptionStatus::PastDue),
            ("paused", SubscriptionStatus::Paused),
            ("expired", SubscriptionStatus::Ended),
        ];
        for (text, expected) in cases {
            assert_eq!(status(text), Ok(expected), "{text}");
        }
        assert!(status("refunded").is_err());
    }

    #[test]
    fn each_pricing_scheme_prices_its_quantity() {
        let standard = price(json!({"scheme": "standard", "unit_price": 900, "package_size": 1}));
        assert_eq!(amount(&standard, 3), 2_700);
        let package = price(json!({"scheme": "package", "unit_price": 1_000, "package_size": 5}));
        assert_eq!(amount(&package, 6), 2_000);
        let tiers = json!([
            {"last_unit": 2, "unit_price": 1_000, "fixed_fee": 100},
            {"last_unit": "inf", "unit_price": 500, "fixed_fee": 0}
        ]);
        let volume = price(json!({"scheme": "volume", "unit_price": null, "tiers": tiers}));
        assert_eq!(amount(&volume, 2), 2_100);
        assert_eq!(amount(&volume, 4), 2_000);
        let graduated = price(json!({"scheme": "graduated", "unit_price": null, "tiers": tiers}));
        assert_eq!(amount(&graduated, 4), 2_100 + 1_000);
        let metered = price(json!({"scheme": "standard", "unit_price": null}));
        assert_eq!(amount(&metered, 10), 0);
    }
}
