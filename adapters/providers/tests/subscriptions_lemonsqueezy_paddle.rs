//! The Lemon Squeezy and Paddle connectors' subscription listing against local fakes, over real
//! sockets, read page by page as the import reads it: every subscription once over several
//! pages, each status in the domain's terms (one canceled to end with its period still active
//! and scheduled to cancel), intervals and amounts (Lemon Squeezy's price read once a page,
//! Paddle's items and quantities summed, its currencies kept), the customer and the visitor,
//! and each provider's refusals.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::expect_used)]

#[allow(
    dead_code,
    reason = "the shared fixtures name every provider's credentials; these tests use two"
)]
mod common;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use datafast_domain::integration::ProviderCredentials;
use datafast_domain::provider_subscription::{
    BillingInterval, IntervalUnit, ProviderSubscription, SubscriptionStatus,
};
use datafast_domain::website::Currency;
use datafast_ports::providers::{PaymentProviders, ProviderError};
use datafast_provider_fakes::{Account, Fake, FakeProviders, FakeSubscription};
use datafast_providers::ProviderClients;

use common::{LEMON_KEY, PADDLE_KEY, STORE, clients_for};

/// 2025-06-15T00:00:00Z.
const T0: i64 = 1_749_945_600;
const DAY: i64 = 86_400;
/// More pages than any test's listing needs: reading past it is a listing that never ends.
const MAX_PAGES: usize = 20;
const YEARLY: BillingInterval = BillingInterval {
    unit: IntervalUnit::Year,
    count: 1,
};

/// The providers under test, each with its own id shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lemon,
    Paddle,
}

const ALL: [Kind; 2] = [Kind::Lemon, Kind::Paddle];

impl Kind {
    fn fake(self, fakes: &FakeProviders) -> &Fake {
        match self {
            Kind::Lemon => &fakes.lemonsqueezy,
            Kind::Paddle => &fakes.paddle,
        }
    }

    fn credentials(self) -> ProviderCredentials {
        match self {
            Kind::Lemon => ProviderCredentials::lemon_squeezy(LEMON_KEY, STORE),
            Kind::Paddle => ProviderCredentials::paddle(PADDLE_KEY),
        }
        .expect("a well-formed credential")
    }

    fn key(self) -> &'static str {
        match self {
            Kind::Lemon => LEMON_KEY,
            Kind::Paddle => PADDLE_KEY,
        }
    }

    /// The provider's id for subscription `n`, growing with `n` as Paddle's do with time.
    fn id(self, n: u64) -> String {
        match self {
            Kind::Lemon => (7000 + n).to_string(),
            Kind::Paddle => format!("sub_01hv{n:022}"),
        }
    }

    fn customer(self, n: u64) -> String {
        match self {
            Kind::Lemon => (500 + n).to_string(),
            Kind::Paddle => format!("ctm_01hv{n:022}"),
        }
    }

    /// Subscription `n`, of `amount` a month in `currency`, started `n` hours after `T0`, by a
    /// known customer.
    fn subscription(self, n: u64, amount: i64, currency: &str) -> FakeSubscription {
        let started = T0 + i64::try_from(n).expect("small") * 3_600;
        FakeSubscription {
            customer_id: Some(self.customer(n)),
            email: Some(format!("subscriber{n}@example.com")),
            ..FakeSubscription::monthly(&self.id(n), amount, currency, started)
        }
    }
}

/// The fakes, each knowing one good credential (Lemon Squeezy's seeing one USD store), and
/// clients pointed at them.
async fn world() -> (FakeProviders, ProviderClients) {
    let fakes = FakeProviders::start().await.expect("fakes start");
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme Store", "USD").seeing(STORE));
    fakes.paddle.add_key(PADDLE_KEY, Account::default());
    let clients = clients_for(&fakes, fakes.paddle.base_url());
    (fakes, clients)
}

/// Every page, in order, as the import reads them; and how many pages there were.
async fn read_with(
    clients: &ProviderClients,
    credentials: &ProviderCredentials,
) -> Result<(Vec<ProviderSubscription>, usize), ProviderError> {
    let mut subscriptions = Vec::new();
    let mut page: Option<String> = None;
    for pages in 1..=MAX_PAGES {
        let answer = clients.subscriptions(credentials, page.clone()).await?;
        subscriptions.extend(answer.subscriptions);
        match answer.next {
            Some(next) => page = Some(next),
            None => return Ok((subscriptions, pages)),
        }
    }
    panic!("the listing did not end within {MAX_PAGES} pages")
}

