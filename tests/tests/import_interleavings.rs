//! Property: however import passes, Payments API calls, webhook deliveries, tracker lookups
//! and refunds at the provider interleave, once every refund is made and a last pass has run,
//! the store holds the same payments as one clean import of the provider's final state: each
//! payment once, with the same amount, refunded flag, currency and visitor. Real parts: a
//! SQLite file, the real vault, connectors and webhook verification, and a local fake of
//! Stripe on a loopback socket.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_support;

use std::collections::BTreeSet;

use datafast_application::LookupRequest;
use datafast_domain::ingest::payload::VisitorId;
use datafast_domain::ingest::server::ServerPayment;
use datafast_domain::integration::{Provider, WebhookSecret};
use datafast_domain::payment_reference::PaymentReference;
use datafast_domain::website::Currency;
use datafast_ports::Clock;
use datafast_ports::providers::WebhookDelivery;
use datafast_ports::store::PaymentStore;
use datafast_provider_fakes::FakePayment;
use datafast_provider_fakes::webhooks::signed;
use proptest::prelude::*;
use tempfile::TempDir;

use import_support::*;

const CURRENCIES: [&str; 3] = ["usd", "eur", "jpy"];

/// One payment at the provider, and the refund it will get (none, part or all).
#[derive(Debug, Clone)]
struct Planned {
    amount_minor: i64,
    currency: usize,
    refund: Refund,
}

#[derive(Debug, Clone, Copy)]
enum Refund {
    None,
    Part,
    All,
}

/// One thing that happens between the first and the last pass.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// An import pass.
    Pass,
    /// The backend sends payment `i` through the Payments API, as it was paid.
    Api(usize),
    /// Payment `i` gets its refund at the provider.
    Refund(usize),
    /// Stripe delivers a signed webhook about payment `i`'s charge.
    Webhook(usize),
    /// The tracker reports payment `i`'s Checkout Session, from its visitor.
    Tracker(usize),
}

fn planned() -> impl Strategy<Value = Planned> {
    (
        1_i64..100_000,
        0..CURRENCIES.len(),
        prop_oneof![Just(Refund::None), Just(Refund::Part), Just(Refund::All)],
    )
        .prop_map(|(amount_minor, currency, refund)| Planned {
            amount_minor,
            currency,
            refund,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Pass),
        (0_usize..6).prop_map(Step::Api),
        (0_usize..6).prop_map(Step::Refund),
        (0_usize..6).prop_map(Step::Webhook),
        (0_usize..6).prop_map(Step::Tracker),
    ]
}

fn transaction_id(i: usize) -> String {
    format!("pi_prop{i:04}")
}

/// The Stripe fake names payment `pi_X`'s charge `ch_X` and its Checkout Session `cs_live_X`.
fn charge_id(i: usize) -> String {
    format!("ch_prop{i:04}")
}

fn session_id(i: usize) -> String {
    format!("cs_live_prop{i:04}")
}

const WEBHOOK_SECRET: &str = "whsec_propertySigningSecret0123";

fn visitor(i: usize) -> String {
    format!("0c424a08-3676-4e3a-a7e0-{i:012}")
}

fn refunded_part(plan: &Planned) -> i64 {
    match plan.refund {
        Refund::None => 0,
        Refund::Part => plan.amount_minor / 3,
        Refund::All => plan.amount_minor,
    }
}

/// The provider's payments, before any refund.
fn at_the_provider(plans: &[Planned]) -> Vec<FakePayment> {
    let start = now_seconds() - 7_200;
    plans
        .iter()
        .enumerate()
        .map(|(i, plan)| {
            let created = start - i as i64 * 60;
            FakePayment::new(
                &transaction_id(i),
                plan.amount_minor,
                CURRENCIES[plan.currency],
                created,
            )
            .by_visitor(&visitor(i))
        })
        .collect()
}

/// What the store holds for the website, in a form to compare.
async fn stored(connected: &Connected) -> BTreeSet<(String, i64, bool, String, Option<String>)> {
    let payments = connected
        .server
        .store
        .payments(connected.website)
        .await
        .unwrap();
    payments
        .into_iter()
        .map(|p| {
            (
                p.transaction_id,
                p.amount_minor,
                p.refunded,
                p.currency.as_str().to_owned(),
                p.visitor_id,
            )
        })
        .collect()
}

