//! docs/openapi.json and the routes the server registers must not drift apart: the same
//! (method, path) pairs, and the same permission on each.

use std::collections::BTreeMap;

use serde_json::Value;

fn documented() -> BTreeMap<(String, String), Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let text = std::fs::read_to_string(path).expect("docs/openapi.json exists");
    let document: Value = serde_json::from_str(&text).expect("docs/openapi.json is JSON");
    assert!(
        document["openapi"]
            .as_str()
            .unwrap_or_default()
            .starts_with("3.1")
    );
    let mut operations = BTreeMap::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if ["get", "put", "post", "delete", "patch", "options"].contains(&method.as_str()) {
                operations.insert(
                    (method.to_uppercase(), path.clone()),
                    operation["x-permission"].clone(),
                );
            }
        }
    }
    operations
}

#[test]
fn the_document_lists_exactly_the_registered_routes() {
    let documented = documented();
    let registered: BTreeMap<(String, String), Value> = datafast_http::route_table()
        .into_iter()
        .map(|route| {
            let permission = route
                .permission
                .map_or(Value::Null, |p| Value::String(p.to_owned()));
            ((route.method.to_owned(), route.path.to_owned()), permission)
        })
        .collect();
    let missing: Vec<_> = registered
        .keys()
        .filter(|k| !documented.contains_key(*k))
        .collect();
    let extra: Vec<_> = documented
        .keys()
        .filter(|k| !registered.contains_key(*k))
        .collect();
    assert!(
        missing.is_empty(),
        "registered but not documented: {missing:?}"
    );
    assert!(extra.is_empty(), "documented but not registered: {extra:?}");
    for (route, permission) in &registered {
        assert_eq!(&documented[route], permission, "permission of {route:?}");
    }
}

/// The statuses every operation can answer with, whatever its input: 405 on its path with
/// another method; on authenticated routes 400 (a malformed head or query), 401, 403 and 429;
/// 404 where the path names a resource or a website is looked up (the Website API); 413 where
/// a body is read, and 415 where it must be JSON.
#[test]
fn every_operation_declares_the_statuses_the_server_can_send() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");
    let text = std::fs::read_to_string(path).expect("docs/openapi.json exists");
    let document: Value = serde_json::from_str(&text).expect("docs/openapi.json is JSON");
    let mut missing = Vec::new();
    for route in datafast_http::route_table() {
        let Some(operation) = document["paths"][route.path].get(route.method.to_lowercase()) else {
            continue; // the test above reports undocumented routes
        };
        let mut expected = vec!["400", "405"];
        if route.permission.is_some() {
            expected.extend(["401", "403", "429"]);
        }
        let website_api =
            route.path.starts_with("/api/v1/") && !route.path.starts_with("/api/v1/admin/");
        let ingestion = route.path == "/api/events" && route.method == "POST";
        if route.path.contains('{') || website_api || ingestion {
            expected.push("404");
        }
        // Ingestion and provider webhooks read their bodies raw, whatever the content type.
        let raw_body = route.path == "/api/events" || route.path.starts_with("/api/webhooks/");
        if operation.get("requestBody").is_some() {
            expected.push("413");
            if !raw_body {
                expected.push("415");
            }
        }
        for status in expected {
            if operation["responses"].get(status).is_none() {
                missing.push(format!("{} {}: {status}", route.method, route.path));
            }
        }
    }
    assert!(missing.is_empty(), "undeclared statuses: {missing:#?}");
}
