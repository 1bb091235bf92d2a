//! `provider-fakes`: runs the four provider fakes on loopback until stopped, accepting every
//! credential, and prints the settings that point a server at them. For trying the payment
//! integrations without a provider account, and for the API check (scripts/api-check.sh).

use datafast_provider_fakes::{Account, FakeProviders};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let fakes = FakeProviders::start().await?;
    let account = |currency: &str| Account::named("Fake account", currency);
    fakes.stripe.accept_any_key(account("usd"));
    fakes.lemonsqueezy.accept_any_key(account("USD"));
    fakes.polar.accept_any_key(account("usd"));
    fakes.paddle.accept_any_key(Account::default());
    println!("DATAFAST_STRIPE_API_BASE={}", fakes.stripe.base_url());
    println!(
        "DATAFAST_LEMONSQUEEZY_API_BASE={}",
        fakes.lemonsqueezy.base_url()
    );
    println!("DATAFAST_POLAR_API_BASE={}", fakes.polar.base_url());
    println!("DATAFAST_PADDLE_API_BASE={}", fakes.paddle.base_url());
    tokio::signal::ctrl_c().await
}
