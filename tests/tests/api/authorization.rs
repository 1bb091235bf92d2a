//! The authorization matrix. For every registered route that needs a permission: a token
//! holding exactly that permission gets past the policy, a token holding every other permission
//! gets 403 naming the missing one, a website key of another website is refused, and owner-only
//! routes refuse members and viewers. The route list comes from the server's own route table,
//! so a new route cannot escape the matrix.

use datafast_domain::permission::Permission;
use datafast_domain::role::Role;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_error, spawn_app};

/// Fresh objects for one route's checks, so destructive routes always have a target.
struct Fixture {
    website: String,
    funnel: String,
    alert: String,
    api_key: String,
    token: String,
    invitation: String,
}

async fn fixture(app: &TestApp, n: usize) -> Fixture {
    let website = app.create_website(&format!("site{n}.example.com")).await;
    let (_, funnel) = app
        .post(
            &format!("/api/v1/admin/websites/{website}/funnels"),
            json!({"name": "F", "steps": [{"name": "a", "type": "pageview", "url": "/"}, {"name": "b", "type": "goal", "goalName": "signup"}]}),
        )
        .await;
    let (_, alert) = app
        .post(
            &format!("/api/v1/admin/websites/{website}/alerts"),
            json!({"name": "A", "trigger": {"goalName": "signup"}, "template": {"subject": "s", "message": "A visitor signed up."}}),
        )
        .await;
    let key_issuer = app.create_token(&["api-keys:write"], &[]).await;
    let (_, key) = app
        .post_as(
            &key_issuer,
            &format!("/api/v1/admin/websites/{website}/apikeys"),
            json!({"name": "k"}),
        )
        .await;
    let (_, token) = app
        .post(
            "/api/v1/admin/access-tokens",
            json!({"name": "victim", "permissions": ["analytics:read"]}),
        )
        .await;
    let (_, invitation) = app
        .post(
            &format!("/api/v1/admin/websites/{website}/team"),
            json!({"email": format!("invitee{n}@example.com")}),
        )
        .await;
    let id = |body: &Value, field: &str| body["data"][0][field].as_str().expect(field).to_owned();
    Fixture {
        website: website.clone(),
        funnel: id(&funnel, "_id"),
        alert: id(&alert, "_id"),
        api_key: id(&key, "_id"),
        token: id(&token, "_id"),
        invitation: id(&invitation, "invitationId"),
    }
}

/// A visitor id in the shape the Website API requires; it has no pageview on any fixture.
const VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";

/// Whether the route belongs to the Website API, which names its website in the query.
fn is_website_api(path: &str) -> bool {
    path.starts_with("/api/v1/") && !path.starts_with("/api/v1/admin/")
}

/// The concrete URL of `route` on `fixture`: path ids filled in and, on the Website API,
/// `?websiteId=` plus the filters a delete needs.
fn concrete_route(method: &str, path: &str, fixture: &Fixture) -> String {
    let url = concrete(path, fixture);
    if !is_website_api(path) {
        return url;
    }
    let filters = match (method, path) {
        ("GET", "/api/v1/analytics/timeseries") => "&fields=visitors&interval=day".to_owned(),
        ("DELETE", "/api/v1/goals") => format!("&datafast_visitor_id={VISITOR}"),
        ("DELETE", "/api/v1/payments") => "&transaction_id=tx_unknown".to_owned(),
        _ => String::new(),
    };
    format!("{url}?websiteId={}{filters}", fixture.website)
}

fn concrete(path: &str, fixture: &Fixture) -> String {
    path.replace("{websiteId}", &fixture.website)
        .replace("{visitorId}", VISITOR)
        .replace("{funnelId}", &fixture.funnel)
        .replace("{alertId}", &fixture.alert)
        .replace("{apiKeyId}", &fixture.api_key)
        .replace("{tokenId}", &fixture.token)
        .replace("{invitationId}", &fixture.invitation)
        .replace("{provider}", "stripe")
}

