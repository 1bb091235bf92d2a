//! Explicit `null` in request bodies and empty query values, on every route that reads them.
//! A body field sent as `null` answers 400 in the envelope naming the field and changes
//! nothing, unless docs/openapi.json gives `null` among its types (the fields the API lets a
//! client clear), in which case it succeeds and the field comes back empty. A query parameter
//! sent empty (`?limit=`) answers 400 naming it and changes nothing. The routes come from the
//! route table and the fields and parameters from the OpenAPI document, so a new route, field
//! or parameter is covered as soon as it is documented; a route without an example request
//! here fails the test.

use datafast_ports::store::EventStore;
use datafast_provider_fakes::Account;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api_doc::{ApiDoc, BodyField};
use crate::helpers::{TestApp, spawn_app};

const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";
const SESSION: &str = "s7a403e54-0983-4d84-bd9e-f82db331bb8e";
/// Ids of things that do not exist, where a route only needs a well-formed one.
const UNKNOWN_ID: &str = "0123456789abcdef01234567";

/// What the example requests refer to: a website whose visitor has a pageview, a goal and a
/// payment, with a funnel, an alert and a goal customization.
struct World {
    website: String,
    tracking: String,
    funnel: String,
    alert: String,
}

/// A route as the test calls it, with its valid example request.
struct Call {
    method: Method,
    /// The path with ids filled in, without the query.
    path: String,
    /// Example bodies, each valid and holding every documented field (team removal needs two).
    bodies: Vec<Value>,
    query: Vec<(String, String)>,
    /// The documented operation.
    operation: Value,
}

#[derive(Default)]
struct Report {
    requests: usize,
    cases: usize,
    failures: Vec<String>,
}

impl Report {
    fn sent(&mut self) {
        self.requests += 1;
    }

    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.cases += 1;
        if !ok {
            self.failures.push(what());
        }
    }

    fn finish(self, title: &str) {
        assert!(
            self.failures.is_empty(),
            "{title}: {} of {} checks failed, over {} requests:\n{}",
            self.failures.len(),
            self.cases,
            self.requests,
            self.failures.join("\n")
        );
        eprintln!(
            "{title}: {} checks passed, over {} requests",
            self.cases, self.requests
        );
    }
}

#[tokio::test]
async fn explicit_null_is_refused_except_where_the_api_documents_it() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let doc = ApiDoc::load();
    let mut report = Report::default();
    for call in calls(&doc, &world, &mut report) {
        let Some(schema) = doc.body_schema(&call.operation) else {
            continue;
        };
        check_declared_fields_are_exercised(&doc, &schema, &call, &mut report);
        for body in &call.bodies {
            for field in doc.fields(&schema, body) {
                null_case(&app, &world, &call, body, &field, &mut report).await;
            }
        }
    }
    check_examples_are_valid(&app, &doc, &world, &mut report).await;
    report.finish("explicit null");
}

#[tokio::test]
async fn empty_query_values_are_refused_on_every_route() {
    let app = spawn_app().await;
    let world = world(&app).await;
    let doc = ApiDoc::load();
    let mut report = Report::default();
    for call in calls(&doc, &world, &mut report) {
        for name in doc.query_parameters(&call.operation) {
            empty_case(&app, &world, &call, &name, &mut report).await;
        }
    }
    check_examples_are_valid(&app, &doc, &world, &mut report).await;
    report.finish("empty query values");
}

async fn null_case(
    app: &TestApp,
    world: &World,
    call: &Call,
    body: &Value,
    field: &BodyField,
    report: &mut Report,
) {
    let sent = field.nulled(body);
    let before = snapshot(app, world).await;
    let (status, reply) = send(app, call, &call.query, Some(sent)).await;
    report.sent();
    let route = format!("{} {}", call.method, call.path);
    if field.nullable {
        let cleared = field.read(&reply["data"][0]).is_none_or(Value::is_null);
        report.check(status == 200 && cleared, || {
            format!(
                "{route}: {} null is documented as clearing it, got {status} {reply}",
                field.name
            )
        });
        return;
    }
    report.check(refusal_names(status, &reply, &field.name), || {
        format!(
            "{route}: {} null should be 400 naming it, got {status} {reply}",
            field.name
        )
    });
    let after = snapshot(app, world).await;
    report.check(before == after, || {
        format!(
            "{route}: {} null changed the data: {}",
            field.name,
            change(&before, &after)
        )
    });
}

