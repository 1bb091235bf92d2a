//! The connectors' payment listing against local fakes of Lemon Squeezy, Polar and Paddle, over
//! real sockets, read page by page as the import reads it: paging through a window and nothing
//! outside it, the checkout's visitor, renewals and trials, refunds (a later one surfacing in a
//! later window), currencies, resuming after a failure, and each provider's refusals.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;

use datafast_domain::integration::ProviderCredentials;
use datafast_domain::provider_payment::{ProviderPayment, Refund, SyncWindow};
use datafast_domain::website::Currency;
use datafast_ports::providers::{PaymentProviders, ProviderError};
use datafast_provider_fakes::{Account, Fake, FakePayment, FakeProviders};
use datafast_providers::ProviderClients;

use common::{LEMON_KEY, ORGANIZATION, PADDLE_KEY, POLAR_TOKEN, STORE, clients_for};

/// 2025-06-15T00:00:00Z.
const T0: i64 = 1_749_945_600;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
/// More pages than any test's listing needs: reading past it is a listing that never ends.
const MAX_PAGES: usize = 50;

/// The providers under test, each with its own id shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lemon,
    Polar,
    Paddle,
}

const ALL: [Kind; 3] = [Kind::Lemon, Kind::Polar, Kind::Paddle];

impl Kind {
    fn fake(self, fakes: &FakeProviders) -> &Fake {
        match self {
            Kind::Lemon => &fakes.lemonsqueezy,
            Kind::Polar => &fakes.polar,
            Kind::Paddle => &fakes.paddle,
        }
    }

    fn credentials(self) -> ProviderCredentials {
        match self {
            Kind::Lemon => ProviderCredentials::lemon_squeezy(LEMON_KEY, STORE),
            Kind::Polar => ProviderCredentials::polar(POLAR_TOKEN, ORGANIZATION),
            Kind::Paddle => ProviderCredentials::paddle(PADDLE_KEY),
        }
        .expect("a well-formed credential")
    }

    /// The provider's id for payment `n`: an order number, an order UUID, a transaction id.
    fn id(self, n: u64) -> String {
        match self {
            Kind::Lemon => (1000 + n).to_string(),
            Kind::Polar => format!("00000000-0000-4000-8000-{n:012}"),
            Kind::Paddle => format!("txn_01hv{n:022}"),
        }
    }

    fn customer(self, n: u64) -> String {
        match self {
            Kind::Lemon => (500 + n).to_string(),
            Kind::Polar => format!("c0000000-0000-4000-8000-{n:012}"),
            Kind::Paddle => format!("ctm_01hv{n:022}"),
        }
    }

    fn subscription(self, n: u64) -> String {
        match self {
            Kind::Lemon => (700 + n).to_string(),
            Kind::Polar => format!("50000000-0000-4000-8000-{n:012}"),
            Kind::Paddle => format!("sub_01hv{n:022}"),
        }
    }

    /// The transaction id the connector gives payment `n` when it is a renewal.
    fn renewal_transaction(self, n: u64) -> String {
        match self {
            Kind::Lemon => format!("subscription-invoice:{}", self.id(n)),
            Kind::Polar | Kind::Paddle => self.id(n),
        }
    }

    /// A one-off payment `n` of `amount` in `currency` at `at`, by a known customer.
    fn paid(self, n: u64, amount: i64, currency: &str, at: i64) -> FakePayment {
        FakePayment {
            customer_id: Some(self.customer(n)),
            email: Some(format!("buyer{n}@example.com")),
            name: Some(format!("Buyer {n}")),
            ..FakePayment::new(&self.id(n), amount, currency, at)
        }
    }
}

/// The three fakes, each knowing one good credential, and clients pointed at them.
async fn world() -> (FakeProviders, ProviderClients) {
    let fakes = FakeProviders::start().await.expect("fakes start");
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme Store", "USD").seeing(STORE));
    fakes.polar.add_key(
        POLAR_TOKEN,
        Account::named("Acme Org", "usd").seeing(ORGANIZATION),
    );
    fakes.paddle.add_key(PADDLE_KEY, Account::default());
    let clients = clients_for(&fakes, fakes.paddle.base_url());
    (fakes, clients)
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).expect("a time")
}

