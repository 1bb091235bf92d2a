//! The storage contract suite: what `ports/src/store.rs` promises, written once as `pub async fn`
//! cases over `&dyn Storage`, one module per area, and instantiated for a backend by
//! [`storage_contract_tests!`](crate::storage_contract_tests) (one `#[tokio::test]` per case, in
//! one test module per area). It also holds the fixtures the cases and the property tests share
//! (`fixtures.rs`: deterministic ids, instants and domain values) and the two backends under
//! test (`backend.rs`).
//!
//! A case asserts only what a port's doc comment demands. Where a contract leaves a choice open
//! (ties in an ordering, which of two collisions is reported), the cases stay silent; the model
//! test (`tests/tests/storage_model.rs`) holds the backends to answering alike there.
//!
//! # Adding a case
//!
//! Write it as a `pub async fn name(store: &dyn Storage)` in its area's file; there is no list
//! to add it to. `tests/build.rs` reads the area files (every file here but `mod.rs`,
//! `backend.rs`, `fixtures.rs` and `registry.rs`) and writes `storage_contract_tests!` to run
//! each `pub async fn` it finds; a new area file needs only its `pub mod` line below (without
//! it, the generated tests do not compile). Helpers in an area file stay private, so that they
//! are not taken for cases. Each backend also runs `every_contract_case_runs`, which reads the
//! source on its own and fails if a case-shaped function (of any visibility, in any file here)
//! did not run.
// Fixtures and cases sit outside `#[test]` functions, where clippy's test exemption does not
// reach; a failed unwrap here is a failed test, which is what it should be.
#![allow(clippy::unwrap_used)]

mod backend;
mod fixtures;
mod registry;

pub mod accounts;
pub mod alerts;
pub mod api_keys;
pub mod event_deletes;
pub mod events;
pub mod fidelity;
pub mod funnels;
pub mod goals;
pub mod integrations;
pub mod payments;
pub mod profiles;
pub mod sessions;
pub mod team;
pub mod websites;

pub use backend::{Backend, TempSqlite};
pub use fixtures::*;
pub use registry::{assert_every_case_runs, cases_in_source};

include!(concat!(env!("OUT_DIR"), "/contract_areas.rs"));
