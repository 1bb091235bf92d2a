//! Black-box tests of the server: the real server over HTTP, the storage contract suite run
//! against every backend, and property tests that cross crates. This library holds what the
//! test binaries in `tests/` share.

pub mod contract;
pub mod principals;
