//! Subscriptions as each connected provider last listed them, saved with the goal events their
//! changes complete in one transaction, so that a goal is never fired twice or lost to a crash
//! between the two.

use rusqlite::{Row, Transaction, params};

use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::integration::Provider;
use datafast_domain::provider_payment::Customer;
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus, goal_events,
};
use datafast_domain::website::Currency;
use jiff::Timestamp;

use crate::codec::{RowExt, all, decoded, millis};
use crate::error::Failure;
use crate::events::insert_events;

const COLUMNS: &str = "provider, subscription_id, status, amount_minor, currency, interval_unit,
     interval_count, started_at, ended_at, customer_id, email, name, visitor_id,
     cancel_scheduled";

pub(crate) fn decode(row: &Row<'_>) -> Result<ProviderSubscription, Failure> {
    let provider = row.text(0)?;
    let status = row.text(2)?;
    let currency = row.text(4)?;
    let unit = row.text(5)?;
    Ok(ProviderSubscription {
        provider: decoded(Provider::from_slug(&provider), "provider", &provider)?,
        id: row.text(1)?,
        status: decoded(SubscriptionStatus::parse(&status), "status", &status)?,
        amount_minor: row.get(3)?,
        currency: decoded(Currency::parse(&currency).ok(), "currency", &currency)?,
        interval: BillingInterval {
            unit: decoded(IntervalUnit::parse(&unit), "interval", &unit)?,
            count: row.get(6)?,
        },
        started_at: row.instant(7)?,
        ended_at: row.optional_instant(8)?,
        cancel_scheduled: row.flag(13)?,
        customer: Customer {
            id: row.optional_text(9)?,
            email: row.optional_text(10)?,
            name: row.optional_text(11)?,
        },
        visitor_id: row.optional_text(12)?,
    })
}

/// The website's subscriptions, by provider and id.
pub(crate) fn read_all(
    db: &rusqlite::Connection,
    website: WebsiteId,
) -> Result<Vec<ProviderSubscription>, Failure> {
    let sql = format!(
        "SELECT {COLUMNS} FROM subscriptions WHERE website_id = ?1
         ORDER BY provider, subscription_id"
    );
    let mut statement = db.prepare_cached(&sql)?;
    all(statement.query([website.to_string()])?, decode)
}

/// Saves each subscription over its last known state and appends the goal events its change
/// completes; returns them.
pub(crate) fn save(
    tx: &Transaction<'_>,
    website: WebsiteId,
    subscriptions: &[(ProviderSubscription, Option<Event>)],
    seen_at: Timestamp,
) -> Result<Vec<Event>, Failure> {
    let mut fired = Vec::new();
    for (subscription, visit) in subscriptions {
        let before = known(tx, website, subscription)?;
        if let Some(visit) = visit {
            fired.extend(goal_events(before.as_ref(), subscription, visit, seen_at));
        }
        write(tx, website, subscription)?;
    }
    insert_events(tx, &fired)?;
    Ok(fired)
}

/// The subscription as last saved, if it was.
fn known(
    tx: &Transaction<'_>,
    website: WebsiteId,
    subscription: &ProviderSubscription,
) -> Result<Option<ProviderSubscription>, Failure> {
    let sql = format!(
        "SELECT {COLUMNS} FROM subscriptions
         WHERE website_id = ?1 AND provider = ?2 AND subscription_id = ?3"
    );
    let mut statement = tx.prepare_cached(&sql)?;
    let mut rows = statement.query(params![
        website.to_string(),
        subscription.provider.slug(),
        subscription.id
    ])?;
    rows.next()?.map(decode).transpose()
}

fn write(
    tx: &Transaction<'_>,
    website: WebsiteId,
    subscription: &ProviderSubscription,
) -> Result<(), Failure> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO subscriptions (website_id, provider, subscription_id, status,
             amount_minor, currency, interval_unit, interval_count, started_at, ended_at,
             customer_id, email, name, visitor_id, cancel_scheduled)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        website.to_string(),
        subscription.provider.slug(),
        subscription.id,
        subscription.status.as_str(),
        subscription.amount_minor,
        subscription.currency.as_str(),
        subscription.interval.unit.as_str(),
        subscription.interval.count,
        millis(subscription.started_at),
        subscription.ended_at.map(millis),
        subscription.customer.id,
        subscription.customer.email,
        subscription.customer.name,
        subscription.visitor_id,
        subscription.cancel_scheduled,
    ])?;
    Ok(())
}

/// Removes the subscriptions the provider listed for the website.
pub(crate) fn delete_of(
    tx: &Transaction<'_>,
    website: WebsiteId,
    provider: Provider,
) -> Result<(), Failure> {
    tx.prepare_cached("DELETE FROM subscriptions WHERE website_id = ?1 AND provider = ?2")?
        .execute([website.to_string(), provider.slug().to_owned()])?;
    Ok(())
}