fn window(from: i64, to: i64) -> SyncWindow {
    SyncWindow {
        from: at(from),
        to: at(to),
    }
}

/// Every page of `window`, in order, as the import reads them; and how many pages there were.
async fn read(
    clients: &ProviderClients,
    kind: Kind,
    window: &SyncWindow,
) -> Result<(Vec<ProviderPayment>, usize), ProviderError> {
    let credentials = kind.credentials();
    let mut payments = Vec::new();
    let mut page: Option<String> = None;
    for pages in 1..=MAX_PAGES {
        let answer = clients.payments(&credentials, window, page.clone()).await?;
        payments.extend(answer.payments);
        match answer.next {
            Some(next) => page = Some(next),
            None => return Ok((payments, pages)),
        }
    }
    panic!("{kind:?}: the listing did not end within {MAX_PAGES} pages")
}

/// Each payment of `window` as its latest appearance says it stands, by transaction id.
async fn latest(
    clients: &ProviderClients,
    kind: Kind,
    window: &SyncWindow,
) -> BTreeMap<String, ProviderPayment> {
    let (payments, _) = read(clients, kind, window).await.expect("listed");
    payments
        .into_iter()
        .map(|p| (p.transaction_id.clone(), p))
        .collect()
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).expect("a currency")
}

#[tokio::test]
async fn a_window_is_read_over_several_pages_and_nothing_outside_it() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let inside: Vec<FakePayment> = (0..130)
            .map(|n| kind.paid(n, 1000 + n as i64, "USD", T0 + 10 + n as i64 * 20))
            .collect();
        let outside = [
            kind.paid(900, 500, "USD", T0 - 1),
            kind.paid(901, 500, "USD", T0 - 2 * DAY),
            kind.paid(902, 500, "USD", T0 + HOUR),
            kind.paid(903, 500, "USD", T0 + HOUR + 50),
        ];
        let expected: BTreeSet<String> = inside.iter().map(|p| p.id.clone()).collect();
        let fake = kind.fake(&fakes);
        fake.add_payments(inside);
        fake.add_payments(outside);
        let (payments, pages) = read(&clients, kind, &window(T0, T0 + HOUR))
            .await
            .expect("listed");
        let listed: BTreeSet<String> = payments.iter().map(|p| p.transaction_id.clone()).collect();
        assert_eq!(listed, expected, "{kind:?}");
        assert_eq!(payments.len(), 130, "{kind:?}: each payment once");
        // More than one page of the payments, then the page of what was refunded.
        assert!(pages >= 3, "{kind:?}: {pages} pages");
        let first = payments
            .iter()
            .find(|p| p.transaction_id == kind.id(0))
            .expect("the first payment");
        assert_eq!(first.amount_minor, 1000, "{kind:?}");
        assert_eq!(first.occurred_at, at(T0 + 10), "{kind:?}");
        assert_eq!(first.refund, Refund::None, "{kind:?}");
        assert_eq!(first.customer.id, Some(kind.customer(0)), "{kind:?}");
        assert_eq!(
            first.customer.email.as_deref(),
            Some("buyer0@example.com"),
            "{kind:?}"
        );
        assert_eq!(first.customer.name.as_deref(), Some("Buyer 0"), "{kind:?}");
    }
}

#[tokio::test]
async fn the_checkout_visitor_is_read_where_the_provider_keeps_it() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let mut tagged = kind.paid(1, 4900, "USD", T0 + 60).by_visitor("visitor-abc");
        tagged
            .metadata
            .push(("datafast_session_id".to_owned(), "session-xyz".to_owned()));
        kind.fake(&fakes)
            .add_payments([tagged, kind.paid(2, 4900, "USD", T0 + 70)]);
        let payments = latest(&clients, kind, &window(T0, T0 + HOUR)).await;
        let tagged = &payments[&kind.id(1)];
        let untagged = &payments[&kind.id(2)];
        if kind == Kind::Lemon {
            // Custom data reaches Lemon Squeezy's webhooks only; the email is what attributes.
            assert_eq!(tagged.visitor_id, None);
            assert_eq!(tagged.customer.email.as_deref(), Some("buyer1@example.com"));
        } else {
            assert_eq!(
                tagged.visitor_id.as_deref(),
                Some("visitor-abc"),
                "{kind:?}"
            );
            assert_eq!(
                tagged.session_id.as_deref(),
                Some("session-xyz"),
                "{kind:?}"
            );
        }
        assert_eq!(untagged.visitor_id, None, "{kind:?}");
        assert_eq!(untagged.session_id, None, "{kind:?}");
    }
}

