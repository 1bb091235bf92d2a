//! Every Account API command group through the `datafast` binary against a real server: the
//! happy paths, `--json` parsed back, secrets shown once, confirmations, the main errors with
//! their exit codes (401, 403, 404, 409, usage). The analytics, visitors and funnel-results
//! commands are in `analytics.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{
    FRIEND_EMAIL, STRIPE_TEST_KEY, Sandbox, create_website, json_of, stdout_of, unique_domain,
};
use predicates::prelude::*;

const MISSING_ID: &str = "000000000000000000000000";

#[test]
fn websites_create_list_get_update_kpi_and_delete() {
    let sandbox = Sandbox::new();
    let domain = unique_domain("site");
    let created = stdout_of(sandbox.owner().args([
        "websites",
        "create",
        "--domain",
        &domain,
        "--timezone",
        "Europe/Paris",
        "--name",
        "Shop",
    ]));
    assert!(
        created.contains(&format!("Created website {domain}")),
        "{created}"
    );
    assert!(created.contains("<script"), "no snippet: {created}");

    let listed = json_of(sandbox.owner().args(["websites", "list", "--json"]));
    let site = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["domain"] == domain.as_str())
        .expect("listed");
    let id = site["_id"].as_str().unwrap().to_owned();
    assert_eq!(site["timezone"], "Europe/Paris");

    let table = stdout_of(sandbox.owner().args(["websites", "list"]));
    assert!(table.starts_with("ID "), "{table}");
    assert!(table.contains(&domain));

    let got = json_of(sandbox.owner().args(["website", "get", &id, "--json"]));
    assert_eq!(got[0]["name"], "Shop");

    let updated = json_of(sandbox.owner().args([
        "websites",
        "update",
        &id,
        "--cookieless",
        "true",
        "--excluded-ips",
        "1.2.3.4, 5.6.7.8",
        "--currency",
        "EUR",
        "--json",
    ]));
    assert_eq!(updated[0]["isCookieless"], true);
    assert_eq!(
        updated[0]["excludedIps"],
        serde_json::json!(["1.2.3.4", "5.6.7.8"])
    );
    assert_eq!(updated[0]["currency"], "EUR");
    sandbox
        .owner()
        .args(["websites", "update", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing to change"));

    let kpi = stdout_of(sandbox.owner().args([
        "websites",
        "kpi",
        &id,
        "--goal",
        "signup",
        "--color-scheme",
        "blue",
        "--revenue-metric",
        "mrr",
    ]));
    assert!(
        kpi.contains("KPI:")
            && kpi.contains("signup")
            && kpi.contains("blue")
            && kpi.contains("mrr"),
        "{kpi}"
    );
    let shown = json_of(sandbox.owner().args(["websites", "kpi", &id, "--json"]));
    assert_eq!(shown[0]["kpi"], "signup");
    let cleared = json_of(
        sandbox
            .owner()
            .args(["websites", "kpi", &id, "--clear", "--json"]),
    );
    assert_eq!(cleared[0]["kpi"], serde_json::Value::Null);

    // Deletion is dashboard-only: the server's 403 and message come through.
    sandbox
        .owner()
        .args(["websites", "delete", &id, "--yes"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("(HTTP 403)"));
    // Without --yes and without a terminal, nothing is sent.
    sandbox
        .owner()
        .args(["websites", "delete", &id])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--yes"));

    sandbox
        .owner()
        .args(["websites", "create", "--domain", &domain])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 409)"));
    sandbox
        .owner()
        .args(["websites", "get", MISSING_ID])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("(HTTP 404)"));
}

