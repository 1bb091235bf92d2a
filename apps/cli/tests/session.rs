//! The `datafast` binary against a real server: logging in and out, the config file and its
//! mode, the precedence flags > environment > file, `config show` masking, exit codes for
//! usage, authentication, not found and unreachable servers, and shell completion.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sandbox, json_of, server, stdout_of};
use predicates::prelude::*;

#[test]
fn login_checks_the_token_saves_it_0600_and_logout_removes_it() {
    let sandbox = Sandbox::new();
    let server = server();
    sandbox
        .bare()
        .args([
            "login",
            "--api-base",
            &server.base,
            "--token",
            &server.owner_token,
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("Logged in to"))
        .stdout(predicate::str::contains("owner@example.com"));

    let path = sandbox.config_path();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(saved["token"], server.owner_token.as_str());
    assert_eq!(saved["apiBase"], server.base.as_str());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "config file mode is {mode:o}");
    }

    // The saved settings are enough on their own.
    sandbox
        .bare()
        .arg("whoami")
        .assert()
        .success()
        .stdout(predicate::str::contains("owner@example.com"))
        .stdout(predicate::str::contains("(from config file)"))
        .stdout(predicate::str::contains(&server.owner_token).not());

    sandbox
        .bare()
        .arg("logout")
        .assert()
        .success()
        .stdout(predicate::str::contains("Logged out"));
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(!after.contains("dft_"), "token left behind: {after}");
    sandbox
        .bare()
        .arg("whoami")
        .assert()
        .code(3)
        .stderr(predicate::str::contains("not logged in"));
}

#[test]
fn login_reads_the_token_from_stdin() {
    let sandbox = Sandbox::new();
    let server = server();
    sandbox
        .bare()
        .env("DATAFAST_API_BASE", &server.base)
        .arg("login")
        .write_stdin(format!("{}\n", server.owner_token))
        .assert()
        .success();
    let saved = std::fs::read_to_string(sandbox.config_path()).unwrap();
    assert!(saved.contains(&server.owner_token));
}

#[test]
fn login_refuses_a_bad_token_and_saves_nothing() {
    let sandbox = Sandbox::new();
    let server = server();
    let bogus = format!("dft_{}", "0".repeat(64));
    sandbox
        .bare()
        .args(["login", "--api-base", &server.base, "--token", &bogus])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("HTTP 401"));
    assert!(!sandbox.config_path().exists());

    sandbox
        .bare()
        .args(["login", "--api-base", &server.base, "--token", "hello"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("neither an account token"));
}

#[test]
fn a_website_key_logs_in_and_sets_the_default_website() {
    let sandbox = Sandbox::new();
    let website = common::create_website(&sandbox, "keylogin");
    let issued = json_of(sandbox.owner().args([
        "websites", "apikeys", "create", &website, "--name", "cli", "--json",
    ]));
    let key = issued[0]["key"].as_str().unwrap();
    sandbox
        .bare()
        .args(["login", "--api-base", &server().base, "--token", key])
        .assert()
        .success();
    let shown = json_of(sandbox.bare().args(["config", "show", "--json"]));
    assert_eq!(shown["websiteId"], website.as_str());
    assert_eq!(shown["token"], serde_json::Value::Null);
    assert!(shown["siteKey"].as_str().unwrap().starts_with("df_"));
    assert!(
        !shown.to_string().contains(key),
        "the key was printed whole"
    );
    // The key reaches its own website's Account API routes.
    sandbox
        .bare()
        .args(["funnels", "list"])
        .assert()
        .success()
        .stdout(predicate::str::contains("No funnels."));
}

#[test]
fn config_show_masks_secrets_and_names_each_source() {
    let sandbox = Sandbox::new();
    let file_token = format!("dft_{}", "f".repeat(64));
    let env_key = format!("df_{}", "e".repeat(64));
    sandbox.write_config(&format!(
        r#"{{"token":"{file_token}","apiBase":"http://file.invalid:1","websiteId":"665f0b3c4d2e1a0012345678"}}"#
    ));
    let output = stdout_of(
        sandbox
            .bare()
            .env("DATAFAST_SITE_KEY", &env_key)
            .args(["config", "show"]),
    );
    assert!(output.contains("dft_ffff...ffff (config file)"), "{output}");
    assert!(output.contains("df_eeee...eeee (environment)"), "{output}");
    assert!(
        output.contains("http://file.invalid:1 (config file)"),
        "{output}"
    );
    assert!(output.contains("665f0b3c4d2e1a0012345678"), "{output}");
    assert!(!output.contains(&file_token) && !output.contains(&env_key));
}

