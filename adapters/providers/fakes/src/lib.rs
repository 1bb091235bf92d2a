//! Local fakes of the payment providers' public HTTP APIs, for tests and benchmarks where the
//! real ones cannot be reached. Each fake listens on its own loopback port and answers the
//! provider's documented paths with its documented shapes: success bodies, its error bodies
//! for a bad, revoked or under-privileged credential, and its 429 and 5xx answers on demand.
//! They were written from the providers' API references, not from our client, so a client
//! that reads them reads the real thing.

mod lemonsqueezy;
mod list;
mod paddle;
mod polar;
mod server;
mod stripe;
mod subscription;
mod time;
pub mod webhooks;

pub use server::{Account, Fake, FakePayment, Recorded};
pub use subscription::FakeSubscription;

/// One fake per provider, each on its own port.
#[derive(Debug)]
pub struct FakeProviders {
    pub stripe: Fake,
    pub lemonsqueezy: Fake,
    pub polar: Fake,
    pub paddle: Fake,
}

impl FakeProviders {
    /// Starts the four fakes on loopback.
    ///
    /// # Errors
    /// A fake could not bind a loopback port.
    pub async fn start() -> std::io::Result<Self> {
        Ok(Self {
            stripe: Fake::start(stripe::routes, stripe::refusal).await?,
            lemonsqueezy: Fake::start(lemonsqueezy::routes, lemonsqueezy::refusal).await?,
            polar: Fake::start(polar::routes, polar::refusal).await?,
            paddle: Fake::start(paddle::routes, paddle::refusal).await?,
        })
    }
}
