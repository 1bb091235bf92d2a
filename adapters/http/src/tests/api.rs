//! The adapter end to end in-process: the real application (routes, extractors, middleware)
//! over the real use cases, on the in-memory store. Envelope on every failure, authentication,
//! one success path per route group, the 4 KB customization limit, and rate limiting.

use std::collections::HashSet;
use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use actix_web::test::{self, TestRequest};
use serde_json::{Value, json};

use datafast_application::Services;
use datafast_application::{NewAccount, NewToken};
use datafast_domain::account::Email;
use datafast_domain::goal::PALETTE;
use datafast_domain::permission::Permission;
use datafast_memory::MemoryStore;
use datafast_provider_fakes::{Account, FakeProviders};
use datafast_providers::{ProviderClients, ProviderEndpoints};
use datafast_secrets::{AeadVault, HmacHasher, OsRandom};

use super::clock::FixedClock;
use crate::{AppState, HttpConfig, RateLimit, application, route_table};

const ADMIN: &str = "/api/v1/admin";

/// The real use cases over the in-memory store and the real secrets, with time held still.
pub(super) fn services() -> Services {
    Services::new(
        Arc::new(MemoryStore::new()),
        Arc::new(FixedClock),
        Arc::new(OsRandom),
        Arc::new(HmacHasher::new([3; 32])),
        Arc::new(AeadVault::new([4; 32])),
    )
}

/// A full-access token for the account with `email`, created as the server's bootstrap does.
pub(super) async fn token_for(services: &Services, email: &str) -> String {
    let (account, _) = services
        .accounts()
        .ensure(NewAccount {
            email: Email::parse(email).unwrap(),
            name: None,
        })
        .await
        .unwrap();
    let issued = services
        .tokens()
        .issue_for(&account, NewToken::default())
        .await
        .unwrap();
    issued.raw.expose().to_owned()
}

pub(super) fn unlimited() -> HttpConfig {
    HttpConfig {
        rate_limit: RateLimit {
            per_minute: 0,
            burst: 0,
        },
        ..HttpConfig::default()
    }
}

pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: Value,
}

pub(super) async fn call<S, B>(app: &S, request: TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = test::read_body(response).await;
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Reply {
        status,
        headers,
        body,
    }
}

fn authed(request: TestRequest, token: &str) -> TestRequest {
    request.insert_header(("Authorization", format!("Bearer {token}")))
}

pub(super) fn get(path: &str, token: &str) -> TestRequest {
    authed(TestRequest::get().uri(path), token)
}

pub(super) fn with_json(request: TestRequest, token: &str, body: Value) -> TestRequest {
    authed(request, token).set_json(body)
}

/// Creates `example.com` as `owner` and returns the created row.
pub(super) async fn create_website<S, B>(app: &S, owner: &str) -> Value
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let created = call(
        app,
        with_json(
            TestRequest::post().uri(&format!("{ADMIN}/websites")),
            owner,
            json!({"domain": "example.com"}),
        ),
    )
    .await;
    assert_ok(&created).clone()
}

#[track_caller]
pub(super) fn assert_error(reply: &Reply, expected: u16) {
    assert_eq!(reply.status.as_u16(), expected, "body: {}", reply.body);
    assert_eq!(reply.body["status"], "error", "{}", reply.body);
    assert_eq!(reply.body["error"]["code"], expected, "{}", reply.body);
    assert!(
        !reply.body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .is_empty()
    );
}

#[track_caller]
pub(super) fn assert_ok(reply: &Reply) -> &Value {
    assert_eq!(reply.status, StatusCode::OK, "body: {}", reply.body);
    assert_eq!(reply.body["status"], "success");
    assert!(reply.body["data"].is_array(), "{}", reply.body);
    &reply.body["data"][0]
}

