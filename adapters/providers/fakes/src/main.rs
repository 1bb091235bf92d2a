//! `provider-fakes`: runs the four provider fakes on loopback until stopped, accepting every
//! credential, each holding a few recent payments and a subscription to import, and prints the
//! settings that point a server at them. For trying the payment integrations without a provider account, and
//! for the API check (scripts/api-check.sh).

use datafast_provider_fakes::{Account, FakePayment, FakeProviders, FakeSubscription};

/// Four payments ending an hour before `now` (unix seconds): a one-off, one in another
/// currency, and a subscription's first payment and its renewal. `id` makes each provider's
/// own kind of id from a number.
fn demo_payments(now: i64, currency: &str, id: impl Fn(u32) -> String) -> Vec<FakePayment> {
    let hour = 3_600;
    let subscription = |payment: FakePayment, renewal: bool| FakePayment {
        subscription_id: Some("sub_demo".to_owned()),
        renewal,
        ..payment
    };
    vec![
        FakePayment::new(&id(1), 4_900, currency, now - 3 * hour),
        FakePayment::new(&id(2), 2_500, "eur", now - 2 * hour),
        subscription(
            FakePayment::new(&id(3), 1_900, currency, now - 48 * hour),
            false,
        ),
        subscription(FakePayment::new(&id(4), 1_900, currency, now - hour), true),
    ]
}

/// The subscription the demo's first and renewal payments belong to: 19 a month, active.
fn demo_subscription(now: i64, currency: &str, id: &str) -> FakeSubscription {
    FakeSubscription::monthly(id, 1_900, currency, now - 48 * 3_600)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let fakes = FakeProviders::start().await?;
    let account = |currency: &str| Account::named("Fake account", currency);
    fakes.stripe.accept_any_key(account("usd"));
    fakes.lemonsqueezy.accept_any_key(account("USD"));
    fakes.polar.accept_any_key(account("usd"));
    fakes.paddle.accept_any_key(Account::default());
    #[allow(clippy::disallowed_methods)] // a standalone tool: real time enters here
    let now = jiff::Timestamp::now().as_second();
    fakes
        .stripe
        .add_payments(demo_payments(now, "usd", |n| format!("pi_demo{n:04}")));
    fakes
        .lemonsqueezy
        .add_payments(demo_payments(now, "usd", |n| format!("{}", 900_000 + n)));
    fakes.polar.add_payments(demo_payments(now, "usd", |n| {
        format!("0b0c0d0e-0000-4000-8000-{n:012}")
    }));
    fakes
        .paddle
        .add_payments(demo_payments(now, "usd", |n| format!("txn_01demo{n:020}")));
    fakes
        .stripe
        .add_subscriptions([demo_subscription(now, "usd", "sub_demo0001")]);
    fakes
        .lemonsqueezy
        .add_subscriptions([demo_subscription(now, "usd", "910001")]);
    fakes.polar.add_subscriptions([demo_subscription(
        now,
        "usd",
        "0b0c0d0e-0000-4000-8000-00000000a001",
    )]);
    fakes.paddle.add_subscriptions([demo_subscription(
        now,
        "usd",
        "sub_01demo00000000000000000001",
    )]);
    println!("DATAFAST_STRIPE_API_BASE={}", fakes.stripe.base_url());
    println!(
        "DATAFAST_LEMONSQUEEZY_API_BASE={}",
        fakes.lemonsqueezy.base_url()
    );
    println!("DATAFAST_POLAR_API_BASE={}", fakes.polar.base_url());
    println!("DATAFAST_PADDLE_API_BASE={}", fakes.paddle.base_url());
    tokio::signal::ctrl_c().await
}
