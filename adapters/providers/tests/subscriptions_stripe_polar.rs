//! The Stripe and Polar connectors' subscription listing against local fakes, over real
//! sockets, read page by page as the import reads it: every subscription once over several
//! pages, each status (an ended one with its end, one canceled to end with its period still
//! active and scheduled to cancel), billing intervals and amounts (Stripe's items and
//! quantities added up), the visitor and the customer, currencies, and each provider's
//! refusals, throttling and a cursor the listing never wrote.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::expect_used)]

#[allow(
    dead_code,
    reason = "the shared fixtures name every provider's credentials; these tests use two"
)]
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::Timestamp;

use datafast_domain::integration::{Provider, ProviderCredentials};
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_domain::website::Currency;
use datafast_ports::providers::{PaymentProviders, ProviderError};
use datafast_provider_fakes::{Account, Fake, FakeProviders, FakeSubscription};
use datafast_providers::ProviderClients;

use common::{ORGANIZATION, POLAR_TOKEN, clients_for};

const STRIPE_KEY: &str = "rk_live_51HsubsKey00000000000";

/// 2025-06-15T00:00:00Z.
const T0: i64 = 1_749_945_600;
const DAY: i64 = 86_400;
/// More pages than any test's listing needs: reading past it is a listing that never ends.
const MAX_PAGES: usize = 20;

/// The providers under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Stripe,
    Polar,
}

const ALL: [Kind; 2] = [Kind::Stripe, Kind::Polar];

impl Kind {
    fn fake(self, fakes: &FakeProviders) -> &Fake {
        match self {
            Kind::Stripe => &fakes.stripe,
            Kind::Polar => &fakes.polar,
        }
    }

    fn provider(self) -> Provider {
        match self {
            Kind::Stripe => Provider::Stripe,
            Kind::Polar => Provider::Polar,
        }
    }

    fn credentials(self) -> ProviderCredentials {
        self.credentials_with(match self {
            Kind::Stripe => STRIPE_KEY,
            Kind::Polar => POLAR_TOKEN,
        })
    }

    fn credentials_with(self, secret: &str) -> ProviderCredentials {
        match self {
            Kind::Stripe => ProviderCredentials::stripe(secret),
            Kind::Polar => ProviderCredentials::polar(secret, ORGANIZATION),
        }
        .expect("a well-formed credential")
    }

    /// The provider's id for subscription `n`.
    fn id(self, n: u64) -> String {
        match self {
            Kind::Stripe => format!("sub_1Fake{n:010}"),
            Kind::Polar => format!("50000000-0000-4000-8000-{n:012}"),
        }
    }

    fn customer(self, n: u64) -> String {
        match self {
            Kind::Stripe => format!("cus_Fake{n:08}"),
            Kind::Polar => format!("c0000000-0000-4000-8000-{n:012}"),
        }
    }

    /// An active monthly subscription `n` of `amount` in `currency`, started at `at`.
    fn monthly(self, n: u64, amount: i64, currency: &str, at: i64) -> FakeSubscription {
        FakeSubscription::monthly(&self.id(n), amount, currency, at)
    }
}

/// The two fakes, each knowing one good credential, and clients pointed at them.
async fn world() -> (FakeProviders, ProviderClients) {
    let fakes = FakeProviders::start().await.expect("fakes start");
    fakes
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    fakes.polar.add_key(
        POLAR_TOKEN,
        Account::named("Acme Org", "usd").seeing(ORGANIZATION),
    );
    let clients = clients_for(&fakes, fakes.paddle.base_url());
    (fakes, clients)
}

/// Every page, in order, as the import reads them; and how many pages there were.
async fn read(
    clients: &ProviderClients,
    kind: Kind,
) -> Result<(Vec<ProviderSubscription>, usize), ProviderError> {
    let credentials = kind.credentials();
    let mut subscriptions = Vec::new();
    let mut page: Option<String> = None;
    for pages in 1..=MAX_PAGES {
        let answer = clients.subscriptions(&credentials, page.clone()).await?;
        subscriptions.extend(answer.subscriptions);
        match answer.next {
            Some(next) => page = Some(next),
            None => return Ok((subscriptions, pages)),
        }
    }
    panic!("{kind:?}: the listing did not end within {MAX_PAGES} pages")
}

