//! In-crate tests of the whole adapter: the in-memory store, the real secrets, a fixed clock.

mod api;
mod auth_failures;
mod clock;
mod connections;
mod logs;
