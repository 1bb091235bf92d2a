//! The storage contract suite on the in-memory store.

use datafast_memory::MemoryStore;

datafast_tests::storage_contract_tests!(MemoryStore::new());