/// Each subscription listed, by id.
async fn by_id(clients: &ProviderClients, kind: Kind) -> BTreeMap<String, ProviderSubscription> {
    let (subscriptions, _) = read(clients, kind).await.expect("listed");
    subscriptions
        .into_iter()
        .map(|s| (s.id.clone(), s))
        .collect()
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).expect("a time")
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).expect("a currency")
}

#[tokio::test]
async fn every_subscription_is_read_once_over_several_pages_newest_first() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let held: Vec<FakeSubscription> = (0..150)
            .map(|n| kind.monthly(n, 1_000 + n as i64, "usd", T0 + n as i64 * 60))
            .collect();
        let expected: BTreeSet<String> = held.iter().map(|s| s.id.clone()).collect();
        let fake = kind.fake(&fakes);
        fake.add_subscriptions(held);
        // An ended one among them is listed too.
        assert!(fake.set_subscription_status(&kind.id(7), SubscriptionStatus::Ended, T0 + DAY));

        let (subscriptions, pages) = read(&clients, kind).await.expect("listed");
        let listed: BTreeSet<String> = subscriptions.iter().map(|s| s.id.clone()).collect();
        assert_eq!(listed, expected, "{kind:?}");
        assert_eq!(subscriptions.len(), 150, "{kind:?}: each subscription once");
        assert!(pages >= 2, "{kind:?}: {pages} pages");
        let started: Vec<Timestamp> = subscriptions.iter().map(|s| s.started_at).collect();
        assert!(
            started.windows(2).all(|pair| pair[0] >= pair[1]),
            "{kind:?}: newest first"
        );
        let first = &subscriptions[subscriptions.len() - 1];
        assert_eq!(first.id, kind.id(0), "{kind:?}");
        assert_eq!(first.amount_minor, 1_000, "{kind:?}");
        assert_eq!(first.started_at, at(T0), "{kind:?}");
        assert_eq!(first.interval, BillingInterval::MONTHLY, "{kind:?}");
        assert_eq!(first.provider, kind.provider(), "{kind:?}");
    }
}

#[tokio::test]
async fn every_status_is_mapped_and_an_ended_subscription_keeps_its_end() {
    let (fakes, clients) = world().await;
    let statuses = [
        SubscriptionStatus::Trialing,
        SubscriptionStatus::Active,
        SubscriptionStatus::PastDue,
        SubscriptionStatus::Paused,
        SubscriptionStatus::Ended,
    ];
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions(statuses.iter().zip(0..).map(|(status, n)| {
            kind.monthly(n, 2_900, "usd", T0 + n as i64 * DAY)
                .in_status(*status)
        }));
        assert!(fake.set_subscription_status(&kind.id(4), SubscriptionStatus::Ended, T0 + 9 * DAY));

        let listed = by_id(&clients, kind).await;
        for (status, n) in statuses.iter().zip(0..) {
            let subscription = listed.get(&kind.id(n)).expect("listed");
            assert_eq!(subscription.status, *status, "{kind:?}");
            let ended = (*status == SubscriptionStatus::Ended).then(|| at(T0 + 9 * DAY));
            assert_eq!(subscription.ended_at, ended, "{kind:?} {status:?}");
        }
        assert_eq!(listed.len(), statuses.len(), "{kind:?}");
    }
}