#[actix_web::test]
async fn failures_outside_handlers_answer_in_the_envelope() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let config = HttpConfig {
        max_body_bytes: 1024,
        ..unlimited()
    };
    let app = test::init_service(application(AppState::new(services, &config))).await;
    let websites = format!("{ADMIN}/websites");

    assert_error(&call(&app, get("/nowhere", &owner)).await, 404);
    assert_error(
        &call(&app, get(&format!("{ADMIN}/nothing"), &owner)).await,
        404,
    );

    let reply = call(&app, authed(TestRequest::patch().uri(&websites), &owner)).await;
    assert_error(&reply, 405);
    assert_eq!(reply.headers.get("allow").unwrap(), "GET, POST");

    let text = authed(TestRequest::post().uri(&websites), &owner)
        .insert_header(("Content-Type", "text/plain"))
        .set_payload(r#"{"domain":"example.com"}"#);
    assert_error(&call(&app, text).await, 415);

    let malformed = authed(TestRequest::post().uri(&websites), &owner)
        .insert_header(("Content-Type", "application/json"))
        .set_payload(r#"{"domain": "#);
    assert_error(&call(&app, malformed).await, 400);

    let array = with_json(TestRequest::post().uri(&websites), &owner, json!([1, 2, 3]));
    assert_error(&call(&app, array).await, 400);

    let wrong_type = with_json(
        TestRequest::post().uri(&websites),
        &owner,
        json!({"domain": 12}),
    );
    let reply = call(&app, wrong_type).await;
    assert_error(&reply, 400);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'domain'")
    );

    let huge = json!({"domain": "example.com", "name": "x".repeat(2000)});
    let reply = call(
        &app,
        with_json(TestRequest::post().uri(&websites), &owner, huge),
    )
    .await;
    assert_error(&reply, 413);
    assert_eq!(
        reply.body["error"]["message"],
        "Request body is larger than 1 KB"
    );

    let reply = call(&app, get(&format!("{websites}/not-an-id"), &owner)).await;
    assert_error(&reply, 400);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("Invalid websiteId")
    );

    // Nothing above created anything.
    assert_eq!(
        call(&app, get(&websites, &owner)).await.body["data"],
        json!([])
    );
}

#[actix_web::test]
async fn requests_without_a_valid_bearer_are_401() {
    let services = services();
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    let account = format!("{ADMIN}/account");

    let reply = call(&app, TestRequest::get().uri(&account)).await;
    assert_error(&reply, 401);
    assert_eq!(reply.headers.get("www-authenticate").unwrap(), "Bearer");

    let basic = TestRequest::get()
        .uri(&account)
        .insert_header(("Authorization", "Basic dXNlcjpwYXNz"));
    assert_error(&call(&app, basic).await, 401);
    let unknown = format!("dft_{}", "0".repeat(64));
    assert_error(&call(&app, get(&account, &unknown)).await, 401);
    // The body is never looked at before the caller is known.
    let anonymous_post = TestRequest::post()
        .uri(&format!("{ADMIN}/websites"))
        .set_json(json!({"domain": 12}));
    assert_error(&call(&app, anonymous_post).await, 401);

    let health = call(&app, TestRequest::get().uri("/health")).await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.body, json!({"status": "ok"}));
}

