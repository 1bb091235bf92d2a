//! The connectors' lookup of one payment by the id a webhook or a tracker event names, against
//! local fakes of the four providers over real sockets: each kind of reference finds the
//! payment exactly as the import lists it, and is no payment when its id names nothing, its
//! checkout was not paid, or it is another store's or organization's; refunds show, and a
//! refused credential or a throttling provider reach the application as they do for the import.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use jiff::Timestamp;

use datafast_domain::integration::ProviderCredentials;
use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::provider_payment::{ProviderPayment, Refund, SyncWindow};
use datafast_domain::website::Currency;
use datafast_ports::providers::{PaymentProviders, ProviderError};
use datafast_provider_fakes::{Account, Fake, FakePayment, FakeProviders};
use datafast_providers::ProviderClients;

use common::{LEMON_KEY, ORGANIZATION, PADDLE_KEY, POLAR_TOKEN, STORE, clients_for};

const STRIPE_KEY: &str = "rk_live_51HlookupKey000000000";
/// A Lemon Squeezy key of a user with several stores: it sees all of them.
const LEMON_WIDE_KEY: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.wide";
/// The store the fake files records under for a key that sees every store.
const LEMON_OTHER_STORE: &str = "1";
/// A Polar token that sees every organization of its user.
const POLAR_WIDE_TOKEN: &str = "polar_pat_wideToken00000000000";
/// The organization the fake files orders under for a token that sees every organization.
const POLAR_OTHER_ORGANIZATION: &str = "1dbfc517-0bbf-4301-9ba8-555ca42b9737";

/// 2025-06-15T00:00:00Z.
const T0: i64 = 1_749_945_600;
const HOUR: i64 = 3600;
const MAX_PAGES: usize = 50;

/// Each kind of reference, by what it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    StripeSession,
    StripeCharge,
    LemonOrder,
    LemonInvoice,
    PolarCheckout,
    PolarOrder,
    PaddleTransaction,
}

const ALL: [Kind; 7] = [
    Kind::StripeSession,
    Kind::StripeCharge,
    Kind::LemonOrder,
    Kind::LemonInvoice,
    Kind::PolarCheckout,
    Kind::PolarOrder,
    Kind::PaddleTransaction,
];

impl Kind {
    fn fake(self, fakes: &FakeProviders) -> &Fake {
        match self {
            Kind::StripeSession | Kind::StripeCharge => &fakes.stripe,
            Kind::LemonOrder | Kind::LemonInvoice => &fakes.lemonsqueezy,
            Kind::PolarCheckout | Kind::PolarOrder => &fakes.polar,
            Kind::PaddleTransaction => &fakes.paddle,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Kind::StripeSession | Kind::StripeCharge => STRIPE_KEY,
            Kind::LemonOrder | Kind::LemonInvoice => LEMON_KEY,
            Kind::PolarCheckout | Kind::PolarOrder => POLAR_TOKEN,
            Kind::PaddleTransaction => PADDLE_KEY,
        }
    }

    fn credentials(self) -> ProviderCredentials {
        match self {
            Kind::StripeSession | Kind::StripeCharge => ProviderCredentials::stripe(STRIPE_KEY),
            Kind::LemonOrder | Kind::LemonInvoice => {
                ProviderCredentials::lemon_squeezy(LEMON_KEY, STORE)
            }
            Kind::PolarCheckout | Kind::PolarOrder => {
                ProviderCredentials::polar(POLAR_TOKEN, ORGANIZATION)
            }
            Kind::PaddleTransaction => ProviderCredentials::paddle(PADDLE_KEY),
        }
        .expect("a well-formed credential")
    }

    /// The provider's id for payment `n`: each kind's own, though two kinds share a fake.
    fn id(self, n: u64) -> String {
        match self {
            Kind::StripeSession => format!("pi_3Session{n:06}"),
            Kind::StripeCharge => format!("pi_3Charge{n:06}"),
            Kind::LemonOrder => (1000 + n).to_string(),
            Kind::LemonInvoice => (2000 + n).to_string(),
            Kind::PolarCheckout => format!("00000000-0000-4000-8000-{n:012}"),
            Kind::PolarOrder => format!("00000000-0000-4000-9000-{n:012}"),
            Kind::PaddleTransaction => format!("txn_01hv{n:022}"),
        }
    }

