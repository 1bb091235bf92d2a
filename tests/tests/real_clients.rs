//! Real clients end to end: the npm SDK `datafast` under Node and our tracker in a headless
//! Chromium, each against the server on a loopback port; what they sent is read back from the
//! server's SQLite file and the tracked-goals endpoint. The Node scripts live in `e2e/`.
//!
//! Prerequisites: `node`, `npm ci --prefix e2e`, and Chromium (`chromium` on the PATH, or
//! `CHROMIUM=/path/to/binary`). Without them the tests fail when `CI` is set and are skipped
//! with a notice otherwise.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)] // the shared API harness; these tests use only part of it
#[path = "api/helpers.rs"]
mod helpers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use datafast_domain::event::{Event, EventKind};
use datafast_domain::goal::GoalName;
use datafast_ports::store::{EventStore, ProfileStore};
use datafast_sqlite::SqliteStore;
use serde_json::{Value, json};

use helpers::{TestApp, spawn_app};

#[path = "e2e_support/prerequisites.rs"]
mod prerequisites;
use prerequisites::{chromium, node_with, prerequisite};

/// What a visitor on a Mac with Chrome sends; the server drops bots by user agent, and a real
/// visitor is not one.
const MAC_CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const WINDOWS_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

/// Runs `node <script>` with `env` off the async workers (the server answers the script from
/// them) and returns the JSON line it printed.
async fn run_node(e2e: &Path, script: &str, env: Vec<(&'static str, String)>) -> Value {
    let script_path = e2e.join(script);
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script_path)
            .envs(env)
            .output()
            .expect("node runs")
    })
    .await
    .expect("the node runner thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed ({}):\nstdout: {stdout}\nstderr: {stderr}",
        output.status
    );
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}):\n{stdout}\n{stderr}"))
}

/// What a Chromium visit needs: the e2e folder with the npm packages, and the browser; `None`
/// (after the skip notice, or a failure under CI) when either is missing.
fn chromium_prerequisites(test: &str) -> Option<(PathBuf, PathBuf)> {
    let e2e = prerequisite(node_with("datafast/package.json", "the npm SDK"), test)?;
    let chromium = prerequisite(chromium(), test)?;
    Some((e2e, chromium))
}

/// Runs `e2e/browser-visit.js` in Chromium against `app` for the website `tracking_id` on
/// `domain`, with a Windows Chrome user agent and `extra` settings of the script.
async fn browser_visit(
    (e2e, chromium): &(PathBuf, PathBuf),
    app: &TestApp,
    tracking_id: String,
    domain: &str,
    extra: Vec<(&'static str, String)>,
) -> Value {
    let mut env = vec![
        ("DATAFAST_SERVER", app.address.clone()),
        ("DATAFAST_WEBSITE_ID", tracking_id),
        ("DATAFAST_DOMAIN", domain.to_owned()),
        ("DATAFAST_USER_AGENT", WINDOWS_CHROME.to_owned()),
        ("CHROMIUM", chromium.display().to_string()),
    ];
    env.extend(extra);
    run_node(e2e, "browser-visit.js", env).await
}

/// Creates a website for `domain` through the Account API; returns its id and `dfid_` id.
async fn website(app: &TestApp, domain: &str) -> (String, String) {
    let (status, body) = app
        .post("/api/v1/admin/websites", json!({"domain": domain}))
        .await;
    assert_eq!(status, 200, "{body}");
    let data = &body["data"][0];
    (
        data["websiteId"].as_str().expect("websiteId").to_owned(),
        data["trackingId"].as_str().expect("trackingId").to_owned(),
    )
}

/// Every stored event, in append order, read from the server's SQLite file by a store of its
/// own.
async fn stored_events(app: &TestApp) -> Vec<Event> {
    let store: &SqliteStore = app.store();
    store
        .events_after(0, 1000)
        .await
        .expect("events read back")
        .into_iter()
        .map(|stored| stored.event)
        .collect()
}

/// Completions per goal name from `GET /api/v1/admin/websites/{id}/goals`.
async fn tracked_goal_totals(app: &TestApp, website: &str) -> BTreeMap<String, u64> {
    let (status, body) = app
        .get(&format!("/api/v1/admin/websites/{website}/goals"))
        .await;
    assert_eq!(status, 200, "{body}");
    body["data"]
        .as_array()
        .expect("goal list")
        .iter()
        .map(|goal| {
            (
                goal["name"].as_str().expect("name").to_owned(),
                goal["total"].as_u64().expect("total"),
            )
        })
        .collect()
}

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn is_uuid_v4(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 36
        && text.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && bytes[14] == b'4'
        && matches!(bytes[19], b'8' | b'9' | b'a' | b'b')
        && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

fn text<'a>(value: &'a Value, field: &str) -> &'a str {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} missing in {value}"))
}

