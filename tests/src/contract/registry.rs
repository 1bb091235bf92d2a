//! How cases become tests: the macro that instantiates one area's cases for a backend (which
//! `tests/build.rs` calls once per area in `storage_contract_tests!`), and the guard that finds
//! a case in the source that did not run.

use std::collections::BTreeSet;
use std::path::Path;

/// Instantiates the cases of one area for a backend: a test module named after the area, with
/// one `#[tokio::test]` per case on a fresh backend from `$fresh`, and `CASES`, the (area, case)
/// pairs it runs. Called by `storage_contract_tests!`, which `tests/build.rs` writes.
#[doc(hidden)]
#[macro_export]
macro_rules! contract_area {
    ($fresh:expr; $area:ident: $($case:ident),+ $(,)?) => {
        mod $area {
            // The backend expression names what the test file imported.
            #[allow(unused_imports)]
            use super::*;

            /// The cases this module runs, as (area, case).
            pub const CASES: &[(&str, &str)] = &[$((stringify!($area), stringify!($case))),+];

            $(
                #[tokio::test]
                async fn $case() {
                    let backend = $fresh;
                    let store = $crate::contract::Backend::store(&backend);
                    $crate::contract::$area::$case(store).await;
                }
            )+
        }
    };
}

/// Every case in the suite's source, as (file, name): each `async fn`, of any visibility, in
/// any file of `src/contract/`, whose one parameter is a `&dyn Storage` and which returns
/// nothing: the shape the runner calls. It reads the source independently of `build.rs` (which
/// registers the `pub async fn`s of area files), so a case that registration missed shows here.
pub fn cases_in_source() -> BTreeSet<(String, String)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/contract");
    let mut cases = BTreeSet::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let file = path.file_stem().unwrap().to_string_lossy().into_owned();
        let source = std::fs::read_to_string(&path).unwrap();
        for name in case_shaped_fns(&source) {
            cases.insert((file.clone(), name));
        }
    }
    cases
}

/// The names of the `async fn`s in `source` that take one `&dyn Storage` and return nothing.
fn case_shaped_fns(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    for (at, _) in source.match_indices("async fn ") {
        let rest = &source[at + "async fn ".len()..];
        let Some((name, after_name)) = rest.split_once('(') else {
            continue;
        };
        let Some((params, after_params)) = after_name.split_once(')') else {
            continue;
        };
        let params: String = params.chars().filter(|c| !c.is_whitespace()).collect();
        let takes_a_store = params
            .trim_end_matches(',')
            .split_once(':')
            .is_some_and(|(_, ty)| ty == "&dynStorage");
        let returns_nothing = after_params.trim_start().starts_with('{');
        if takes_a_store && returns_nothing {
            names.push(name.trim().to_owned());
        }
    }
    names
}

/// Panics, naming them, if a case in the source is not among the cases that `ran`.
pub fn assert_every_case_runs(ran: &[(&str, &str)]) {
    let ran: BTreeSet<(String, String)> = ran
        .iter()
        .map(|(area, case)| ((*area).to_owned(), (*case).to_owned()))
        .collect();
    let never_run: Vec<String> = cases_in_source()
        .difference(&ran)
        .map(|(area, case)| format!("{area}::{case}"))
        .collect();
    assert!(
        never_run.is_empty(),
        "contract cases in the source that did not run on this backend: {never_run:?}; a case \
         is a `pub async fn` in an area file of tests/src/contract/ (not mod.rs, backend.rs, \
         fixtures.rs or registry.rs)"
    );
}