#[tokio::test]
async fn renewals_and_trials_are_told_from_first_payments() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let first = FakePayment {
            subscription_id: Some(kind.subscription(1)),
            ..kind.paid(1, 2900, "USD", T0 + 100)
        };
        let renewal = FakePayment {
            subscription_id: Some(kind.subscription(1)),
            renewal: true,
            ..kind.paid(2, 2900, "USD", T0 + 200)
        };
        let trial = FakePayment {
            subscription_id: Some(kind.subscription(3)),
            trial: true,
            ..kind.paid(3, 0, "USD", T0 + 300)
        };
        kind.fake(&fakes).add_payments([first, renewal, trial]);
        let payments = latest(&clients, kind, &window(T0, T0 + HOUR)).await;
        // A subscription's first payment appears once, though Lemon Squeezy also invoices it.
        assert_eq!(payments.len(), 3, "{kind:?}: {:?}", payments.keys());
        let first = &payments[&kind.id(1)];
        assert!(!first.renewal, "{kind:?}");
        assert_eq!(
            first.subscription.as_ref().map(|s| (s.id.clone(), s.trial)),
            Some((kind.subscription(1), false)),
            "{kind:?}"
        );
        let renewal = &payments[&kind.renewal_transaction(2)];
        assert!(renewal.renewal, "{kind:?}");
        assert_eq!(renewal.amount_minor, 2900, "{kind:?}");
        assert_eq!(
            renewal.subscription.as_ref().map(|s| s.id.clone()),
            Some(kind.subscription(1)),
            "{kind:?}"
        );
        let trial = &payments[&kind.id(3)];
        assert!(trial.is_free_trial(), "{kind:?}: {trial:?}");
        assert!(!trial.renewal, "{kind:?}");
    }
}

#[tokio::test]
async fn refunds_show_in_the_window_they_are_made_in() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_payments([
            kind.paid(1, 1000, "USD", T0 + 10),
            kind.paid(2, 2000, "USD", T0 + 20),
            kind.paid(3, 3000, "USD", T0 + 30),
        ]);
        assert!(fake.refund(&kind.id(1), 300, T0 + 40));
        let first = latest(&clients, kind, &window(T0, T0 + HOUR)).await;
        assert_eq!(
            first[&kind.id(1)].refund,
            Refund::Partial { amount_minor: 300 },
            "{kind:?}"
        );
        assert_eq!(first[&kind.id(1)].net_amount_minor(), 700, "{kind:?}");
        assert_eq!(first[&kind.id(2)].refund, Refund::None, "{kind:?}");

        // Refunded after its window was read: the next window brings it back, refunded.
        assert!(fake.refund(&kind.id(2), 2000, T0 + 2 * HOUR));
        assert!(fake.refund(&kind.id(3), 1000, T0 + 2 * HOUR + 5));
        let second = latest(&clients, kind, &window(T0 + HOUR, T0 + 3 * HOUR)).await;
        let ids: BTreeSet<&String> = second.keys().collect();
        assert_eq!(ids, BTreeSet::from([&kind.id(2), &kind.id(3)]), "{kind:?}");
        let full = &second[&kind.id(2)];
        assert_eq!(full.refund, Refund::Full, "{kind:?}");
        assert_eq!(full.net_amount_minor(), 0, "{kind:?}");
        assert_eq!(full.amount_minor, 2000, "{kind:?}");
        assert_eq!(
            full.occurred_at,
            at(T0 + 20),
            "{kind:?}: still paid when it was"
        );
        assert_eq!(
            second[&kind.id(3)].refund,
            Refund::Partial { amount_minor: 1000 },
            "{kind:?}"
        );
        // A window after the refunds holds none of them.
        let later = latest(&clients, kind, &window(T0 + 3 * HOUR, T0 + 4 * HOUR)).await;
        assert!(later.is_empty(), "{kind:?}: {:?}", later.keys());
    }
}