#[test]
fn api_keys_are_shown_once_rolled_and_revoked() {
    let sandbox = Sandbox::new();
    let website = create_website(&sandbox, "keys");
    let out = stdout_of(
        sandbox
            .owner()
            .args(["websites", "apikeys", "create", &website, "--name", "Prod"]),
    );
    assert!(out.contains("shown only once"), "{out}");
    let raw = out
        .split_whitespace()
        .find(|w| w.starts_with("df_"))
        .expect("raw key printed")
        .to_owned();
    assert_eq!(raw.len(), 3 + 64);

    let keys = json_of(
        sandbox
            .owner()
            .args(["websites", "apikeys", "list", &website, "--json"]),
    );
    let id = keys[0]["_id"].as_str().unwrap().to_owned();
    assert!(keys[0].get("key").is_none());
    let listed = stdout_of(
        sandbox
            .owner()
            .args(["websites", "apikeys", "list", &website]),
    );
    assert!(!listed.contains(&raw), "the list shows the raw key");

    let rolled = json_of(
        sandbox
            .owner()
            .args(["websites", "apikeys", "roll", &website, &id, "--json"]),
    );
    let new_raw = rolled[0]["key"].as_str().unwrap();
    assert_ne!(new_raw, raw);
    // The old key no longer works; the new one does (as the site key).
    sandbox
        .owner()
        .env_remove("DATAFAST_TOKEN")
        .env("DATAFAST_SITE_KEY", &raw)
        .arg("whoami")
        .assert()
        .code(3);
    sandbox
        .owner()
        .env_remove("DATAFAST_TOKEN")
        .env("DATAFAST_SITE_KEY", new_raw)
        .arg("whoami")
        .assert()
        .success();

    sandbox
        .owner()
        .args(["websites", "apikeys", "delete", &website, &id, "--yes"])
        .assert()
        .success();
    let keys = json_of(
        sandbox
            .owner()
            .args(["websites", "apikeys", "list", &website, "--json"]),
    );
    assert_eq!(keys, serde_json::json!([]));
}

