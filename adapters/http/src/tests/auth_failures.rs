//! Failed authentications are limited per client address: random credentials from one address
//! end in 429 (in the envelope, with `Retry-After`) however many distinct values it tries, while
//! other addresses, and behind a trusted proxy other real clients, keep working.

use std::net::SocketAddr;

use actix_web::test::{self, TestRequest};
use datafast_domain::website::IpRule;

use super::api::{assert_error, assert_ok, call, get, services, token_for, unlimited};
use crate::{AppState, HttpConfig, RateLimit, application};

const ACCOUNT: &str = "/api/v1/admin/account";

/// A well-formed account token that no account holds, different for every `n`.
fn random_token(n: usize) -> String {
    format!("dft_{n:064x}")
}

fn from(request: TestRequest, address: &str) -> TestRequest {
    request.peer_addr(address.parse::<SocketAddr>().unwrap())
}

fn config(burst: u32) -> HttpConfig {
    HttpConfig {
        // The ordinary per-credential budget stays generous: only failures should run out.
        rate_limit: RateLimit::default(),
        auth_failure_limit: RateLimit {
            per_minute: 10,
            burst,
        },
        trusted_proxies: vec![IpRule::parse("10.0.0.1").unwrap()],
        ..unlimited()
    }
}

#[actix_web::test]
async fn random_credentials_from_one_address_end_in_429() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &config(5)))).await;

    let mut statuses = Vec::new();
    for n in 0..50 {
        let reply = call(&app, from(get(ACCOUNT, &random_token(n)), "192.0.2.7:4000")).await;
        statuses.push(reply.status.as_u16());
        if reply.status.as_u16() == 429 {
            assert_error(&reply, 429);
            let wait: u64 = reply
                .headers
                .get("retry-after")
                .unwrap()
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(wait >= 1, "Retry-After {wait}");
        }
    }
    assert_eq!(&statuses[..5], [401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|&s| s == 429), "{statuses:?}");

    // While refused, the address is refused before authentication, valid token or not.
    let same_address = call(&app, from(get(ACCOUNT, &owner), "192.0.2.7:4001")).await;
    assert_error(&same_address, 429);
    // Another address is not affected.
    assert_ok(&call(&app, from(get(ACCOUNT, &owner), "198.51.100.9:4000")).await);
    assert_error(
        &call(
            &app,
            from(get(ACCOUNT, &random_token(99)), "198.51.100.9:4000"),
        )
        .await,
        401,
    );
}

#[actix_web::test]
async fn successful_requests_do_not_spend_the_failure_budget() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &config(2)))).await;
    for _ in 0..10 {
        assert_ok(&call(&app, from(get(ACCOUNT, &owner), "192.0.2.7:4000")).await);
    }
    // Missing credentials are failed authentications too.
    for expected in [401, 401, 429] {
        let anonymous = from(TestRequest::get().uri(ACCOUNT), "192.0.2.7:4000");
        assert_error(&call(&app, anonymous).await, expected);
    }
}

#[actix_web::test]
async fn behind_a_trusted_proxy_the_real_client_address_counts() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &config(3)))).await;
    let via_proxy = |request: TestRequest, client: &str| {
        from(request, "10.0.0.1:5000").insert_header(("X-Forwarded-For", client.to_owned()))
    };

    for n in 0..3 {
        let guess = via_proxy(get(ACCOUNT, &random_token(n)), "203.0.113.5");
        assert_error(&call(&app, guess).await, 401);
    }
    let refused = via_proxy(get(ACCOUNT, &random_token(3)), "203.0.113.5");
    assert_error(&call(&app, refused).await, 429);
    // Another client behind the same proxy keeps working.
    assert_ok(&call(&app, via_proxy(get(ACCOUNT, &owner), "203.0.113.6")).await);

    // From a peer that is not a trusted proxy, the forwarded header is not believed: changing
    // it buys no fresh budget.
    for n in 10..13 {
        let guess = from(get(ACCOUNT, &random_token(n)), "192.0.2.50:1")
            .insert_header(("X-Forwarded-For", format!("203.0.113.{n}")));
        assert_error(&call(&app, guess).await, 401);
    }
    let spoofed = from(get(ACCOUNT, &random_token(20)), "192.0.2.50:1")
        .insert_header(("X-Forwarded-For", "203.0.113.99"));
    assert_error(&call(&app, spoofed).await, 429);
}

#[actix_web::test]
async fn website_api_failures_count_too_and_the_limit_can_be_turned_off() {
    let app = test::init_service(application(AppState::new(services(), &config(2)))).await;
    let overview = "/api/v1/analytics/overview";
    for expected in [401, 401, 429] {
        let guess = from(get(overview, &format!("df_{:064x}", 1)), "192.0.2.8:1");
        assert_error(&call(&app, guess).await, expected);
    }

    let off = HttpConfig {
        auth_failure_limit: RateLimit {
            per_minute: 0,
            burst: 2,
        },
        ..config(2)
    };
    let app = test::init_service(application(AppState::new(services(), &off))).await;
    for n in 0..10 {
        let guess = from(get(ACCOUNT, &random_token(n)), "192.0.2.8:1");
        assert_error(&call(&app, guess).await, 401);
    }
}