    fn customer(self, n: u64) -> String {
        match self {
            Kind::StripeSession | Kind::StripeCharge => format!("cus_Lookup{n:06}"),
            Kind::LemonOrder | Kind::LemonInvoice => (500 + n).to_string(),
            Kind::PolarCheckout | Kind::PolarOrder => format!("c0000000-0000-4000-8000-{n:012}"),
            Kind::PaddleTransaction => format!("ctm_01hv{n:022}"),
        }
    }

    /// Subscription `n`: each kind's own, as the fakes find a subscription's checkout by it.
    fn subscription(self, n: u64) -> String {
        match self {
            Kind::StripeSession => format!("sub_Session{n:06}"),
            Kind::StripeCharge => format!("sub_Charge{n:06}"),
            Kind::LemonOrder => (700 + n).to_string(),
            Kind::LemonInvoice => (800 + n).to_string(),
            Kind::PolarCheckout => format!("50000000-0000-4000-8000-{n:012}"),
            Kind::PolarOrder => format!("50000000-0000-4000-9000-{n:012}"),
            Kind::PaddleTransaction => format!("sub_01hv{n:022}"),
        }
    }

    /// Payment `n` as this kind of reference names one, made by a known visitor and customer:
    /// a subscription's renewal for a subscription invoice, a one-off payment otherwise.
    fn payment(self, n: u64, amount: i64, currency: &str, at: i64) -> FakePayment {
        let mut payment = FakePayment {
            customer_id: Some(self.customer(n)),
            email: Some(format!("buyer{n}@example.com")),
            name: Some(format!("Buyer {n}")),
            ..FakePayment::new(&self.id(n), amount, currency, at)
        }
        .by_visitor(&format!("visitor-{n}"));
        payment
            .metadata
            .push(("datafast_session_id".to_owned(), format!("session-{n}")));
        if self == Kind::LemonInvoice {
            payment.subscription_id = Some(self.subscription(n));
            payment.renewal = true;
        }
        payment
    }

    /// The reference to `payment` of this kind.
    fn reference(self, payment: &FakePayment) -> PaymentReference {
        match self {
            Kind::StripeSession => {
                PaymentReference::StripeCheckoutSession(payment.stripe_session_id())
            }
            Kind::StripeCharge => PaymentReference::StripeCharge(payment.stripe_charge_id()),
            Kind::LemonOrder => PaymentReference::LemonSqueezyOrder(payment.id.clone()),
            Kind::LemonInvoice => PaymentReference::LemonSqueezySubscriptionInvoice(
                payment
                    .lemonsqueezy_invoice_id()
                    .expect("a subscription's payment"),
            ),
            Kind::PolarCheckout => PaymentReference::PolarCheckout(
                payment.polar_checkout_id().expect("a checkout's payment"),
            ),
            Kind::PolarOrder => PaymentReference::PolarOrder(payment.id.clone()),
            Kind::PaddleTransaction => PaymentReference::PaddleTransaction(payment.id.clone()),
        }
    }

    /// The checkout of `payment`'s purchase that the buyer left unpaid, where the kind names a
    /// checkout: a Checkout Session, a Polar checkout, a Paddle checkout's transaction.
    fn unpaid(self, payment: &FakePayment) -> Option<PaymentReference> {
        match self {
            Kind::StripeSession => Some(PaymentReference::StripeCheckoutSession(
                payment.stripe_unpaid_session_id(),
            )),
            Kind::PolarCheckout => Some(PaymentReference::PolarCheckout(
                payment.polar_unpaid_checkout_id(),
            )),
            Kind::PaddleTransaction => Some(PaymentReference::PaddleTransaction(
                payment.paddle_unpaid_transaction_id(),
            )),
            _ => None,
        }
    }

    /// A reference of this kind, well-formed, to nothing the provider holds.
    fn unknown(self) -> PaymentReference {
        let polar = "7e57a11d-0000-4000-8000-999999999999".to_owned();
        match self {
            Kind::StripeSession => PaymentReference::StripeCheckoutSession("cs_live_none".into()),
            Kind::StripeCharge => PaymentReference::StripeCharge("ch_none".into()),
            Kind::LemonOrder => PaymentReference::LemonSqueezyOrder("999999".into()),
            Kind::LemonInvoice => {
                PaymentReference::LemonSqueezySubscriptionInvoice("999999".into())
            }
            Kind::PolarCheckout => PaymentReference::PolarCheckout(polar),
            Kind::PolarOrder => PaymentReference::PolarOrder(polar),
            Kind::PaddleTransaction => {
                PaymentReference::PaddleTransaction(format!("txn_01hv{:022}", 999_999))
            }
        }
    }

