//! The binary as an operator runs it: `bootstrap` prints only a token on stdout, the first start
//! prints the owner's token and setup link once, `set-password` and `bootstrap --password-stdin`
//! set a dashboard password from standard input, configuration layers override each other in
//! order, and SIGTERM stops the server cleanly.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BINARY: &str = env!("CARGO_BIN_EXE_datafast-server");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` over a raw socket; the status code, or `None` while nothing listens.
fn status_of(port: u16, path: &str, token: Option<&str>) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\n{auth}Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

fn wait_until_healthy(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if status_of(port, "/health", None) == Some(200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the server did not answer /health on port {port}");
}

fn serve(folder: &Path, port: u16) -> Child {
    Command::new(BINARY)
        .current_dir(folder)
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("DATAFAST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "no exit within 15 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs a command that is expected to exit on its own; a server that starts instead is stopped
/// after a while, so a regression fails the test rather than hanging it.
fn output_within_seconds(command: &mut Command, seconds: u64) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stdout_of(child: &mut Child) -> String {
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

fn tokens_in(text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|word| word.starts_with("dft_") && word.len() == 68)
        .map(str::to_owned)
        .collect()
}

#[test]
fn bootstrap_prints_only_a_token_on_stdout() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db.sqlite");
    let output = Command::new(BINARY)
        .args([
            "bootstrap",
            "--email",
            "ops@example.com",
            "--name",
            "Ops",
            "--database",
        ])
        .arg(&database)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.trim_end_matches('\n');
    assert_eq!(stdout.lines().count(), 1);
    assert!(token.starts_with("dft_") && token.len() == 68, "{stdout:?}");
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains(token),
        "the token goes to stdout only"
    );

    let bad = Command::new(BINARY)
        .args(["bootstrap", "--email", "not-an-email", "--database"])
        .arg(&database)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
}

#[test]
fn first_start_prints_a_working_token_once_and_sigterm_stops_cleanly() {
    let folder = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut first = serve(folder.path(), port);
    wait_until_healthy(port);
    assert_eq!(terminate(&mut first).code(), Some(0));
    let printed = tokens_in(&stdout_of(&mut first));
    assert_eq!(printed.len(), 1, "exactly one token on first start");
    assert!(folder.path().join("datafast.db").exists());
    let key_mode = std::fs::metadata(folder.path().join("datafast.key")).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&key_mode.permissions()) & 0o777,
        0o600
    );

    let port = free_port();
    let mut second = serve(folder.path(), port);
    wait_until_healthy(port);
    assert_eq!(
        status_of(port, "/api/v1/admin/account", Some(&printed[0])),
        Some(200)
    );
    assert_eq!(status_of(port, "/api/v1/admin/account", None), Some(401));
    assert_eq!(terminate(&mut second).code(), Some(0));
    assert!(
        tokens_in(&stdout_of(&mut second)).is_empty(),
        "no token on later starts"
    );
}

#[test]
fn flags_override_environment_which_overrides_the_file() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("datafast.toml");
    std::fs::write(&config, "database = \"from-file.db\"\nlog = \"warn\"\n").unwrap();
    let run = |extra_env: &[(&str, &str)], extra_args: &[&str]| {
        let mut command = Command::new(BINARY);
        command
            .current_dir(folder.path())
            .args(["migrate", "--config", "datafast.toml"])
            .args(extra_args);
        for (key, value) in extra_env {
            command.env(key, value);
        }
        let status = command.stderr(Stdio::null()).status().unwrap();
        assert!(status.success());
    };
    run(&[], &[]);
    assert!(folder.path().join("from-file.db").exists());
    run(&[("DATAFAST_DATABASE", "from-env.db")], &[]);
    assert!(folder.path().join("from-env.db").exists());
    run(
        &[("DATAFAST_DATABASE", "from-env-2.db")],
        &["--database", "from-flag.db"],
    );
    assert!(folder.path().join("from-flag.db").exists());
    assert!(!folder.path().join("from-env-2.db").exists());

    std::fs::write(&config, "databse = \"typo.db\"\n").unwrap();
    let status = Command::new(BINARY)
        .current_dir(folder.path())
        .args(["migrate", "--config", "datafast.toml"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success(), "unknown keys in the file are refused");
}