#[actix_web::test]
async fn account_tokens_and_websites() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;

    let reply = call(&app, get(&format!("{ADMIN}/account"), &owner)).await;
    let account = assert_ok(&reply);
    assert_eq!(account["email"], "owner@example.com");
    assert_eq!(account["_id"], account["id"]);
    assert_eq!(account["planType"], "self-hosted");
    assert!(account.get("websiteId").is_none());
    let renamed = with_json(
        TestRequest::put().uri(&format!("{ADMIN}/account")),
        &owner,
        json!({"name": "Jane"}),
    );
    assert_eq!(assert_ok(&call(&app, renamed).await)["name"], "Jane");

    let tokens = format!("{ADMIN}/access-tokens");
    let reply = call(
        &app,
        with_json(TestRequest::post().uri(&tokens), &owner, json!({})),
    )
    .await;
    let created = assert_ok(&reply).clone();
    assert!(created["key"].as_str().unwrap().starts_with("dft_"));
    assert_eq!(created["permissions"], json!(["*"]));
    assert_eq!(created["websiteIds"], json!([]));
    assert_eq!(created["scope"], "user");
    let listed = call(&app, get(&tokens, &owner)).await;
    assert_ok(&listed);
    assert!(
        listed.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("key").is_none())
    );
    let bad = with_json(
        TestRequest::post().uri(&tokens),
        &owner,
        json!({"websiteIds": ["nope"]}),
    );
    let reply = call(&app, bad).await;
    assert_error(&reply, 400);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("websiteIds[0]")
    );
    let id = created["_id"].as_str().unwrap();
    let deleted = call(
        &app,
        authed(TestRequest::delete().uri(&format!("{tokens}/{id}")), &owner),
    )
    .await;
    assert_eq!(
        assert_ok(&deleted)["message"],
        "Access token deleted successfully"
    );

    let websites = format!("{ADMIN}/websites");
    let reply = call(
        &app,
        with_json(
            TestRequest::post()
                .uri(&websites)
                .insert_header(("host", "analytics.example.com")),
            &owner,
            json!({"domain": "example.com", "timezone": "America/New_York", "name": "Example", "_id": "ignored"}),
        ),
    )
    .await;
    let created = assert_ok(&reply).clone();
    let website = created["websiteId"].as_str().unwrap().to_owned();
    assert_eq!(created["_id"], website.as_str());
    let tracking = created["trackingId"].as_str().unwrap();
    assert_eq!(
        created["snippet"],
        format!(
            "<script defer data-website-id=\"{tracking}\" data-domain=\"example.com\" src=\"http://analytics.example.com/js/script.js\"></script>"
        )
    );
    let listed = call(&app, get(&websites, &owner)).await;
    assert_eq!(assert_ok(&listed)["role"], "owner");

    let one = format!("{websites}/{website}");
    let update = json!({"kpi": "signup", "kpiColorScheme": "green", "excludedCountries": ["fr"]});
    let reply = call(
        &app,
        with_json(TestRequest::put().uri(&one), &owner, update),
    )
    .await;
    let updated = assert_ok(&reply);
    assert_eq!(updated["kpi"], "signup");
    assert_eq!(updated["excludedCountries"], json!(["FR"]));
    assert_eq!(updated["name"], "Example", "fields not sent are kept");
    let cleared = call(
        &app,
        with_json(TestRequest::put().uri(&one), &owner, json!({"kpi": null})),
    )
    .await;
    assert!(assert_ok(&cleared)["kpi"].is_null());
    let reply = call(
        &app,
        with_json(
            TestRequest::put().uri(&one),
            &owner,
            json!({"isCookieless": "yes"}),
        ),
    )
    .await;
    assert_error(&reply, 400);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("isCookieless")
    );
    let reply = call(
        &app,
        with_json(
            TestRequest::put().uri(&one),
            &owner,
            json!({"excludedIps": ["1.1.1.1", "999.1.1.1"]}),
        ),
    )
    .await;
    assert_error(&reply, 400);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("excludedIps[1]")
    );
    assert_error(
        &call(&app, authed(TestRequest::delete().uri(&one), &owner)).await,
        403,
    );
}