    /// The transaction id the import lists `payment` under.
    fn transaction(self, payment: &FakePayment) -> String {
        match self {
            Kind::LemonInvoice => format!("subscription-invoice:{}", payment.id),
            _ => payment.id.clone(),
        }
    }
}

/// The four fakes, each knowing the credentials of [`Kind::credentials`] (and the wide
/// Lemon Squeezy key and Polar token), and clients pointed at them.
async fn world() -> (FakeProviders, ProviderClients) {
    let fakes = FakeProviders::start().await.expect("fakes start");
    fakes
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme Store", "USD").seeing(STORE));
    fakes
        .lemonsqueezy
        .add_key(LEMON_WIDE_KEY, Account::named("Acme Store", "USD"));
    fakes.polar.add_key(
        POLAR_TOKEN,
        Account::named("Acme Org", "usd").seeing(ORGANIZATION),
    );
    fakes
        .polar
        .add_key(POLAR_WIDE_TOKEN, Account::named("Acme Org", "usd"));
    fakes.paddle.add_key(PADDLE_KEY, Account::default());
    let clients = clients_for(&fakes, fakes.paddle.base_url());
    (fakes, clients)
}

fn at(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).expect("a time")
}

/// Each payment the import lists in the hour from `T0`, as its latest appearance says it
/// stands, by transaction id.
async fn listed(
    clients: &ProviderClients,
    credentials: &ProviderCredentials,
) -> BTreeMap<String, ProviderPayment> {
    let window = SyncWindow {
        from: at(T0),
        to: at(T0 + HOUR),
    };
    let mut payments = BTreeMap::new();
    let mut page: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let answer = clients
            .payments(credentials, &window, page.clone())
            .await
            .expect("listed");
        payments.extend(
            answer
                .payments
                .into_iter()
                .map(|p| (p.transaction_id.clone(), p)),
        );
        match answer.next {
            Some(next) => page = Some(next),
            None => return payments,
        }
    }
    panic!("the listing did not end within {MAX_PAGES} pages")
}

async fn lookup(
    clients: &ProviderClients,
    credentials: &ProviderCredentials,
    reference: &PaymentReference,
) -> Result<Option<ProviderPayment>, ProviderError> {
    clients.lookup(credentials, reference).await
}

/// The payment `reference` names, which the test expects found.
async fn found(
    clients: &ProviderClients,
    kind: Kind,
    reference: &PaymentReference,
) -> ProviderPayment {
    lookup(clients, &kind.credentials(), reference)
        .await
        .unwrap_or_else(|error| panic!("{kind:?}: {error}"))
        .unwrap_or_else(|| panic!("{kind:?}: {reference:?} found nothing"))
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).expect("a currency")
}

