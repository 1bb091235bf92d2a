//! Payments, unique per website and transaction id, each linked to its goal event in the event
//! log so that deleting the payment deletes the goal too.

use async_trait::async_trait;

use datafast_domain::event::Event;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::{Payment, PaymentFilter, PaymentRecord};
use datafast_ports::store::{PaymentStore, StoreResult};

use crate::MemoryStore;
use crate::state::{StoredPayment, to_millis};

#[async_trait]
impl PaymentStore for MemoryStore {
    async fn record_payment(
        &self,
        payment: &Payment,
        goal_event: Option<Event>,
    ) -> StoreResult<PaymentRecord> {
        let payment = Payment {
            occurred_at: to_millis(payment.occurred_at),
            ..payment.clone()
        };
        self.write(|state| {
            let key = (payment.website_id, payment.transaction_id.clone());
            if state.payments.contains_key(&key) {
                return Ok(PaymentRecord::Duplicate);
            }
            let goal_event = goal_event.map(|event| state.append_event(event));
            state.payments.insert(
                key,
                StoredPayment {
                    payment,
                    goal_event,
                },
            );
            Ok(PaymentRecord::Recorded)
        })
    }

    async fn delete_payments(
        &self,
        website: WebsiteId,
        filter: &PaymentFilter,
    ) -> StoreResult<u64> {
        self.write(|state| {
            let doomed: Vec<(WebsiteId, String)> = state
                .payments
                .iter()
                .filter(|((owner, _), stored)| *owner == website && filter.matches(&stored.payment))
                .map(|(key, _)| key.clone())
                .collect();
            for key in &doomed {
                let goal_event = state.payments.remove(key).and_then(|s| s.goal_event);
                if let Some(seq) = goal_event {
                    state.events.remove(&seq);
                }
            }
            Ok(doomed.len() as u64)
        })
    }

    async fn payments(&self, website: WebsiteId) -> StoreResult<Vec<Payment>> {
        self.read(|state| {
            // Keys put one website's payments in transaction id order; the stable sort by
            // instant keeps it for ties.
            let mut payments: Vec<Payment> = state
                .payments
                .iter()
                .filter(|((owner, _), _)| *owner == website)
                .map(|(_, stored)| stored.payment.clone())
                .collect();
            payments.sort_by_key(|payment| payment.occurred_at);
            payments
        })
    }
}