#[actix_web::test]
async fn keys_goals_funnels_and_alerts() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&format!("{ADMIN}/websites")),
            &owner,
            json!({"domain": "example.com"}),
        ),
    )
    .await;
    let site = format!(
        "{ADMIN}/websites/{}",
        assert_ok(&reply)["websiteId"].as_str().unwrap()
    );

    // API keys: created and rolled with the raw value once, listed masked, deleted.
    let keys = format!("{site}/apikeys");
    let reply = call(&app, authed(TestRequest::post().uri(&keys), &owner)).await;
    let key = assert_ok(&reply).clone();
    assert_eq!(
        key["name"], "API key",
        "a key without a body gets the default name"
    );
    let raw = key["key"].as_str().unwrap().to_owned();
    assert!(raw.starts_with("df_"));
    let by_key = call(&app, get(&format!("{ADMIN}/account"), &raw)).await;
    assert_eq!(assert_ok(&by_key)["websiteId"], key["websiteId"]);
    let key_path = format!("{keys}/{}", key["_id"].as_str().unwrap());
    let rolled = call(&app, authed(TestRequest::put().uri(&key_path), &owner)).await;
    assert_ne!(assert_ok(&rolled)["key"], raw.as_str());
    let listed = call(&app, get(&keys, &owner)).await;
    assert!(assert_ok(&listed).get("key").is_none());
    assert!(assert_ok(&listed).get("lastUsedAt").is_some());
    let deleted = call(&app, authed(TestRequest::delete().uri(&key_path), &owner)).await;
    assert_eq!(assert_ok(&deleted)["deleted"], true);

    // Goals and customizations with the palette.
    assert_ok(&call(&app, get(&format!("{site}/goals"), &owner)).await);
    let customizations = format!("{site}/goals/customizations");
    let patch = json!({"goalName": "Signup", "displayName": "Sign up", "color": "#8DCDFF"});
    let reply = call(
        &app,
        with_json(TestRequest::patch().uri(&customizations), &owner, patch),
    )
    .await;
    assert_eq!(assert_ok(&reply)["color"], "#8dcdff");
    assert_eq!(
        reply.body["colors"].as_array().unwrap().len(),
        PALETTE.len()
    );
    let clear = json!({"goalName": "signup", "color": null});
    let reply = call(
        &app,
        with_json(TestRequest::patch().uri(&customizations), &owner, clear),
    )
    .await;
    assert!(assert_ok(&reply)["color"].is_null());
    assert_eq!(
        assert_ok(&reply)["displayName"],
        "Sign up",
        "absent fields are kept"
    );
    let reply = call(
        &app,
        get(&format!("{customizations}?goalName=signup"), &owner),
    )
    .await;
    assert_eq!(reply.body["data"].as_array().unwrap().len(), 1);

    // Funnels.
    let funnels = format!("{site}/funnels");
    let spec = json!({"name": "Signup funnel", "steps": [
        {"name": "Landing page", "type": "pageview", "url": "/"},
        {"name": "Signed up", "type": "goal", "goalName": "signup"}
    ]});
    let reply = call(
        &app,
        with_json(TestRequest::post().uri(&funnels), &owner, spec),
    )
    .await;
    let funnel = assert_ok(&reply).clone();
    assert_eq!(funnel["slug"], "signup-funnel");
    assert_eq!(
        funnel["steps"][1],
        json!({"id": "signed-up", "name": "Signed up", "type": "goal", "goalName": "signup"})
    );
    let funnel_path = format!("{funnels}/{}", funnel["_id"].as_str().unwrap());
    assert_eq!(
        assert_ok(&call(&app, get(&funnel_path, &owner)).await)["name"],
        "Signup funnel"
    );
    let disabled = call(
        &app,
        with_json(
            TestRequest::put().uri(&funnel_path),
            &owner,
            json!({"isActive": false}),
        ),
    )
    .await;
    assert_eq!(assert_ok(&disabled)["isActive"], false);
    assert!(
        call(&app, get(&funnels, &owner)).await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let all = call(
        &app,
        get(&format!("{funnels}?includeInactive=true"), &owner),
    )
    .await;
    assert_eq!(all.body["data"].as_array().unwrap().len(), 1);
    let bad_step = json!({"name": "x", "steps": [{"type": "pageview", "url": "/"}, {"type": "pageview", "url": 3}]});
    let reply = call(
        &app,
        with_json(TestRequest::post().uri(&funnels), &owner, bad_step),
    )
    .await;
    assert_error(&reply, 400);
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("steps[1].url")
    );
    let deleted = call(
        &app,
        authed(TestRequest::delete().uri(&funnel_path), &owner),
    )
    .await;
    assert_eq!(assert_ok(&deleted)["deleted"], true);

    // Alerts and their history.
    let alerts = format!("{site}/alerts");
    let spec = json!({"name": "New signup", "trigger": {"goalName": " SignUp "},
        "template": {"subject": "New signup", "message": "A visitor completed signup."}});
    let reply = call(
        &app,
        with_json(TestRequest::post().uri(&alerts), &owner, spec),
    )
    .await;
    let alert = assert_ok(&reply).clone();
    assert_eq!(
        alert["trigger"],
        json!({"type": "goal", "goalName": "signup"})
    );
    assert_eq!(alert["destination"], json!({"type": "email"}));
    assert_eq!(alert["recentLogs"], json!([]));
    let alert_path = format!("{alerts}/{}", alert["_id"].as_str().unwrap());
    let change = json!({"template": {"message": "Someone signed up just now."}, "destination": {"webhookUrl": "https://hooks.example.com/x"}});
    let reply = call(
        &app,
        with_json(TestRequest::put().uri(&alert_path), &owner, change),
    )
    .await;
    let updated = assert_ok(&reply);
    assert_eq!(updated["template"]["subject"], "New signup");
    assert_eq!(
        updated["destination"]["webhookUrl"],
        "https://hooks.example.com/x"
    );
    assert_eq!(
        assert_ok(&call(&app, get(&alert_path, &owner)).await)["recentLogs"],
        json!([])
    );
    let history = call(&app, get(&format!("{alerts}/history?limit=10"), &owner)).await;
    assert_ok(&history);
    assert_eq!(
        history.body["counts"],
        json!({"sent": 0, "failed": 0, "total": 0})
    );
    assert_error(
        &call(&app, get(&format!("{alerts}/history?limit=abc"), &owner)).await,
        400,
    );
    assert_error(
        &call(&app, get(&format!("{alerts}/history?alertId=nope"), &owner)).await,
        400,
    );
    let missing = call(
        &app,
        with_json(
            TestRequest::post().uri(&alerts),
            &owner,
            json!({"name": "x"}),
        ),
    )
    .await;
    assert_error(&missing, 400);
    assert!(
        missing.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("'trigger'")
    );
    let deleted = call(&app, authed(TestRequest::delete().uri(&alert_path), &owner)).await;
    assert_eq!(assert_ok(&deleted)["deleted"], true);
}