#[tokio::test]
async fn each_reference_finds_its_payment_as_the_import_lists_it() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let payment = kind.payment(1, 4900, "EUR", T0 + 60);
        let other = kind.payment(2, 1500, "USD", T0 + 120);
        kind.fake(&fakes)
            .add_payments([payment.clone(), other.clone()]);
        let looked_up = found(&clients, kind, &kind.reference(&payment)).await;
        assert_eq!(
            looked_up.transaction_id,
            kind.transaction(&payment),
            "{kind:?}"
        );
        assert_eq!(looked_up.amount_minor, 4900, "{kind:?}");
        assert_eq!(looked_up.currency, currency("EUR"), "{kind:?}");
        assert_eq!(looked_up.occurred_at, at(T0 + 60), "{kind:?}");
        assert_eq!(looked_up.refund, Refund::None, "{kind:?}");
        assert_eq!(
            looked_up.customer.email.as_deref(),
            Some("buyer1@example.com"),
            "{kind:?}"
        );
        // Lemon Squeezy keeps checkout custom data for its webhooks; its lists and records
        // carry none, so the import attributes its payments by email.
        let visitor =
            (!matches!(kind, Kind::LemonOrder | Kind::LemonInvoice)).then_some("visitor-1");
        assert_eq!(looked_up.visitor_id.as_deref(), visitor, "{kind:?}");
        let listed = listed(&clients, &kind.credentials()).await;
        // Everything else too: customer, visitor, session, renewal, subscription, settlement.
        assert_eq!(
            Some(&looked_up),
            listed.get(&kind.transaction(&payment)),
            "{kind:?}"
        );
        let second = found(&clients, kind, &kind.reference(&other)).await;
        assert_eq!(
            Some(&second),
            listed.get(&kind.transaction(&other)),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn a_subscription_payment_is_found_as_the_import_lists_it() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let subscription = Some(kind.subscription(3));
        let first = FakePayment {
            subscription_id: subscription.clone(),
            renewal: false,
            ..kind.payment(3, 2900, "USD", T0 + 100)
        };
        let renewal = FakePayment {
            subscription_id: subscription,
            renewal: true,
            ..kind.payment(4, 2900, "USD", T0 + 200)
        };
        kind.fake(&fakes)
            .add_payments([first.clone(), renewal.clone()]);
        let listed = listed(&clients, &kind.credentials()).await;
        // A subscription's first payment is found by its checkout, order or first invoice (whose
        // Lemon Squeezy lists as the order); a renewal by its charge, invoice or order.
        let found_first = found(&clients, kind, &kind.reference(&first)).await;
        assert!(!found_first.renewal, "{kind:?}");
        assert_eq!(Some(&found_first), listed.get(&first.id), "{kind:?}");
        if matches!(
            kind,
            Kind::StripeSession | Kind::PolarCheckout | Kind::LemonOrder
        ) {
            // A renewal is made by no checkout, and at Lemon Squeezy is no order.
            continue;
        }
        let renewed = found(&clients, kind, &kind.reference(&renewal)).await;
        assert!(renewed.renewal, "{kind:?}");
        assert_eq!(
            Some(&renewed),
            listed.get(&kind.transaction(&renewal)),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn an_unknown_id_is_no_payment() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        kind.fake(&fakes)
            .add_payments([kind.payment(1, 4900, "USD", T0 + 60)]);
        let answer = lookup(&clients, &kind.credentials(), &kind.unknown()).await;
        assert_eq!(answer, Ok(None), "{kind:?}");
    }
}

#[tokio::test]
async fn an_id_that_cannot_be_the_providers_is_not_sent() {
    let (fakes, clients) = world().await;
    let cases = [
        (
            Kind::PolarOrder,
            PaymentReference::PolarOrder("1234".into()),
        ),
        (
            Kind::PolarCheckout,
            PaymentReference::PolarCheckout("not-a-uuid".into()),
        ),
        (
            Kind::PaddleTransaction,
            PaymentReference::PaddleTransaction("ctm_01hv0000".into()),
        ),
    ];
    for (kind, reference) in cases {
        let before = kind.fake(&fakes).request_count();
        let answer = lookup(&clients, &kind.credentials(), &reference).await;
        assert_eq!(answer, Ok(None), "{kind:?}");
        assert_eq!(kind.fake(&fakes).request_count(), before, "{kind:?}");
    }
}

