//! What the revenue import tests share: a server's worth of real parts (a SQLite file, the
//! real vault and connectors) over local provider fakes, an owner with a website connected to
//! Stripe, recorded waits, and one import pass at a time.
// Each test binary uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use datafast_application::{ImportSettings, PassOutcome, Pause, PauseFuture, Services};
use datafast_domain::access::Principal;
use datafast_domain::id::WebsiteId;
use datafast_domain::integration::{Provider, ProviderCredentials};
use datafast_ports::store::PaymentStore;
use datafast_ports::system::Clock;
use datafast_provider_fakes::{Account, FakePayment, FakeProviders};
use datafast_providers::{ProviderClients, ProviderEndpoints};
use datafast_secrets::{OsRandom, ServerKeys};
use datafast_sqlite::SqliteStore;
use datafast_tests::principals::owner_with_website;
use jiff::Timestamp;

pub const STRIPE_KEY: &str = "rk_live_51HimportKey000000000";
pub const ANN: &str = "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c";

pub struct WallClock;

impl Clock for WallClock {
    #[allow(clippy::disallowed_methods)] // the test harness is the edge where real time enters
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

pub fn now_seconds() -> i64 {
    WallClock.now().as_second()
}

/// Waits that are written down instead of slept; or, for a server about to be killed, that
/// never end.
#[derive(Clone, Default)]
pub struct Waits {
    taken: Arc<Mutex<Vec<Duration>>>,
    /// Every wait hangs, as if the server were killed while it waited.
    endless: bool,
}

impl Waits {
    pub fn endless() -> Self {
        Self {
            endless: true,
            ..Self::default()
        }
    }

    pub fn pause(&self) -> Pause {
        let (taken, endless) = (Arc::clone(&self.taken), self.endless);
        Arc::new(move |delay| -> PauseFuture {
            taken.lock().unwrap().push(delay);
            if endless {
                Box::pin(std::future::pending())
            } else {
                Box::pin(std::future::ready(()))
            }
        })
    }

    pub fn taken(&self) -> Vec<Duration> {
        self.taken.lock().unwrap().clone()
    }
}

/// One server's worth of parts over the database in `folder`: opening it again is a restart.
pub struct Server {
    pub services: Services,
    pub store: SqliteStore,
    pub waits: Waits,
}

pub fn start(folder: &Path, fakes: &FakeProviders) -> Server {
    start_waiting(folder, fakes, Waits::default())
}

pub fn start_waiting(folder: &Path, fakes: &FakeProviders, waits: Waits) -> Server {
    let store = SqliteStore::open(&folder.join("datafast.db")).unwrap();
    let keys = ServerKeys::load_or_create(&folder.join("datafast.key")).unwrap();
    let endpoints = ProviderEndpoints {
        stripe: fakes.stripe.base_url().to_owned(),
        lemonsqueezy: fakes.lemonsqueezy.base_url().to_owned(),
        polar: fakes.polar.base_url().to_owned(),
        paddle: fakes.paddle.base_url().to_owned(),
        paddle_sandbox: fakes.paddle.base_url().to_owned(),
    };
    let clients = ProviderClients::new(&endpoints, Duration::from_secs(5)).unwrap();
    let services = Services::new(
        Arc::new(store.clone()),
        Arc::new(WallClock),
        Arc::new(OsRandom),
        Arc::new(keys.hasher()),
        Arc::new(keys.vault()),
    )
    .with_payment_providers(Arc::new(clients))
    .with_revenue_import(ImportSettings::default(), waits.pause());
    Server {
        services,
        store,
        waits,
    }
}

/// The fakes, and a server whose owner's website is connected to Stripe with the test's key.
pub struct Connected {
    pub fakes: FakeProviders,
    pub server: Server,
    pub owner: Principal,
    pub website: WebsiteId,
}

/// Starts the fakes, Stripe holding `payments`, and a server over `folder` waiting by `waits`,
/// then connects the owner's website to Stripe.
pub async fn connect(
    folder: &Path,
    payments: impl IntoIterator<Item = FakePayment>,
    waits: Waits,
) -> Connected {
    let fakes = FakeProviders::start().await.unwrap();
    fakes
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "usd"));
    fakes.stripe.add_payments(payments);
    let server = start_waiting(folder, &fakes, waits);
    let (owner, website, _) = owner_with_website(&server.services).await;
    let stripe = ProviderCredentials::stripe(STRIPE_KEY).unwrap();
    server
        .services
        .integrations()
        .connect(&owner, website, stripe)
        .await
        .unwrap();
    Connected {
        fakes,
        server,
        owner,
        website,
    }
}

/// One import pass over every connection.
pub async fn sync(server: &Server) -> Vec<(WebsiteId, Provider, PassOutcome)> {
    server.services.revenue_import().sync_all().await.unwrap()
}

/// Asserts that the pass read its one connection to the end, importing `imported` new
/// payments; the connection's provider, for a test to check.
#[track_caller]
pub fn one_finished(outcomes: &[(WebsiteId, Provider, PassOutcome)], imported: u64) -> Provider {
    match outcomes {
        [(_, provider, PassOutcome::Finished { imported: n })] if *n == imported => *provider,
        _ => panic!("expected one pass finished with {imported} imported, got {outcomes:?}"),
    }
}

/// `count` one-off Stripe payments of 10.00 USD, one a minute going back from an hour ago.
pub fn stripe_payments(count: i64) -> Vec<FakePayment> {
    let start = now_seconds() - 3_600;
    (0..count)
        .map(|n| FakePayment::new(&format!("pi_{n:06}"), 1_000, "usd", start - n * 60))
        .collect()
}

pub async fn stored_count(server: &Server, website: WebsiteId) -> usize {
    server.store.payments(website).await.unwrap().len()
}
