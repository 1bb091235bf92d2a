//! The dashboard's HTTP surface as a browser meets it: signing in and out, the session cookie
//! standing in for a token on the API, the CSRF check, throttled sign-ins, one-time setup and
//! invitation links, public dashboards, and the pages and files themselves.

use reqwest::Method;
use serde_json::{Value, json};

use crate::browser::Browser;
use crate::helpers::{TestApp, assert_error, spawn_app};

const OWNER: &str = "owner@example.com";
const PASSWORD: &str = "correct horse battery";

async fn signed_in_owner(app: &TestApp) -> Browser {
    app.set_password(OWNER, PASSWORD).await;
    let mut browser = Browser::new(&app.address);
    let (status, body) = browser.sign_in(OWNER, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    browser
}

async fn website_count(browser: &mut Browser) -> usize {
    let (status, body) = browser.get("/api/v1/admin/websites").await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_session_cookie_is_http_only_and_lax_and_reads_the_api_as_its_account() {
    let app = spawn_app().await;
    let mut browser = signed_in_owner(&app).await;
    let cookie = browser.last_set_cookie.clone().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain http must not mark it Secure: {cookie}"
    );

    let (status, body) = browser.get("/api/session").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["account"]["email"], OWNER);
    app.create_website("shop.example.com").await;
    assert_eq!(website_count(&mut browser).await, 1);
}

#[tokio::test]
async fn a_state_changing_request_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let mut browser = signed_in_owner(&app).await;
    let new_site = || Some(json!({"domain": "shop.example.com"}));

    let (status, body) = browser
        .send(Method::POST, "/api/v1/admin/websites", new_site(), false)
        .await;
    assert_error(status, &body, 403);
    assert!(body["error"]["message"].as_str().unwrap().contains("CSRF"));
    let genuine = browser.csrf.replace("0".repeat(64));
    let (status, body) = browser
        .send(Method::POST, "/api/v1/admin/websites", new_site(), true)
        .await;
    assert_error(status, &body, 403);
    assert_eq!(website_count(&mut browser).await, 0);

    browser.csrf = genuine;
    let (status, body) = browser
        .send(Method::POST, "/api/v1/admin/websites", new_site(), true)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(website_count(&mut browser).await, 1);
}

#[tokio::test]
async fn wrong_passwords_are_refused_alike_then_throttled_even_for_the_right_one() {
    let app = spawn_app().await;
    app.set_password(OWNER, PASSWORD).await;
    let mut browser = Browser::new(&app.address);
    let (status, unknown) = browser.sign_in("nobody@example.com", PASSWORD).await;
    assert_error(status, &unknown, 401);
    for _ in 0..5 {
        let (status, wrong) = browser.sign_in(OWNER, "not the password").await;
        assert_error(status, &wrong, 401);
        assert_eq!(wrong["error"]["message"], unknown["error"]["message"]);
    }
    let (status, body) = browser.sign_in(OWNER, PASSWORD).await;
    assert_error(status, &body, 429);
    let (status, body) = browser.get("/api/session").await;
    assert_error(status, &body, 401);
}