#[tokio::test]
async fn a_later_refund_is_found_behind_pages_of_newer_payments() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_payments([kind.paid(1, 5000, "USD", T0 + 10)]);
        // More than a page of payments made after it, all before the refund's window.
        fake.add_payments((100..230).map(|n| kind.paid(n, 100, "USD", T0 + 20 + n as i64)));
        assert!(fake.refund(&kind.id(1), 5000, T0 + 2 * HOUR));
        let payments = latest(&clients, kind, &window(T0 + HOUR, T0 + 3 * HOUR)).await;
        let ids: Vec<&String> = payments.keys().collect();
        assert_eq!(ids, [&kind.id(1)], "{kind:?}");
        assert_eq!(payments[&kind.id(1)].refund, Refund::Full, "{kind:?}");
    }
}

#[tokio::test]
async fn payments_in_different_currencies_keep_their_own() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        kind.fake(&fakes).add_payments([
            kind.paid(1, 1999, "EUR", T0 + 10),
            kind.paid(2, 2500, "usd", T0 + 20),
            kind.paid(3, 4200, "GBP", T0 + 30),
        ]);
        let payments = latest(&clients, kind, &window(T0, T0 + HOUR)).await;
        let seen: Vec<(i64, Currency)> = (1..=3)
            .map(|n| {
                let payment = &payments[&kind.id(n)];
                (payment.amount_minor, payment.currency.clone())
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1999, currency("EUR")),
                (2500, currency("USD")),
                (4200, currency("GBP"))
            ],
            "{kind:?}"
        );
        if kind == Kind::Paddle {
            // Paddle pays out in the account's currency, US dollars by default.
            assert_eq!(
                payments[&kind.id(1)].settlement,
                Some((1999, currency("USD")))
            );
        }
    }
}

#[tokio::test]
async fn a_listing_cut_short_resumes_from_its_cursor() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        fake.add_payments((0..120).map(|n| kind.paid(n, 100, "USD", T0 + n as i64)));
        let credentials = kind.credentials();
        let span = window(T0, T0 + HOUR);
        let first = clients
            .payments(&credentials, &span, None)
            .await
            .expect("the first page");
        let next = first.next.expect("a second page");
        fake.fail_next(1);
        assert!(
            matches!(
                clients
                    .payments(&credentials, &span, Some(next.clone()))
                    .await,
                Err(ProviderError::Unavailable(_))
            ),
            "{kind:?}"
        );
        let mut seen: BTreeSet<String> = first
            .payments
            .into_iter()
            .map(|p| p.transaction_id)
            .collect();
        let mut page = Some(next);
        for _ in 0..MAX_PAGES {
            let Some(cursor) = page else { break };
            let answer = clients
                .payments(&credentials, &span, Some(cursor))
                .await
                .expect("the page again");
            seen.extend(answer.payments.into_iter().map(|p| p.transaction_id));
            page = answer.next;
        }
        assert_eq!(seen.len(), 120, "{kind:?}");
    }
}

#[tokio::test]
async fn a_revoked_credential_is_rejected() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let span = window(T0, T0 + HOUR);
        assert!(read(&clients, kind, &span).await.is_ok(), "{kind:?}");
        let key = match kind {
            Kind::Lemon => LEMON_KEY,
            Kind::Polar => POLAR_TOKEN,
            Kind::Paddle => PADDLE_KEY,
        };
        kind.fake(&fakes).revoke(key);
        match read(&clients, kind, &span).await {
            Err(ProviderError::Rejected(reason)) => assert!(!reason.is_empty()),
            other => panic!("{kind:?}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_throttled_provider_is_rate_limiting() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        kind.fake(&fakes).throttle_next(1);
        let answer = clients
            .payments(&kind.credentials(), &window(T0, T0 + HOUR), None)
            .await;
        assert!(
            matches!(answer, Err(ProviderError::RateLimited { .. })),
            "{kind:?}: {answer:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_cursor_is_refused_rather_than_guessed() {
    let (_fakes, clients) = world().await;
    for kind in ALL {
        let answer = clients
            .payments(
                &kind.credentials(),
                &window(T0, T0 + HOUR),
                Some("nonsense".to_owned()),
            )
            .await;
        assert!(
            matches!(answer, Err(ProviderError::Unavailable(_))),
            "{kind:?}: {answer:?}"
        );
    }
}