async fn empty_case(app: &TestApp, world: &World, call: &Call, name: &str, report: &mut Report) {
    let mut query: Vec<(String, String)> = call
        .query
        .iter()
        .filter(|(key, _)| key != name)
        .cloned()
        .collect();
    query.push((name.to_owned(), String::new()));
    let writes = call.method != Method::GET;
    let before = if writes {
        snapshot(app, world).await
    } else {
        Vec::new()
    };
    let (status, reply) = send(app, call, &query, call.bodies.first().cloned()).await;
    report.sent();
    let route = format!("{} {}", call.method, call.path);
    report.check(refusal_names(status, &reply, name), || {
        format!("{route}: ?{name}= should be 400 naming it, got {status} {reply}")
    });
    if writes {
        let after = snapshot(app, world).await;
        report.check(before == after, || {
            format!(
                "{route}: ?{name}= changed the data: {}",
                change(&before, &after)
            )
        });
    }
}

/// A 400 in the error envelope whose message names `name` as a whole word.
fn refusal_names(status: u16, reply: &Value, name: &str) -> bool {
    let message = reply["error"]["message"].as_str().unwrap_or_default();
    status == 400
        && reply["status"] == "error"
        && reply["error"]["code"] == 400
        && message
            .split(|c: char| !(c.is_ascii_alphanumeric() || "_.[]-".contains(c)))
            .any(|word| word == name)
}

/// The example requests must themselves pass validation, or a refusal above could come from
/// another field. They run last, since some of them change the data (a delete deletes).
async fn check_examples_are_valid(app: &TestApp, doc: &ApiDoc, world: &World, report: &mut Report) {
    let mut quiet = Report::default();
    for call in calls(doc, world, &mut quiet) {
        let bodies: Vec<Option<Value>> = if call.bodies.is_empty() {
            vec![None]
        } else {
            call.bodies.iter().cloned().map(Some).collect()
        };
        for body in bodies {
            let (status, reply) = send(app, &call, &call.query, body).await;
            report.check(status != 400 && status < 500, || {
                format!(
                    "{} {}: the example request itself got {status} {reply}",
                    call.method, call.path
                )
            });
        }
    }
}

/// Every declared field of the body appears in one of the route's examples.
fn check_declared_fields_are_exercised(
    doc: &ApiDoc,
    schema: &Value,
    call: &Call,
    report: &mut Report,
) {
    let exercised: Vec<String> = call
        .bodies
        .iter()
        .flat_map(|body| doc.fields(schema, body))
        .map(|field| field.shape())
        .collect();
    for declared in doc.declared(schema, "") {
        report.check(exercised.contains(&declared), || {
            format!(
                "{} {}: the example body lacks the documented field {declared}",
                call.method, call.path
            )
        });
    }
}

/// Every registered route that takes a body or query parameters, with its example; a route
/// without one is a failure.
fn calls(doc: &ApiDoc, world: &World, report: &mut Report) -> Vec<Call> {
    let mut calls = Vec::new();
    for route in datafast_http::route_table() {
        let Some(operation) = doc.operation(route.method, route.path) else {
            continue; // the openapi test reports undocumented routes
        };
        let has_body = doc.body_schema(operation).is_some();
        let has_query = !doc.query_parameters(operation).is_empty();
        if !has_body && !has_query {
            continue;
        }
        let bodies = example_bodies(world, route.method, route.path);
        let query = example_query(world, route.method, route.path);
        let known = (!has_body || bodies.is_some()) && (!has_query || query.is_some());
        report.check(known, || {
            format!(
                "{} {}: no example request in this test; add one",
                route.method, route.path
            )
        });
        if known {
            calls.push(Call {
                method: route.method.parse().expect("an HTTP method"),
                path: fill_ids(world, route.path),
                bodies: bodies.unwrap_or_default(),
                query: query.unwrap_or_default(),
                operation: operation.clone(),
            });
        }
    }
    calls
}

fn fill_ids(world: &World, path: &str) -> String {
    path.replace("{websiteId}", &world.website)
        .replace("{funnelId}", &world.funnel)
        .replace("{alertId}", &world.alert)
        .replace("{visitorId}", VISITOR)
        .replace("{tokenId}", UNKNOWN_ID)
        .replace("{apiKeyId}", UNKNOWN_ID)
        .replace("{invitationId}", UNKNOWN_ID)
        .replace("{provider}", "stripe")
}