#[tokio::test]
async fn signing_out_and_changing_the_password_end_sessions() {
    let app = spawn_app().await;
    let mut first = signed_in_owner(&app).await;
    let mut second = Browser::new(&app.address);
    second.sign_in(OWNER, PASSWORD).await;

    let (status, body) = first.send(Method::DELETE, "/api/session", None, true).await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = first.get("/api/v1/admin/websites").await;
    assert_error(status, &body, 401);
    assert_eq!(website_count(&mut second).await, 0);

    let change = json!({"currentPassword": PASSWORD, "newPassword": "a brand new passphrase"});
    let mut third = Browser::new(&app.address);
    third.sign_in(OWNER, PASSWORD).await;
    let (status, body) = second
        .send(Method::PUT, "/api/session/password", Some(change), true)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        website_count(&mut second).await,
        0,
        "the changer keeps a new session"
    );
    let (status, body) = third.get("/api/session").await;
    assert_error(status, &body, 401);
    let (status, _) = third.sign_in(OWNER, "a brand new passphrase").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_session_is_never_a_bearer_token_and_a_token_is_no_session() {
    let app = spawn_app().await;
    let (status, body) = app.get("/api/session").await;
    assert_error(status, &body, 401);
    let mut browser = signed_in_owner(&app).await;
    let cookie = browser.cookie().unwrap().to_owned();
    let (status, body) = app.get_as(&cookie, "/api/v1/admin/websites").await;
    assert_error(status, &body, 401);
    let (status, body) = browser
        .send_from(
            Method::POST,
            "/api/session",
            Some(json!({"email": OWNER, "password": PASSWORD})),
            false,
            Some("http://evil.example.test"),
        )
        .await;
    assert_error(status, &body, 403);
}

/// Invites `email` as `role` and returns the invitation link's code.
async fn invite(app: &TestApp, website: &str, email: &str, role: &str) -> String {
    let (status, body) = app
        .post(
            &format!("/api/v1/admin/websites/{website}/team"),
            json!({"email": email, "role": role}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let url = body["data"][0]["inviteUrl"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}/join?code=", app.address)),
        "{url}"
    );
    url.rsplit_once("code=").unwrap().1.to_owned()
}

#[tokio::test]
async fn an_invitation_link_makes_an_account_that_joins_with_the_invited_role_once() {
    let app = spawn_app().await;
    let website = app.create_website("shop.example.com").await;
    let code = invite(&app, &website, "viewer@example.com", "viewer").await;
    let mut invitee = Browser::new(&app.address);

    let (status, offer) = invitee.get(&format!("/api/join?code={code}")).await;
    assert_eq!(status, 200, "{offer}");
    assert_eq!(offer["data"][0]["role"], "viewer");
    assert_eq!(offer["data"][0]["accountExists"], false);
    let join = json!({"code": code, "name": "Vi", "password": "viewer passphrase"});
    let (status, body) = invitee
        .send(Method::POST, "/api/join", Some(join.clone()), false)
        .await;
    assert_eq!(status, 200, "{body}");

    let path = format!("/api/v1/admin/websites/{website}");
    let (status, body) = invitee.get(&path).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = invitee
        .send(Method::PUT, &path, Some(json!({"name": "Mine"})), true)
        .await;
    assert_error(status, &body, 403);
    let (status, body) = Browser::new(&app.address)
        .send(Method::POST, "/api/join", Some(join), false)
        .await;
    assert_error(status, &body, 404);
}

#[tokio::test]
async fn an_existing_account_joins_only_with_its_own_password() {
    let app = spawn_app().await;
    let website = app.create_website("shop.example.com").await;
    app.new_account_token("member@example.com").await;
    app.set_password("member@example.com", "member passphrase")
        .await;
    let code = invite(&app, &website, "member@example.com", "member").await;
    let mut invitee = Browser::new(&app.address);

    let wrong = json!({"code": code, "password": "not their password"});
    let (status, body) = invitee
        .send(Method::POST, "/api/join", Some(wrong), false)
        .await;
    assert_error(status, &body, 401);
    let right = json!({"code": code, "password": "member passphrase"});
    let (status, body) = invitee
        .send(Method::POST, "/api/join", Some(right), false)
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, team) = app
        .get(&format!("/api/v1/admin/websites/{website}/team"))
        .await;
    assert!(team.to_string().contains("member@example.com"), "{team}");
}

