//! The analytics, visitors and funnel-results commands against a real server fed with real
//! traffic: pageviews through `POST /api/events` (browser user agents, hrefs on the website's
//! domain) and a payment through the Payments API with the website's `df_` key. The numbers
//! are counted by hand from `traffic()`; tables are checked by their rows and, for overview,
//! pages and the visitors list, pinned with snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::OnceLock;

use assert_cmd::Command;
use common::{Sandbox, create_website, json_of, server, stdout_of, unique_domain};
use predicates::prelude::*;
use serde_json::{Value, json};

const CHROME_MAC: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const ANN: &str = "0c424a08-3676-4e3a-a7e0-4ac419bb8c6c";
const BOB: &str = "1d535b19-4787-4f4b-b8f1-5bd52acc9d7d";
const CAT: &str = "2e646c2a-5898-4a5c-99a2-6ce63bdda08e";
const NOBODY: &str = "3f757d3b-69ab-4b6d-8a2c-7df74cee1b9f";
/// Fixed so the snapshots show it; only `traffic()` creates a website in this test binary's
/// server with this domain.
const DOMAIN: &str = "shop.example.com";

struct Traffic {
    website: String,
    site_key: String,
    funnel: String,
}

fn track(tracking: &str, visitor: &str, session: &str, path: &str, referrer: Option<&str>) {
    send_event(tracking, visitor, session, path, referrer, None, CHROME_MAC);
}

fn send_event(
    tracking: &str,
    visitor: &str,
    session: &str,
    path: &str,
    referrer: Option<&str>,
    goal: Option<&str>,
    agent: &str,
) {
    let mut event = json!({
        "websiteId": tracking,
        "domain": DOMAIN,
        "visitorId": visitor,
        "sessionId": session,
        "href": format!("https://{DOMAIN}{path}"),
        "referrer": referrer,
        "type": "pageview",
    });
    if let Some(goal) = goal {
        event["type"] = json!("custom");
        event["extraData"] = json!({"eventName": goal});
    }
    let response = reqwest::blocking::Client::new()
        .post(format!("{}/api/events", server().base))
        .header("content-type", "application/json")
        .header("user-agent", agent)
        .body(event.to_string())
        .send()
        .expect("event sent");
    assert_eq!(response.status(), 200, "{:?}", response.text());
    // Instants are kept to the millisecond: a pause keeps "most recently seen first" free of
    // ties, whatever order the index holds equal instants in.
    std::thread::sleep(std::time::Duration::from_millis(5));
}

/// Ann: from Google, views / then /pricing and completes `signup`, on a Mac; then pays 49 USD.
/// Bob: one pageview on /pricing from X with newsletter/email/launch UTM tags, on an iPhone (a
/// bounce). Cat: one direct pageview on /, on a Mac (a bounce). And a three-step funnel
/// Home → Pricing → signup.
fn traffic() -> &'static Traffic {
    static TRAFFIC: OnceLock<Traffic> = OnceLock::new();
    TRAFFIC.get_or_init(|| {
        let sandbox = Sandbox::new();
        let created = json_of(sandbox.owner().args([
            "websites",
            "create",
            "--domain",
            DOMAIN,
            "--timezone",
            "UTC",
            "--json",
        ]));
        let website = created[0]["websiteId"].as_str().unwrap().to_owned();
        let tracking = created[0]["trackingId"].as_str().unwrap().to_owned();
        let site_key = json_of(
            sandbox
                .owner()
                .args(["websites", "apikeys", "create", &website, "--json"]),
        )[0]["key"]
            .as_str()
            .unwrap()
            .to_owned();

        let ann = "s7a403e54-0983-4d84-bd9e-f82db331bb8e";
        track(&tracking, ANN, ann, "/", Some("https://www.google.com/"));
        track(&tracking, ANN, ann, "/pricing", None);
        send_event(
            &tracking,
            ANN,
            ann,
            "/pricing",
            None,
            Some("signup"),
            CHROME_MAC,
        );
        send_event(
            &tracking,
            BOB,
            "s8b514f65-1094-4e95-8e0a-093ec442cc9f",
            "/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=launch",
            Some("https://x.com/someone"),
            None,
            SAFARI_IPHONE,
        );
        track(
            &tracking,
            CAT,
            "s9c625076-21a5-4fa6-9f1b-1a4fd553dda0",
            "/",
            None,
        );
        let payment = reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/payments", server().base))
            .bearer_auth(&site_key)
            .json(&json!({"amount": 49, "currency": "USD", "transaction_id": "tx_1",
                          "datafast_visitor_id": ANN}))
            .send()
            .expect("payment sent");
        assert_eq!(payment.status(), 200, "{:?}", payment.text());

        let steps = r#"[{"name":"Home","type":"pageview","url":"/"},{"name":"Pricing","type":"pageview","url":"/pricing"},{"name":"Signed up","type":"goal","goalName":"signup"}]"#;
        let funnel = json_of(sandbox.owner().args([
            "funnels", "create", &website, "--name", "Signup", "--steps", steps, "--json",
        ]))[0]["_id"]
            .as_str()
            .unwrap()
            .to_owned();
        Traffic {
            website,
            site_key,
            funnel,
        }
    })
}