#[test]
fn a_busy_port_is_a_clear_error_not_a_panic() {
    let folder = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let output = Command::new(BINARY)
        .current_dir(folder.path())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot listen"), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn a_populated_database_without_its_key_file_is_refused() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db.sqlite");
    let bootstrap = Command::new(BINARY)
        .args(["bootstrap", "--email", "ops@example.com", "--database"])
        .arg(&database)
        .output()
        .unwrap();
    assert!(bootstrap.status.success());
    std::fs::remove_file(folder.path().join("db.key")).unwrap();

    let output = output_within_seconds(
        Command::new(BINARY)
            .args(["serve", "--bind", "127.0.0.1:0", "--database"])
            .arg(&database),
        10,
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("key file"), "{stderr}");
    assert!(
        !folder.path().join("db.key").exists(),
        "no replacement keys are made up"
    );
}

#[test]
fn invalid_settings_fail_before_any_file_is_created() {
    let folder = tempfile::tempdir().unwrap();
    for (flag, value) in [("--owner-email", "owner"), ("--log", "info,[[")] {
        let output = output_within_seconds(
            Command::new(BINARY).current_dir(folder.path()).args([
                "serve",
                "--bind",
                "127.0.0.1:0",
                flag,
                value,
            ]),
            10,
        );
        assert!(!output.status.success(), "{flag} {value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
        assert!(output.stdout.is_empty());
    }
    assert!(!folder.path().join("datafast.db").exists());
    assert!(!folder.path().join("datafast.key").exists());
}

/// The `code` of the first setup link in `text`.
fn setup_code_in(text: &str) -> Option<String> {
    let (_, after) = text.split_once("/setup?code=")?;
    Some(after.split_whitespace().next()?.to_owned())
}

/// Runs the binary with `args`, `input` on its standard input.
fn with_stdin(args: &[&str], database: &Path, input: &str) -> std::process::Output {
    let mut child = Command::new(BINARY)
        .args(args)
        .arg("--database")
        .arg(database)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn first_start_prints_a_setup_link_for_this_server_that_works_once() {
    let folder = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut server = serve(folder.path(), port);
    wait_until_healthy(port);
    assert_eq!(terminate(&mut server).code(), Some(0));
    let printed = stdout_of(&mut server);
    assert!(
        printed.contains(&format!("http://127.0.0.1:{port}/setup?code=")),
        "{printed}"
    );
    let code = setup_code_in(&printed).unwrap();

    let port = free_port();
    let mut again = serve(folder.path(), port);
    wait_until_healthy(port);
    assert_eq!(
        status_of(port, &format!("/api/setup?code={code}"), None),
        Some(200)
    );
    assert_eq!(status_of(port, "/api/setup?code=0", None), Some(404));
    assert_eq!(terminate(&mut again).code(), Some(0));
    assert!(
        setup_code_in(&stdout_of(&mut again)).is_none(),
        "no link on later starts"
    );
}

#[test]
fn passwords_come_from_standard_input_and_are_checked() {
    let folder = tempfile::tempdir().unwrap();
    let database = folder.path().join("db.sqlite");
    let email = ["--email", "ops@example.com"];
    let bootstrap = with_stdin(
        &["bootstrap", email[0], email[1], "--password-stdin"],
        &database,
        "a long enough password\n",
    );
    assert!(
        bootstrap.status.success(),
        "{}",
        String::from_utf8_lossy(&bootstrap.stderr)
    );
    assert_eq!(
        tokens_in(&String::from_utf8_lossy(&bootstrap.stdout)).len(),
        1
    );

    let short = with_stdin(
        &["set-password", email[0], email[1], "--password-stdin"],
        &database,
        "short\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("at least 10 characters"));
    let unknown = with_stdin(
        &[
            "set-password",
            "--email",
            "nobody@example.com",
            "--password-stdin",
        ],
        &database,
        "another long password\n",
    );
    assert!(!unknown.status.success());
    let changed = with_stdin(
        &["set-password", email[0], email[1], "--password-stdin"],
        &database,
        "another long password\n",
    );
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );
    let stderr = String::from_utf8_lossy(&changed.stderr);
    assert!(
        !stderr.contains("another long password"),
        "the password is never echoed"
    );
}
