//! The revenue import over real parts: a SQLite file, the real vault, the real connectors and
//! local fakes of the providers on loopback sockets. Waits between retries are recorded
//! instead of slept, so backoff and `Retry-After` are checked without slowing the suite.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_support;

use std::time::Duration;

use datafast_application::PassOutcome;
use datafast_domain::integration::{Provider, ProviderCredentials};
use datafast_ports::store::{IntegrationStore, PaymentStore};
use datafast_provider_fakes::{Account, FakePayment};
use tempfile::TempDir;

use import_support::*;

#[tokio::test]
async fn an_import_killed_mid_backfill_resumes_at_the_stored_page_with_no_double() {
    let folder = TempDir::new().unwrap();
    let Connected {
        fakes,
        server: first,
        website,
        ..
    } = connect(folder.path(), stripe_payments(250), Waits::endless()).await;

    // The first page (a list call and one Checkout Session lookup per charge) is served, then
    // Stripe fails, and the server dies while it waits to retry: nothing after the first page
    // is written, and no clean stop records anything.
    fakes.stripe.fail_after(101, 1);
    let import = first.services.revenue_import();
    let pass = import.sync_all();
    let cut = tokio::time::timeout(Duration::from_secs(2), pass).await;
    assert!(cut.is_err(), "the pass should still be waiting: {cut:?}");
    assert_eq!(first.waits.taken(), vec![Duration::from_secs(1)]);
    assert_eq!(stored_count(&first, website).await, 100);
    drop(first);

    let before_restart = fakes.stripe.requests().len();
    let second = start(folder.path(), &fakes);
    assert_eq!(one_finished(&sync(&second).await, 150), Provider::Stripe);
    // The restart asked for the page after the last one stored, not the first page again.
    let resumed = &fakes.stripe.requests()[before_restart];
    assert!(
        resumed.path_and_query.contains("starting_after=ch_000099"),
        "{resumed:?}"
    );
    assert_eq!(stored_count(&second, website).await, 250);
    let connection = &second.store.connections(website).await.unwrap()[0];
    assert_eq!(connection.sync.imported_payments, 250);
    assert_eq!(connection.sync.last_error, None);
    assert!(connection.sync.window.is_none());
    assert!(connection.sync.synced_through.is_some());
}

#[tokio::test]
async fn a_failing_provider_is_retried_with_capped_backoff_then_left_for_the_next_pass() {
    let folder = TempDir::new().unwrap();
    let Connected {
        fakes,
        server,
        website,
        ..
    } = connect(folder.path(), stripe_payments(3), Waits::default()).await;

    fakes.stripe.fail_next(5);
    let outcomes = sync(&server).await;
    let [(_, _, PassOutcome::Interrupted { imported: 0, error })] = outcomes.as_slice() else {
        panic!("expected an interrupted pass, got {outcomes:?}");
    };
    assert!(error.contains("HTTP 500"), "{error}");
    // Five attempts, waiting 1, 2, 4 and 8 seconds between them.
    assert_eq!(
        server.waits.taken(),
        [1, 2, 4, 8].map(Duration::from_secs).to_vec()
    );
    let connection = &server.store.connections(website).await.unwrap()[0];
    assert_eq!(connection.sync.last_error.as_ref(), Some(error));

    one_finished(&sync(&server).await, 3);
    let connection = &server.store.connections(website).await.unwrap()[0];
    assert_eq!(connection.sync.last_error, None);
}

#[tokio::test]
async fn a_rate_limiting_provider_is_waited_out_with_backoff() {
    let folder = TempDir::new().unwrap();
    let Connected { fakes, server, .. } =
        connect(folder.path(), stripe_payments(3), Waits::default()).await;

    fakes.stripe.throttle_next(3);
    one_finished(&sync(&server).await, 3);
    assert_eq!(
        server.waits.taken(),
        [1, 2, 4].map(Duration::from_secs).to_vec()
    );
}