/// A valid body for each route, so that passing the policy means success or a non-auth error.
fn body_for(method: &str, path: &str, permission: &str, n: usize) -> Option<Value> {
    let body = match (method, path.rsplit('/').next().unwrap_or_default()) {
        ("POST", "access-tokens") => json!({"permissions": [permission]}),
        ("POST", "websites") => json!({"domain": format!("new{n}.example.org")}),
        ("PUT", "{websiteId}") => json!({"name": "renamed"}),
        ("PUT", "account") => json!({"name": "Renamed"}),
        ("POST", "apikeys") => json!({"name": "k2"}),
        ("PATCH", "customizations") => json!({"goalName": "signup", "displayName": "Sign up"}),
        ("POST", "funnels") => {
            json!({"name": format!("G{n}"), "steps": [{"type": "pageview", "url": "/"}, {"type": "pageview", "url": "/b"}]})
        }
        ("PUT", "{funnelId}") => json!({"isActive": false}),
        ("POST", "alerts") => {
            json!({"name": "B", "trigger": {"goalName": "x"}, "template": {"message": "Something happened."}})
        }
        ("PUT", "{alertId}") => json!({"isEnabled": false}),
        ("POST", "team") => json!({"email": format!("new{n}@example.com")}),
        ("DELETE", "team") => json!({"userId": "665f0b3c4d2e1a0012345678"}),
        ("POST", "stripe") => json!({"stripeRak": "rk_live_51Habcdefghijkl"}),
        ("POST", "lemonsqueezy") => {
            json!({"lemonsqueezyApiKey": "key", "lemonsqueezyStoreId": "1"})
        }
        ("POST", "polar") => {
            json!({"polarAccessToken": "t", "polarOrgId": "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60"})
        }
        ("POST", "paddle") => json!({"paddleApiKey": "pdl_live_apikey_01abcdef"}),
        ("PUT", "webhook") => json!({"signingSecret": "whsec_matrix0123456789"}),
        ("POST", "accept") => json!({}),
        ("POST", "goals") => json!({"datafast_visitor_id": VISITOR, "name": "signup"}),
        ("POST", "payments") => {
            json!({"amount": 9.5, "currency": "USD", "transaction_id": format!("tx_{n}")})
        }
        ("POST", "identify") => json!({"datafast_visitor_id": VISITOR, "user_id": "user_1"}),
        (_, _) => return None,
    };
    Some(body)
}

fn method(name: &str) -> Method {
    Method::from_bytes(name.as_bytes()).expect("method")
}

/// Every permission that does not grant `route_permission`: the visitors routes also accept
/// `analytics:read` (DataFast documents no permission of their own for them), so a token
/// meant to lack `visitors:read` must lack that one too.
fn every_permission_but(route_permission: &str) -> Vec<&'static str> {
    let also_grants: &[&str] = if route_permission == "visitors:read" {
        &["analytics:read"]
    } else {
        &[]
    };
    Permission::ALL
        .iter()
        .map(|p| p.as_str())
        .filter(|p| *p != route_permission && !also_grants.contains(p))
        .collect()
}