#[tokio::test]
async fn an_unpaid_checkout_is_no_payment() {
    let (fakes, clients) = world().await;
    for kind in [
        Kind::StripeSession,
        Kind::PolarCheckout,
        Kind::PaddleTransaction,
    ] {
        let payment = kind.payment(1, 4900, "USD", T0 + 60);
        let fake = kind.fake(&fakes);
        fake.add_payments([payment.clone()]);
        let before = fake.request_count();
        let unpaid = kind.unpaid(&payment).expect("a checkout left unpaid");
        let answer = lookup(&clients, &kind.credentials(), &unpaid).await;
        assert_eq!(answer, Ok(None), "{kind:?}");
        // Told from the checkout alone: no payment behind it is looked for.
        assert_eq!(fake.request_count(), before + 1, "{kind:?}");
        // The purchase's paid checkout is found all the same.
        assert!(
            lookup(&clients, &kind.credentials(), &kind.reference(&payment))
                .await
                .is_ok_and(|found| found.is_some()),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn a_refunded_payment_shows_refunded() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let fake = kind.fake(&fakes);
        let whole = kind.payment(1, 4000, "USD", T0 + 60);
        let part = kind.payment(2, 3000, "USD", T0 + 90);
        fake.add_payments([whole.clone(), part.clone()]);
        assert!(fake.refund(&whole.id, 4000, T0 + 600));
        assert!(fake.refund(&part.id, 1000, T0 + 700));
        let listed = listed(&clients, &kind.credentials()).await;
        let whole_found = found(&clients, kind, &kind.reference(&whole)).await;
        assert_eq!(whole_found.refund, Refund::Full, "{kind:?}");
        assert_eq!(whole_found.net_amount_minor(), 0, "{kind:?}");
        assert_eq!(
            Some(&whole_found),
            listed.get(&kind.transaction(&whole)),
            "{kind:?}"
        );
        let part_found = found(&clients, kind, &kind.reference(&part)).await;
        assert_eq!(
            part_found.refund,
            Refund::Partial { amount_minor: 1000 },
            "{kind:?}"
        );
        assert_eq!(
            Some(&part_found),
            listed.get(&kind.transaction(&part)),
            "{kind:?}"
        );
    }
}

#[tokio::test]
async fn another_stores_or_organizations_payment_is_no_payment() {
    let (fakes, clients) = world().await;
    // The wide credentials see the payments, filed under another store or organization than
    // the one they are set up for; set up for that one, they find them.
    let cases = [
        (Kind::LemonOrder, LEMON_WIDE_KEY, STORE, LEMON_OTHER_STORE),
        (Kind::LemonInvoice, LEMON_WIDE_KEY, STORE, LEMON_OTHER_STORE),
        (
            Kind::PolarCheckout,
            POLAR_WIDE_TOKEN,
            ORGANIZATION,
            POLAR_OTHER_ORGANIZATION,
        ),
        (
            Kind::PolarOrder,
            POLAR_WIDE_TOKEN,
            ORGANIZATION,
            POLAR_OTHER_ORGANIZATION,
        ),
    ];
    for (n, (kind, key, own, other)) in (1..).zip(cases) {
        let payment = kind.payment(n, 4900, "USD", T0 + 60);
        kind.fake(&fakes).add_payments([payment.clone()]);
        let reference = kind.reference(&payment);
        let credentials = |account: &str| {
            match kind {
                Kind::LemonOrder | Kind::LemonInvoice => {
                    ProviderCredentials::lemon_squeezy(key, account)
                }
                _ => ProviderCredentials::polar(key, account),
            }
            .expect("a well-formed credential")
        };
        let answer = lookup(&clients, &credentials(own), &reference).await;
        assert_eq!(answer, Ok(None), "{kind:?}");
        let answer = lookup(&clients, &credentials(other), &reference).await;
        assert!(answer.is_ok_and(|found| found.is_some()), "{kind:?}");
    }
}

#[tokio::test]
async fn a_refused_credential_is_rejected() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let payment = kind.payment(1, 4900, "USD", T0 + 60);
        kind.fake(&fakes).add_payments([payment.clone()]);
        kind.fake(&fakes).revoke(kind.key());
        match lookup(&clients, &kind.credentials(), &kind.reference(&payment)).await {
            Err(ProviderError::Rejected(reason)) => assert!(!reason.is_empty(), "{kind:?}"),
            other => panic!("{kind:?}: expected a refusal, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_throttled_or_failing_provider_is_not_taken_for_no_payment() {
    let (fakes, clients) = world().await;
    for kind in ALL {
        let payment = kind.payment(1, 4900, "USD", T0 + 60);
        let fake = kind.fake(&fakes);
        fake.add_payments([payment.clone()]);
        fake.throttle_next(1);
        let answer = lookup(&clients, &kind.credentials(), &kind.reference(&payment)).await;
        assert!(
            matches!(answer, Err(ProviderError::RateLimited { .. })),
            "{kind:?}: {answer:?}"
        );
        fake.fail_next(1);
        let answer = lookup(&clients, &kind.credentials(), &kind.reference(&payment)).await;
        assert!(
            matches!(answer, Err(ProviderError::Unavailable(_))),
            "{kind:?}: {answer:?}"
        );
    }
}
