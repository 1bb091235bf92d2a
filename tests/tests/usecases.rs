//! Use-case tests with mockall mocks of the driven ports (clock, randomness, hasher, vault,
//! payment providers) over
//! the in-memory store: what the use cases do when a port misbehaves, and what they ask of
//! each port. The same behaviours are exercised over real HTTP and SQLite elsewhere.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafast_application::{NewAccount, NewToken};
use datafast_application::{PassOutcome, ServiceError, Services};
use datafast_domain::access::{Principal, WebsiteScope};
use datafast_domain::account::Email;
use datafast_domain::integration::{AccountFacts, Provider, ProviderCredentials};
use datafast_domain::permission::PermissionSet;
use datafast_domain::role::Role;
use datafast_domain::website::Currency;
use datafast_memory::MemoryStore;
use datafast_ports::providers::{MockPaymentProviders, PaymentPage, ProviderError};
use datafast_ports::secrets::{MockCredentialHasher, MockCredentialVault};
use datafast_ports::system::{MockClock, MockRandomSource};
use datafast_ports::{CredentialHash, VaultError};
use datafast_tests::principals::owner_with_website;
use jiff::Timestamp;

const NOW: &str = "2026-05-21T10:00:00Z";

fn clock() -> MockClock {
    let mut clock = MockClock::new();
    let now: Timestamp = NOW.parse().unwrap();
    clock.expect_now().return_const(now);
    clock
}

/// Random bytes from a counter, so every draw differs and runs repeat.
fn random() -> MockRandomSource {
    let mut random = MockRandomSource::new();
    let counter = std::sync::atomic::AtomicU8::new(1);
    random.expect_fill().returning(move |buffer| {
        let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for (i, byte) in buffer.iter_mut().enumerate() {
            *byte = n.wrapping_add(i as u8);
        }
    });
    random
}

/// A transparent "hash" so tests can see what was hashed.
fn hasher() -> MockCredentialHasher {
    let mut hasher = MockCredentialHasher::new();
    hasher
        .expect_hash()
        .returning(|raw| CredentialHash::from_hex(format!("h:{raw}")));
    hasher
}

/// Connects Stripe with `key` as `principal`.
async fn connect_stripe(
    services: &Services,
    principal: &Principal,
    website: datafast_domain::id::WebsiteId,
    key: &str,
) -> Result<Currency, ServiceError> {
    let credentials = ProviderCredentials::stripe(key).unwrap();
    services
        .integrations()
        .connect(principal, website, credentials)
        .await
}

/// Providers that accept every credential, for tests about what happens after the check.
fn accepting() -> MockPaymentProviders {
    let mut providers = MockPaymentProviders::new();
    providers.expect_check().returning(|_| {
        Ok(AccountFacts {
            name: None,
            currency: None,
            test_mode: false,
        })
    });
    providers
}

fn services_with(store: MemoryStore, vault: MockCredentialVault) -> Services {
    services_with_providers(store, vault, accepting())
}

fn services_with_providers(
    store: MemoryStore,
    vault: MockCredentialVault,
    providers: MockPaymentProviders,
) -> Services {
    Services::new(
        Arc::new(store),
        Arc::new(clock()),
        Arc::new(random()),
        Arc::new(hasher()),
        Arc::new(vault),
    )
    .with_payment_providers(Arc::new(providers))
}

#[tokio::test]
async fn a_failing_vault_stores_nothing_and_reports_a_clean_internal_error() {
    let mut vault = MockCredentialVault::new();
    vault
        .expect_seal()
        .times(1)
        .returning(|_| Err(VaultError::Seal));
    let services = services_with(MemoryStore::new(), vault);
    let (owner, website, _) = owner_with_website(&services).await;

    let error = connect_stripe(&services, &owner, website, "rk_live_51Habcdefghijkl")
        .await
        .unwrap_err();
    assert!(matches!(error, ServiceError::Internal(_)), "got {error:?}");
    assert!(
        !error.to_string().contains("rk_live"),
        "the error must not carry the credential"
    );

    let status = services
        .integrations()
        .status(&owner, website)
        .await
        .unwrap();
    let stripe = status
        .providers
        .iter()
        .find(|(p, _)| *p == Provider::Stripe)
        .unwrap();
    assert!(
        stripe.1.is_none(),
        "nothing may be stored when sealing failed"
    );
}

#[tokio::test]
async fn the_vault_only_ever_sees_credentials_the_policy_allowed() {
    let mut vault = MockCredentialVault::new();
    vault.expect_seal().never();
    let services = services_with(MemoryStore::new(), vault);
    let (owner, website, _) = owner_with_website(&services).await;
    let narrow = services
        .tokens()
        .create(
            &owner,
            NewToken {
                name: Some("reader".into()),
                permissions: PermissionSet::parse(&["settings:read"]).unwrap(),
                websites: WebsiteScope::All,
            },
        )
        .await
        .unwrap();
    let reader = services
        .auth()
        .authenticate(Some(narrow.raw.expose()))
        .await
        .unwrap();
    let error = connect_stripe(&services, &reader, website, "rk_live_51Habcdefghijkl")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("settings:write"), "got {error}");
}