fn example_bodies(world: &World, method: &str, path: &str) -> Option<Vec<Value>> {
    let path = path.strip_prefix("/api/v1/admin").unwrap_or(path);
    let body = match (method, path) {
        ("PUT", "/account") => json!({"name": "Owner"}),
        ("POST", "/access-tokens") => json!({"name": "Null check",
            "permissions": ["analytics:read"], "websiteIds": [world.website]}),
        ("POST", "/websites") => json!({"domain": "null-check.example", "timezone": "UTC",
            "name": "Null check"}),
        ("PUT", "/websites/{websiteId}") => website_update(),
        ("POST", "/websites/{websiteId}/apikeys") => json!({"name": "Null check"}),
        ("PATCH", "/websites/{websiteId}/goals/customizations") => json!({"goalName": "signup",
            "displayName": "Signed up", "color": "#ef4444", "description": "Finished signup"}),
        ("POST", "/websites/{websiteId}/funnels") => funnel("Null check funnel"),
        ("PUT", "/websites/{websiteId}/funnels/{funnelId}") => funnel("World funnel"),
        (
            "POST" | "PUT",
            "/websites/{websiteId}/alerts" | "/websites/{websiteId}/alerts/{alertId}",
        ) => alert(),
        ("POST", "/websites/{websiteId}/team") => {
            json!({"email": "invitee@example.com", "role": "viewer"})
        }
        ("DELETE", "/websites/{websiteId}/team") => {
            return Some(vec![
                json!({"userId": UNKNOWN_ID}),
                json!({"invitationId": UNKNOWN_ID}),
            ]);
        }
        ("PUT", "/websites/{websiteId}/integrations/{provider}/webhook") => {
            json!({"signingSecret": "whsec_nullCheck0123456789"})
        }
        _ => return integration_body(path).or_else(|| website_api_body(world, method, path)),
    };
    Some(vec![body])
}

const STRIPE_KEY: &str = "rk_live_51AbCdEfGhIjKl";
const LEMON_KEY: &str = "ls-key";
const LEMON_STORE: &str = "12345";
const POLAR_TOKEN: &str = "polar_oat_x";
const POLAR_ORGANIZATION: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";
const PADDLE_KEY: &str = "pdl_live_apikey_0123456789abcdef";

fn integration_body(path: &str) -> Option<Vec<Value>> {
    let provider = path.strip_prefix("/websites/{websiteId}/integrations/")?;
    let body = match provider {
        "stripe" => json!({"stripeRak": STRIPE_KEY}),
        "lemonsqueezy" => {
            json!({"lemonsqueezyApiKey": LEMON_KEY, "lemonsqueezyStoreId": LEMON_STORE})
        }
        "polar" => json!({"polarAccessToken": POLAR_TOKEN, "polarOrgId": POLAR_ORGANIZATION}),
        "paddle" => json!({"paddleApiKey": PADDLE_KEY}),
        _ => return None,
    };
    Some(vec![body])
}

/// The providers accept the example credentials, so the examples connect.
fn accept_example_credentials(app: &TestApp) {
    let scoped = |scope: &str| Account {
        scope: Some(scope.to_owned()),
        ..Account::default()
    };
    app.providers.stripe.add_key(STRIPE_KEY, Account::default());
    app.providers
        .lemonsqueezy
        .add_key(LEMON_KEY, scoped(LEMON_STORE));
    app.providers
        .polar
        .add_key(POLAR_TOKEN, scoped(POLAR_ORGANIZATION));
    app.providers.paddle.add_key(PADDLE_KEY, Account::default());
}

fn website_api_body(world: &World, method: &str, path: &str) -> Option<Vec<Value>> {
    let body = match (method, path) {
        ("POST", "/api/events") => event(&world.tracking),
        // Unsigned: refused before its body is read, which is all this test can send.
        ("POST", "/api/webhooks/{provider}/{websiteId}") => {
            json!({"type": "charge.succeeded", "data": {"object": {"id": "ch_1"}}})
        }
        ("POST", "/api/v1/goals") => json!({"datafast_visitor_id": VISITOR, "visitorId": VISITOR,
            "name": "null_check", "description": "A check", "metadata": {"plan": "pro"}}),
        ("POST", "/api/v1/payments") => payment("tx_null_check"),
        ("POST", "/api/v1/identify") => {
            json!({"user_id": "user_1", "datafast_visitor_id": VISITOR, "visitorId": VISITOR})
        }
        _ => return None,
    };
    Some(vec![body])
}