/// Every subscription, by id.
async fn read(clients: &ProviderClients, kind: Kind) -> BTreeMap<String, ProviderSubscription> {
    let (subscriptions, _) = read_with(clients, &kind.credentials())
        .await
        .expect("listed");
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

/// How many requests `fake` received whose path starts with `path`.
fn requests_to(fake: &Fake, path: &str) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with(path))
        .count()
}

#[tokio::test]
async fn every_subscription_is_listed_once_over_several_pages() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let held: Vec<FakeSubscription> = (0..150)
            .map(|n| kind.subscription(n, 1_000 + i64::try_from(n).expect("small"), "USD"))
            .collect();
        let expected: BTreeSet<String> = held.iter().map(|s| s.id.clone()).collect();
        kind.fake(&fakes).add_subscriptions(held);
        let (listed, pages) = read_with(&clients, &kind.credentials())
            .await
            .expect("listed");
        assert!(pages >= 2, "{kind:?}: {pages} pages");
        assert_eq!(listed.len(), 150, "{kind:?}: each subscription once");
        let ids: BTreeSet<String> = listed.iter().map(|s| s.id.clone()).collect();
        assert_eq!(ids, expected, "{kind:?}");
        assert!(
            listed
                .windows(2)
                .all(|w| w[0].started_at >= w[1].started_at),
            "{kind:?}: newest first"
        );
        let first = listed
            .iter()
            .find(|s| s.id == kind.id(0))
            .expect("the first");
        assert_eq!(first.started_at, at(T0), "{kind:?}");
        assert_eq!(first.amount_minor, 1_000, "{kind:?}");
        assert_eq!(first.interval, BillingInterval::MONTHLY, "{kind:?}");
        assert_eq!(first.currency, currency("USD"), "{kind:?}");
    }
}

#[tokio::test]
async fn every_status_is_read_and_an_ended_one_keeps_its_end() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        let in_status = |n, status| kind.subscription(n, 2_900, "USD").in_status(status);
        // Canceled but paid up to a later day: Lemon Squeezy's `cancelled`, Paddle's scheduled
        // cancellation.
        let canceling = FakeSubscription {
            ended_at: Some(T0 + 40 * DAY),
            ..kind.subscription(6, 2_900, "USD")
        };
        fake.add_subscriptions([
            in_status(1, SubscriptionStatus::Trialing),
            in_status(2, SubscriptionStatus::Active),
            in_status(3, SubscriptionStatus::PastDue),
            in_status(4, SubscriptionStatus::Paused),
            in_status(5, SubscriptionStatus::Active),
            canceling,
        ]);
        assert!(fake.set_subscription_status(&kind.id(5), SubscriptionStatus::Ended, T0 + 9 * DAY));
        let listed = read(&clients, kind).await;
        let status = |n| listed[&kind.id(n)].status;
        assert_eq!(status(1), SubscriptionStatus::Trialing, "{kind:?}");
        assert_eq!(status(2), SubscriptionStatus::Active, "{kind:?}");
        assert_eq!(status(3), SubscriptionStatus::PastDue, "{kind:?}");
        assert_eq!(status(4), SubscriptionStatus::Paused, "{kind:?}");
        assert_eq!(status(5), SubscriptionStatus::Ended, "{kind:?}");
        assert_eq!(
            status(6),
            SubscriptionStatus::Active,
            "{kind:?}: still paid up"
        );
        assert_eq!(
            listed[&kind.id(5)].ended_at,
            Some(at(T0 + 9 * DAY)),
            "{kind:?}"
        );
        for n in [1, 2, 3, 4, 6] {
            assert_eq!(listed[&kind.id(n)].ended_at, None, "{kind:?} {n}");
        }
        assert_eq!(listed[&kind.id(5)].amount_minor, 2_900, "{kind:?}");
    }
}

