//! The connectors' credential check against local fakes of the four providers, over real
//! sockets: what each provider says about a good credential, and how each of its refusals and
//! failures reaches the application.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::expect_used)]

mod common;

use std::time::Duration;

use datafast_domain::integration::{AccountFacts, ProviderCredentials};
use datafast_domain::website::Currency;
use datafast_ports::providers::{PaymentProviders, ProviderError};
use datafast_provider_fakes::{Account, FakeProviders};
use datafast_providers::{ProviderClients, ProviderEndpoints};

use common::{LEMON_KEY, ORGANIZATION, PADDLE_KEY, POLAR_TOKEN, STORE, clients_for};

const STRIPE_KEY: &str = "rk_live_51HfakeKey0000000000";
const STRIPE_TEST_KEY: &str = "rk_test_51HfakeKey0000000000";
const PADDLE_SANDBOX_KEY: &str = "pdl_sdbx_apikey_01fakekey000000000000";

struct World {
    fakes: FakeProviders,
    clients: ProviderClients,
}

/// The four fakes, each knowing one good credential, and clients pointed at them.
async fn world() -> World {
    let fakes = FakeProviders::start().await.expect("fakes start");
    fakes
        .stripe
        .add_key(STRIPE_KEY, Account::named("Acme", "eur"));
    fakes
        .lemonsqueezy
        .add_key(LEMON_KEY, Account::named("Acme Store", "GBP").seeing(STORE));
    fakes.polar.add_key(
        POLAR_TOKEN,
        Account::named("Acme Org", "usd").seeing(ORGANIZATION),
    );
    fakes.paddle.add_key(PADDLE_KEY, Account::default());
    let clients = clients_for(&fakes, fakes.paddle.base_url());
    World { fakes, clients }
}

fn stripe(key: &str) -> ProviderCredentials {
    ProviderCredentials::stripe(key).expect("a well-formed key")
}

fn lemon(key: &str, store: &str) -> ProviderCredentials {
    ProviderCredentials::lemon_squeezy(key, store).expect("a well-formed key")
}

fn polar(token: &str, organization: &str) -> ProviderCredentials {
    ProviderCredentials::polar(token, organization).expect("a well-formed token")
}

fn paddle(key: &str) -> ProviderCredentials {
    ProviderCredentials::paddle(key).expect("a well-formed key")
}

fn facts(name: Option<&str>, currency: Option<&str>, test_mode: bool) -> AccountFacts {
    AccountFacts {
        name: name.map(str::to_owned),
        currency: currency.map(|c| Currency::parse(c).expect("a currency")),
        test_mode,
    }
}

