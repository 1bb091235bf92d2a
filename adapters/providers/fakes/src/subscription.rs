//! A subscription as every fake holds it, in neutral terms: each fake shows it in its own
//! provider's shapes.

use datafast_domain::provider_subscription::{BillingInterval, IntervalUnit, SubscriptionStatus};

/// One subscription a fake holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeSubscription {
    /// The provider's id for it, in the provider's form (`sub_...`, a number, a UUID,
    /// `sub_01...`).
    pub id: String,
    pub status: SubscriptionStatus,
    /// What one billing period costs, in minor units.
    pub amount_minor: i64,
    /// ISO 4217, any case; each fake spells it as its provider does.
    pub currency: String,
    pub interval: BillingInterval,
    /// Unix seconds.
    pub created: i64,
    /// When it ended (unix seconds), for an ended one.
    pub ended_at: Option<i64>,
    pub customer_id: Option<String>,
    pub email: Option<String>,
    /// The checkout's or subscription's metadata (`datafast_visitor_id`).
    pub metadata: Vec<(String, String)>,
}

impl FakeSubscription {
    /// An active subscription of `amount_minor` in `currency` a month, started at `created`.
    pub fn monthly(id: &str, amount_minor: i64, currency: &str, created: i64) -> Self {
        Self {
            id: id.to_owned(),
            status: SubscriptionStatus::Active,
            amount_minor,
            currency: currency.to_owned(),
            interval: BillingInterval::MONTHLY,
            created,
            ended_at: None,
            customer_id: None,
            email: None,
            metadata: Vec::new(),
        }
    }

    /// The same subscription, opened by the visitor `visitor_id` (in its metadata).
    #[must_use]
    pub fn by_visitor(mut self, visitor_id: &str) -> Self {
        self.metadata
            .push(("datafast_visitor_id".to_owned(), visitor_id.to_owned()));
        self
    }

    /// The same subscription, billed every `interval`.
    #[must_use]
    pub fn every(mut self, interval: BillingInterval) -> Self {
        self.interval = interval;
        self
    }

    /// The same subscription, in `status`.
    #[must_use]
    pub fn in_status(mut self, status: SubscriptionStatus) -> Self {
        self.status = status;
        self
    }

    /// About how long one billing period lasts, in seconds, for the dates the fakes derive
    /// from it (a month is 30 days).
    pub(crate) fn period_seconds(&self) -> i64 {
        let days = match self.interval.unit {
            IntervalUnit::Day => 1,
            IntervalUnit::Week => 7,
            IntervalUnit::Month => 30,
            IntervalUnit::Year => 365,
        };
        days * i64::from(self.interval.count.max(1)) * 86_400
    }

    /// When a subscription that still runs is canceled to end (its `ended_at` while it runs):
    /// at the end of its paid period, not yet ended.
    pub(crate) fn scheduled_end(&self) -> Option<i64> {
        let running = matches!(
            self.status,
            SubscriptionStatus::Active | SubscriptionStatus::PastDue | SubscriptionStatus::Trialing
        );
        self.ended_at.filter(|_| running)
    }

    /// The status as Stripe words it, and Polar and Paddle after it: an ended subscription was
    /// canceled.
    pub(crate) fn stripe_style_status(&self) -> &'static str {
        match self.status {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Paused => "paused",
            SubscriptionStatus::Ended => "canceled",
        }
    }
}
