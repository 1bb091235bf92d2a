//! Subscriptions as payment providers report them, normalised: what one brings in a month
//! (MRR) and which of DataFast's automatic goals a change of one completes (`trial_started`,
//! `subscription_started`, `subscription_ended` and the rest of its reserved names).

use jiff::Timestamp;

use crate::event::{Event, EventKind, EventOrigin};
use crate::goal::GoalName;
use crate::integration::Provider;
use crate::provider_payment::Customer;
use crate::website::Currency;

/// Where a subscription stands, in the same terms for every provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubscriptionStatus {
    /// In a trial: nothing charged yet.
    Trialing,
    /// Paid up and renewing.
    Active,
    /// A renewal failed and the provider is retrying: still counted, as the providers do.
    PastDue,
    /// Paused by the customer or the merchant: no revenue while paused.
    Paused,
    /// Canceled and over, or expired.
    Ended,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trialing => "trialing",
            Self::Active => "active",
            Self::PastDue => "past_due",
            Self::Paused => "paused",
            Self::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Trialing,
            Self::Active,
            Self::PastDue,
            Self::Paused,
            Self::Ended,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
    }

    /// Whether a subscription in this state brings recurring revenue.
    pub fn is_paying(self) -> bool {
        matches!(self, Self::Active | Self::PastDue)
    }
}

/// The unit a billing period is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntervalUnit {
    Day,
    Week,
    Month,
    Year,
}

impl IntervalUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
            Self::Year => "year",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Day, Self::Week, Self::Month, Self::Year]
            .into_iter()
            .find(|unit| unit.as_str() == text)
    }
}

/// How often a subscription bills: every `count` `unit`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BillingInterval {
    pub unit: IntervalUnit,
    pub count: u32,
}

impl BillingInterval {
    pub const MONTHLY: Self = Self {
        unit: IntervalUnit::Month,
        count: 1,
    };

    /// `amount_minor` per period as an amount per month, rounded to the nearest minor unit: a
    /// year is 12 months, a week 12/52 of one, a day 12/365.
    pub fn monthly(self, amount_minor: i64) -> i64 {
        let count = i128::from(self.count.max(1));
        // Amount per period times periods per year, over twelve months.
        let periods_per_year_numerator: i128 = match self.unit {
            IntervalUnit::Day => 365,
            IntervalUnit::Week => 52,
            IntervalUnit::Month => 12,
            IntervalUnit::Year => 1,
        };
        let numerator = i128::from(amount_minor) * periods_per_year_numerator;
        let denominator = 12 * count;
        let rounded = (2 * numerator + denominator).div_euclid(2 * denominator);
        i64::try_from(rounded).unwrap_or(i64::MAX)
    }
}

/// One subscription as a provider reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSubscription {
    pub provider: Provider,
    /// The provider's own id for the subscription.
    pub id: String,
    pub status: SubscriptionStatus,
    /// What one billing period costs, in the currency's minor units, every item and quantity
    /// included, before tax where the provider tells it apart.
    pub amount_minor: i64,
    pub currency: Currency,
    pub interval: BillingInterval,
    pub started_at: Timestamp,
    /// When it ended, for an ended subscription, where the provider says.
    pub ended_at: Option<Timestamp>,
    /// Canceled to end with its paid period: still paying until then.
    pub cancel_scheduled: bool,
    pub customer: Customer,
    /// `datafast_visitor_id` from the checkout's or the subscription's metadata.
    pub visitor_id: Option<String>,
}

impl ProviderSubscription {
    /// What it brings in a month now: nothing unless it is paying.
    pub fn mrr_minor(&self) -> i64 {
        if self.status.is_paying() {
            self.interval.monthly(self.amount_minor)
        } else {
            0
        }
    }
}

/// Monthly recurring revenue: what the paying subscriptions bring in a month, in major units,
/// each converted with its own currency's exponent (as revenue is summed), to the cent.
pub fn monthly_recurring_revenue(subscriptions: &[ProviderSubscription]) -> f64 {
    let total: f64 = subscriptions
        .iter()
        .map(|s| crate::payment::to_major_units(s.mrr_minor(), &s.currency))
        .sum();
    (total * 100.0).round() / 100.0
}

/// An automatic goal a subscription completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionGoal {
    TrialStarted,
    TrialConverted,
    SubscriptionStarted,
    SubscriptionUpgraded,
    SubscriptionDowngraded,
    SubscriptionCancelScheduled,
    SubscriptionReactivated,
    SubscriptionEnded,
}

