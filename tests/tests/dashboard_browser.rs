//! The web dashboard end to end in a real headless Chromium: the server runs in-process on a
//! fresh SQLite file (no account yet, so the first start makes the owner's token and one-time
//! setup link), and `e2e/dashboard.js` drives the browser through the scenario it lists: the
//! setup link, a website created through the form, a real visit with a referrer from another
//! site, the KPIs and panels, a referrer filter, a funnel, a viewer invited and joining, the
//! public dashboard on and off, a write without the CSRF header, signing out, axe-core on every
//! main page and screenshots. What the script reports is then checked against the server's
//! state, read back through the HTTP API with the owner's token.
//!
//! Screenshots: PNGs of every main page at 1280x800 and 375x812 go to
//! `<target dir>/dashboard-screenshots/` (`<page>-<width>x<height>.png`), where the target dir
//! is the parent of `CARGO_TARGET_TMPDIR` (so `target/` by default, or `CARGO_TARGET_DIR`).
//! The folder is emptied of old PNGs at each run; the script also writes its whole report
//! there, as `report.json` (every step's outcome and what it saw, and the axe results).
//!
//! Prerequisites: `node`, `npm ci --prefix e2e` (which brings `axe-core`), and Chromium
//! (`chromium` on the PATH, or `CHROMIUM=/path/to/binary`). Without them the test fails when
//! `CI` is set and is skipped with a notice otherwise.
//!
//! Run it alone with `cargo test -p datafast-tests --test dashboard_browser`.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use tempfile::TempDir;

#[path = "e2e_support/prerequisites.rs"]
mod prerequisites;
use prerequisites::{chromium, node_with, prerequisite};

const TEST: &str = "the dashboard browser test";

const OWNER_EMAIL: &str = "owner@example.com";
/// What e2e/dashboard.js names and creates.
const DOMAIN: &str = "shop.example.test";
const REFERRER_HOST: &str = "news.example.test";
const VIEWER_EMAIL: &str = "viewer@example.com";
const FUNNEL: &str = "Pricing to sign-up";
/// The pages the script audits and photographs, each at two viewports.
const PAGES: [&str; 10] = [
    "websites", "overview", "realtime", "funnels", "visitors", "goals", "settings", "account",
    "share", "signin",
];
const VIEWPORTS: [(u32, u32); 2] = [(1280, 800), (375, 812)];

/// `<target dir>/dashboard-screenshots`: `CARGO_TARGET_TMPDIR` is `<target dir>/tmp`.
fn screenshots_folder() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("CARGO_TARGET_TMPDIR is inside the target dir")
        .join("dashboard-screenshots")
}