/// The permissions that let a token through `route`: its own, and for the two routes that
/// hand authority on, what is handed on. An invitation (the fixture's invites a viewer) needs
/// every permission a viewer exercises; accepting one needs the account's whole authority.
/// Rolling needs the key's permissions too, which the fixture's key (issued by a token holding
/// only `api-keys:write`) keeps at the route's own.
fn allowing(method: &str, path: &str, permission: &'static str) -> Vec<&'static str> {
    match (method, path.rsplit('/').next().unwrap_or_default()) {
        ("POST", "team") => {
            let mut held = vec![permission];
            held.extend(
                Role::Viewer
                    .website_permissions()
                    .iter()
                    .map(|p| p.as_str()),
            );
            held
        }
        ("POST", "accept") => vec!["*"],
        _ => vec![permission],
    }
}

#[tokio::test]
async fn every_route_allows_exactly_its_permission() {
    let app = spawn_app().await;
    let routes: Vec<_> = datafast_http::route_table()
        .into_iter()
        .filter(|route| route.permission.is_some())
        .collect();
    assert!(
        routes.len() >= 40,
        "the route table looks incomplete: {}",
        routes.len()
    );
    for (n, route) in routes.iter().enumerate() {
        let permission = route.permission.expect("filtered");
        let fixture = fixture(&app, n).await;
        let path = concrete_route(route.method, route.path, &fixture);
        let body = body_for(route.method, route.path, permission, n);
        let label = format!("{} {}", route.method, route.path);

        // Deny: everything but the one permission.
        let without = app
            .create_token(&every_permission_but(permission), &[])
            .await;
        let (status, reply) = app
            .send(method(route.method), &without, &path, body.clone())
            .await;
        assert_error(status, &reply, 403);
        let message = reply["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(permission),
            "{label}: 403 must name {permission}: {message}"
        );

        // Allow: exactly the one permission, plus what the route hands on (see below).
        let with = app
            .create_token(&allowing(route.method, route.path, permission), &[])
            .await;
        let (status, reply) = app.send(method(route.method), &with, &path, body).await;
        if route.method == "DELETE" && route.path == "/api/v1/admin/websites/{websiteId}" {
            // Deletion passes the policy, then is refused as documented.
            assert_error(status, &reply, 403);
            assert!(
                !reply["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("permission")
            );
        } else {
            assert!(
                status != 401 && status != 403,
                "{label} with {permission}: {status} {reply}"
            );
            assert!(status < 500, "{label}: {status} {reply}");
        }
    }
}

#[tokio::test]
async fn a_website_key_of_another_website_is_refused_everywhere() {
    let app = spawn_app().await;
    let target = fixture(&app, 0).await;
    let elsewhere = app.create_website("elsewhere.example.com").await;
    let foreign_key = app.create_api_key(&elsewhere).await;
    for (n, route) in datafast_http::route_table().into_iter().enumerate() {
        // Public routes take no credential; a webhook's signature is its admission.
        let Some(permission) = route.permission else {
            continue;
        };
        if !route.path.contains("{websiteId}") && !is_website_api(route.path) {
            continue;
        }
        let path = concrete_route(route.method, route.path, &target);
        let body = body_for(route.method, route.path, permission, n);
        let (status, reply) = app
            .send(method(route.method), &foreign_key, &path, body)
            .await;
        assert_error(status, &reply, 403);
    }
}

#[tokio::test]
async fn owner_only_routes_refuse_members_and_viewers() {
    let app = spawn_app().await;
    let fixture = fixture(&app, 0).await;
    let member = app
        .add_member(&fixture.website, "member@example.com", "member")
        .await;
    let viewer = app
        .add_member(&fixture.website, "viewer@example.com", "viewer")
        .await;
    let owner_only: Vec<_> = datafast_http::route_table()
        .into_iter()
        .filter(|route| route.owner_only)
        .collect();
    assert!(
        owner_only.len() >= 3,
        "team invite, team remove and website delete are owner-only"
    );
    for (n, route) in owner_only.iter().enumerate() {
        let permission = route.permission.unwrap_or_default();
        let path = concrete_route(route.method, route.path, &fixture);
        for token in [&member, &viewer] {
            let body = body_for(route.method, route.path, permission, 100 + n);
            let (status, reply) = app.send(method(route.method), token, &path, body).await;
            assert_error(status, &reply, 403);
        }
    }
}

#[tokio::test]
async fn viewers_are_refused_every_write_and_allowed_every_read() {
    let app = spawn_app().await;
    let fixture = fixture(&app, 0).await;
    let viewer = app
        .add_member(&fixture.website, "viewer@example.com", "viewer")
        .await;
    for (n, route) in datafast_http::route_table().into_iter().enumerate() {
        let Some(permission) = route.permission else {
            continue;
        };
        if !route.path.contains("{websiteId}") && !is_website_api(route.path) {
            continue;
        }
        let write = Permission::parse(permission).is_some_and(Permission::is_write);
        let path = concrete_route(route.method, route.path, &fixture);
        let body = body_for(route.method, route.path, permission, 200 + n);
        let (status, reply) = app.send(method(route.method), &viewer, &path, body).await;
        if write {
            assert_error(status, &reply, 403);
        } else if route.path.ends_with("{visitorId}") {
            // Allowed, and the fixture's visitor has no pageview: the documented 404.
            assert_error(status, &reply, 404);
        } else {
            assert_eq!(status, 200, "{} {}: {reply}", route.method, route.path);
        }
    }
}