/// `datafast` with only the website's `df_` key: the website is implied.
fn with_key(sandbox: &Sandbox) -> Command {
    let mut command = sandbox.owner();
    command
        .env_remove("DATAFAST_TOKEN")
        .env("DATAFAST_SITE_KEY", &traffic().site_key);
    command
}

fn rows(value: &Value) -> &Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
}

/// The row whose `key` is `name`.
fn row<'a>(value: &'a Value, key: &str, name: &str) -> &'a Value {
    rows(value)
        .iter()
        .find(|r| r[key] == name)
        .unwrap_or_else(|| panic!("no {key} {name} in {value}"))
}

/// Whether a table line has exactly these cells, in order, separated by spaces.
fn has_line(table: &str, cells: &[&str]) -> bool {
    table
        .lines()
        .any(|line| line.split_whitespace().collect::<Vec<_>>() == cells)
}

#[test]
fn overview_counts_visitors_sessions_bounces_and_revenue() {
    let sandbox = Sandbox::new();
    traffic();
    let overview = json_of(with_key(&sandbox).args(["analytics", "overview", "--json"]));
    let totals = &overview[0];
    assert_eq!(totals["visitors"], 3);
    assert_eq!(totals["sessions"], 3);
    // Bob's and Cat's sessions are single pageviews.
    assert_eq!(totals["bounce_rate"], 66.67);
    assert_eq!(totals["revenue"], 49.0);
    assert_eq!(totals["payments"], 1);
    assert_eq!(totals["revenue_per_visitor"], 16.33);
    assert_eq!(totals["conversion_rate"], 33.33);
    assert_eq!(totals["currency"], "$");

    let table = stdout_of(with_key(&sandbox).args(["analytics", "overview"]));
    for line in [
        "Visitors:        3",
        "Bounce rate:     66.67%",
        "Revenue:         49",
        "Revenue/visitor: 16.33",
        "Conversion rate: 33.33%",
    ] {
        assert!(table.lines().any(|l| l == line), "no {line:?} in\n{table}");
    }

    // --fields narrows both the answer and the record.
    let narrowed = json_of(with_key(&sandbox).args([
        "analytics",
        "overview",
        "--fields",
        "visitors,sessions",
        "--json",
    ]));
    assert_eq!(narrowed, json!([{"visitors": 3, "sessions": 3}]));
    let narrowed = stdout_of(with_key(&sandbox).args([
        "analytics",
        "overview",
        "--fields",
        "visitors,revenue",
    ]));
    assert_eq!(narrowed, "Visitors: 3\nRevenue:  49\n");

    // A filter: only Bob came on a phone.
    let mobile = json_of(with_key(&sandbox).args([
        "analytics",
        "overview",
        "--device",
        "mobile",
        "--fields",
        "visitors,bounce_rate,revenue",
        "--json",
    ]));
    assert_eq!(
        mobile,
        json!([{"visitors": 1, "bounce_rate": 100.0, "revenue": 0.0}])
    );

    // Periods and explicit ranges that hold the traffic, one that does not, and a token
    // naming the website instead of the site key.
    let yesterday = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::UTC)
        .date()
        .yesterday()
        .unwrap();
    let tomorrow = yesterday.tomorrow().unwrap().tomorrow().unwrap();
    for range in [
        vec!["--period", "last24h"],
        vec!["--period", "last7d", "--timezone", "Asia/Tokyo"],
        vec!["--period", "all"],
        vec![
            "--from",
            &yesterday.to_string(),
            "--to",
            &tomorrow.to_string(),
            "--timezone",
            "UTC",
        ],
    ] {
        let mut args = vec!["analytics", "overview", "--fields", "visitors", "--json"];
        args.extend(range.iter().copied());
        assert_eq!(
            json_of(with_key(&sandbox).args(&args)),
            json!([{"visitors": 3}]),
            "{range:?}"
        );
    }
    let by_token = json_of(sandbox.owner().args([
        "analytics",
        "overview",
        "--website",
        &traffic().website,
        "--fields",
        "visitors",
        "--period",
        "last24h",
        "--json",
    ]));
    assert_eq!(by_token, json!([{"visitors": 3}]));

    let before = json_of(with_key(&sandbox).args([
        "analytics",
        "overview",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
        "--json",
    ]));
    assert_eq!(before[0]["visitors"], 0);
    assert_eq!(before[0]["revenue"], 0.0);
    let before = stdout_of(with_key(&sandbox).args([
        "analytics",
        "overview",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
    ]));
    assert!(before.starts_with("Visitors:        0\n"), "{before}");
    assert!(before.contains("Bounce rate:     0%\n"), "{before}");
}