/// The real provider connectors, pointed at local fakes of the providers' APIs that accept the
/// credentials this file connects.
pub(super) async fn providers_faked(fakes: &FakeProviders) -> Arc<ProviderClients> {
    fakes
        .stripe
        .add_key("rk_live_51HsecretSTRIPEvalue", Account::default());
    fakes
        .paddle
        .add_key("pdl_live_apikey_01abcdef", Account::default());
    let endpoints = ProviderEndpoints {
        stripe: fakes.stripe.base_url().to_owned(),
        lemonsqueezy: fakes.lemonsqueezy.base_url().to_owned(),
        polar: fakes.polar.base_url().to_owned(),
        paddle: fakes.paddle.base_url().to_owned(),
        paddle_sandbox: fakes.paddle.base_url().to_owned(),
    };
    Arc::new(ProviderClients::new(&endpoints, std::time::Duration::from_secs(5)).unwrap())
}

#[actix_web::test]
async fn team_invitations_and_integrations() {
    let fakes = FakeProviders::start().await.unwrap();
    let services = services().with_payment_providers(providers_faked(&fakes).await);
    let owner = token_for(&services, "owner@example.com").await;
    let invitee = token_for(&services, "member@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&format!("{ADMIN}/websites")),
            &owner,
            json!({"domain": "example.com"}),
        ),
    )
    .await;
    let website = assert_ok(&reply)["websiteId"].as_str().unwrap().to_owned();
    let site = format!("{ADMIN}/websites/{website}");

    let team = format!("{site}/team");
    let invite = json!({"email": "Member@Example.com", "role": "member"});
    let reply = call(
        &app,
        with_json(TestRequest::post().uri(&team), &owner, invite),
    )
    .await;
    let invitation = assert_ok(&reply).clone();
    let id = invitation["invitationId"].as_str().unwrap();
    assert_eq!(invitation["status"], "pending");
    assert_eq!(
        invitation["acceptPath"],
        format!("/api/v1/admin/invitations/{id}/accept")
    );
    let listed = call(&app, get(&team, &owner)).await;
    assert_ok(&listed);
    assert_eq!(listed.body["data"][1]["status"], "pending");
    assert!(listed.body["data"][1]["userId"].is_null());

    let mine = call(&app, get(&format!("{ADMIN}/invitations"), &invitee)).await;
    assert_eq!(assert_ok(&mine)["invitationId"], id);
    let accept = authed(
        TestRequest::post().uri(&format!("{ADMIN}/invitations/{id}/accept")),
        &invitee,
    );
    let accepted = call(&app, accept).await;
    assert_eq!(assert_ok(&accepted)["role"], "member");
    assert_eq!(assert_ok(&accepted)["websiteId"], website.as_str());
    let listed = call(&app, get(&team, &owner)).await;
    let member = listed.body["data"][1].clone();
    assert_eq!(member["status"], "active");
    // Members may not change the team.
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&team),
            &invitee,
            json!({"email": "x@example.com"}),
        ),
    )
    .await;
    assert_error(&reply, 403);
    let removal = json!({"userId": member["userId"]});
    let reply = call(
        &app,
        with_json(TestRequest::delete().uri(&team), &owner, removal),
    )
    .await;
    assert_eq!(assert_ok(&reply)["message"], "Team member removed");

    let integrations = format!("{site}/integrations");
    let stripe = json!({"stripeRak": "rk_live_51HsecretSTRIPEvalue"});
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&format!("{integrations}/stripe")),
            &owner,
            stripe,
        ),
    )
    .await;
    assert_eq!(
        assert_ok(&reply),
        &json!({"message": "Stripe connected successfully", "currency": "USD"})
    );
    let paddle = json!({"paddleApiKey": "pdl_live_apikey_01abcdef"});
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&format!("{integrations}/paddle")),
            &owner,
            paddle,
        ),
    )
    .await;
    assert_eq!(
        assert_ok(&reply),
        &json!({"message": "Paddle connected successfully"})
    );
    let bad = json!({"stripeRak": "sk_live_51Habcdefghijkl"});
    assert_error(
        &call(
            &app,
            with_json(
                TestRequest::post().uri(&format!("{integrations}/stripe")),
                &owner,
                bad,
            ),
        )
        .await,
        400,
    );
    let status = call(&app, get(&integrations, &owner)).await;
    let row = assert_ok(&status);
    assert_eq!(row["stripe"]["connected"], true);
    assert!(row["stripe"]["connectedAt"].is_string());
    // The webhook URL is told before a webhook is set up: the provider asks for it first.
    let polar_webhook = row["polar"]["webhookUrl"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        polar_webhook.starts_with("http://")
            && polar_webhook.ends_with(&format!("/api/webhooks/polar/{website}")),
        "{polar_webhook}"
    );
    assert_eq!(
        row["polar"],
        json!({"connected": false, "connectedAt": null, "lastSyncAt": null, "lastError": null,
               "importedPayments": 0, "webhookUrl": polar_webhook, "webhookConfigured": false})
    );
    // Shopify and WooCommerce are not imported from: DataFast's fields only.
    assert_eq!(
        row["shopify"],
        json!({"connected": false, "connectedAt": null})
    );
    assert_eq!(row["paddle"]["keyExpiresAt"], Value::Null);
    assert_eq!(row["currency"], "USD");
    assert!(!status.body.to_string().contains("secretSTRIPE"));
    let reply = call(
        &app,
        authed(
            TestRequest::delete().uri(&format!("{integrations}/shopify")),
            &owner,
        ),
    )
    .await;
    assert_eq!(
        assert_ok(&reply)["message"],
        "Shopify disconnected successfully"
    );
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&format!("{integrations}/shopify")),
            &owner,
            json!({}),
        ),
    )
    .await;
    assert_error(&reply, 405);
}

