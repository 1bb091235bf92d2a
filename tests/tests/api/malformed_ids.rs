//! A malformed id gets the same answer wherever a client sends it: in a path, in the
//! `websiteId` or `alertId` query parameter, or in a body. Every documented route with an id in
//! its path is tried with each of its ids malformed in turn, so a new route is covered as soon
//! as it is documented; the answer is 400 in the envelope with the message the domain gives
//! for that kind of id, never a spelling of the handler's own.

use reqwest::Method;
use serde_json::{Value, json};

use crate::api_doc::ApiDoc;
use crate::helpers::{TestApp, spawn_app};

const MALFORMED: &str = "not-an-id";
/// Well-formed, so only the malformed one of a route's ids can be what it refuses.
const UNKNOWN_ID: &str = "0123456789abcdef01234567";
const UNKNOWN_VISITOR: &str = "a3ab2331-989f-4cfa-91c6-2461c9e3c6bd";

/// The message for a malformed id under `field`.
fn expected_message(field: &str) -> String {
    if field == "visitorId" {
        format!("Invalid {field}: must be a UUID v4")
    } else {
        format!("Invalid {field}: ids are 24 hexadecimal characters")
    }
}

/// The names of the `{...}` segments of a path template.
fn path_parameters(template: &str) -> Vec<String> {
    template
        .split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

/// The template with `malformed` in place of one parameter and well-formed ids elsewhere.
fn filled(template: &str, website: &str, malformed: &str) -> String {
    let mut path = template.to_owned();
    for name in path_parameters(template) {
        let value = match name.as_str() {
            _ if name == malformed => MALFORMED,
            "websiteId" => website,
            "visitorId" => UNKNOWN_VISITOR,
            "provider" => "stripe",
            _ => UNKNOWN_ID,
        };
        path = path.replace(&format!("{{{name}}}"), value);
    }
    path
}

/// Checks one answer, recording a failure instead of stopping at the first.
fn check(failures: &mut Vec<String>, what: &str, field: &str, status: u16, body: &Value) {
    let expected = expected_message(field);
    if status != 400 || body["error"]["message"] != expected.as_str() {
        failures.push(format!(
            "{what}: {status} {body}, expected 400 \"{expected}\""
        ));
    }
}

async fn send(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let method = Method::from_bytes(method.as_bytes()).expect("a documented method");
    app.send(method, &app.owner_token, path, body).await
}

#[tokio::test]
async fn every_path_id_is_refused_with_the_one_message_for_its_kind() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let mut failures = Vec::new();
    let mut tried = 0;
    for (method, template, _) in ApiDoc::load().operations() {
        // A provider is a name, not an id: an unknown one is an unknown path.
        for parameter in path_parameters(&template)
            .into_iter()
            .filter(|name| name != "provider")
        {
            let path = filled(&template, &website, &parameter);
            let body = (method != "GET").then(|| json!({}));
            let (status, answer) = send(&app, &method, &path, body).await;
            check(
                &mut failures,
                &format!("{method} {path}"),
                &parameter,
                status,
                &answer,
            );
            tried += 1;
        }
    }
    assert!(
        tried > 20,
        "only {tried} path ids tried: is the document read?"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_website_id_query_parameter_is_refused_with_the_same_message() {
    let app = spawn_app().await;
    let mut failures = Vec::new();
    let mut tried = 0;
    let document = ApiDoc::load();
    for (method, template, operation) in document.operations() {
        let takes_website = document
            .query_parameters(operation)
            .iter()
            .any(|name| name == "websiteId");
        if !takes_website || !path_parameters(&template).is_empty() {
            continue;
        }
        let path = format!("{template}?websiteId={MALFORMED}");
        let body = (method != "GET").then(|| json!({}));
        let (status, answer) = send(&app, &method, &path, body).await;
        check(
            &mut failures,
            &format!("{method} {path}"),
            "websiteId",
            status,
            &answer,
        );
        tried += 1;
    }
    assert!(tried >= 5, "only {tried} routes with ?websiteId= tried");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn ids_in_bodies_and_the_alert_history_query_get_the_same_message() {
    let app = spawn_app().await;
    let website = app.create_website("example.com").await;
    let team = format!("/api/v1/admin/websites/{website}/team");
    let history = format!("/api/v1/admin/websites/{website}/alerts/history?alertId={MALFORMED}");
    let cases = [
        (
            "POST",
            "/api/v1/admin/access-tokens".to_owned(),
            Some(json!({"name": "t", "websiteIds": [MALFORMED]})),
            "websiteIds[0]",
        ),
        (
            "DELETE",
            team.clone(),
            Some(json!({"userId": MALFORMED})),
            "userId",
        ),
        (
            "DELETE",
            team,
            Some(json!({"invitationId": MALFORMED})),
            "invitationId",
        ),
        ("GET", history, None, "alertId"),
    ];
    let mut failures = Vec::new();
    for (method, path, body, field) in cases {
        let (status, answer) = send(&app, method, &path, body).await;
        check(
            &mut failures,
            &format!("{method} {path}"),
            field,
            status,
            &answer,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