fn refund(connected: &Connected, plans: &[Planned], i: usize, done: &mut BTreeSet<usize>) {
    let amount = refunded_part(&plans[i]);
    // The refund is dated a second back, so the pass that follows is sure to list it.
    if amount > 0 && done.insert(i) {
        let at = now_seconds() - 1;
        assert!(
            connected
                .fakes
                .stripe
                .refund(&transaction_id(i), amount, at)
        );
    }
}

async fn send_through_the_api(connected: &Connected, plans: &[Planned], i: usize) {
    let plan = &plans[i];
    let payment = ServerPayment {
        transaction_id: transaction_id(i),
        amount_minor: plan.amount_minor,
        currency: Currency::parse(CURRENCIES[plan.currency]).unwrap(),
        visitor_id: VisitorId::parse(&visitor(i)),
        email: None,
        name: None,
        customer_id: None,
        renewal: false,
        refunded: false,
        free_trial: false,
        timestamp: None,
    };
    connected
        .server
        .services
        .website_data()
        .record_payment(&connected.owner, Some(connected.website), payment)
        .await
        .unwrap();
}

/// Stripe's delivery of `charge.refunded` or `charge.succeeded`, as the charge now stands.
async fn deliver_webhook(connected: &Connected, i: usize, refunded: bool) {
    let event = if refunded {
        "charge.refunded"
    } else {
        "charge.succeeded"
    };
    let delivery = signed(
        Provider::Stripe,
        WEBHOOK_SECRET,
        event,
        &charge_id(i),
        WallClock.now(),
    );
    let delivery = WebhookDelivery {
        headers: delivery.lowercase_headers(),
        body: delivery.body,
    };
    connected
        .server
        .services
        .payment_lookups()
        .receive_webhook(connected.website, Provider::Stripe, &delivery)
        .await
        .unwrap();
}

async fn report_from_the_tracker(connected: &Connected, i: usize) {
    let request = LookupRequest {
        website: connected.website,
        reference: PaymentReference::StripeCheckoutSession(session_id(i)),
        visitor_id: visitor(i),
    };
    connected
        .server
        .services
        .payment_lookups()
        .resolve(request)
        .await
        .unwrap();
}

/// Runs `steps`, then makes every refund and a last pass; returns what the store holds.
async fn interleaved(
    plans: &[Planned],
    steps: &[Step],
) -> BTreeSet<(String, i64, bool, String, Option<String>)> {
    let folder = TempDir::new().unwrap();
    let connected = connect(folder.path(), at_the_provider(plans), Waits::default()).await;
    let secret = WebhookSecret::parse(Provider::Stripe, WEBHOOK_SECRET).unwrap();
    connected
        .server
        .services
        .payment_lookups()
        .set_webhook_secret(
            &connected.owner,
            connected.website,
            Provider::Stripe,
            Some(secret),
        )
        .await
        .unwrap();
    let mut refunded = BTreeSet::new();
    for step in steps {
        match *step {
            Step::Pass => {
                sync(&connected.server).await;
            }
            Step::Api(i) if i < plans.len() => send_through_the_api(&connected, plans, i).await,
            Step::Refund(i) if i < plans.len() => refund(&connected, plans, i, &mut refunded),
            Step::Webhook(i) if i < plans.len() => {
                deliver_webhook(&connected, i, refunded.contains(&i)).await;
            }
            Step::Tracker(i) if i < plans.len() => report_from_the_tracker(&connected, i).await,
            Step::Api(_) | Step::Refund(_) | Step::Webhook(_) | Step::Tracker(_) => {}
        }
    }
    for i in 0..plans.len() {
        refund(&connected, plans, i, &mut refunded);
    }
    sync(&connected.server).await;
    stored(&connected).await
}

/// One import of the provider's final state, refunds made, into a fresh store.
async fn clean(plans: &[Planned]) -> BTreeSet<(String, i64, bool, String, Option<String>)> {
    let folder = TempDir::new().unwrap();
    let connected = connect(folder.path(), at_the_provider(plans), Waits::default()).await;
    let mut refunded = BTreeSet::new();
    for i in 0..plans.len() {
        refund(&connected, plans, i, &mut refunded);
    }
    sync(&connected.server).await;
    stored(&connected).await
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_interleaving_stores_what_one_clean_import_stores(
        plans in prop::collection::vec(planned(), 1..6),
        steps in prop::collection::vec(step(), 0..10),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (mixed, reference) = runtime.block_on(async {
            (interleaved(&plans, &steps).await, clean(&plans).await)
        });
        prop_assert_eq!(mixed.len(), plans.len());
        prop_assert_eq!(mixed, reference);
    }
}
