//! Registers the storage contract suite's cases: every `pub async fn` in an area file of
//! `src/contract/` is a case, and this writes the `storage_contract_tests!` macro that runs them
//! all, so writing a case is registering it (see `src/contract/mod.rs`).

use std::error::Error;
use std::fmt::Write as _;
use std::path::Path;

/// Files of `src/contract/` that hold no cases: the suite's plumbing and shared fixtures.
const NOT_AREAS: &[&str] = &["mod", "backend", "fixtures", "registry"];

fn main() -> Result<(), Box<dyn Error>> {
    let folder = Path::new("src/contract");
    println!("cargo::rerun-if-changed={}", folder.display());
    let mut areas = Vec::new();
    for entry in std::fs::read_dir(folder)? {
        let path = entry?.path();
        println!("cargo::rerun-if-changed={}", path.display());
        let Some(area) = path.file_stem().and_then(|stem| stem.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|ext| ext == "rs") && !NOT_AREAS.contains(&area) {
            let cases = cases_of(&std::fs::read_to_string(&path)?);
            areas.push((area.to_owned(), cases));
        }
    }
    // Sorted, so the generated file (and the test order) does not depend on the directory.
    areas.sort();
    let out = Path::new(&std::env::var("OUT_DIR")?).join("contract_areas.rs");
    std::fs::write(out, runner(&areas)?)?;
    Ok(())
}

/// The names of the `pub async fn`s of one area file, in their order there.
fn cases_of(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("pub async fn "))
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect()
        })
        .collect()
}

/// The `storage_contract_tests!` macro: one `contract_area!` per area with cases, then the
/// guard test over all of them.
fn runner(areas: &[(String, Vec<String>)]) -> Result<String, std::fmt::Error> {
    let mut text = String::new();
    writeln!(
        text,
        "/// Expands to one `#[tokio::test]` per contract case, each on a fresh backend built by\n\
         /// the given expression (any [`Backend`](crate::contract::Backend)), in one test module\n\
         /// per area, e.g. `storage_contract_tests!(MemoryStore::new());`, and adds the guard\n\
         /// `every_contract_case_runs`. Written by `tests/build.rs` from the cases in\n\
         /// `src/contract/`.\n\
         #[macro_export]\n\
         macro_rules! storage_contract_tests {{\n    ($fresh:expr) => {{"
    )?;
    let mut lists = Vec::new();
    for (area, cases) in areas.iter().filter(|(_, cases)| !cases.is_empty()) {
        writeln!(
            text,
            "        $crate::contract_area!($fresh; {area}: {});",
            cases.join(", ")
        )?;
        lists.push(format!("{area}::CASES"));
    }
    writeln!(
        text,
        "        #[test]\n        fn every_contract_case_runs() {{\n            \
         $crate::contract::assert_every_case_runs(&[{}].concat());\n        }}\n    }};\n}}",
        lists.join(", ")
    )?;
    Ok(text)
}