fn website_update() -> Value {
    json!({
        "domain": "example.com", "name": "Example", "timezone": "UTC", "currency": "USD",
        "kpi": "signup", "kpiColorScheme": "orange", "revenueMetric": "revenue",
        "sendWeeklyReports": false, "sendViralTrafficAlerts": false,
        "isPublicDashboardEnabled": false, "isPublicDataEnabled": false, "isCookieless": false,
        "isAttackModeEnabled": false, "includeRenewalRevenue": true, "allowedHostnames": [],
        "isAllHostnamesAllowed": false, "excludedIps": [], "excludedPaths": [],
        "excludedCountries": [], "excludedHostnames": []
    })
}

fn funnel(name: &str) -> Value {
    json!({"name": name, "isActive": true, "steps": [
        {"name": "Landing", "type": "pageview", "url": "/"},
        {"name": "Signed up", "type": "goal", "goalName": "signup"}
    ]})
}

fn alert() -> Value {
    json!({
        "name": "World alert",
        "trigger": {"type": "goal", "goalName": "signup"},
        "destination": {"type": "email", "webhookUrl": "https://hooks.example.com/alert"},
        "template": {"subject": "New signup", "message": "A visitor signed up."},
        "isEnabled": true
    })
}

fn payment(transaction: &str) -> Value {
    json!({
        "amount": 29.99, "currency": "USD", "transaction_id": transaction,
        "datafast_visitor_id": VISITOR, "visitorId": VISITOR,
        "email": "buyer@example.com", "customer_email": "buyer@example.com",
        "name": "Ann", "customer_name": "Ann", "customer_id": "cus_1",
        "renewal": false, "refunded": false, "is_free_trial": false,
        "timestamp": "2026-01-01T00:00:00Z"
    })
}

/// A pageview with every field the tracker and the SDK send, on a page no other request uses,
/// so that a stored one shows in the pages report.
fn event(tracking: &str) -> Value {
    json!({
        "websiteId": tracking, "domain": "example.com", "visitorId": VISITOR,
        "sessionId": SESSION, "href": "https://example.com/null-check",
        "referrer": "https://www.google.com/", "type": "pageview",
        "viewport": {"width": 1280, "height": 800}, "adClickIds": {"gclid": "abc"},
        "extraData": {}, "cookieless": false,
        "visitorFirstSeenAt": "2026-01-01T00:00:00.000Z", "visitorSessionNumber": 1,
        "language": "en-US", "timezone": "Europe/Paris", "screenWidth": 1920,
        "screenHeight": 1080,
        "device": {"platform": "web", "osVersion": BROWSER, "model": "Browser"}
    })
}

fn example_query(world: &World, method: &str, path: &str) -> Option<Vec<(String, String)>> {
    let website = ("websiteId", world.website.as_str());
    let visitor = [("datafast_visitor_id", VISITOR), ("visitorId", VISITOR)];
    let range = [
        ("startAt", "2000-01-01"),
        ("endAt", "2100-12-31"),
        ("start", "2000-01-01"),
        ("end", "2100-12-31"),
    ];
    let pairs: Vec<(&str, &str)> = match (method, path) {
        ("GET", "/api/v1/admin/websites/{websiteId}/alerts/history") => {
            vec![("alertId", world.alert.as_str()), ("limit", "10")]
        }
        ("GET", "/api/v1/admin/websites/{websiteId}/goals/customizations") => {
            vec![("goalName", "signup")]
        }
        ("GET", "/api/v1/admin/websites/{websiteId}/funnels") => vec![("includeInactive", "true")],
        ("DELETE", "/api/v1/goals") => [website, ("name", "signup")]
            .into_iter()
            .chain(visitor)
            .chain(range)
            .collect(),
        ("DELETE", "/api/v1/payments") => [
            website,
            ("transaction_id", "tx_world"),
            ("tx_id", "tx_world"),
        ]
        .into_iter()
        .chain(visitor)
        .chain(range)
        .collect(),
        ("GET", "/api/v1/analytics/timeseries") => {
            vec![website, ("fields", "visitors"), ("interval", "day")]
        }
        (_, path) if path.starts_with("/api/v1/") && !path.starts_with("/api/v1/admin/") => {
            vec![website]
        }
        _ => return None,
    };
    Some(
        pairs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect(),
    )
}