fn rejected_with(result: Result<AccountFacts, ProviderError>, words: &str) {
    match result {
        Err(ProviderError::Rejected(reason)) => {
            assert!(reason.contains(words), "{reason:?} does not say {words:?}");
        }
        other => panic!("expected a refusal saying {words:?}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_good_credential_gives_the_account_facts() {
    let world = world().await;
    let check = |credentials| {
        let clients = world.clients.clone();
        async move { clients.check(&credentials).await }
    };
    assert_eq!(
        check(stripe(STRIPE_KEY)).await,
        Ok(facts(Some("Acme"), Some("EUR"), false))
    );
    assert_eq!(
        check(lemon(LEMON_KEY, STORE)).await,
        Ok(facts(Some("Acme Store"), Some("GBP"), false))
    );
    assert_eq!(
        check(polar(POLAR_TOKEN, ORGANIZATION)).await,
        Ok(facts(Some("Acme Org"), Some("USD"), false))
    );
    assert_eq!(
        check(paddle(PADDLE_KEY)).await,
        Ok(facts(None, None, false))
    );
}

#[tokio::test]
async fn the_credential_travels_only_as_a_bearer_header() {
    let world = world().await;
    world
        .clients
        .check(&stripe(STRIPE_KEY))
        .await
        .expect("accepted");
    let requests = world.fakes.stripe.requests();
    assert!(!requests.is_empty());
    for request in requests {
        assert_eq!(
            request.authorization.as_deref(),
            Some(&*format!("Bearer {STRIPE_KEY}"))
        );
        assert!(!request.path_and_query.contains(STRIPE_KEY));
    }
}

#[tokio::test]
async fn unknown_credentials_are_refused_with_each_providers_reason() {
    let world = world().await;
    let clients = &world.clients;
    rejected_with(
        clients.check(&stripe("rk_live_51HsomeoneElse0000")).await,
        "Invalid API Key provided",
    );
    rejected_with(
        clients.check(&lemon("another-key", STORE)).await,
        "Unauthenticated",
    );
    rejected_with(
        clients.check(&polar("polar_oat_other", ORGANIZATION)).await,
        "expired, revoked",
    );
    rejected_with(
        clients
            .check(&paddle("pdl_live_apikey_01someoneelse000000"))
            .await,
        "Invalid or revoked API key",
    );
}

#[tokio::test]
async fn a_revoked_credential_is_refused_from_then_on() {
    let world = world().await;
    assert!(world.clients.check(&paddle(PADDLE_KEY)).await.is_ok());
    world.fakes.paddle.revoke(PADDLE_KEY);
    rejected_with(world.clients.check(&paddle(PADDLE_KEY)).await, "revoked");
}

#[tokio::test]
async fn a_store_or_organization_the_credential_cannot_see_is_refused() {
    let world = world().await;
    rejected_with(
        world.clients.check(&lemon(LEMON_KEY, "999")).await,
        "store 999",
    );
    let elsewhere = "00000000-0000-4000-8000-000000000000";
    rejected_with(
        world.clients.check(&polar(POLAR_TOKEN, elsewhere)).await,
        "organization 00000000",
    );
}

#[tokio::test]
async fn a_stripe_key_that_may_not_read_the_account_is_accepted_without_facts() {
    let world = world().await;
    let hidden = Account {
        account_hidden: true,
        ..Account::named("Hidden", "usd")
    };
    world.fakes.stripe.add_key(STRIPE_TEST_KEY, hidden);
    assert_eq!(
        world.clients.check(&stripe(STRIPE_TEST_KEY)).await,
        Ok(facts(None, None, true))
    );
}

#[tokio::test]
async fn test_mode_is_reported_where_the_provider_says_so() {
    let world = world().await;
    let test_key = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.test";
    let test_account = Account {
        test_mode: true,
        ..Account::named("Test Store", "USD").seeing(STORE)
    };
    world.fakes.lemonsqueezy.add_key(test_key, test_account);
    let checked = world.clients.check(&lemon(test_key, STORE)).await;
    assert_eq!(checked.map(|f| f.test_mode), Ok(true));
}

#[tokio::test]
async fn paddle_sandbox_keys_go_to_the_sandbox_host() {
    let world = world().await;
    let sandbox = FakeProviders::start().await.expect("fakes start");
    sandbox
        .paddle
        .add_key(PADDLE_SANDBOX_KEY, Account::default());
    let clients = clients_for(&world.fakes, sandbox.paddle.base_url());
    assert_eq!(
        clients.check(&paddle(PADDLE_SANDBOX_KEY)).await,
        Ok(facts(None, None, true))
    );
    assert!(world.fakes.paddle.requests().is_empty());
    assert_eq!(sandbox.paddle.requests().len(), 1);
}

#[tokio::test]
async fn rate_limits_carry_retry_after_where_the_provider_sends_it() {
    let world = world().await;
    world.fakes.polar.throttle_next(1);
    assert_eq!(
        world.clients.check(&polar(POLAR_TOKEN, ORGANIZATION)).await,
        Err(ProviderError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        })
    );
    world.fakes.stripe.throttle_next(1);
    assert_eq!(
        world.clients.check(&stripe(STRIPE_KEY)).await,
        Err(ProviderError::RateLimited { retry_after: None })
    );
}

#[tokio::test]
async fn provider_failures_and_silence_are_unavailable() {
    let world = world().await;
    world.fakes.lemonsqueezy.fail_next(1);
    assert!(matches!(
        world.clients.check(&lemon(LEMON_KEY, STORE)).await,
        Err(ProviderError::Unavailable(_))
    ));
    // A port nothing listens on: bind one, then let it go.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = closed.local_addr().expect("address");
    drop(closed);
    let endpoints = ProviderEndpoints {
        stripe: format!("http://{address}"),
        ..ProviderEndpoints::default()
    };
    let unreachable = ProviderClients::new(&endpoints, Duration::from_secs(2)).expect("clients");
    assert_eq!(
        unreachable.check(&stripe(STRIPE_KEY)).await,
        Err(ProviderError::Unavailable("connection failed".to_owned()))
    );
}

#[test]
fn endpoints_must_be_http_urls() {
    for bad in ["api.stripe.com", "ftp://api.stripe.com", "not a url"] {
        let endpoints = ProviderEndpoints {
            stripe: bad.to_owned(),
            ..ProviderEndpoints::default()
        };
        assert!(
            ProviderClients::new(&endpoints, Duration::from_secs(1)).is_err(),
            "{bad}"
        );
    }
}