#[test]
fn every_breakdown_lists_its_rows() {
    let sandbox = Sandbox::new();
    traffic();
    let report = |name: &str| json_of(with_key(&sandbox).args(["analytics", name, "--json"]));
    let table = |name: &str| stdout_of(with_key(&sandbox).args(["analytics", name]));

    let pages = report("pages");
    assert_eq!(rows(&pages).len(), 2);
    // The entry page carries the visitor's revenue.
    assert_eq!(
        row(&pages, "path", "/"),
        &json!({"hostname": DOMAIN, "path": "/", "visitors": 2, "revenue": 49.0, "payments": 1})
    );
    assert_eq!(row(&pages, "path", "/pricing")["visitors"], 2);
    assert!(has_line(&table("pages"), &[DOMAIN, "/", "2", "49", "1"]));

    let referrers = report("referrers");
    assert_eq!(row(&referrers, "referrer", "Google")["visitors"], 1);
    assert_eq!(row(&referrers, "referrer", "Google")["revenue"], 49.0);
    assert_eq!(row(&referrers, "referrer", "X")["visitors"], 1);
    assert_eq!(row(&referrers, "referrer", "Direct/None")["visitors"], 1);
    let listed = table("referrers");
    assert!(listed.starts_with("REFERRER "), "{listed}");
    assert!(has_line(&listed, &["Google", "1", "49", "1"]), "{listed}");
    assert!(
        has_line(&listed, &["Direct/None", "1", "0", "0"]),
        "{listed}"
    );

    let campaigns = report("campaigns");
    assert_eq!(rows(&campaigns).len(), 1);
    assert_eq!(campaigns[0]["campaign"]["utm_source"], "newsletter");
    assert_eq!(campaigns[0]["campaign"]["utm_medium"], "email");
    assert_eq!(campaigns[0]["campaign"]["utm_campaign"], "launch");
    assert_eq!(campaigns[0]["visitors"], 1);
    // Only the campaign parts someone came with get a column.
    assert_eq!(
        table("campaigns"),
        "SOURCE      MEDIUM  CAMPAIGN  VISITORS  REVENUE  PAYMENTS\n\
         newsletter  email   launch           1        0         0\n"
    );

    let goals = report("goals");
    assert_eq!(
        goals,
        json!([{"goal": "signup", "completions": 1, "visitors": 1}])
    );
    assert_eq!(
        table("goals"),
        "GOAL    COMPLETIONS  VISITORS\nsignup            1         1\n"
    );

    // The test server has no geo database and the traffic comes from 127.0.0.1.
    for name in ["countries", "regions", "cities"] {
        assert_eq!(report(name), json!([]), "{name}");
        assert_eq!(table(name), "No data for this range.\n", "{name}");
    }

    let devices = report("devices");
    assert_eq!(row(&devices, "device", "desktop")["visitors"], 2);
    assert_eq!(row(&devices, "device", "mobile")["visitors"], 1);
    assert!(has_line(&table("devices"), &["mobile", "1", "0", "0"]));

    let browsers = report("browsers");
    assert_eq!(row(&browsers, "browser", "Chrome")["visitors"], 2);
    assert_eq!(row(&browsers, "browser", "Mobile Safari")["visitors"], 1);
    assert!(has_line(&table("browsers"), &["Chrome", "2", "49", "1"]));

    let systems = report("operating-systems");
    assert_eq!(rows(&systems).len(), 2);
    assert_eq!(row(&systems, "operating_system", "iOS")["visitors"], 1);
    let listed = table("operating-systems");
    assert!(listed.starts_with("OS "), "{listed}");
    assert!(has_line(&listed, &["iOS", "1", "0", "0"]), "{listed}");

    let hostnames = report("hostnames");
    assert_eq!(
        hostnames,
        json!([{"hostname": DOMAIN, "visitors": 3, "revenue": 49.0, "payments": 1}])
    );
    assert!(has_line(&table("hostnames"), &[DOMAIN, "3", "49", "1"]));
}