#[test]
fn flags_beat_the_environment_which_beats_the_file() {
    let sandbox = Sandbox::new();
    let server = server();
    let bogus = format!("dft_{}", "0".repeat(64));
    let flag_token = format!("dft_{}", "1".repeat(64));
    sandbox.write_config(&format!(
        r#"{{"token":"{bogus}","apiBase":"http://127.0.0.1:1"}}"#
    ));

    let shown = json_of(
        sandbox
            .bare()
            .env("DATAFAST_TOKEN", &server.owner_token)
            .env("DATAFAST_API_BASE", &server.base)
            .args(["config", "show", "--json", "--token", &flag_token]),
    );
    assert_eq!(shown["sources"]["token"], "flag");
    assert_eq!(shown["sources"]["apiBase"], "environment");
    assert_eq!(shown["apiBase"], server.base.as_str());
    assert_eq!(shown["token"], "dft_1111...1111");

    // Environment over file: the file's bad token and dead URL are not used.
    sandbox
        .bare()
        .env("DATAFAST_TOKEN", &server.owner_token)
        .env("DATAFAST_API_BASE", &server.base)
        .arg("whoami")
        .assert()
        .success()
        .stdout(predicate::str::contains("(from environment)"));
    // Flag over environment: the bad flag token is the one sent.
    sandbox
        .bare()
        .env("DATAFAST_TOKEN", &server.owner_token)
        .env("DATAFAST_API_BASE", &server.base)
        .args(["whoami", "--token", &bogus])
        .assert()
        .code(3);
    // File only: its dead URL is the one tried.
    sandbox
        .bare()
        .arg("whoami")
        .assert()
        .code(5)
        .stderr(predicate::str::contains("cannot reach http://127.0.0.1:1"));
}

#[test]
fn set_and_clear_the_default_website() {
    let sandbox = Sandbox::new();
    sandbox
        .bare()
        .args(["config", "set-website", "665f0b3c4d2e1a0012345678"])
        .assert()
        .success();
    let shown = json_of(sandbox.bare().args(["config", "show", "--json"]));
    assert_eq!(shown["websiteId"], "665f0b3c4d2e1a0012345678");
    assert_eq!(shown["sources"]["apiBase"], "default");
    sandbox
        .bare()
        .args(["config", "clear-website"])
        .assert()
        .success();
    let shown = json_of(sandbox.bare().args(["config", "show", "--json"]));
    assert_eq!(shown["websiteId"], serde_json::Value::Null);
}

#[test]
fn whoami_json_is_the_servers_data() {
    let sandbox = Sandbox::new();
    let data = json_of(sandbox.owner().args(["whoami", "--json"]));
    assert_eq!(data[0]["email"], "owner@example.com");
    assert_eq!(data[0]["planType"], "self-hosted");
    let shown = stdout_of(sandbox.owner().args(["account", "show"]));
    assert!(
        shown.contains("Email:") && shown.contains("owner@example.com"),
        "{shown}"
    );
}

#[test]
fn account_update_renames_the_account() {
    let sandbox = Sandbox::new();
    let data = json_of(
        sandbox
            .friend()
            .args(["account", "update", "--name", "Friendly", "--json"]),
    );
    assert_eq!(data[0]["name"], "Friendly");
}

#[test]
fn unreachable_and_wrong_base_urls_exit_5() {
    let sandbox = Sandbox::new();
    let token = &server().owner_token;
    sandbox
        .bare()
        .args([
            "whoami",
            "--api-base",
            "http://127.0.0.1:1",
            "--token",
            token,
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::starts_with(
            "error: cannot reach http://127.0.0.1:1: ",
        ));
    sandbox
        .bare()
        .args(["whoami", "--api-base", "not a url", "--token", token])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("cannot reach not a url"));
    // A server that answers, but not at this path: the 404 says to check the base URL.
    let wrong = format!("{}/not-here", server().base);
    sandbox
        .bare()
        .args(["whoami", "--api-base", &wrong, "--token", token])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("is the base URL right?"));
}

#[test]
fn usage_errors_exit_2() {
    let sandbox = Sandbox::new();
    sandbox.bare().arg("frobnicate").assert().code(2);
    sandbox
        .owner()
        .args(["analytics", "overview", "--from", "2026-01-01"])
        .assert()
        .code(2);
    sandbox
        .owner()
        .args(["websites", "get"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config set-website"));
    sandbox.bare().arg("--help").assert().success();
}

#[test]
fn completion_scripts_are_generated() {
    let sandbox = Sandbox::new();
    for shell in ["bash", "zsh", "fish"] {
        sandbox
            .bare()
            .args(["completion", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains("datafast"))
            .stdout(predicate::str::contains("websites"));
    }
    sandbox.bare().args(["completion", "tcsh"]).assert().code(2);
}
