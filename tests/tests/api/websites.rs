//! `/websites`: create, list with role, get, partial update with every field validated, and the
//! documented refusal to delete.

use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn create_with_the_spec_example_then_list_and_get() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/admin/websites",
            json!({"domain": "example.com", "timezone": "America/New_York", "name": "Example"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let created = &body["data"][0];
    let id = created["websiteId"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 24);
    assert!(created["trackingId"].as_str().unwrap().starts_with("dfid_"));
    assert_eq!(created["domain"], "example.com");

    let (_, body) = app.get("/api/v1/admin/websites").await;
    let row = &body["data"][0];
    assert_eq!(row["_id"], id.as_str());
    assert_eq!(row["role"], "owner");
    assert_eq!(row["timezone"], "America/New_York");
    assert_eq!(row["currency"], "USD");
    assert_eq!(row["name"], "Example");

    let (status, body) = app.get(&format!("/api/v1/admin/websites/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let website = &body["data"][0];
    for field in [
        "kpi",
        "kpiColorScheme",
        "revenueMetric",
        "isCookieless",
        "includeRenewalRevenue",
        "allowedHostnames",
        "excludedIps",
        "excludedPaths",
        "excludedCountries",
        "excludedHostnames",
    ] {
        assert!(website.get(field).is_some(), "missing {field}");
    }
}

#[tokio::test]
async fn create_refuses_bad_domains_zones_and_duplicates() {
    let app = spawn_app().await;
    for bad in [
        json!({"domain": "not a domain"}),
        json!({"domain": "example.com", "timezone": "Mars/Base"}),
        json!({}),
        json!({"domain": 12}),
    ] {
        let (status, body) = app.post("/api/v1/admin/websites", bad).await;
        assert_error(status, &body, 400);
    }
    app.create_website("example.com").await;
    let (status, body) = app
        .post("/api/v1/admin/websites", json!({"domain": "Example.com"}))
        .await;
    assert_error(status, &body, 409);
    assert_eq!(
        app.get("/api/v1/admin/websites").await.1["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn update_applies_the_spec_example_and_every_field() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let path = format!("/api/v1/admin/websites/{id}");
    let (status, body) = app
        .put(&path, json!({"name": "New name", "kpi": "signup", "kpiColorScheme": "green", "includeRenewalRevenue": true}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["kpi"], "signup");
    assert_eq!(body["data"][0]["kpiColorScheme"], "green");

    let everything = json!({
        "domain": "example.org", "timezone": "Europe/Paris", "currency": "eur",
        "revenueMetric": "mrr", "sendWeeklyReports": true, "sendViralTrafficAlerts": true,
        "isPublicDashboardEnabled": true, "isPublicDataEnabled": true, "isCookieless": true,
        "isAttackModeEnabled": true, "includeRenewalRevenue": false,
        "allowedHostnames": ["app.example.org"], "isAllHostnamesAllowed": false,
        "excludedIps": ["10.0.0.0/8", "2001:db8::1"], "excludedPaths": ["/admin/*"],
        "excludedCountries": ["fr"], "excludedHostnames": ["staging.example.org"]
    });
    let (status, body) = app.put(&path, everything).await;
    assert_eq!(status, 200, "{body}");
    let (_, body) = app.get(&path).await;
    let website = &body["data"][0];
    assert_eq!(website["domain"], "example.org");
    assert_eq!(website["currency"], "EUR");
    assert_eq!(website["excludedCountries"], json!(["FR"]));
    assert_eq!(website["excludedIps"], json!(["10.0.0.0/8", "2001:db8::1"]));
    assert_eq!(website["isCookieless"], true);
    assert_eq!(website["name"], "New name", "fields not sent are kept");

    let (status, _) = app.put(&path, json!({"kpi": null})).await;
    assert_eq!(status, 200);
    assert!(app.get(&path).await.1["data"][0]["kpi"].is_null());
}

#[tokio::test]
async fn bad_updates_are_400_and_change_nothing() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let path = format!("/api/v1/admin/websites/{id}");
    let before = app.get(&path).await.1;
    for bad in [
        json!({"timezone": "Nowhere/City"}),
        json!({"currency": "DOLLARS"}),
        json!({"kpiColorScheme": "mauve"}),
        json!({"revenueMetric": "profit"}),
        json!({"excludedIps": ["999.1.1.1"]}),
        json!({"excludedPaths": ["no-slash"]}),
        json!({"excludedCountries": ["France"]}),
        json!({"allowedHostnames": ["bad host"]}),
        json!({"isCookieless": "yes"}),
        json!({"domain": "nope"}),
        json!({"name": "x".repeat(500)}),
        json!({"kpi": "Not/A goal"}),
    ] {
        let (status, body) = app.put(&path, bad.clone()).await;
        assert_error(status, &body, 400);
    }
    assert_eq!(app.get(&path).await.1, before);
}

#[tokio::test]
async fn markup_sql_and_unicode_are_stored_verbatim() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let hostile = "<script>alert(1)</script> '; DROP TABLE websites;-- 日本語 ✓";
    let path = format!("/api/v1/admin/websites/{id}");
    let (status, body) = app.put(&path, json!({"name": hostile})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.get(&path).await.1["data"][0]["name"], hostile);
}

#[tokio::test]
async fn delete_is_refused_as_documented() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let (status, body) = app.delete(&format!("/api/v1/admin/websites/{id}")).await;
    assert_error(status, &body, 403);
    assert_eq!(
        app.get(&format!("/api/v1/admin/websites/{id}")).await.0,
        200
    );
}

#[tokio::test]
async fn unknown_and_malformed_website_ids() {
    let app = spawn_app().await;
    let (status, body) = app
        .get("/api/v1/admin/websites/665f0b3c4d2e1a0012345678")
        .await;
    assert_error(status, &body, 404);
    let (status, body) = app.get("/api/v1/admin/websites/not-an-id").await;
    assert_error(status, &body, 400);
}

#[tokio::test]
async fn other_accounts_websites_are_invisible_and_untouchable() {
    let app = spawn_app().await;
    let id = app.create_website("example.com").await;
    let stranger = app.new_account_token("stranger@example.com").await;
    let (_, body) = app.get_as(&stranger, "/api/v1/admin/websites").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 0);
    let (status, body) = app
        .get_as(&stranger, &format!("/api/v1/admin/websites/{id}"))
        .await;
    assert_error(status, &body, 404);
    let (status, body) = app
        .put_as(
            &stranger,
            &format!("/api/v1/admin/websites/{id}"),
            json!({"name": "mine now"}),
        )
        .await;
    assert_error(status, &body, 404);
}