impl SubscriptionGoal {
    /// The goal's name, as DataFast names its automatic payment-provider goals.
    pub fn name(self) -> &'static str {
        match self {
            Self::TrialStarted => "trial_started",
            Self::TrialConverted => "trial_converted",
            Self::SubscriptionStarted => "subscription_started",
            Self::SubscriptionUpgraded => "subscription_upgraded",
            Self::SubscriptionDowngraded => "subscription_downgraded",
            Self::SubscriptionCancelScheduled => "subscription_cancel_scheduled",
            Self::SubscriptionReactivated => "subscription_reactivated",
            Self::SubscriptionEnded => "subscription_ended",
        }
    }

    /// The goals a subscription completes going from `before` (`None`: first seen) to `after`.
    ///
    /// - First seen: in a trial, `trial_started`; paying, `subscription_started`; ended, only
    ///   `subscription_ended` (its start is before what the import can tell apart).
    /// - A trial that turns paying: `trial_converted` and `subscription_started`; an ended
    ///   one that pays again: `subscription_started`; one that stops: `subscription_ended`.
    /// - While paying: a cancellation scheduled for the period's end,
    ///   `subscription_cancel_scheduled`; one undone, `subscription_reactivated`; a higher or
    ///   lower amount a month, `subscription_upgraded` or `subscription_downgraded`.
    pub fn fired(
        before: Option<&ProviderSubscription>,
        after: &ProviderSubscription,
    ) -> Vec<SubscriptionGoal> {
        use SubscriptionStatus as S;
        let Some(before) = before else {
            return match after.status {
                S::Trialing => vec![Self::TrialStarted],
                S::Active | S::PastDue => vec![Self::SubscriptionStarted],
                S::Ended => vec![Self::SubscriptionEnded],
                S::Paused => Vec::new(),
            };
        };
        match (before.status, after.status) {
            (S::Trialing, S::Active | S::PastDue) => {
                vec![Self::TrialConverted, Self::SubscriptionStarted]
            }
            (S::Ended, S::Active | S::PastDue) => vec![Self::SubscriptionStarted],
            (S::Trialing | S::Active | S::PastDue | S::Paused, S::Ended) => {
                vec![Self::SubscriptionEnded]
            }
            (S::Active | S::PastDue, S::Active | S::PastDue) => Self::while_paying(before, after),
            _ => Vec::new(),
        }
    }

    /// What changed on a subscription paying before and after.
    fn while_paying(
        before: &ProviderSubscription,
        after: &ProviderSubscription,
    ) -> Vec<SubscriptionGoal> {
        let mut goals = Vec::new();
        match (before.cancel_scheduled, after.cancel_scheduled) {
            (false, true) => goals.push(Self::SubscriptionCancelScheduled),
            (true, false) => goals.push(Self::SubscriptionReactivated),
            _ => {}
        }
        let monthly = |s: &ProviderSubscription| s.interval.monthly(s.amount_minor);
        match monthly(after).cmp(&monthly(before)) {
            std::cmp::Ordering::Greater => goals.push(Self::SubscriptionUpgraded),
            std::cmp::Ordering::Less => goals.push(Self::SubscriptionDowngraded),
            std::cmp::Ordering::Equal => {}
        }
        goals
    }
}