#[tokio::test]
async fn a_subscription_canceled_to_end_with_its_period_is_read_still_active_and_scheduled() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        // Canceled but paid up to a later day: Lemon Squeezy's `cancelled` with `ends_at`,
        // Paddle's `scheduled_change` to cancel then.
        let canceling = FakeSubscription {
            ended_at: Some(T0 + 40 * DAY),
            ..kind.subscription(1, 2_900, "USD")
        };
        fake.add_subscriptions([
            canceling,
            kind.subscription(2, 2_900, "USD"),
            kind.subscription(3, 2_900, "USD"),
        ]);
        assert!(fake.set_subscription_status(&kind.id(3), SubscriptionStatus::Ended, T0 + 9 * DAY));

        let listed = read(&clients, kind).await;
        let read = |n| {
            let s = &listed[&kind.id(n)];
            (s.status, s.cancel_scheduled, s.ended_at)
        };
        assert_eq!(
            read(1),
            (SubscriptionStatus::Active, true, None),
            "{kind:?}: canceling, still paying and not ended"
        );
        assert_eq!(
            read(2),
            (SubscriptionStatus::Active, false, None),
            "{kind:?}: renewing"
        );
        assert_eq!(
            read(3),
            (SubscriptionStatus::Ended, false, Some(at(T0 + 9 * DAY))),
            "{kind:?}: ended, nothing left to cancel"
        );
        assert_eq!(
            listed[&kind.id(1)].mrr_minor(),
            2_900,
            "{kind:?}: still brings its MRR"
        );
    }
}