#[test]
fn breakdowns_page_narrow_and_filter() {
    let sandbox = Sandbox::new();
    traffic();
    let first = stdout_of(with_key(&sandbox).args(["analytics", "pages", "--limit", "1"]));
    assert_eq!(first.lines().count(), 3, "{first}");
    assert!(
        first.ends_with("Showing 1-1 of 2; use --offset 1 for more\n"),
        "{first}"
    );
    let second = json_of(with_key(&sandbox).args([
        "analytics",
        "pages",
        "--limit",
        "1",
        "--offset",
        "1",
        "--fields",
        "path,visitors",
        "--json",
    ]));
    assert_eq!(rows(&second).len(), 1);
    assert_eq!(rows(&second)[0].as_object().unwrap().len(), 2, "{second}");
    let both = json_of(with_key(&sandbox).args(["analytics", "pages", "--json"]));
    assert_ne!(
        second[0]["path"], both[0]["path"],
        "offset 1 skips the first"
    );
    // Without the hostname field, no hostname column.
    let narrowed =
        stdout_of(with_key(&sandbox).args(["analytics", "pages", "--fields", "path,visitors"]));
    assert!(narrowed.starts_with("PAGE      VISITORS\n"), "{narrowed}");

    // Only Bob came with the newsletter's tags, and only on /pricing.
    let tagged = json_of(with_key(&sandbox).args([
        "analytics",
        "pages",
        "--filter",
        "utm_source=newsletter",
        "--json",
    ]));
    assert_eq!(rows(&tagged).len(), 1);
    assert_eq!(tagged[0]["path"], "/pricing");
    assert_eq!(tagged[0]["visitors"], 1);
    let from_google = json_of(with_key(&sandbox).args([
        "analytics",
        "browsers",
        "--referrer",
        "Google",
        "--json",
    ]));
    assert_eq!(
        from_google,
        json!([{"browser": "Chrome", "visitors": 1, "revenue": 49.0, "payments": 1}])
    );

    let nothing = stdout_of(with_key(&sandbox).args([
        "analytics",
        "referrers",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
    ]));
    assert_eq!(nothing, "No data for this range.\n");
}

