//! An in-process cache of the "directory": websites, who holds which role on them, and each
//! account's website list. Nearly every request reads these to authorize itself, and they change
//! rarely, so serving them from memory spares a trip to the blocking pool and a JSON decode.
//!
//! Coherence: every write that changes websites or memberships goes through this store and
//! calls [`Directory::invalidate`] after it commits. A read that started before such a write
//! may have seen the old rows; the generation counter keeps it from caching them. This holds
//! for one server process per database file, which is how the product runs; other processes
//! (`bootstrap`) only add accounts and tokens, which are not cached here.

use std::collections::HashMap;
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use datafast_domain::id::{AccountId, WebsiteId};
use datafast_domain::role::Role;
use datafast_domain::website::Website;

/// Beyond this many entries in one map, the cache starts over, bounding its memory.
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub(crate) struct Directory {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    generation: u64,
    websites: HashMap<WebsiteId, Website>,
    /// Tracking id to website, for ingestion, which looks one up per event.
    tracked: HashMap<String, WebsiteId>,
    roles: HashMap<(WebsiteId, AccountId), Option<Role>>,
    websites_of: HashMap<AccountId, Vec<(Website, Role)>>,
}

/// The generation a read started in; a value read under an older generation is not cached.
#[derive(Clone, Copy)]
pub(crate) struct Generation(u64);

impl Directory {
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn generation(&self) -> Generation {
        Generation(self.read().generation)
    }

    /// Forgets everything; called after every committed change to websites or memberships.
    pub(crate) fn invalidate(&self) {
        let mut state = self.write();
        state.generation += 1;
        state.websites.clear();
        state.tracked.clear();
        state.roles.clear();
        state.websites_of.clear();
    }

    /// The website with this tracking id, when cached.
    pub(crate) fn website_by_tracking_id(&self, tracking_id: &str) -> Option<Website> {
        let state = self.read();
        let id = state.tracked.get(tracking_id)?;
        state.websites.get(id).cloned()
    }

    pub(crate) fn website(&self, id: WebsiteId) -> Option<Website> {
        self.read().websites.get(&id).cloned()
    }

    /// Caches an existing website; absent ones are not cached, so probing random ids cannot
    /// fill memory.
    pub(crate) fn put_website(&self, seen_in: Generation, website: &Website) {
        self.put(seen_in, |state| {
            state
                .tracked
                .insert(website.tracking_id.as_str().to_owned(), website.id);
            state.websites.insert(website.id, website.clone());
            state.websites.len()
        });
    }

    pub(crate) fn role(&self, website: WebsiteId, account: AccountId) -> Option<Option<Role>> {
        self.read().roles.get(&(website, account)).copied()
    }

    pub(crate) fn put_role(
        &self,
        seen_in: Generation,
        website: WebsiteId,
        account: AccountId,
        role: Option<Role>,
    ) {
        self.put(seen_in, |state| {
            state.roles.insert((website, account), role);
            state.roles.len()
        });
    }

    pub(crate) fn websites_of(&self, account: AccountId) -> Option<Vec<(Website, Role)>> {
        self.read().websites_of.get(&account).cloned()
    }

    pub(crate) fn put_websites_of(
        &self,
        seen_in: Generation,
        account: AccountId,
        websites: &[(Website, Role)],
    ) {
        self.put(seen_in, |state| {
            state.websites_of.insert(account, websites.to_vec());
            state.websites_of.len()
        });
    }

    /// Applies `insert` when no invalidation happened since `seen_in`; `insert` returns the size
    /// of the map it grew.
    fn put(&self, seen_in: Generation, insert: impl FnOnce(&mut State) -> usize) {
        let mut state = self.write();
        if state.generation != seen_in.0 {
            return;
        }
        if insert(&mut state) > MAX_ENTRIES {
            state.websites.clear();
            state.tracked.clear();
            state.roles.clear();
            state.websites_of.clear();
        }
    }
}
