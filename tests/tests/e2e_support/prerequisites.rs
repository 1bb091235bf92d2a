//! What the tests that drive real clients need from the machine (Node with the pinned npm
//! packages of `e2e/`, and Chromium), found once here for every such test, and the rule for
//! when one is missing: a failure under CI, a skip notice on a developer machine.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// `Some(value)` when the prerequisite is there. Otherwise: a failure under CI, where every
/// prerequisite is installed by `.ci/run`, and a printed skip notice on a developer machine.
pub fn prerequisite<T>(found: Result<T, String>, test: &str) -> Option<T> {
    match found {
        Ok(value) => Some(value),
        Err(why) if std::env::var_os("CI").is_some() => {
            panic!("{test}: {why}; CI is set, so this test must run (.ci/run installs it)")
        }
        Err(why) => {
            eprintln!("SKIPPED {test}: {why}");
            None
        }
    }
}

/// The `e2e/` folder, once `node` runs and `package_file` (a path under
/// `e2e/node_modules/`, naming what `what` needs) is installed.
pub fn node_with(package_file: &str, what: &str) -> Result<PathBuf, String> {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("`node` cannot be run ({e}); install Node.js"))?;
    if !node.status.success() {
        return Err("`node --version` failed".to_owned());
    }
    let e2e = repository_root().join("e2e");
    if !e2e.join("node_modules").join(package_file).is_file() {
        return Err(format!(
            "{what} is not installed; run `npm ci --prefix e2e`"
        ));
    }
    Ok(e2e)
}

/// The Chromium binary: `CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
pub fn chromium() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("CHROMIUM").map(PathBuf::from) {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("CHROMIUM={} is not a file", path.display()))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
        .ok_or_else(|| {
            "no Chromium on the PATH; install Debian's `chromium` or set CHROMIUM".to_owned()
        })
}