async fn send(
    app: &TestApp,
    call: &Call,
    query: &[(String, String)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut path = call.path.clone();
    for (index, (name, value)) in query.iter().enumerate() {
        path.push(if index == 0 { '?' } else { '&' });
        path.push_str(&format!("{name}={value}"));
    }
    // Ingestion takes no credential; everything else runs as the owner's full-access token.
    let token = if call.path == "/api/events" {
        ""
    } else {
        app.owner_token.as_str()
    };
    app.send(call.method.clone(), token, &path, body).await
}

/// Everything a refused request must leave as it was, read through the API and the store.
async fn snapshot(app: &TestApp, world: &World) -> Vec<Value> {
    let website = &world.website;
    let site = format!("/api/v1/admin/websites/{website}");
    let paths = [
        "/api/v1/admin/account".to_owned(),
        "/api/v1/admin/access-tokens".to_owned(),
        "/api/v1/admin/websites".to_owned(),
        site.clone(),
        format!("{site}/apikeys"),
        format!("{site}/goals"),
        format!("{site}/goals/customizations"),
        format!("{site}/funnels?includeInactive=true"),
        format!("{site}/alerts"),
        format!("{site}/team"),
        format!("{site}/integrations"),
        format!("/api/v1/analytics/overview?websiteId={website}"),
        format!("/api/v1/analytics/pages?websiteId={website}"),
        format!("/api/v1/visitors/{VISITOR}?websiteId={website}"),
    ];
    let mut seen = Vec::new();
    for path in paths {
        let (_, body) = app.get(&path).await;
        seen.push(without_clock(body));
    }
    let events = app.store().events_after(0, 10_000).await.expect("events");
    seen.push(json!(events.len()));
    seen
}

/// The first difference between two snapshots, for the failure message.
fn change(before: &[Value], after: &[Value]) -> String {
    before
        .iter()
        .zip(after)
        .find(|(old, new)| old != new)
        .map_or_else(String::new, |(old, new)| format!("{old} became {new}"))
}

/// What moves on its own: reading with a credential stamps its `lastUsedAt`, and a visitor's
/// `timeSince...` fields follow the clock.
fn without_clock(mut value: Value) -> Value {
    match &mut value {
        Value::Object(map) => {
            map.retain(|key, _| key != "lastUsedAt" && !key.starts_with("timeSince"));
            for item in map.values_mut() {
                *item = without_clock(item.take());
            }
        }
        Value::Array(items) => {
            for item in items.iter_mut() {
                *item = without_clock(item.take());
            }
        }
        _ => {}
    }
    value
}

async fn world(app: &TestApp) -> World {
    accept_example_credentials(app);
    let (_, created) = app
        .post("/api/v1/admin/websites", json!({"domain": "example.com"}))
        .await;
    let website = created["data"][0]["websiteId"]
        .as_str()
        .expect("id")
        .to_owned();
    let tracking = created["data"][0]["trackingId"]
        .as_str()
        .expect("tracking id")
        .to_owned();
    let pageview = json!({"websiteId": tracking, "domain": "example.com", "visitorId": VISITOR,
        "sessionId": SESSION, "href": "https://example.com/", "type": "pageview"});
    let response = reqwest::Client::new()
        .post(format!("{}/api/events", app.address))
        .header("user-agent", BROWSER)
        .json(&pageview)
        .send()
        .await
        .expect("event sent");
    assert_eq!(response.status().as_u16(), 200);
    let site_query = format!("?websiteId={website}");
    let goal = json!({"datafast_visitor_id": VISITOR, "name": "signup"});
    let (status, reply) = app.post(&format!("/api/v1/goals{site_query}"), goal).await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = app
        .post(
            &format!("/api/v1/payments{site_query}"),
            payment("tx_world"),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let site = format!("/api/v1/admin/websites/{website}");
    let (status, reply) = app
        .patch(
            &format!("{site}/goals/customizations"),
            json!({"goalName": "signup", "displayName": "Signup"}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (_, funnel) = app
        .post(&format!("{site}/funnels"), self::funnel("World funnel"))
        .await;
    let (_, alert) = app.post(&format!("{site}/alerts"), self::alert()).await;
    World {
        website,
        tracking,
        funnel: funnel["data"][0]["_id"]
            .as_str()
            .expect("funnel id")
            .to_owned(),
        alert: alert["data"][0]["_id"]
            .as_str()
            .expect("alert id")
            .to_owned(),
    }
}
