//! An in-memory implementation of every storage port of `datafast-ports`: the reference model
//! the property tests compare the SQLite backend against, and a backend for embedding the
//! domain where nothing needs to outlive the process.
//!
//! It owns no business rule beyond what the port contracts demand (uniqueness, per-website
//! limits, soft deletes). All state sits behind one mutex; every method takes it once, checks
//! everything it must refuse before changing anything, and releases it before returning, so
//! each call is atomic and no lock is ever held across an await.
//!
//! Where a contract leaves a choice open, this store answers as the SQLite backend does, so the
//! two can be compared call by call: ties in an ordering are broken by id, instants are kept to
//! the millisecond, and a repeated primary id is a backend failure rather than a `Conflict`.

mod accounts;
mod alerts;
mod apikeys;
mod events;
mod funnels;
mod goals;
mod integrations;
mod payments;
mod profiles;
mod sessions;
mod state;
mod team;
mod websites;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use datafast_ports::store::StoreResult;

use crate::state::State;

/// Every storage port over process memory. Clones share the same data, as clones of a database
/// handle share the same file.
#[derive(Clone, Default)]
pub struct MemoryStore {
    state: Arc<Mutex<State>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `read` over the state under the lock.
    fn read<T>(&self, read: impl FnOnce(&State) -> T) -> StoreResult<T> {
        Ok(read(&self.lock()))
    }

    /// Runs `change` over the state under the lock. A change checks before it mutates, so an
    /// error leaves the state as it was.
    fn write<T>(&self, change: impl FnOnce(&mut State) -> StoreResult<T>) -> StoreResult<T> {
        change(&mut self.lock())
    }

    /// Every change validates before it mutates, so a panic elsewhere while the lock was held
    /// cannot have left half a change behind: a poisoned lock is still safe to use.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for MemoryStore {
    // The data holds credential hashes and sealed provider credentials: never print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore").finish_non_exhaustive()
    }
}