#[tokio::test]
async fn a_withdrawn_invitation_takes_its_link_with_it() {
    let app = spawn_app().await;
    let website = app.create_website("shop.example.com").await;
    let code = invite(&app, &website, "late@example.com", "viewer").await;
    let (_, team) = app
        .get(&format!("/api/v1/admin/websites/{website}/team"))
        .await;
    let invitation = team["data"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|row| row["invitationId"].as_str())
        .unwrap()
        .to_owned();
    let (status, body) = app
        .delete_with_body(
            &format!("/api/v1/admin/websites/{website}/team"),
            json!({"invitationId": invitation}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = Browser::new(&app.address)
        .get(&format!("/api/join?code={code}"))
        .await;
    assert_error(status, &body, 404);
}

async fn share(app: &TestApp, website: &str, dashboard: bool, data: bool) {
    let settings = json!({"isPublicDashboardEnabled": dashboard, "isPublicDataEnabled": data});
    let (status, body) = app
        .put(&format!("/api/v1/admin/websites/{website}"), settings)
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn shared_overview(app: &TestApp) -> (u16, Value) {
    Browser::new(&app.address)
        .get("/api/share/shop.example.com/analytics/overview")
        .await
}

#[tokio::test]
async fn a_public_dashboard_shows_aggregates_signed_out_and_revenue_only_when_allowed() {
    let app = spawn_app().await;
    let website = app.create_website("shop.example.com").await;
    let page = |path: &'static str| {
        let address = app.address.clone();
        async move {
            reqwest::get(format!("{address}{path}"))
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(page("/share/shop.example.com").await, 404);
    assert_error(
        shared_overview(&app).await.0,
        &shared_overview(&app).await.1,
        404,
    );

    share(&app, &website, true, false).await;
    assert_eq!(page("/share/shop.example.com").await, 200);
    let (status, body) = shared_overview(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["visitors"], 0);
    assert!(body["data"][0].get("revenue").is_none(), "{body}");
    let (status, _) = Browser::new(&app.address)
        .get("/api/share/shop.example.com/visitors")
        .await;
    assert_eq!(status, 404, "visitors are never public");

    share(&app, &website, true, true).await;
    assert!(
        shared_overview(&app).await.1["data"][0]
            .get("revenue")
            .is_some()
    );
    share(&app, &website, false, true).await;
    assert_eq!(shared_overview(&app).await.0, 404);
}

#[tokio::test]
async fn every_dashboard_page_is_the_shell_under_a_strict_policy() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/signin",
        "/setup",
        "/websites/abc/settings",
        "/account",
    ] {
        let response = reqwest::get(format!("{}{path}", app.address))
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let policy = response.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(policy.contains("script-src 'self'"), "{policy}");
        assert!(response.text().await.unwrap().contains("/dashboard/app.js"));
    }
    let script = reqwest::get(format!("{}/dashboard/app.js", app.address))
        .await
        .unwrap();
    assert_eq!(script.status().as_u16(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    let missing = reqwest::get(format!("{}/dashboard/nope.js", app.address))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 404);
}

#[tokio::test]
async fn only_the_signed_in_owner_deletes_a_website_and_its_keys_die_with_it() {
    let app = spawn_app().await;
    let website = app.create_website("shop.example.com").await;
    let key = app.create_api_key(&website).await;
    let path = format!("/api/v1/admin/websites/{website}");
    let (status, body) = app.delete(&path).await;
    assert_error(status, &body, 403);
    let member = app
        .add_member(&website, "member@example.com", "member")
        .await;
    app.set_password("member@example.com", "member passphrase")
        .await;
    let mut member_browser = Browser::new(&app.address);
    member_browser
        .sign_in("member@example.com", "member passphrase")
        .await;
    let (status, body) = member_browser.send(Method::DELETE, &path, None, true).await;
    assert_error(status, &body, 403);
    let (status, _) = app.get_as(&key, "/api/v1/analytics/overview").await;
    assert_eq!(status, 200);

    let mut owner = signed_in_owner(&app).await;
    let (status, body) = owner.send(Method::DELETE, &path, None, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(website_count(&mut owner).await, 0);
    let (status, body) = app.get_as(&key, "/api/v1/analytics/overview").await;
    assert_error(status, &body, 401);
    let (status, body) = app.get_as(&member, &path).await;
    assert_error(status, &body, 404);
}