#[tokio::test]
async fn a_yearly_subscription_keeps_its_interval_and_amount() {
    let (fakes, clients) = world().await;
    let quarterly = BillingInterval {
        unit: IntervalUnit::Month,
        count: 3,
    };
    for kind in ALL {
        kind.fake(&fakes).add_subscriptions([
            kind.subscription(1, 9_900, "USD").every(YEARLY),
            kind.subscription(2, 7_500, "USD").every(quarterly),
            kind.subscription(3, 1_000, "USD"),
        ]);
        let listed = read(&clients, kind).await;
        let yearly = &listed[&kind.id(1)];
        assert_eq!(yearly.interval, YEARLY, "{kind:?}");
        assert_eq!(yearly.amount_minor, 9_900, "{kind:?}");
        assert_eq!(yearly.mrr_minor(), 825, "{kind:?}");
        assert_eq!(listed[&kind.id(2)].interval, quarterly, "{kind:?}");
        assert_eq!(listed[&kind.id(2)].amount_minor, 7_500, "{kind:?}");
        assert_eq!(
            listed[&kind.id(3)].interval,
            BillingInterval::MONTHLY,
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn paddle_sums_every_item_and_its_quantity() {
    let (fakes, clients) = world().await;
    // The fake bills from 20 minor units as a base item and two seats at a tenth each.
    fakes.paddle.add_subscriptions([
        Kind::Paddle.subscription(1, 4_900, "USD"),
        Kind::Paddle.subscription(2, 12_345, "USD").every(YEARLY),
        Kind::Paddle.subscription(3, 15, "USD"),
    ]);
    let listed = read(&clients, Kind::Paddle).await;
    assert_eq!(listed[&Kind::Paddle.id(1)].amount_minor, 4_900);
    assert_eq!(listed[&Kind::Paddle.id(2)].amount_minor, 12_345);
    assert_eq!(listed[&Kind::Paddle.id(3)].amount_minor, 15);
}

#[tokio::test]
async fn lemonsqueezy_reads_each_price_once_a_page_and_the_store_currency_once() {
    let (fakes, clients) = world().await;
    let fake = &fakes.lemonsqueezy;
    // Two plans: 29.00 a month for one seat, 99.00 a year for three seats of 33.00.
    fake.add_subscriptions((0..12).map(|n| {
        if n % 2 == 0 {
            Kind::Lemon.subscription(n, 2_900, "USD")
        } else {
            Kind::Lemon.subscription(n, 9_900, "USD").every(YEARLY)
        }
    }));
    let (listed, pages) = read_with(&clients, &Kind::Lemon.credentials())
        .await
        .expect("listed");
    assert_eq!(pages, 1);
    assert_eq!(listed.len(), 12);
    assert_eq!(requests_to(fake, "/v1/prices/"), 2, "one request per price");
    assert_eq!(
        requests_to(fake, "/v1/stores/"),
        1,
        "one request for the currency"
    );
    for subscription in &listed {
        let expected = if subscription.interval == YEARLY {
            9_900
        } else {
            2_900
        };
        assert_eq!(subscription.amount_minor, expected, "{}", subscription.id);
        assert_eq!(subscription.currency, currency("USD"));
    }
}

#[tokio::test]
async fn the_customer_and_the_visitor_are_read_where_the_provider_keeps_them() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions([
            kind.subscription(1, 2_900, "USD").by_visitor("visitor-1"),
            kind.subscription(2, 2_900, "USD"),
        ]);
        // A customer whose every subscription ended (archived at Paddle) is still named.
        assert!(fake.set_subscription_status(&kind.id(2), SubscriptionStatus::Ended, T0 + DAY));
        let listed = read(&clients, kind).await;
        for n in [1, 2] {
            let customer = &listed[&kind.id(n)].customer;
            assert_eq!(customer.id, Some(kind.customer(n)), "{kind:?} {n}");
            let email = format!("subscriber{n}@example.com");
            assert_eq!(customer.email, Some(email), "{kind:?} {n}");
        }
        let visitor = listed[&kind.id(1)].visitor_id.as_deref();
        match kind {
            // Lemon Squeezy keeps checkout custom data off its subscriptions.
            Kind::Lemon => assert_eq!(visitor, None),
            Kind::Paddle => assert_eq!(visitor, Some("visitor-1")),
        }
        assert_eq!(listed[&kind.id(2)].visitor_id, None, "{kind:?}");
    }
}

#[tokio::test]
async fn paddle_subscriptions_keep_their_own_currencies() {
    let (fakes, clients) = world().await;
    fakes.paddle.add_subscriptions([
        Kind::Paddle.subscription(1, 2_900, "USD"),
        Kind::Paddle.subscription(2, 2_500, "EUR"),
        Kind::Paddle.subscription(3, 1_999, "GBP").every(YEARLY),
    ]);
    let listed = read(&clients, Kind::Paddle).await;
    let one = |n| {
        let s = &listed[&Kind::Paddle.id(n)];
        (s.currency.as_str().to_owned(), s.amount_minor)
    };
    assert_eq!(one(1), ("USD".to_owned(), 2_900));
    assert_eq!(one(2), ("EUR".to_owned(), 2_500));
    assert_eq!(one(3), ("GBP".to_owned(), 1_999));
}

#[tokio::test]
async fn a_refused_key_is_rejected() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions([kind.subscription(1, 2_900, "USD")]);
        assert!(
            read_with(&clients, &kind.credentials()).await.is_ok(),
            "{kind:?}"
        );
        fake.revoke(kind.key());
        match read_with(&clients, &kind.credentials()).await {
            Err(ProviderError::Rejected(reason)) => assert!(!reason.is_empty(), "{kind:?}"),
            other => panic!("{kind:?}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_throttled_provider_is_rate_limiting() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions([kind.subscription(1, 2_900, "USD")]);
        fake.throttle_next(1);
        let answer = clients.subscriptions(&kind.credentials(), None).await;
        assert!(
            matches!(answer, Err(ProviderError::RateLimited { .. })),
            "{kind:?}: {answer:?}"
        );
        // The next call, no longer throttled, reads the page.
        let answer = clients.subscriptions(&kind.credentials(), None).await;
        assert_eq!(answer.expect("read").subscriptions.len(), 1, "{kind:?}");
    }
}

#[tokio::test]
async fn a_malformed_cursor_is_refused_without_asking_the_provider() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_subscriptions([kind.subscription(1, 2_900, "USD")]);
        let bad = [
            "nonsense",
            "subscriptions:",
            "orders:2",
            "transactions:txn_01",
            "",
        ];
        for cursor in bad {
            let before = fake.request_count();
            let answer = clients
                .subscriptions(&kind.credentials(), Some(cursor.to_owned()))
                .await;
            assert!(
                matches!(answer, Err(ProviderError::Unavailable(_))),
                "{kind:?} {cursor:?}: {answer:?}"
            );
            assert_eq!(fake.request_count(), before, "{kind:?} {cursor:?}");
        }
    }
    let answer = clients
        .subscriptions(
            &Kind::Lemon.credentials(),
            Some("subscriptions:0".to_owned()),
        )
        .await;
    assert!(
        matches!(answer, Err(ProviderError::Unavailable(_))),
        "{answer:?}"
    );
}

#[tokio::test]
async fn lemonsqueezy_lists_nothing_of_a_store_the_key_cannot_see() {
    let (fakes, clients) = world().await;
    fakes
        .lemonsqueezy
        .add_subscriptions((0..5).map(|n| Kind::Lemon.subscription(n, 2_900, "USD")));
    let other_store = ProviderCredentials::lemon_squeezy(LEMON_KEY, "99999").expect("a credential");
    let (listed, pages) = read_with(&clients, &other_store).await.expect("listed");
    assert_eq!(listed, Vec::new());
    assert_eq!(pages, 1);
    // The key's own store lists them.
    assert_eq!(read(&clients, Kind::Lemon).await.len(), 5);
}