#[tokio::test]
async fn a_subscription_canceled_to_end_with_its_period_is_read_still_active_and_scheduled() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        // Canceled but paid up to a later day: Stripe's `cancel_at_period_end` with `cancel_at`,
        // Polar's `cancel_at_period_end` with `ends_at`.
        let canceling = FakeSubscription {
            ended_at: Some(T0 + 40 * DAY),
            ..kind.monthly(1, 2_900, "usd", T0)
        };
        let canceling_past_due = FakeSubscription {
            ended_at: Some(T0 + 41 * DAY),
            ..kind
                .monthly(2, 2_900, "usd", T0 + 1)
                .in_status(SubscriptionStatus::PastDue)
        };
        fake.add_subscriptions([
            canceling,
            canceling_past_due,
            kind.monthly(3, 2_900, "usd", T0 + 2),
            kind.monthly(4, 2_900, "usd", T0 + 3),
        ]);
        assert!(fake.set_subscription_status(&kind.id(4), SubscriptionStatus::Ended, T0 + 9 * DAY));

        let listed = by_id(&clients, kind).await;
        let read = |n| {
            let s = listed.get(&kind.id(n)).expect("listed");
            (s.status, s.cancel_scheduled, s.ended_at)
        };
        assert_eq!(
            read(1),
            (SubscriptionStatus::Active, true, None),
            "{kind:?}: canceling, still paying and not ended"
        );
        assert_eq!(
            read(2),
            (SubscriptionStatus::PastDue, true, None),
            "{kind:?}: canceling while past due"
        );
        assert_eq!(
            read(3),
            (SubscriptionStatus::Active, false, None),
            "{kind:?}: renewing"
        );
        assert_eq!(
            read(4),
            (SubscriptionStatus::Ended, false, Some(at(T0 + 9 * DAY))),
            "{kind:?}: ended, nothing left to cancel"
        );
        let canceling = listed.get(&kind.id(1)).expect("listed");
        assert_eq!(
            canceling.mrr_minor(),
            2_900,
            "{kind:?}: still brings its MRR"
        );
    }
}

#[tokio::test]
async fn a_yearly_subscription_keeps_its_interval_and_amount() {
    let (fakes, clients) = world().await;
    let yearly = BillingInterval {
        unit: IntervalUnit::Year,
        count: 1,
    };
    let quarterly = BillingInterval {
        unit: IntervalUnit::Month,
        count: 3,
    };
    for kind in ALL {
        kind.fake(&fakes).add_subscriptions([
            kind.monthly(1, 9_900, "usd", T0).every(yearly),
            kind.monthly(2, 7_500, "usd", T0 + 1).every(quarterly),
        ]);
        let listed = by_id(&clients, kind).await;
        let year = listed.get(&kind.id(1)).expect("the yearly one");
        assert_eq!(
            (year.interval, year.amount_minor),
            (yearly, 9_900),
            "{kind:?}"
        );
        assert_eq!(year.mrr_minor(), 825, "{kind:?}");
        let quarter = listed.get(&kind.id(2)).expect("the quarterly one");
        assert_eq!(
            (quarter.interval, quarter.amount_minor),
            (quarterly, 7_500),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn stripe_items_and_their_quantities_add_up_to_the_period_amount() {
    let (fakes, clients) = world().await;
    fakes.stripe.add_subscriptions([
        Kind::Stripe
            .monthly(1, 0, "usd", T0)
            .stripe_items(&[(2_900, 1), (1_000, 3)]),
        Kind::Stripe
            .monthly(2, 0, "usd", T0 + 1)
            .stripe_items(&[(1_500, 4)]),
    ]);
    let listed = by_id(&clients, Kind::Stripe).await;
    let amount = |n| {
        listed
            .get(&Kind::Stripe.id(n))
            .expect("listed")
            .amount_minor
    };
    assert_eq!(amount(1), 5_900, "a plan and three seats");
    assert_eq!(amount(2), 6_000, "four seats");
}

#[tokio::test]
async fn the_visitor_and_customer_are_read_from_the_subscription() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let opened = FakeSubscription {
            customer_id: Some(kind.customer(1)),
            email: Some("buyer1@example.com".to_owned()),
            ..kind.monthly(1, 2_900, "usd", T0).by_visitor("visitor-1")
        };
        let anonymous = kind.monthly(2, 2_900, "usd", T0 + 1);
        kind.fake(&fakes).add_subscriptions([opened, anonymous]);

        let listed = by_id(&clients, kind).await;
        let opened = listed.get(&kind.id(1)).expect("listed");
        assert_eq!(opened.visitor_id.as_deref(), Some("visitor-1"), "{kind:?}");
        assert_eq!(opened.customer.id, Some(kind.customer(1)), "{kind:?}");
        assert_eq!(
            opened.customer.email.as_deref(),
            Some("buyer1@example.com"),
            "{kind:?}"
        );
        let anonymous = listed.get(&kind.id(2)).expect("listed");
        assert_eq!(anonymous.visitor_id, None, "{kind:?}");
    }
}

#[tokio::test]
async fn each_subscription_keeps_its_own_currency() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        kind.fake(&fakes).add_subscriptions([
            kind.monthly(1, 2_900, "usd", T0),
            kind.monthly(2, 2_500, "EUR", T0 + 1),
            kind.monthly(3, 3_000, "jpy", T0 + 2),
        ]);
        let listed = by_id(&clients, kind).await;
        let read = |n| {
            let s = listed.get(&kind.id(n)).expect("listed");
            (s.amount_minor, s.currency.clone())
        };
        assert_eq!(read(1), (2_900, currency("USD")), "{kind:?}");
        assert_eq!(read(2), (2_500, currency("EUR")), "{kind:?}");
        assert_eq!(read(3), (3_000, currency("JPY")), "{kind:?}");
    }
}