#[tokio::test]
async fn nothing_is_sealed_unless_the_provider_accepted_the_credential() {
    for (answer, expected_status) in [
        (
            ProviderError::Rejected("Invalid API Key provided".into()),
            400,
        ),
        (ProviderError::Unavailable("connection failed".into()), 502),
        (ProviderError::RateLimited { retry_after: None }, 502),
    ] {
        let mut vault = MockCredentialVault::new();
        vault.expect_seal().never();
        let mut providers = MockPaymentProviders::new();
        providers
            .expect_check()
            .times(1)
            .returning(move |_| Err(answer.clone()));
        let services = services_with_providers(MemoryStore::new(), vault, providers);
        let (owner, website, _) = owner_with_website(&services).await;
        let error = connect_stripe(&services, &owner, website, "rk_live_51Habcdefghijkl")
            .await
            .unwrap_err();
        let status = match error {
            ServiceError::Invalid(_) => 400,
            ServiceError::BadGateway(_) => 502,
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(status, expected_status);
        assert!(!stripe_connected(&services, &owner, website).await);
    }
}

/// Whether Stripe shows as connected.
async fn stripe_connected(
    services: &Services,
    owner: &Principal,
    website: datafast_domain::id::WebsiteId,
) -> bool {
    let status = services
        .integrations()
        .status(owner, website)
        .await
        .unwrap();
    status
        .providers
        .iter()
        .any(|(p, state)| *p == Provider::Stripe && state.is_some())
}

#[tokio::test]
async fn a_test_key_is_refused_before_the_provider_is_asked_unless_allowed() {
    let mut providers = MockPaymentProviders::new();
    providers.expect_check().never();
    let services =
        services_with_providers(MemoryStore::new(), MockCredentialVault::new(), providers);
    let (owner, website, _) = owner_with_website(&services).await;
    let error = connect_stripe(&services, &owner, website, "rk_test_51Habcdefghijkl")
        .await
        .unwrap_err();
    assert!(error.to_string().contains("test-mode key"), "got {error}");
}

#[tokio::test]
async fn a_sealed_credential_is_what_gets_stored() {
    let mut vault = MockCredentialVault::new();
    vault
        .expect_seal()
        .times(1)
        .withf(|plaintext| plaintext.windows(7).any(|w| w == b"rk_live"))
        .returning(|_| Ok(b"sealed-bytes".to_vec()));
    let services = services_with(MemoryStore::new(), vault);
    let (owner, website, _) = owner_with_website(&services).await;
    connect_stripe(&services, &owner, website, "rk_live_51Habcdefghijkl")
        .await
        .unwrap();
    let status = services
        .integrations()
        .status(&owner, website)
        .await
        .unwrap();
    let stripe = status
        .providers
        .iter()
        .find(|(p, _)| *p == Provider::Stripe)
        .unwrap();
    assert_eq!(
        stripe.1.as_ref().unwrap().connected_at,
        NOW.parse::<Timestamp>().unwrap()
    );
}

#[tokio::test]
async fn revoking_a_token_takes_effect_on_the_next_request() {
    let services = services_with(MemoryStore::new(), MockCredentialVault::new());
    let (owner, _, _) = owner_with_website(&services).await;
    let second = services
        .tokens()
        .create(&owner, NewToken::default())
        .await
        .unwrap();
    let raw = second.raw.expose().to_owned();
    // Resolve once, so the principal sits in the cache.
    services.auth().authenticate(Some(&raw)).await.unwrap();
    services
        .tokens()
        .delete(&owner, second.token.id)
        .await
        .unwrap();
    assert_eq!(
        services.auth().authenticate(Some(&raw)).await.unwrap_err(),
        ServiceError::Unauthenticated
    );
}

#[tokio::test]
async fn rolling_a_key_retires_the_old_value_at_once() {
    let services = services_with(MemoryStore::new(), MockCredentialVault::new());
    let (owner, website, _) = owner_with_website(&services).await;
    let issued = services
        .api_keys()
        .create(&owner, website, "Production key".into())
        .await
        .unwrap();
    let old = issued.raw.expose().to_owned();
    let as_key = services.auth().authenticate(Some(&old)).await.unwrap();
    assert_eq!(as_key.key_website(), Some(website));
    let rolled = services
        .api_keys()
        .roll(&owner, website, issued.key.id)
        .await
        .unwrap();
    assert_ne!(rolled.raw.expose(), old);
    assert_eq!(
        services.auth().authenticate(Some(&old)).await.unwrap_err(),
        ServiceError::Unauthenticated
    );
    assert!(
        services
            .auth()
            .authenticate(Some(rolled.raw.expose()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn only_the_keyed_hash_of_a_credential_reaches_storage_lookups() {
    let mut hasher = MockCredentialHasher::new();
    hasher
        .expect_hash()
        .returning(|raw| CredentialHash::from_hex(format!("h:{raw}")));
    let services = Services::new(
        Arc::new(MemoryStore::new()),
        Arc::new(clock()),
        Arc::new(random()),
        Arc::new(hasher),
        Arc::new(MockCredentialVault::new()),
    );
    // A well-formed but unknown token is hashed and refused, never trusted.
    let unknown = format!("dft_{}", "ab".repeat(32));
    assert_eq!(
        services
            .auth()
            .authenticate(Some(&unknown))
            .await
            .unwrap_err(),
        ServiceError::Unauthenticated
    );
    // A malformed one is refused before any hashing.
    let mut strict = MockCredentialHasher::new();
    strict.expect_hash().never();
    let services = Services::new(
        Arc::new(MemoryStore::new()),
        Arc::new(clock()),
        Arc::new(random()),
        Arc::new(strict),
        Arc::new(MockCredentialVault::new()),
    );
    assert_eq!(
        services
            .auth()
            .authenticate(Some("dft_not-a-token"))
            .await
            .unwrap_err(),
        ServiceError::Unauthenticated
    );
}

#[tokio::test]
async fn an_invitation_grants_nothing_until_the_invitee_accepts() {
    let services = services_with(MemoryStore::new(), MockCredentialVault::new());
    let (owner, website, _) = owner_with_website(&services).await;
    let invitee_email = Email::parse("member@example.com").unwrap();
    let invitation = services
        .team()
        .invite(&owner, website, invitee_email.clone(), Role::Member)
        .await
        .unwrap();
    let (invitee, _) = services
        .accounts()
        .ensure(NewAccount {
            email: invitee_email,
            name: None,
        })
        .await
        .unwrap();
    let token = services
        .tokens()
        .issue_for(&invitee, NewToken::default())
        .await
        .unwrap();
    let principal = services
        .auth()
        .authenticate(Some(token.raw.expose()))
        .await
        .unwrap();
    assert!(matches!(
        services
            .websites()
            .get(&principal, website)
            .await
            .unwrap_err(),
        ServiceError::NotFound(_)
    ));
    services
        .team()
        .accept_invitation(&principal, invitation.id)
        .await
        .unwrap();
    let seen = services.websites().get(&principal, website).await.unwrap();
    assert_eq!(seen.role, Role::Member);
}

/// A vault that seals by copying, so the import can open what connecting sealed.
fn copying_vault() -> MockCredentialVault {
    let mut vault = MockCredentialVault::new();
    vault.expect_seal().returning(|plain| Ok(plain.to_vec()));
    vault.expect_open().returning(|sealed| Ok(sealed.to_vec()));
    vault
}

/// The import's one pass over a Stripe connection whose every page is `next_page(call)`.
async fn pass_over(
    next_page: impl Fn(u64) -> Option<String> + Send + Sync + 'static,
) -> (Vec<(Provider, PassOutcome)>, u64) {
    let calls = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&calls);
    let mut providers = accepting();
    providers.expect_payments().returning(move |_, _, _| {
        let call = counted.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(PaymentPage {
            payments: Vec::new(),
            next: next_page(call),
        })
    });
    let services = services_with_providers(MemoryStore::new(), copying_vault(), providers);
    let (owner, website, _) = owner_with_website(&services).await;
    connect_stripe(&services, &owner, website, "rk_live_51Habcdefghijkl")
        .await
        .unwrap();
    let outcomes = services
        .revenue_import()
        .sync_now(&owner, website)
        .await
        .unwrap();
    (outcomes, calls.load(Ordering::Relaxed))
}

#[tokio::test]
async fn a_provider_that_repeats_a_page_or_never_ends_does_not_hold_the_import() {
    let (outcomes, calls) = pass_over(|_| Some("the same cursor".to_owned())).await;
    assert!(
        matches!(&outcomes[..], [(Provider::Stripe, PassOutcome::Interrupted { error, .. })]
            if error.contains("answered the same page again")),
        "{outcomes:?}"
    );
    assert_eq!(calls, 2);

    let (outcomes, calls) = pass_over(|call| Some(format!("page {call}"))).await;
    assert!(
        matches!(&outcomes[..], [(Provider::Stripe, PassOutcome::Interrupted { error, .. })]
            if error.contains("several passes")),
        "{outcomes:?}"
    );
    assert_eq!(calls, 2_000, "one pass reads at most 2,000 pages");
}