/// The goal events `subscription` completes on going from `before` (`None`: first seen) to
/// where it stands, as copies of `visit` (its visitor's goal-event template: the visit its
/// goals are recorded in). A first-seen subscription's start is dated when it started, an end
/// when it ended; any other change when it was seen.
pub fn goal_events(
    before: Option<&ProviderSubscription>,
    subscription: &ProviderSubscription,
    visit: &Event,
    seen_at: Timestamp,
) -> Vec<Event> {
    SubscriptionGoal::fired(before, subscription)
        .into_iter()
        .filter_map(|goal| {
            let occurred_at = match goal {
                SubscriptionGoal::SubscriptionEnded => subscription.ended_at.unwrap_or(seen_at),
                _ if before.is_none() => subscription.started_at,
                _ => seen_at,
            };
            Some(Event {
                kind: EventKind::Payment,
                occurred_at,
                goal_name: Some(GoalName::parse(goal.name()).ok()?),
                params: [("subscription_id".to_owned(), subscription.id.clone())]
                    .into_iter()
                    .collect(),
                description: None,
                origin: EventOrigin::Server,
                ..visit.clone()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ProviderSubscription {
        fn with_interval(mut self, unit: IntervalUnit) -> Self {
            self.interval = BillingInterval { unit, count: 1 };
            self
        }
    }

    fn every(unit: IntervalUnit, count: u32) -> BillingInterval {
        BillingInterval { unit, count }
    }

    #[test]
    fn a_period_amount_becomes_a_monthly_one() {
        assert_eq!(BillingInterval::MONTHLY.monthly(2_900), 2_900);
        assert_eq!(every(IntervalUnit::Month, 3).monthly(9_000), 3_000);
        assert_eq!(every(IntervalUnit::Year, 1).monthly(12_000), 1_000);
        assert_eq!(every(IntervalUnit::Year, 1).monthly(9_900), 825);
        assert_eq!(every(IntervalUnit::Week, 1).monthly(1_200), 5_200);
        assert_eq!(every(IntervalUnit::Day, 1).monthly(100), 3_042);
        assert_eq!(
            every(IntervalUnit::Month, 0).monthly(500),
            500,
            "a zero count is one"
        );
        assert_eq!(every(IntervalUnit::Year, 1).monthly(0), 0);
    }

    #[test]
    fn only_paying_subscriptions_bring_mrr() {
        let subscription = |status| ProviderSubscription {
            provider: Provider::Stripe,
            id: "sub_1".into(),
            status,
            amount_minor: 12_000,
            currency: Currency::parse("USD").unwrap(),
            interval: every(IntervalUnit::Year, 1),
            started_at: Timestamp::UNIX_EPOCH,
            ended_at: None,
            cancel_scheduled: false,
            customer: Customer::default(),
            visitor_id: None,
        };
        assert_eq!(subscription(SubscriptionStatus::Active).mrr_minor(), 1_000);
        assert_eq!(subscription(SubscriptionStatus::PastDue).mrr_minor(), 1_000);
        for idle in [
            SubscriptionStatus::Trialing,
            SubscriptionStatus::Paused,
            SubscriptionStatus::Ended,
        ] {
            assert_eq!(subscription(idle).mrr_minor(), 0, "{idle:?}");
        }
    }

    #[test]
    fn mrr_sums_the_paying_subscriptions_in_major_units() {
        let of = |status, amount_minor, currency: &str, unit| ProviderSubscription {
            provider: Provider::Paddle,
            id: format!("sub_{amount_minor}"),
            status,
            amount_minor,
            currency: Currency::parse(currency).unwrap(),
            interval: every(unit, 1),
            started_at: Timestamp::UNIX_EPOCH,
            ended_at: None,
            cancel_scheduled: false,
            customer: Customer::default(),
            visitor_id: None,
        };
        let book = [
            of(
                SubscriptionStatus::Active,
                2_900,
                "USD",
                IntervalUnit::Month,
            ),
            of(
                SubscriptionStatus::PastDue,
                12_000,
                "USD",
                IntervalUnit::Year,
            ),
            of(
                SubscriptionStatus::Active,
                1_200,
                "JPY",
                IntervalUnit::Month,
            ),
            of(
                SubscriptionStatus::Trialing,
                5_000,
                "USD",
                IntervalUnit::Month,
            ),
            of(SubscriptionStatus::Ended, 7_000, "USD", IntervalUnit::Month),
        ];
        // 29 + 10 + 1,200 (yen have no minor unit); trials and ended ones bring nothing.
        assert_eq!(monthly_recurring_revenue(&book), 1_239.0);
        assert_eq!(monthly_recurring_revenue(&[]), 0.0);
    }

    #[test]
    fn changes_complete_their_goals() {
        use SubscriptionGoal as G;
        use SubscriptionStatus as S;
        let state = |status, amount_minor, cancel_scheduled| ProviderSubscription {
            provider: Provider::Stripe,
            id: "sub_1".into(),
            status,
            amount_minor,
            currency: Currency::parse("USD").unwrap(),
            interval: BillingInterval::MONTHLY,
            started_at: Timestamp::UNIX_EPOCH,
            ended_at: None,
            cancel_scheduled,
            customer: Customer::default(),
            visitor_id: None,
        };
        let plain = |status| state(status, 1_000, false);
        let cases: Vec<(Option<ProviderSubscription>, ProviderSubscription, Vec<G>)> = vec![
            (None, plain(S::Trialing), vec![G::TrialStarted]),
            (None, plain(S::Active), vec![G::SubscriptionStarted]),
            (None, plain(S::Ended), vec![G::SubscriptionEnded]),
            (None, plain(S::Paused), vec![]),
            (
                Some(plain(S::Trialing)),
                plain(S::Active),
                vec![G::TrialConverted, G::SubscriptionStarted],
            ),
            (
                Some(plain(S::Trialing)),
                plain(S::Ended),
                vec![G::SubscriptionEnded],
            ),
            (
                Some(plain(S::Active)),
                plain(S::Ended),
                vec![G::SubscriptionEnded],
            ),
            (
                Some(plain(S::Paused)),
                plain(S::Ended),
                vec![G::SubscriptionEnded],
            ),
            (
                Some(plain(S::Ended)),
                plain(S::Active),
                vec![G::SubscriptionStarted],
            ),
            (Some(plain(S::Active)), plain(S::Active), vec![]),
            (Some(plain(S::Active)), plain(S::PastDue), vec![]),
            (Some(plain(S::Ended)), plain(S::Ended), vec![]),
            (
                Some(plain(S::Active)),
                state(S::Active, 1_000, true),
                vec![G::SubscriptionCancelScheduled],
            ),
            (
                Some(state(S::Active, 1_000, true)),
                plain(S::Active),
                vec![G::SubscriptionReactivated],
            ),
            (
                Some(plain(S::Active)),
                state(S::Active, 2_000, false),
                vec![G::SubscriptionUpgraded],
            ),
            (
                Some(plain(S::PastDue)),
                state(S::Active, 500, false),
                vec![G::SubscriptionDowngraded],
            ),
            (
                Some(plain(S::Active)),
                state(S::Active, 12_000, false).with_interval(IntervalUnit::Year),
                vec![],
            ),
            (
                Some(plain(S::Trialing)),
                state(S::Trialing, 9_000, true),
                vec![],
            ),
        ];
        for (before, after, goals) in cases {
            assert_eq!(
                SubscriptionGoal::fired(before.as_ref(), &after),
                goals,
                "{before:?} -> {after:?}"
            );
        }
    }

    #[test]
    fn statuses_round_trip_through_their_names() {
        for status in [
            SubscriptionStatus::Trialing,
            SubscriptionStatus::Active,
            SubscriptionStatus::PastDue,
            SubscriptionStatus::Paused,
            SubscriptionStatus::Ended,
        ] {
            assert_eq!(SubscriptionStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(SubscriptionStatus::parse("canceled"), None);
    }

    #[test]
    fn goal_events_copy_the_visit_and_are_dated_by_what_happened() {
        use crate::event::VisitContext;
        use crate::id::WebsiteId;
        let at = |seconds| Timestamp::from_second(seconds).unwrap();
        let visit = Event {
            website_id: WebsiteId::parse("0123456789abcdef01234567").unwrap(),
            kind: EventKind::Pageview,
            occurred_at: at(1),
            visitor_id: "v1".into(),
            session_id: "s1".into(),
            goal_name: None,
            hostname: "example.com".into(),
            path: "/pricing".into(),
            context: VisitContext::unknown(),
            params: Default::default(),
            description: Some("a visit".into()),
            origin: EventOrigin::Client,
        };
        let mut subscription = ProviderSubscription {
            provider: Provider::Polar,
            id: "sub_9".into(),
            status: SubscriptionStatus::Active,
            amount_minor: 900,
            currency: Currency::parse("EUR").unwrap(),
            interval: BillingInterval::MONTHLY,
            started_at: at(100),
            ended_at: None,
            cancel_scheduled: false,
            customer: Customer::default(),
            visitor_id: Some("v1".into()),
        };
        let first = goal_events(None, &subscription, &visit, at(500));
        assert_eq!(first.len(), 1);
        assert_eq!(
            first[0].goal_name.as_ref().unwrap().as_str(),
            "subscription_started"
        );
        assert_eq!(first[0].occurred_at, at(100), "dated when it started");
        assert_eq!(first[0].kind, EventKind::Payment);
        assert_eq!(first[0].path, "/pricing", "in the visitor's visit");
        assert_eq!(first[0].params["subscription_id"], "sub_9");
        assert_eq!(first[0].origin, EventOrigin::Server);
        assert_eq!(first[0].description, None);

        let active = subscription.clone();
        assert!(goal_events(Some(&active), &subscription, &visit, at(600)).is_empty());
        subscription.status = SubscriptionStatus::Ended;
        subscription.ended_at = Some(at(700));
        let ended = goal_events(Some(&active), &subscription, &visit, at(800));
        assert_eq!(
            ended[0].goal_name.as_ref().unwrap().as_str(),
            "subscription_ended"
        );
        assert_eq!(ended[0].occurred_at, at(700), "dated when it ended");
        let gone = subscription.clone();
        subscription.status = SubscriptionStatus::Active;
        let back = goal_events(Some(&gone), &subscription, &visit, at(900));
        assert_eq!(
            back[0].occurred_at,
            at(900),
            "a change is dated when it was seen"
        );
    }
}
