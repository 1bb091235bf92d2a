//! The SMTP password never leaves the process through the command line's own output: not in
//! `--help` (which would otherwise show environment values), not in start-up errors.

use std::process::Command;

const PASSWORD: &str = "hunter2-do-not-print";

fn server() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_datafast-server"));
    command.env("DATAFAST_SMTP_PASSWORD", PASSWORD);
    command
}

#[test]
fn help_does_not_show_the_password_from_the_environment() {
    let output = server().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    assert!(text.contains("--smtp-password"), "{text}");
    assert!(!text.contains(PASSWORD), "{text}");
}

#[test]
fn a_refused_smtp_configuration_does_not_echo_the_password() {
    let folder = tempfile::tempdir().unwrap();
    let output = server()
        .args(["--bind", "127.0.0.1:0", "--database"])
        .arg(folder.path().join("datafast.db"))
        .args(["--smtp-host", "127.0.0.1", "--smtp-username", "alerts"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success());
    assert!(stderr.contains("smtp_from"), "{stderr}");
    assert!(!stderr.contains(PASSWORD) && !stdout.contains(PASSWORD));
}
