//! The storage contract suite on the SQLite store, each case on a fresh database file.

use datafast_tests::contract::TempSqlite;

datafast_tests::storage_contract_tests!(TempSqlite::new());
