//! Embeds the dashboard (`dashboard/` at the repository root) in the binary: writes a table of
//! every file there, each with its bytes and a content hash for `ETag`, so that a file added to
//! the dashboard is served without a list to keep up to date.

use std::error::Error;
use std::fmt::Write as _;
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dashboard");
    println!("cargo::rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files)?;
    files.sort();
    let mut table = String::from("&[\n");
    for (url_path, file) in &files {
        println!("cargo::rerun-if-changed={}", file.display());
        let mut hasher = DefaultHasher::new();
        hasher.write(&std::fs::read(file)?);
        writeln!(
            table,
            "    ({url_path:?}, include_bytes!({:?}), \"{:016x}\"),",
            file.display().to_string(),
            hasher.finish()
        )?;
    }
    table.push(']');
    let out = Path::new(&std::env::var("OUT_DIR")?).join("dashboard_assets.rs");
    std::fs::write(out, table)?;
    Ok(())
}

/// Every file under `folder` but the README, with its path relative to `root` in URL form.
fn collect(
    root: &Path,
    folder: &Path,
    files: &mut Vec<(String, PathBuf)>,
) -> Result<(), Box<dyn Error>> {
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        println!("cargo::rerun-if-changed={}", path.display());
        if path.is_dir() {
            collect(root, &path, files)?;
            continue;
        }
        let relative = path.strip_prefix(root)?;
        let url_path: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        let url_path = url_path.join("/");
        if url_path != "README.md" {
            files.push((url_path, path));
        }
    }
    Ok(())
}