#[test]
fn tokens_create_list_delete_and_permission_errors() {
    let sandbox = Sandbox::new();
    let created = json_of(sandbox.owner().args([
        "tokens",
        "create",
        "--name",
        "reader",
        "--permissions",
        "websites:read",
        "--json",
    ]));
    let limited = created[0]["key"].as_str().unwrap().to_owned();
    let limited_id = created[0]["_id"].as_str().unwrap().to_owned();
    assert_eq!(
        created[0]["permissions"],
        serde_json::json!(["websites:read"])
    );

    let listed = json_of(sandbox.owner().args(["tokens", "list", "--json"]));
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["_id"] == limited_id.as_str())
    );
    let table = stdout_of(sandbox.owner().args(["tokens", "list"]));
    assert!(table.contains("reader") && !table.contains(&limited));

    // The limited token can list websites but not tokens: 403 with the server's message.
    sandbox
        .owner()
        .env("DATAFAST_TOKEN", &limited)
        .args(["websites", "list"])
        .assert()
        .success();
    sandbox
        .owner()
        .env("DATAFAST_TOKEN", &limited)
        .args(["tokens", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("Missing permission"))
        .stderr(predicate::str::contains("(HTTP 403)"));

    sandbox
        .owner()
        .args(["tokens", "create", "--permissions", "no:such"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 400)"));

    sandbox
        .owner()
        .args(["tokens", "delete", &limited_id, "--yes"])
        .assert()
        .success();
    sandbox
        .owner()
        .env("DATAFAST_TOKEN", &limited)
        .args(["websites", "list"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("(HTTP 401)"));
    sandbox
        .owner()
        .args(["tokens", "delete", &limited_id, "--yes"])
        .assert()
        .code(4);
}

#[test]
fn funnels_lifecycle_with_the_default_website() {
    let sandbox = Sandbox::new();
    let website = create_website(&sandbox, "funnels");
    sandbox
        .owner()
        .args(["config", "set-website", &website])
        .assert()
        .success();
    let steps = r#"[{"name":"Pricing","type":"pageview","url":"/pricing"},{"name":"Bought","type":"goal","goalName":"purchase"}]"#;
    let created = json_of(sandbox.owner().args([
        "funnels", "create", "--name", "Checkout", "--steps", steps, "--json",
    ]));
    let id = created[0]["_id"].as_str().unwrap().to_owned();
    assert_eq!(created[0]["steps"].as_array().unwrap().len(), 2);

    let bare_list = stdout_of(sandbox.owner().arg("funnels"));
    assert!(bare_list.contains("Checkout"), "{bare_list}");

    sandbox
        .owner()
        .args(["funnels", "create", "--name", "checkout", "--steps", steps])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 409)"));
    sandbox
        .owner()
        .args(["funnels", "create", "--name", "Bad", "--steps", "{not json"])
        .assert()
        .code(2);

    let disabled = json_of(
        sandbox
            .owner()
            .args(["funnels", "update", &id, "--disable", "--json"]),
    );
    assert_eq!(disabled[0]["isActive"], false);
    let active = json_of(sandbox.owner().args(["funnels", "list", "--json"]));
    assert_eq!(active, serde_json::json!([]));
    let all = json_of(
        sandbox
            .owner()
            .args(["funnels", "list", "--include-inactive", "--json"]),
    );
    assert_eq!(all[0]["_id"], id.as_str());
    let enabled = json_of(sandbox.owner().args([
        "funnels", "update", &website, &id, "--enable", "--name", "Buy", "--json",
    ]));
    assert_eq!(enabled[0]["isActive"], true);
    assert_eq!(enabled[0]["name"], "Buy");

    let shown = stdout_of(sandbox.owner().args(["funnels", "get", &id]));
    assert!(
        shown.contains("/pricing") && shown.contains("purchase"),
        "{shown}"
    );

    sandbox
        .owner()
        .args(["funnels", "delete", &id, "-y"])
        .assert()
        .success();
    sandbox
        .owner()
        .args(["funnels", "get", &id])
        .assert()
        .code(4);
}

#[test]
fn alerts_lifecycle_and_history() {
    let sandbox = Sandbox::new();
    let website = create_website(&sandbox, "alerts");
    let created = json_of(sandbox.owner().args([
        "alerts",
        "create",
        &website,
        "--name",
        "New sale",
        "--goal",
        "Purchase",
        "--webhook-url",
        "https://hooks.example.com/sale",
        "--json",
    ]));
    let id = created[0]["_id"].as_str().unwrap().to_owned();
    assert_eq!(created[0]["trigger"]["goalName"], "purchase");
    assert_eq!(created[0]["isEnabled"], true);

    let listed = stdout_of(sandbox.owner().args(["alerts", "list", &website]));
    assert!(
        listed.contains("New sale") && listed.contains("purchase"),
        "{listed}"
    );
    let got = json_of(
        sandbox
            .owner()
            .args(["alerts", "get", &website, &id, "--json"]),
    );
    assert_eq!(got[0]["name"], "New sale");

    let updated = json_of(sandbox.owner().args([
        "alerts",
        "update",
        &website,
        &id,
        "--disabled",
        "--clear-webhook-url",
        "--json",
    ]));
    assert_eq!(updated[0]["isEnabled"], false);
    assert_eq!(
        updated[0]["destination"]["webhookUrl"],
        serde_json::Value::Null
    );
    sandbox
        .owner()
        .args(["alerts", "update", &website, &id, "--message", "short"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 400)"));

    let history = stdout_of(
        sandbox
            .owner()
            .args(["alerts", "history", &website, "--alert", &id]),
    );
    assert!(history.contains("0 sent, 0 failed, 0 in all"), "{history}");
    let history = json_of(
        sandbox
            .owner()
            .args(["alerts", "history", &website, "--json", "--limit", "5"]),
    );
    assert_eq!(history, serde_json::json!([]));

    sandbox
        .owner()
        .args(["alerts", "delete", &website, &id, "--yes"])
        .assert()
        .success();
    sandbox
        .owner()
        .args(["alerts", "get", &website, &id])
        .assert()
        .code(4);
}

#[test]
fn goals_customizations_and_colors() {
    let sandbox = Sandbox::new();
    let website = create_website(&sandbox, "goals");
    let goals = json_of(sandbox.owner().args(["goals", "list", &website, "--json"]));
    assert_eq!(goals, serde_json::json!([]));

    let colors = json_of(
        sandbox
            .owner()
            .args(["goals", "colors", &website, "--json"]),
    );
    assert!(
        colors
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["color"] == "#ef4444")
    );

    let customized = json_of(sandbox.owner().args([
        "goals",
        "customize",
        &website,
        "signup",
        "--display-name",
        "Signed up",
        "--color",
        "#8DCDFF",
        "--description",
        "Finished the form",
        "--json",
    ]));
    assert_eq!(customized[0]["color"], "#8dcdff");
    let listed =
        stdout_of(
            sandbox
                .owner()
                .args(["goals", "customizations", &website, "--goal", "signup"]),
        );
    assert!(
        listed.contains("Signed up") && listed.contains("#8dcdff"),
        "{listed}"
    );
    let cleared = json_of(sandbox.owner().args([
        "goals",
        "customize",
        &website,
        "signup",
        "--clear-color",
        "--json",
    ]));
    assert_eq!(cleared[0]["color"], serde_json::Value::Null);
    sandbox
        .owner()
        .args([
            "goals",
            "customize",
            &website,
            "signup",
            "--color",
            "#123456",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 400)"));
    sandbox
        .owner()
        .args(["goals", "customize", &website, "signup"])
        .assert()
        .code(2);
}

#[test]
fn integrations_status_connect_and_disconnect() {
    let sandbox = Sandbox::new();
    let website = create_website(&sandbox, "pay");
    let secret = STRIPE_TEST_KEY;
    let connected = stdout_of(sandbox.owner().args([
        "integrations",
        "connect",
        "stripe",
        &website,
        "--key",
        secret,
    ]));
    assert!(connected.contains("Stripe connected"), "{connected}");
    let status = json_of(
        sandbox
            .owner()
            .args(["integrations", "status", &website, "--json"]),
    );
    assert_eq!(status[0]["stripe"]["connected"], true);
    let table = stdout_of(sandbox.owner().args(["integrations", "status", &website]));
    assert!(!table.contains(secret));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("stripe") && l.contains("yes")),
        "{table}"
    );

    sandbox
        .owner()
        .args([
            "integrations",
            "connect",
            "stripe",
            &website,
            "--key",
            "sk_live_nope",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 400)"));
    sandbox
        .owner()
        .args(["integrations", "connect", "polar", &website, "--key", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--org-id"));
    // Importing now: Stripe's two recent payments come in once, however often it runs.
    let synced = stdout_of(
        sandbox
            .owner()
            .args(["integrations", "sync", "--website", &website]),
    );
    assert!(
        synced
            .lines()
            .any(|l| l.starts_with("stripe") && l.contains("synced") && l.contains(" 2")),
        "{synced}"
    );
    let again = json_of(
        sandbox
            .owner()
            .args(["integrations", "sync", &website, "--json"]),
    );
    assert_eq!(again[0]["status"], "synced");
    assert_eq!(again[0]["importedPayments"], 0);
    let status = json_of(
        sandbox
            .owner()
            .args(["integrations", "--website", &website, "--json"]),
    );
    assert_eq!(status[0]["stripe"]["importedPayments"], 2);
    assert!(status[0]["stripe"]["lastSyncAt"].is_string());
    assert!(status[0]["stripe"]["lastError"].is_null());

    // The webhook: where to point it, then its secret saved (never printed back), then gone.
    let url = stdout_of(sandbox.owner().args([
        "integrations",
        "webhook",
        "stripe",
        "--website",
        &website,
    ]));
    assert!(
        url.trim()
            .ends_with(&format!("/api/webhooks/stripe/{website}")),
        "{url}"
    );
    let webhook_secret = "whsec_cliSigningSecret0123";
    let saved = stdout_of(sandbox.owner().args([
        "integrations",
        "webhook",
        "stripe",
        &website,
        "--secret",
        webhook_secret,
    ]));
    assert!(saved.contains("signing secret saved"), "{saved}");
    assert!(!saved.contains(webhook_secret), "{saved}");
    let status = json_of(
        sandbox
            .owner()
            .args(["integrations", "status", &website, "--json"]),
    );
    assert_eq!(status[0]["stripe"]["webhookConfigured"], true);
    sandbox
        .owner()
        .args([
            "integrations",
            "webhook",
            "stripe",
            &website,
            "--secret",
            "not-whsec",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("(HTTP 400)"));
    sandbox
        .owner()
        .args(["integrations", "webhook", "stripe", &website, "--remove"])
        .assert()
        .success();
    let status = json_of(
        sandbox
            .owner()
            .args(["integrations", "status", &website, "--json"]),
    );
    assert_eq!(status[0]["stripe"]["webhookConfigured"], false);

    sandbox
        .owner()
        .args(["integrations", "disconnect", "stripe", &website, "--yes"])
        .assert()
        .success();
    let status = json_of(
        sandbox
            .owner()
            .args(["integrations", "status", &website, "--json"]),
    );
    assert_eq!(status[0]["stripe"]["connected"], false);
}

#[test]
fn team_invite_accept_and_remove() {
    let sandbox = Sandbox::new();
    let website = create_website(&sandbox, "team");
    let invited = json_of(sandbox.owner().args([
        "websites",
        "team",
        "invite",
        &website,
        "--email",
        FRIEND_EMAIL,
        "--role",
        "member",
        "--json",
    ]));
    let invitation = invited[0]["invitationId"].as_str().unwrap().to_owned();

    // The friend cannot see the website before accepting: it is not found.
    sandbox
        .friend()
        .args(["websites", "get", &website])
        .assert()
        .code(4);
    let pending = stdout_of(sandbox.friend().args(["invitations", "list"]));
    assert!(pending.contains(&invitation), "{pending}");
    sandbox
        .friend()
        .args(["invitations", "accept", &invitation])
        .assert()
        .success();
    sandbox
        .friend()
        .args(["websites", "get", &website])
        .assert()
        .success();
    // A member may not invite: owner-only.
    sandbox
        .friend()
        .args([
            "websites",
            "team",
            "invite",
            &website,
            "--email",
            "x@example.com",
        ])
        .assert()
        .code(3);

    let team = stdout_of(sandbox.owner().args(["websites", "team", "list", &website]));
    assert!(
        team.contains(FRIEND_EMAIL) && team.contains("active"),
        "{team}"
    );
    sandbox
        .owner()
        .args([
            "websites",
            "team",
            "remove",
            &website,
            FRIEND_EMAIL,
            "--yes",
        ])
        .assert()
        .success();
    sandbox
        .friend()
        .args(["websites", "get", &website])
        .assert()
        .code(4);
    sandbox
        .owner()
        .args([
            "websites",
            "team",
            "remove",
            &website,
            "nobody@example.com",
            "--yes",
        ])
        .assert()
        .code(4);
}

/// Table output for people, pinned with snapshots. A token scoped to one website keeps other
/// tests' websites out of the list; ids, tracking ids and times are redacted with same-width
/// placeholders so the alignment stays visible in the snapshots.
#[test]
fn table_output_snapshots() {
    let sandbox = Sandbox::new();
    let created = json_of(sandbox.owner().args([
        "websites",
        "create",
        "--domain",
        "snapshot.example.com",
        "--timezone",
        "America/New_York",
        "--name",
        "Snapshot",
        "--json",
    ]));
    let website = created[0]["websiteId"].as_str().unwrap().to_owned();
    let scoped = json_of(sandbox.owner().args([
        "tokens",
        "create",
        "--name",
        "snapshots",
        "--websites",
        &website,
        "--json",
    ]));
    let token = scoped[0]["key"].as_str().unwrap().to_owned();
    let run = |args: &[&str]| stdout_of(sandbox.owner().env("DATAFAST_TOKEN", &token).args(args));

    let steps = r#"[{"name":"Landing","type":"pageview","url":"/"},{"name":"Pricing","type":"pageview","url":"/pricing"},{"name":"Signed up","type":"goal","goalName":"signup"}]"#;
    run(&[
        "funnels",
        "create",
        &website,
        "--name",
        "Signup funnel",
        "--steps",
        steps,
    ]);
    run(&[
        "alerts",
        "create",
        &website,
        "--name",
        "New signup",
        "--goal",
        "signup",
    ]);

    insta::with_settings!({filters => vec![
        (r"\b[0-9a-f]{24}\b", "IDIDIDIDIDIDIDIDIDIDIDID"),
        (r"dfid_[a-z0-9]{20}", "dfid_TRACKINGIDXXXXXXXXXX"),
        (r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "YYYY-MM-DD HH:MM UTC"),
    ]}, {
        insta::assert_snapshot!("websites_list", run(&["websites", "list"]));
        insta::assert_snapshot!("websites_get", run(&["websites", "get", &website]));
        insta::assert_snapshot!("funnels_list", run(&["funnels", "list", &website]));
        insta::assert_snapshot!("alerts_list", run(&["alerts", "list", &website]));
        insta::assert_snapshot!("goals_colors", run(&["goals", "colors", &website]));
        insta::assert_snapshot!("integrations_status", run(&["integrations", "status", &website]));
    });
}