#[actix_web::test]
async fn customizations_refuse_bodies_over_4_kb_before_parsing() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    let reply = call(
        &app,
        with_json(
            TestRequest::post().uri(&format!("{ADMIN}/websites")),
            &owner,
            json!({"domain": "example.com"}),
        ),
    )
    .await;
    let site = format!(
        "{ADMIN}/websites/{}",
        assert_ok(&reply)["websiteId"].as_str().unwrap()
    );
    let path = format!("{site}/goals/customizations");

    let big = json!({"goalName": "signup", "description": "x".repeat(5000)});
    let reply = call(
        &app,
        with_json(TestRequest::patch().uri(&path), &owner, big),
    )
    .await;
    assert_error(&reply, 413);
    assert_eq!(
        reply.body["error"]["message"],
        "Request body is larger than 4 KB"
    );
    // Even a body that is not JSON at all is refused for its size first.
    let junk = authed(TestRequest::patch().uri(&path), &owner)
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{".repeat(5000));
    assert_error(&call(&app, junk).await, 413);
    assert!(
        call(&app, get(&path, &owner)).await.body["data"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // The same size is fine on a route with the general limit.
    let name = json!({"name": "y".repeat(90), "padding": "z".repeat(5000)});
    assert_ok(&call(&app, with_json(TestRequest::put().uri(&site), &owner, name)).await);
}

#[actix_web::test]
async fn rate_limits_count_down_refuse_with_429_and_are_per_credential() {
    let services = services();
    let first = token_for(&services, "one@example.com").await;
    let second = token_for(&services, "two@example.com").await;
    let config = HttpConfig {
        rate_limit: RateLimit {
            per_minute: 60,
            burst: 3,
        },
        ..HttpConfig::default()
    };
    let app = test::init_service(application(AppState::new(services, &config))).await;
    let account = format!("{ADMIN}/account");

    let mut remaining = Vec::new();
    for _ in 0..3 {
        let reply = call(&app, get(&account, &first)).await;
        assert_ok(&reply);
        assert_eq!(reply.headers.get("x-ratelimit-limit").unwrap(), "3");
        assert!(reply.headers.contains_key("x-ratelimit-reset"));
        remaining.push(
            reply
                .headers
                .get("x-ratelimit-remaining")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let refused = call(&app, get(&account, &first)).await;
    assert_error(&refused, 429);
    assert!(
        refused
            .headers
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(refused.headers.get("x-ratelimit-remaining").unwrap(), "0");
    // Unknown admin paths spend the budget too, and answer with the headers.
    assert!(
        call(&app, get(&format!("{ADMIN}/nothing"), &second))
            .await
            .headers
            .contains_key("x-ratelimit-limit")
    );
    // Another credential has its own budget; the health check has none.
    assert_ok(&call(&app, get(&account, &second)).await);
    let health = call(&app, TestRequest::get().uri("/health")).await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(!health.headers.contains_key("x-ratelimit-limit"));
}

#[actix_web::test]
async fn disabled_rate_limiting_adds_no_headers() {
    let services = services();
    let owner = token_for(&services, "owner@example.com").await;
    let app = test::init_service(application(AppState::new(services, &unlimited()))).await;
    for _ in 0..5 {
        let reply = call(&app, get(&format!("{ADMIN}/account"), &owner)).await;
        assert_ok(&reply);
        assert!(!reply.headers.contains_key("x-ratelimit-limit"));
    }
}

#[test]
fn the_route_table_is_complete_and_consistent() {
    let routes = route_table();
    let mut seen = HashSet::new();
    for route in &routes {
        assert!(
            seen.insert((route.method, route.path)),
            "duplicate {} {}",
            route.method,
            route.path
        );
        let authenticated = route.path.starts_with("/api/v1/");
        if authenticated {
            let permission = route
                .permission
                .expect("Account and Website API routes need a permission");
            assert!(Permission::parse(permission).is_some(), "{permission}");
        } else {
            // Public routes (health, ingestion, the tracker) need no credential at all.
            assert_eq!(route.permission, None, "{} {}", route.method, route.path);
        }
    }
    assert_eq!(routes.len(), 81);
    let owner_only: Vec<_> = routes
        .iter()
        .filter(|r| r.owner_only)
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        owner_only,
        [
            ("DELETE", "/api/v1/admin/websites/{websiteId}"),
            ("POST", "/api/v1/admin/websites/{websiteId}/team"),
            ("DELETE", "/api/v1/admin/websites/{websiteId}/team"),
        ]
    );
    let position = |path: &str| routes.iter().position(|r| r.path == path).unwrap();
    assert!(
        position("/api/v1/admin/websites/{websiteId}/alerts/history")
            < position("/api/v1/admin/websites/{websiteId}/alerts/{alertId}")
    );
}

/// `build_server` on a real socket: bound on port 0, served by its own workers, stopped cleanly.
#[actix_web::test]
async fn build_server_serves_on_the_given_listener() {
    use std::io::{Read, Write};

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let config = HttpConfig {
        workers: 1,
        ..HttpConfig::default()
    };
    let server = crate::build_server(listener, services(), config).unwrap();
    let handle = server.handle();
    actix_web::rt::spawn(server);

    let raw = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /api/v1/admin/account HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        reply
    })
    .await
    .unwrap();
    handle.stop(true).await;

    assert!(raw.starts_with("HTTP/1.1 401"), "{raw}");
    assert!(
        raw.to_ascii_lowercase().contains("x-ratelimit-limit: 120"),
        "{raw}"
    );
    assert!(raw.contains(r#""status":"error""#), "{raw}");
}