#[tokio::test]
async fn a_refused_credential_is_rejected() {
    let (fakes, clients) = world().await;
    for (kind, unknown) in [
        (Kind::Stripe, "rk_live_51HsomeoneElse0000"),
        (Kind::Polar, "polar_oat_someoneElse000000"),
    ] {
        kind.fake(&fakes)
            .add_subscriptions([kind.monthly(1, 2_900, "usd", T0)]);
        let answer = clients
            .subscriptions(&kind.credentials_with(unknown), None)
            .await;
        assert!(
            matches!(answer, Err(ProviderError::Rejected(_))),
            "{kind:?}: {answer:?}"
        );
        kind.fake(&fakes).revoke(match kind {
            Kind::Stripe => STRIPE_KEY,
            Kind::Polar => POLAR_TOKEN,
        });
        let answer = clients.subscriptions(&kind.credentials(), None).await;
        assert!(
            matches!(answer, Err(ProviderError::Rejected(_))),
            "{kind:?} revoked: {answer:?}"
        );
    }
}

#[tokio::test]
async fn a_throttling_provider_is_rate_limited_and_then_read() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions([kind.monthly(1, 2_900, "usd", T0)]);
        fake.throttle_next(1);
        let answer = clients.subscriptions(&kind.credentials(), None).await;
        match (kind, answer) {
            (Kind::Polar, Err(ProviderError::RateLimited { retry_after })) => {
                assert_eq!(retry_after, Some(Duration::from_secs(1)));
            }
            (Kind::Stripe, Err(ProviderError::RateLimited { .. })) => {}
            (kind, other) => panic!("{kind:?}: expected rate limiting, got {other:?}"),
        }
        let (subscriptions, _) = read(&clients, kind).await.expect("listed once let through");
        assert_eq!(subscriptions.len(), 1, "{kind:?}");
    }
}

#[tokio::test]
async fn a_cursor_the_listing_never_wrote_is_refused_unsent() {
    let (fakes, clients) = world().await;
    let malformed: [(Kind, &[&str]); 2] = [
        (
            Kind::Stripe,
            &["", "c:ch_1", "cus_Fake0001", "sub_", "sub_1&limit=1", "2"],
        ),
        (Kind::Polar, &["", "0", "-1", "orders:2", "two", "sub_1"]),
    ];
    for (kind, cursors) in malformed {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions([kind.monthly(1, 2_900, "usd", T0)]);
        let sent = fake.request_count();
        for cursor in cursors {
            let answer = clients
                .subscriptions(&kind.credentials(), Some((*cursor).to_owned()))
                .await;
            assert!(
                matches!(&answer, Err(ProviderError::Unavailable(reason)) if reason.contains("cursor")),
                "{kind:?} {cursor:?}: {answer:?}"
            );
        }
        assert_eq!(fake.request_count(), sent, "{kind:?}: nothing sent");
    }
}
