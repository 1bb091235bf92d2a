//! Accounts, tokens and websites made through the use cases, the way the in-process tests
//! start: each principal is what a freshly issued full-access token authenticates as.
// Test support: a failed setup step is a failed test, which is what it should be.
#![allow(clippy::expect_used)]

use datafast_application::{NewAccount, NewToken, NewWebsite, Services};
use datafast_domain::access::Principal;
use datafast_domain::account::Email;
use datafast_domain::id::WebsiteId;
use datafast_domain::website::Domain;

/// The account of `email` (made if missing), signed in with a new full-access token: its
/// principal and the raw token.
///
/// # Panics
/// When a use case fails: the test then fails where it began.
pub async fn signed_in(
    services: &Services,
    email: &str,
    name: Option<&str>,
) -> (Principal, String) {
    let (account, _) = services
        .accounts()
        .ensure(NewAccount {
            email: Email::parse(email).expect("a valid email"),
            name: name.map(str::to_owned),
        })
        .await
        .expect("account");
    let issued = services
        .tokens()
        .issue_for(&account, NewToken::default())
        .await
        .expect("token");
    let raw = issued.raw.expose().to_owned();
    let principal = services
        .auth()
        .authenticate(Some(&raw))
        .await
        .expect("the new token authenticates");
    (principal, raw)
}

/// `owner@example.com`, signed in, with the website `example.com`: the principal, the
/// website and the raw token.
///
/// # Panics
/// When a use case fails.
pub async fn owner_with_website(services: &Services) -> (Principal, WebsiteId, String) {
    let (principal, raw) = signed_in(services, "owner@example.com", Some("Owner")).await;
    let website = services
        .websites()
        .create(
            &principal,
            NewWebsite {
                domain: Domain::parse("example.com").expect("a valid domain"),
                name: None,
                timezone: None,
            },
        )
        .await
        .expect("website");
    (principal, website.id, raw)
}
