//! Payments, unique per website and transaction id, each with its goal event in the event log.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row, Transaction, params};

use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_domain::website::Currency;
use datafast_ports::store::{PaymentStore, StoreResult};

use crate::SqliteStore;
use crate::codec::{RowExt, all, millis};
use crate::error::Failure;
use crate::events::{delete_events, insert_events};

const PAYMENT_COLUMNS: &str = "website_id, transaction_id, amount_minor, currency, visitor_id,
     email, name, customer_id, renewal, refunded, free_trial, occurred_at, id, event";

fn payment_of(row: &Row<'_>) -> Result<Payment, Failure> {
    let currency = row.text(3)?;
    Ok(Payment {
        website_id: row.parsed(0)?,
        transaction_id: row.text(1)?,
        amount_minor: row.get(2)?,
        currency: Currency::parse(&currency)
            .map_err(|_| Failure::Corrupt(format!("currency {currency:?}")))?,
        visitor_id: row.optional_text(4)?,
        email: row.optional_text(5)?,
        name: row.optional_text(6)?,
        customer_id: row.optional_text(7)?,
        renewal: row.flag(8)?,
        refunded: row.flag(9)?,
        free_trial: row.flag(10)?,
        occurred_at: row.instant(11)?,
    })
}

/// Whether the payment's website already has its transaction id.
pub(crate) fn is_known(tx: &Transaction<'_>, payment: &Payment) -> Result<bool, Failure> {
    let known: Option<i64> = tx
        .prepare_cached("SELECT id FROM payments WHERE website_id = ?1 AND transaction_id = ?2")?
        .query_row(
            params![payment.website_id.to_string(), payment.transaction_id],
            |row| row.get(0),
        )
        .optional()?;
    Ok(known.is_some())
}

/// Inserts a payment the website does not have yet, with its goal event.
pub(crate) fn insert_payment(
    tx: &Transaction<'_>,
    payment: &Payment,
    goal_event: Option<Event>,
) -> Result<(), Failure> {
    let event = match &goal_event {
        Some(event) => insert_events(tx, std::slice::from_ref(event))?
            .first()
            .map(|seq| i64::try_from(*seq).unwrap_or(i64::MAX)),
        None => None,
    };
    tx.prepare_cached(
        "INSERT INTO payments (website_id, transaction_id, amount_minor, currency,
             visitor_id, email, name, customer_id, renewal, refunded, free_trial,
             occurred_at, event)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        payment.website_id.to_string(),
        payment.transaction_id,
        payment.amount_minor,
        payment.currency.as_str(),
        payment.visitor_id,
        payment.email,
        payment.name,
        payment.customer_id,
        payment.renewal,
        payment.refunded,
        payment.free_trial,
        millis(payment.occurred_at),
        event,
    ])?;
    Ok(())
}

/// Gives a known payment the amount and refunded flag of `payment`; true when they changed.
pub(crate) fn settle(tx: &Transaction<'_>, payment: &Payment) -> Result<bool, Failure> {
    let changed = tx
        .prepare_cached(
            "UPDATE payments SET amount_minor = ?3, refunded = ?4
             WHERE website_id = ?1 AND transaction_id = ?2
               AND (amount_minor <> ?3 OR refunded <> ?4)",
        )?
        .execute(params![
            payment.website_id.to_string(),
            payment.transaction_id,
            payment.amount_minor,
            payment.refunded
        ])?;
    Ok(changed > 0)
}

#[async_trait]
impl PaymentStore for SqliteStore {
    async fn record_payment(
        &self,
        payment: &Payment,
        goal_event: Option<Event>,
    ) -> StoreResult<PaymentRecord> {
        let payment = payment.clone();
        self.write(move |tx| {
            if is_known(tx, &payment)? {
                return Ok(PaymentRecord::Duplicate);
            }
            insert_payment(tx, &payment, goal_event)?;
            Ok(PaymentRecord::Recorded)
        })
        .await
    }

    async fn delete_payments(
        &self,
        website: WebsiteId,
        filter: &PaymentFilter,
    ) -> StoreResult<u64> {
        let filter = filter.clone();
        let deleted = self
            .write(move |tx| {
                let sql = format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE website_id = ?1");
                let mut statement = tx.prepare_cached(&sql)?;
                // The domain's filter decides, so every backend applies the same rule.
                let doomed = all(statement.query([website.to_string()])?, |row| {
                    Ok((
                        payment_of(row)?,
                        row.get::<_, i64>(12)?,
                        row.get::<_, Option<i64>>(13)?,
                    ))
                })?
                .into_iter()
                .filter(|(payment, _, _)| filter.matches(payment))
                .collect::<Vec<_>>();
                let mut remove = tx.prepare_cached("DELETE FROM payments WHERE id = ?1")?;
                for (_, id, _) in &doomed {
                    remove.execute([id])?;
                }
                let events: Vec<i64> = doomed.iter().filter_map(|(_, _, event)| *event).collect();
                delete_events(tx, &events)?;
                Ok((doomed.len() as u64, !events.is_empty()))
            })
            .await;
        deleted.map(|(count, events_deleted)| {
            if events_deleted {
                self.forget_visitors();
            }
            count
        })
    }

    async fn payments(&self, website: WebsiteId) -> StoreResult<Vec<Payment>> {
        self.read(move |db| {
            let sql = format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE website_id = ?1
                 ORDER BY occurred_at, transaction_id"
            );
            let mut statement = db.prepare_cached(&sql)?;
            all(statement.query([website.to_string()])?, payment_of)
        })
        .await
    }
}
