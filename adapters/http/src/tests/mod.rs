//! In-crate tests of the whole adapter, over test doubles of the driven ports.

mod api;
mod auth_failures;
mod connections;
mod doubles;
mod logs;