/// Every step the script reports, one line each, for a failure message.
fn steps_summary(report: &Value) -> String {
    let Some(steps) = report["steps"].as_object() else {
        return "(no steps reported)".to_owned();
    };
    // Keys are "1".."13", "11a", "11b": in step order, not the map's text order.
    let mut ordered: Vec<(&String, &Value)> = steps.iter().collect();
    ordered.sort_by_key(|(id, _)| {
        let digits: String = id.chars().take_while(char::is_ascii_digit).collect();
        (digits.parse::<u32>().unwrap_or(u32::MAX), (*id).clone())
    });
    ordered
        .into_iter()
        .map(|(id, step)| {
            let outcome = if step["ok"] == true {
                "ok".to_owned()
            } else if let Some(skipped) = step["skipped"].as_str() {
                format!("SKIPPED: {skipped}")
            } else {
                format!("FAILED: {}", step["error"].as_str().unwrap_or("?"))
            };
            format!(
                "  {id}. {}: {outcome}",
                step["title"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `node e2e/dashboard.js` off the async workers (the server answers the browser from
/// them) and returns the JSON line it printed; a failed run fails the test with every step's
/// outcome and the script's reasons.
async fn run_dashboard_script(e2e: &Path, env: Vec<(&'static str, String)>) -> Value {
    let script = e2e.join("dashboard.js");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(&script)
            .envs(env)
            .output()
            .expect("node runs")
    })
    .await
    .expect("the node runner thread");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let report: Value = stdout
        .lines()
        .last()
        .and_then(|line| serde_json::from_str(line).ok())
        .unwrap_or(Value::Null);
    // The whole report is in report.json beside the screenshots; the JSON line is repeated
    // here only when the script printed no valid one.
    let printed = if report.is_object() {
        "(the report is in report.json in the screenshots folder)".to_owned()
    } else {
        stdout.clone().into_owned()
    };
    assert!(
        output.status.success(),
        "e2e/dashboard.js failed ({}):\n{}\n\nstderr:\n{stderr}\n\nstdout: {printed}",
        output.status,
        steps_summary(&report),
    );
    assert!(
        report.is_object(),
        "e2e/dashboard.js printed no JSON:\n{stdout}\n{stderr}"
    );
    report
}

/// The owner's view of the server, with the token the first start printed.
struct Api {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Api {
    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request sent");
        let status = response.status().as_u16();
        let body: Value = response.json().await.expect("a JSON answer");
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    async fn rows(&self, path: &str) -> Vec<Value> {
        let body = self.get(path).await;
        body["data"]
            .as_array()
            .unwrap_or_else(|| panic!("GET {path}: no data rows in {body}"))
            .clone()
    }
}

/// The width and height a PNG file declares in its IHDR chunk.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        path.display()
    );
    let number = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    (number(16), number(20))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_in_chromium_from_the_setup_link_to_signing_out() {
    let Some(e2e) = prerequisite(node_with("axe-core/axe.min.js", "axe-core"), TEST) else {
        return;
    };
    let Some(chromium) = prerequisite(chromium(), TEST) else {
        return;
    };

    // A fresh database: the first start makes the owner, its token and the setup link.
    let folder = TempDir::new().expect("temp dir");
    let config = datafast_server::Config {
        bind: "127.0.0.1:0".to_owned(),
        database: folder.path().join("datafast.db"),
        owner_email: OWNER_EMAIL.to_owned(),
        // The dashboard asks for a dozen reports per view and the script opens many views in
        // a few seconds; rate limiting has tests of its own.
        rate_limit_per_minute: 0,
        log: "warn".to_owned(),
        ..datafast_server::Config::default()
    };
    let mut application = datafast_server::Application::build(config)
        .await
        .expect("server starts");
    let first = application
        .take_first_start()
        .expect("a fresh database has no account yet");
    let server = application.public_address().to_owned();
    assert!(server.starts_with("http://127.0.0.1:"), "{server}");
    tokio::spawn(application.run_until_stopped());

    let screenshots = screenshots_folder();
    std::fs::create_dir_all(&screenshots).expect("screenshots folder");
    for entry in std::fs::read_dir(&screenshots).expect("screenshots folder") {
        let path = entry.expect("folder entry").path();
        if path.extension().is_some_and(|ext| ext == "png") {
            std::fs::remove_file(&path).expect("old screenshot removed");
        }
    }

    let report = run_dashboard_script(
        &e2e,
        vec![
            ("DATAFAST_SERVER", server.clone()),
            ("DATAFAST_SETUP_CODE", first.setup_code.clone()),
            ("DATAFAST_OWNER_EMAIL", OWNER_EMAIL.to_owned()),
            ("CHROMIUM", chromium.display().to_string()),
            ("DATAFAST_SCREENSHOTS", screenshots.display().to_string()),
        ],
    )
    .await;
    assert_eq!(report["ok"], true, "{report}");
    let summary = steps_summary(&report);
    for step in [
        "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
    ] {
        assert_eq!(report["steps"][step]["ok"], true, "step {step}:\n{summary}");
    }
    for page in PAGES {
        let audited = &report["axe"]["pages"][page];
        assert_eq!(
            audited["blocking"].as_array().map(Vec::len),
            Some(0),
            "{page}: {audited}"
        );
    }

    // The server's state agrees with what the browser saw.
    let api = Api {
        base: server.clone(),
        token: first.token,
        client: reqwest::Client::new(),
    };
    let websites = api.rows("/api/v1/admin/websites").await;
    let domains: Vec<&str> = websites
        .iter()
        .map(|w| w["domain"].as_str().expect("domain"))
        .collect();
    // The website made through the form, and not the one the CSRF-less POST asked for.
    assert_eq!(domains, [DOMAIN], "{websites:?}");
    let website_id = report["websiteId"].as_str().expect("websiteId reported");
    let website = &api
        .get(&format!("/api/v1/admin/websites/{website_id}"))
        .await["data"][0];
    assert_eq!(website["name"], "Example Shop", "{website}");
    assert_eq!(website["timezone"], "UTC", "{website}");
    // Turned on, then off again, through the settings form.
    assert_eq!(website["isPublicDashboardEnabled"], false, "{website}");
    assert_eq!(
        report["steps"]["2"]["trackingId"], website["trackingId"],
        "{website}"
    );

    let analytics = |report: &str| format!("/api/v1/analytics/{report}?websiteId={website_id}");
    let overview = api.get(&analytics("overview")).await;
    assert_eq!(overview["data"][0]["visitors"], 1, "{overview}");
    let referrers = api.rows(&analytics("referrers")).await;
    assert!(
        referrers.iter().any(|r| r["referrer"]
            .as_str()
            .is_some_and(|h| h.contains(REFERRER_HOST))
            && r["visitors"] == 1),
        "{referrers:?}"
    );
    let pages = api.rows(&analytics("pages")).await;
    let mut paths: Vec<&str> = pages
        .iter()
        .map(|p| p["path"].as_str().expect("path"))
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/pricing", "/signup"], "{pages:?}");

    let funnels = api
        .rows(&format!("/api/v1/admin/websites/{website_id}/funnels"))
        .await;
    assert_eq!(funnels.len(), 1, "{funnels:?}");
    assert_eq!(funnels[0]["name"], FUNNEL, "{funnels:?}");
    let urls: Vec<&str> = funnels[0]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["url"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(urls, ["/pricing", "/signup"], "{funnels:?}");

    let team = api
        .rows(&format!("/api/v1/admin/websites/{website_id}/team"))
        .await;
    let viewer = team
        .iter()
        .find(|m| m["email"] == VIEWER_EMAIL)
        .unwrap_or_else(|| panic!("no {VIEWER_EMAIL} in the team: {team:?}"));
    assert_eq!(viewer["role"], "viewer", "{viewer}");
    assert_eq!(viewer["status"], "active", "{viewer}");
    assert_eq!(viewer["name"], "Vera Viewer", "{viewer}");

    // No longer shared: the page answers 404 to anyone.
    let share = api
        .client
        .get(format!("{server}/share/{DOMAIN}"))
        .send()
        .await
        .expect("request sent");
    assert_eq!(share.status().as_u16(), 404);

    // Every page at both viewports, as PNGs of the viewport's size.
    for page in PAGES {
        for (width, height) in VIEWPORTS {
            let file = screenshots.join(format!("{page}-{width}x{height}.png"));
            assert_eq!(png_size(&file), (width, height), "{}", file.display());
        }
    }
    eprintln!(
        "dashboard_browser: {} steps ok in {} ms; screenshots in {}",
        report["steps"].as_object().map_or(0, serde_json::Map::len),
        report["ms"],
        screenshots.display()
    );
}