#[tokio::test]
async fn a_revoked_key_halts_the_import_until_the_user_connects_again() {
    let folder = TempDir::new().unwrap();
    let Connected {
        fakes,
        server,
        owner,
        website,
    } = connect(folder.path(), stripe_payments(2), Waits::default()).await;

    fakes.stripe.revoke(STRIPE_KEY);
    let outcomes = sync(&server).await;
    let [(_, _, PassOutcome::Halted { error })] = outcomes.as_slice() else {
        panic!("expected a halted pass, got {outcomes:?}");
    };
    assert!(error.contains("Invalid API Key provided"), "{error}");
    let status = server
        .services
        .integrations()
        .status(&owner, website)
        .await
        .unwrap();
    let stripe = status.providers[0].1.as_ref().expect("still connected");
    assert_eq!(stripe.sync.last_error.as_deref(), Some(error.as_str()));

    // Halted: the next passes do not call Stripe at all.
    let calls = fakes.stripe.requests().len();
    let outcomes = sync(&server).await;
    assert!(outcomes.is_empty(), "{outcomes:?}");
    assert_eq!(fakes.stripe.requests().len(), calls);

    // A new key, connected again, imports.
    let fresh = "rk_live_51HfreshKey00000000000";
    fakes.stripe.add_key(fresh, Account::named("Acme", "usd"));
    server
        .services
        .integrations()
        .connect(&owner, website, ProviderCredentials::stripe(fresh).unwrap())
        .await
        .unwrap();
    one_finished(&sync(&server).await, 2);
}

#[tokio::test]
async fn refunds_found_later_settle_the_stored_payment() {
    let folder = TempDir::new().unwrap();
    let paid_at = now_seconds() - 600;
    let payments = [
        FakePayment::new("pi_full", 5_000, "usd", paid_at).by_visitor(ANN),
        FakePayment::new("pi_part", 3_000, "eur", paid_at + 1),
    ];
    let Connected {
        fakes,
        server,
        website,
        ..
    } = connect(folder.path(), payments, Waits::default()).await;
    sync(&server).await;

    let refunded_at = now_seconds() - 1;
    assert!(fakes.stripe.refund("pi_full", 5_000, refunded_at));
    assert!(fakes.stripe.refund("pi_part", 1_000, refunded_at));
    one_finished(&sync(&server).await, 0);
    let payments = server.store.payments(website).await.unwrap();
    let state = |id: &str| {
        let payment = payments.iter().find(|p| p.transaction_id == id).unwrap();
        (
            payment.amount_minor,
            payment.refunded,
            payment.currency.as_str().to_owned(),
        )
    };
    assert_eq!(state("pi_full"), (0, true, "USD".to_owned()));
    assert_eq!(state("pi_part"), (2_000, false, "EUR".to_owned()));
    let attributed = payments
        .iter()
        .find(|p| p.transaction_id == "pi_full")
        .unwrap();
    assert_eq!(attributed.visitor_id.as_deref(), Some(ANN));
}

#[tokio::test]
async fn a_retry_after_from_the_provider_replaces_the_computed_backoff() {
    let folder = TempDir::new().unwrap();
    let Connected {
        fakes,
        server,
        owner,
        website,
    } = connect(folder.path(), [], Waits::default()).await;
    // Paddle answers its 429s with Retry-After (Stripe's carry none, as the test above shows).
    let key = "pdl_live_apikey_01retryAfterKey000000";
    fakes.paddle.add_key(key, Account::default());
    fakes.paddle.add_payments([FakePayment::new(
        "txn_01retryafter000000000000",
        1_200,
        "usd",
        now_seconds() - 3_600,
    )]);
    let paddle = ProviderCredentials::paddle(key).unwrap();
    server
        .services
        .integrations()
        .connect(&owner, website, paddle)
        .await
        .unwrap();

    fakes.paddle.throttle_next(3);
    let outcomes = server
        .services
        .revenue_import()
        .sync_now(&owner, website)
        .await
        .unwrap();
    let paddle_outcome = outcomes
        .iter()
        .find(|(provider, _)| *provider == Provider::Paddle)
        .map(|(_, outcome)| outcome.clone());
    assert_eq!(
        paddle_outcome,
        Some(PassOutcome::Finished { imported: 1 }),
        "{outcomes:?}"
    );
    assert_eq!(
        server.waits.taken(),
        vec![Duration::from_secs(1); 3],
        "Paddle's Retry-After of 1 s each time, not the backoff's 1, 2 and 4 s"
    );
}