/// The npm SDK as a web page runs it: a pageview, a goal with params, identify, a payment and
/// an external link, in that order, under the ids the SDK keeps in its cookies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_npm_sdk_sends_every_event_type_and_each_is_stored() {
    let Some(e2e) = prerequisite(
        node_with("datafast/package.json", "the npm SDK"),
        "the npm SDK test",
    ) else {
        return;
    };
    let app = spawn_app().await;
    let (website_id, tracking_id) = website(&app, "example.com").await;

    let sent = run_node(
        &e2e,
        "sdk-client.js",
        vec![
            ("DATAFAST_API_URL", format!("{}/api/events", app.address)),
            ("DATAFAST_WEBSITE_ID", tracking_id),
            ("DATAFAST_DOMAIN", "example.com".to_owned()),
            (
                "DATAFAST_PAGE_URL",
                "https://example.com/pricing?utm_source=newsletter&ref=launch".to_owned(),
            ),
            ("DATAFAST_USER_AGENT", MAC_CHROME.to_owned()),
        ],
    )
    .await;

    let visitor = text(&sent, "visitorId");
    let session = text(&sent, "sessionId");
    assert!(is_uuid_v4(visitor), "{sent}");
    assert_eq!(text(&sent["cookies"], "datafast_visitor_id"), visitor);
    assert_eq!(text(&sent["cookies"], "datafast_session_id"), session);

    let events = stored_events(&app).await;
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Pageview,
            EventKind::Custom,
            EventKind::Identify,
            EventKind::Payment,
            EventKind::ExternalLink
        ],
        "{events:#?}"
    );
    for event in &events {
        assert_eq!(event.visitor_id, visitor, "{event:#?}");
        assert_eq!(event.session_id, session, "{event:#?}");
        assert_eq!(event.hostname, "example.com", "{event:#?}");
        assert_eq!(event.path, "/pricing", "{event:#?}");
        // The web SDK sends the browser's user agent in `device.osVersion`.
        assert_eq!(event.context.browser, "Chrome", "{event:#?}");
        assert_eq!(event.context.os, "Mac OSX", "{event:#?}");
        assert_eq!(event.context.device.as_str(), "desktop", "{event:#?}");
    }

    let [pageview, goal, identify, payment, link] = &events[..] else {
        unreachable!("five events, checked above")
    };
    assert_eq!(pageview.goal_name, None);
    assert_eq!(pageview.context.utm_source.as_deref(), Some("newsletter"));
    assert_eq!(pageview.context.ref_param.as_deref(), Some("launch"));
    assert_eq!(
        goal.goal_name.as_ref().map(GoalName::as_str),
        Some("signup")
    );
    assert_eq!(goal.params, params(&[("plan", "pro"), ("seats", "3")]));
    assert_eq!(
        identify.params.get("user_id").map(String::as_str),
        Some("user_42")
    );
    assert_eq!(
        identify.params.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(
        identify.params.get("company").map(String::as_str),
        Some("Analytical Engines")
    );
    assert_eq!(
        payment.params,
        params(&[
            ("email", "ada@example.com"),
            ("amount", "49"),
            ("currency", "USD")
        ])
    );
    assert_eq!(
        link.params,
        params(&[("url", "https://github.com/datafast"), ("text", "GitHub")])
    );

    // Identify also names the visitor: the profile the Website API's visitor reads return.
    let profile = app
        .store()
        .profile(identify.website_id, visitor)
        .await
        .expect("profile read back")
        .expect("the identified visitor has a profile");
    assert_eq!(profile.user_id, "user_42");
    assert_eq!(
        profile.metadata.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(
        profile.metadata.get("company").map(String::as_str),
        Some("Analytical Engines")
    );

    let goals = tracked_goal_totals(&app, &website_id).await;
    assert_eq!(goals.get("signup"), Some(&1), "{goals:?}");
}

/// Our tracker in a real browser: the stub's queued goal, the pageview, a `window.datafast`
/// goal, a clicked `data-fast-goal` button and a `pushState` navigation, all under the ids of
/// the cookies Chromium holds afterwards.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_headless_chromium_visit_is_tracked_with_cookies() {
    let Some(browser) = chromium_prerequisites("the Chromium test") else {
        return;
    };
    let app = spawn_app().await;
    let (website_id, tracking_id) = website(&app, "example.com").await;
    // The page is served from localhost, as during local development of the site.
    let (status, body) = app
        .put(
            &format!("/api/v1/admin/websites/{website_id}"),
            json!({"allowedHostnames": ["localhost"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let visit = browser_visit(&browser, &app, tracking_id, "example.com", vec![]).await;
    assert_eq!(text(&visit, "userAgent"), WINDOWS_CHROME);

    let cookie = |name: &str| -> Value {
        visit["cookies"]
            .as_array()
            .expect("cookies")
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} cookie in {visit}"))
    };
    let visitor_cookie = cookie("datafast_visitor_id");
    let session_cookie = cookie("datafast_session_id");
    let visitor = text(&visitor_cookie, "value");
    let session = text(&session_cookie, "value");
    assert!(is_uuid_v4(visitor), "{visitor_cookie}");
    assert!(
        session.starts_with('s') && is_uuid_v4(&session[1..]),
        "{session_cookie}"
    );
    // Browsers refuse a domain attribute on localhost: both are host-only cookies.
    assert_eq!(visitor_cookie["domain"], "localhost", "{visitor_cookie}");
    assert_eq!(session_cookie["domain"], "localhost", "{session_cookie}");
    let lifetime = |cookie: &Value| {
        let expires = cookie["expires"].as_f64().expect("expires");
        #[allow(clippy::disallowed_methods)] // the cookie's expiry is wall-clock time
        let now = jiff::Timestamp::now().as_second() as f64;
        expires - now
    };
    let year = 365.0 * 86_400.0;
    assert!(
        (lifetime(&visitor_cookie) - year).abs() < 120.0,
        "{visitor_cookie}"
    );
    assert!(
        (lifetime(&session_cookie) - 1800.0).abs() < 120.0,
        "{session_cookie}"
    );

    let mut events = stored_events(&app).await;
    // The pageview and the goal the stub queued are sent together, on two connections: either
    // may be stored first. Every later event waited for the one before it.
    if events.len() >= 2 && events[0].kind != EventKind::Pageview {
        events.swap(0, 1);
    }
    let summary: Vec<(EventKind, Option<&str>, &str)> = events
        .iter()
        .map(|e| {
            (
                e.kind,
                e.goal_name.as_ref().map(GoalName::as_str),
                e.path.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (EventKind::Pageview, None, "/pricing"),
            (EventKind::Custom, Some("video_play"), "/pricing"),
            (EventKind::Custom, Some("signup"), "/pricing"),
            (EventKind::Custom, Some("initiate_checkout"), "/pricing"),
            (EventKind::Pageview, None, "/pricing/annual"),
        ],
        "{events:#?}"
    );
    for event in &events {
        assert_eq!(event.visitor_id, visitor, "{event:#?}");
        assert_eq!(event.session_id, session, "{event:#?}");
        assert_eq!(event.hostname, "localhost", "{event:#?}");
        assert_eq!(event.context.browser, "Chrome", "{event:#?}");
        assert_eq!(event.context.os, "Windows 10", "{event:#?}");
        assert_eq!(event.context.device.as_str(), "desktop", "{event:#?}");
        assert_eq!(event.context.source, "Direct/None", "{event:#?}");
    }
    assert!(events[0].params.is_empty(), "{:#?}", events[0]);
    assert_eq!(events[1].params, params(&[("position", "hero")]));
    assert_eq!(events[2].params, params(&[("plan", "pro"), ("seats", "3")]));
    assert_eq!(
        events[3].params,
        params(&[("price", "49"), ("plan_type", "pro")])
    );
    assert!(events[4].params.is_empty(), "{:#?}", events[4]);

    let goals = tracked_goal_totals(&app, &website_id).await;
    assert_eq!(goals.get("signup"), Some(&1), "{goals:?}");
    assert_eq!(goals.get("initiate_checkout"), Some(&1), "{goals:?}");
    assert_eq!(goals.get("video_play"), Some(&1), "{goals:?}");

    // The same visit as the analytics API shows it to the site owner.
    let analytics = |report: &str| format!("/api/v1/analytics/{report}?websiteId={website_id}");
    let (status, overview) = app.get(&analytics("overview")).await;
    assert_eq!(status, 200, "{overview}");
    assert_eq!(overview["data"][0]["visitors"], 1, "{overview}");
    assert_eq!(overview["data"][0]["sessions"], 1, "{overview}");
    let (status, pages) = app.get(&analytics("pages")).await;
    assert_eq!(status, 200, "{pages}");
    let mut paths: Vec<&str> = pages["data"]
        .as_array()
        .expect("page rows")
        .iter()
        .map(|row| text(row, "path"))
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/pricing", "/pricing/annual"], "{pages}");
    let (status, systems) = app.get(&analytics("operating-systems")).await;
    assert_eq!(status, 200, "{systems}");
    assert_eq!(
        systems["data"][0]["operating_system"], "Windows",
        "{systems}"
    );
    let (status, detail) = app
        .get(&format!(
            "/api/v1/visitors/{visitor}?websiteId={website_id}"
        ))
        .await;
    assert_eq!(status, 200, "{detail}");
    let identity = &detail["data"]["identity"];
    assert_eq!(
        identity["browser"],
        json!({"name": "Chrome", "version": "126.0.0.0"}),
        "{detail}"
    );
    assert_eq!(
        identity["os"],
        json!({"name": "Windows", "version": "10"}),
        "{detail}"
    );
    let activity = &detail["data"]["activity"];
    assert_eq!(activity["pageViewCount"], 2, "{detail}");
    let mut goals: Vec<&str> = activity["completedCustomGoals"]
        .as_array()
        .expect("goals")
        .iter()
        .map(|goal| text(goal, "name"))
        .collect();
    goals.sort_unstable();
    assert_eq!(
        goals,
        ["initiate_checkout", "signup", "video_play"],
        "{detail}"
    );
}

/// The snippet `POST /websites` hands out, pasted as it is into a page of another site (its own
/// host, resolved to loopback), loads the script from this server and tracks the visit. A
/// snippet with a relative `src` would load the site's own `/js/script.js` and track nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_snippet_from_the_api_pasted_into_another_site_tracks_a_visit() {
    let Some(browser) = chromium_prerequisites("the pasted-snippet test") else {
        return;
    };
    let app = spawn_app().await;
    let (status, created) = app
        .post("/api/v1/admin/websites", json!({"domain": "shop.test"}))
        .await;
    assert_eq!(status, 200, "{created}");
    let snippet = text(&created["data"][0], "snippet").to_owned();
    let tracking_id = text(&created["data"][0], "trackingId").to_owned();
    let website_id = text(&created["data"][0], "websiteId").to_owned();
    assert!(
        snippet.contains(&format!("src=\"{}/js/script.js\"", app.address)),
        "{snippet}"
    );

    let pasted = vec![
        ("DATAFAST_SNIPPET", snippet),
        ("DATAFAST_PAGE_HOST", "shop.test".to_owned()),
    ];
    browser_visit(&browser, &app, tracking_id, "shop.test", pasted).await;

    let events = stored_events(&app).await;
    let pageview = events
        .iter()
        .find(|e| e.kind == EventKind::Pageview)
        .unwrap_or_else(|| panic!("no pageview stored: {events:#?}"));
    assert_eq!(pageview.hostname, "shop.test", "{pageview:#?}");
    assert_eq!(pageview.path, "/pricing", "{pageview:#?}");
    let overview = format!("/api/v1/analytics/overview?websiteId={website_id}");
    let (status, body) = app.get(&overview).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"][0]["visitors"], 1, "{body}");
}

/// A scroll goal and a cross-domain hand-off in Chromium: on one site the visitor scrolls to a
/// `data-fast-scroll` section, then follows a link to the owner's other site (both tags list each
/// other in `data-allowed-hostnames`). Both sites' events carry one visitor and one session, and
/// the second site's address loses the `_df_*` parameters once read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scroll_goal_and_a_cross_domain_hand_off_keep_one_visitor() {
    let Some(browser) = chromium_prerequisites("the cross-domain test") else {
        return;
    };
    let app = spawn_app().await;
    let (website_id, tracking_id) = website(&app, "shop.test").await;
    let (status, body) = app
        .put(
            &format!("/api/v1/admin/websites/{website_id}"),
            json!({"allowedHostnames": ["blog.test"]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let sites = vec![
        ("DATAFAST_PAGE_HOST", "shop.test".to_owned()),
        ("DATAFAST_OTHER_HOST", "blog.test".to_owned()),
    ];
    let visit = browser_visit(&browser, &app, tracking_id, "shop.test", sites).await;
    let href = text(&visit, "otherPageHref");
    assert!(
        href.starts_with("http://blog.test:") && href.ends_with("/post"),
        "{href}"
    );

    let events = stored_events(&app).await;
    let summary: Vec<(EventKind, &str, &str)> = events
        .iter()
        .map(|e| (e.kind, e.hostname.as_str(), e.path.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (EventKind::Pageview, "shop.test", "/pricing"),
            (EventKind::Custom, "shop.test", "/pricing"),
            (EventKind::Pageview, "blog.test", "/post"),
        ],
        "{events:#?}"
    );
    let scroll = &events[1];
    assert_eq!(
        scroll.goal_name.as_ref().map(GoalName::as_str),
        Some("read_plans")
    );
    assert_eq!(
        scroll.params.get("threshold").map(String::as_str),
        Some("0.5")
    );
    assert_eq!(scroll.params.get("delay").map(String::as_str), Some("0"));
    assert_eq!(scroll.params.get("plan").map(String::as_str), Some("pro"));
    let percent: u32 = scroll.params["scroll_percentage"]
        .parse()
        .expect("a number");
    assert!(percent > 50, "scrolled to the foot: {percent}");
    for event in &events[1..] {
        assert_eq!(event.visitor_id, events[0].visitor_id, "{event:#?}");
        assert_eq!(event.session_id, events[0].session_id, "{event:#?}");
    }
    let visitor_on = |host: &str| -> Value {
        visit["cookies"][host]
            .as_array()
            .expect("cookies")
            .iter()
            .find(|c| c["name"] == "datafast_visitor_id")
            .map(|c| c["value"].clone())
            .unwrap_or(Value::Null)
    };
    assert_eq!(visitor_on("blog.test"), visitor_on("shop.test"), "{visit}");
    assert_eq!(
        visitor_on("blog.test"),
        events[0].visitor_id.as_str(),
        "{visit}"
    );
}