#[test]
fn timeseries_and_realtime() {
    let sandbox = Sandbox::new();
    traffic();
    let daily = json_of(with_key(&sandbox).args(["analytics", "timeseries", "--json"]));
    // Thirty days by default, the traffic in the last one.
    assert_eq!(rows(&daily).len(), 30);
    let total: u64 = rows(&daily)
        .iter()
        .map(|b| b["visitors"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 3);
    assert_eq!(rows(&daily).last().unwrap()["visitors"], 3);
    assert_eq!(rows(&daily).last().unwrap()["sessions"], 3);
    let table = stdout_of(with_key(&sandbox).args(["analytics", "timeseries"]));
    assert!(table.starts_with("PERIOD  VISITORS  SESSIONS\n"), "{table}");
    assert_eq!(table.lines().count(), 31);
    let last = table.lines().last().unwrap();
    assert!(last.ends_with(" 3         3"), "{last}");

    // Hours in Tokyo: the buckets carry Tokyo's offset, and every visitor is in one of them.
    let hourly = json_of(with_key(&sandbox).args([
        "analytics",
        "timeseries",
        "--interval",
        "hour",
        "--period",
        "last24h",
        "--timezone",
        "Asia/Tokyo",
        "--fields",
        "visitors,revenue",
        "--json",
    ]));
    assert!(rows(&hourly).len() >= 24, "{hourly}");
    assert!(
        rows(&hourly)
            .iter()
            .all(|b| b["timestamp"].as_str().unwrap().ends_with("+09:00")),
        "{hourly}"
    );
    let visitors: u64 = rows(&hourly)
        .iter()
        .map(|b| b["visitors"].as_u64().unwrap())
        .sum();
    let revenue: f64 = rows(&hourly)
        .iter()
        .map(|b| b["revenue"].as_f64().unwrap())
        .sum();
    assert_eq!((visitors, revenue), (3, 49.0));
    let table = stdout_of(with_key(&sandbox).args([
        "analytics",
        "timeseries",
        "--interval",
        "month",
        "--period",
        "last12m",
        "--fields",
        "visitors,revenue,conversion_rate",
    ]));
    assert!(
        table.starts_with("PERIOD    VISITORS  REVENUE  CONVERSION RATE\n"),
        "{table}"
    );
    assert_eq!(
        table.lines().count(),
        13,
        "a header and twelve months: {table}"
    );
    let this_month = jiff::Zoned::now().strftime("%b %Y").to_string();
    let this_month: Vec<&str> = this_month.split(' ').collect();
    assert!(
        // On timeseries the conversion rate is revenue per visitor, not a percentage.
        has_line(&table, &[this_month[0], this_month[1], "3", "49", "16.33"]),
        "{table}"
    );

    let realtime = json_of(with_key(&sandbox).args(["analytics", "realtime", "--json"]));
    assert_eq!(realtime, json!([{"visitors": 3}]));
    assert_eq!(
        stdout_of(with_key(&sandbox).args(["analytics", "realtime"])),
        "Active visitors: 3\n"
    );
}

#[test]
fn visitors_list_and_get() {
    let sandbox = Sandbox::new();
    traffic();
    let listed = json_of(with_key(&sandbox).args(["visitors", "list", "--json"]));
    let ids: Vec<&str> = rows(&listed)
        .iter()
        .map(|v| v["visitorId"].as_str().unwrap())
        .collect();
    // Most recently seen first: Ann's payment came last.
    assert_eq!(ids, [ANN, CAT, BOB]);
    assert_eq!(listed[0]["isCustomer"], true);
    assert_eq!(listed[0]["currentUrl"], format!("{DOMAIN}/pricing"));
    assert_eq!(listed[2]["identity"]["device"], "mobile");
    assert_eq!(listed[2]["acquisition"]["params"]["utm_campaign"], "launch");
    let table = stdout_of(with_key(&sandbox).args(["visitors", "list"]));
    assert!(table.starts_with("VISITOR "), "{table}");
    let bob = table.lines().find(|l| l.starts_with(BOB)).unwrap();
    assert!(
        bob.contains("x.com") && bob.contains("mobile") && bob.contains("Safari"),
        "{bob}"
    );
    assert!(bob.trim_end().ends_with("no"), "{bob}");

    let page = stdout_of(with_key(&sandbox).args(["visitors", "list", "--limit", "2"]));
    assert_eq!(page.lines().count(), 4, "{page}");
    assert!(page.ends_with("More visitors: use --offset 2\n"), "{page}");
    let rest = json_of(with_key(&sandbox).args([
        "visitors", "list", "--limit", "2", "--offset", "2", "--json",
    ]));
    assert_eq!(rows(&rest).len(), 1);
    assert_eq!(rest[0]["visitorId"], BOB);

    let customers = json_of(with_key(&sandbox).args([
        "visitors",
        "list",
        "--is-customer",
        "true",
        "--period",
        "last7d",
        "--timezone",
        "UTC",
        "--json",
    ]));
    assert_eq!(rows(&customers).len(), 1);
    assert_eq!(customers[0]["visitorId"], ANN);
    let on_pricing = json_of(sandbox.owner().args([
        "visitors",
        "list",
        "--website",
        &traffic().website,
        "--visited-page",
        "/pricing",
        "--json",
    ]));
    assert_eq!(rows(&on_pricing).len(), 2);
    let none = stdout_of(with_key(&sandbox).args([
        "visitors",
        "list",
        "--from",
        "2020-01-01",
        "--to",
        "2020-01-31",
    ]));
    assert_eq!(none, "No visitors in this range.\n");

    let ann = json_of(with_key(&sandbox).args(["visitors", "get", ANN, "--json"]));
    assert_eq!(ann["visitorId"], ANN);
    assert_eq!(ann["activity"]["visitCount"], 1);
    assert_eq!(ann["activity"]["pageViewCount"], 2);
    assert_eq!(ann["identity"]["browser"]["name"], "Chrome");
    assert_eq!(ann["activity"]["completedCustomGoals"][0]["name"], "signup");
    let shown =
        stdout_of(
            sandbox
                .owner()
                .args(["visitors", "get", ANN, "--website", &traffic().website]),
        );
    for line in [
        format!("Visitor:     {ANN}"),
        "Browser:     Chrome".to_owned(),
        "OS:          Mac OS".to_owned(),
        "Device:      desktop".to_owned(),
        "Visits:      1".to_owned(),
        "Pageviews:   2".to_owned(),
        format!("Current URL: {DOMAIN}/pricing"),
        "Goals:".to_owned(),
    ] {
        assert!(shown.lines().any(|l| l == line), "no {line:?} in\n{shown}");
    }
    assert!(shown.lines().any(|l| l.starts_with("signup  ")), "{shown}");
    let bob = stdout_of(with_key(&sandbox).args(["visitors", "get", BOB]));
    assert!(!bob.contains("Goals:"), "{bob}");
}

#[test]
fn funnel_results_follow_step_order() {
    let sandbox = Sandbox::new();
    let traffic = traffic();
    let results = json_of(sandbox.owner().args([
        "funnels",
        "view",
        &traffic.website,
        &traffic.funnel,
        "--json",
    ]));
    let steps = rows(&results[0]["steps"]);
    // Home: Ann and Cat. Pricing after home: Ann (Bob skipped home). Signup after that: Ann.
    let visitors: Vec<u64> = steps
        .iter()
        .map(|s| s["visitors"].as_u64().unwrap())
        .collect();
    assert_eq!(visitors, [2, 1, 1]);
    assert_eq!(steps[1]["conversionRate"], 50.0);
    assert_eq!(steps[1]["dropoff"], 1);
    assert_eq!(results[0]["conversionRate"], 50.0);
    assert_eq!(results[0]["funnel"]["name"], "Signup");

    let table = stdout_of(with_key(&sandbox).args([
        "funnels",
        "view",
        &traffic.website,
        &traffic.funnel,
        "--period",
        "last7d",
    ]));
    assert!(table.starts_with("Funnel: Signup\nSTEP "), "{table}");
    assert!(
        has_line(&table, &["Home", "pageview", "2", "100%", "0", "49"]),
        "{table}"
    );
    assert!(
        has_line(&table, &["Pricing", "pageview", "1", "50%", "1", "49"]),
        "{table}"
    );
    assert!(table.ends_with("Overall conversion: 50%\n"), "{table}");

    // Filtered to phones, nobody starts the funnel.
    let mobile = json_of(sandbox.owner().args([
        "funnels",
        "view",
        &traffic.website,
        &traffic.funnel,
        "--device",
        "mobile",
        "--json",
    ]));
    assert_eq!(mobile[0]["steps"][0]["visitors"], 0);
    assert_eq!(mobile[0]["conversionRate"], 0.0);
}

#[test]
fn errors_have_their_exit_codes() {
    let sandbox = Sandbox::new();
    let traffic = traffic();
    with_key(&sandbox)
        .args(["analytics", "overview", "--fields", "visitors,nonsense"])
        .assert()
        .code(1)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::starts_with("error: "))
        .stderr(predicate::str::contains("nonsense"))
        .stderr(predicate::str::contains("(HTTP 400)"));
    with_key(&sandbox)
        .args(["analytics", "pages", "--limit", "5000"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 400)"));

    // A token without a website to name cannot be used: a usage error before any request.
    sandbox
        .owner()
        .args(["analytics", "overview"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty());
    sandbox.owner().args(["visitors", "list"]).assert().code(2);
    with_key(&sandbox)
        .args(["analytics", "overview", "--from", "2026-01-01"])
        .assert()
        .code(2);
    with_key(&sandbox)
        .args([
            "analytics",
            "overview",
            "--period",
            "last7d",
            "--timezone",
            "Mars/Olympus",
        ])
        .assert()
        .code(2);
    sandbox
        .bare()
        .env("DATAFAST_API_BASE", &server().base)
        .args(["analytics", "overview"])
        .assert()
        .code(3);

    // Another account's website, by id with the owner's token: not found, like an unknown id,
    // so that ids of other accounts' websites do not leak.
    let others = create_website_as_friend(&sandbox);
    sandbox
        .owner()
        .args(["analytics", "overview", "--website", &others])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("(HTTP 404)"));
    sandbox
        .owner()
        .args(["visitors", "get", ANN, "--website", &others])
        .assert()
        .code(4);
    // Nor can a site key, even for a website of the same account: the named website is sent
    // along for the server to refuse, rather than answered for the key's own.
    let own = create_website(&sandbox, "own");
    with_key(&sandbox)
        .args(["analytics", "pages", "--website", &own])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("(HTTP 403)"));
    with_key(&sandbox)
        .args(["analytics", "realtime", "--website", &traffic.website])
        .assert()
        .success();

    with_key(&sandbox)
        .args(["visitors", "get", NOBODY])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("(HTTP 404)"));
    sandbox
        .owner()
        .args([
            "funnels",
            "view",
            &traffic.website,
            "000000000000000000000000",
        ])
        .assert()
        .code(4);
}

fn create_website_as_friend(sandbox: &Sandbox) -> String {
    let created = json_of(sandbox.friend().args([
        "websites",
        "create",
        "--domain",
        &unique_domain("friend"),
        "--json",
    ]));
    created[0]["websiteId"].as_str().unwrap().to_owned()
}

/// Table output of the reports people read most, pinned; times are redacted with same-width
/// placeholders, and the average session (a few milliseconds of real time) with its label kept.
#[test]
fn analytics_table_snapshots() {
    let sandbox = Sandbox::new();
    traffic();
    let run = |args: &[&str]| stdout_of(with_key(&sandbox).args(args));
    insta::with_settings!({filters => vec![
        (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "YYYY-MM-DD HH:MM UTC"),
        (r"(Avg\. session:\s+).+", "${1}DURATION"),
    ]}, {
        insta::assert_snapshot!("analytics_overview", run(&["analytics", "overview"]));
        insta::assert_snapshot!("analytics_pages", run(&["analytics", "pages"]));
        insta::assert_snapshot!("visitors_list", run(&["visitors", "list"]));
    });
}
