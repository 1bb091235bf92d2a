//! The memory of what recently seen user agents say, so that each is parsed once.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, RandomState};
use std::sync::{Arc, Mutex, PoisonError};

use datafast_domain::ingest::{Device, UserAgentInfo, user_agent_info};

use super::prehashed::Prehashed;

/// Distinct user agents whose reading is remembered before the memory starts over.
const MAX_REMEMBERED_AGENTS: usize = 4096;
/// Longest input remembered: real user agents are a few hundred bytes, and remembering
/// thousands of huge made-up ones would hold a lot of memory for nothing.
const MAX_REMEMBERED_AGENT_BYTES: usize = 1024;

/// Everything that decides what [`user_agent_info`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AgentKey {
    header: Option<String>,
    device: Option<(String, Option<String>, Option<String>)>,
}

impl AgentKey {
    fn new(user_agent: Option<&str>, device: Option<&Device>) -> Self {
        Self {
            header: user_agent.map(str::to_owned),
            device: device.map(|d| (d.platform.clone(), d.os_version.clone(), d.model.clone())),
        }
    }

    /// Whether this key was made from these inputs, compared without building a key.
    fn is(&self, user_agent: Option<&str>, device: Option<&Device>) -> bool {
        self.header.as_deref() == user_agent
            && match (&self.device, device) {
                (None, None) => true,
                (Some((platform, os_version, model)), Some(d)) => {
                    *platform == d.platform && *os_version == d.os_version && *model == d.model
                }
                _ => false,
            }
    }
}

/// Readings by the hash of their inputs, with the inputs kept to tell collisions apart.
type KnownAgents = HashMap<u64, (AgentKey, Arc<UserAgentInfo>), BuildHasherDefault<Prehashed>>;

/// What recently seen user agents say. Reading one takes the parser several microseconds of
/// pattern matching, a large share of an event's cost, while a site's traffic comes from a
/// few hundred distinct browsers; so each reading is remembered, keyed by every input that
/// decides it.
#[derive(Debug, Default)]
pub struct AgentCache {
    /// Randomly keyed, since the inputs come from clients: colliding hashes cannot be
    /// chosen to make one agent evict another's reading on every event.
    seed: RandomState,
    known: Mutex<KnownAgents>,
}

impl AgentCache {
    /// The same answer as [`user_agent_info`], parsed once per distinct input.
    pub fn read(&self, user_agent: Option<&str>, device: Option<&Device>) -> Arc<UserAgentInfo> {
        let size = user_agent.map_or(0, str::len)
            + device.map_or(0, |d| {
                d.platform.len()
                    + d.os_version.as_deref().map_or(0, str::len)
                    + d.model.as_deref().map_or(0, str::len)
            });
        if size > MAX_REMEMBERED_AGENT_BYTES {
            return Arc::new(user_agent_info(user_agent, device));
        }
        // Hashed from the borrowed inputs: a hit allocates nothing. On the web the SDK's
        // `osVersion` is the header itself, which needs hashing only once.
        let hash = self.seed.hash_one((
            user_agent,
            device.map(|d| {
                let os_version = d.os_version.as_deref();
                let repeats_header = os_version.is_some() && os_version == user_agent;
                let os_version = if repeats_header { None } else { os_version };
                (
                    d.platform.as_str(),
                    repeats_header,
                    os_version,
                    d.model.as_deref(),
                )
            }),
        ));
        if let Some((key, info)) = self.lock().get(&hash)
            && key.is(user_agent, device)
        {
            return Arc::clone(info);
        }
        let info = Arc::new(user_agent_info(user_agent, device));
        let mut known = self.lock();
        if known.len() >= MAX_REMEMBERED_AGENTS {
            known.clear();
        }
        // A colliding entry of other inputs is replaced: it is only a memory.
        known.insert(hash, (AgentKey::new(user_agent, device), Arc::clone(&info)));
        info
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KnownAgents> {
        // Each change is one insert or clear: a panic elsewhere leaves the map usable.
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC_CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
        (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_3_2 like Mac OS X) \
        AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1";

    #[test]
    fn remembered_agents_read_as_the_parser_reads_them() {
        let cache = AgentCache::default();
        let web = Device {
            platform: "web".into(),
            os_version: Some(IPHONE.into()),
            model: Some("Browser".into()),
        };
        let app = Device {
            platform: "android".into(),
            os_version: None,
            model: Some("Pixel".into()),
        };
        let inputs: [(Option<&str>, Option<&Device>); 6] = [
            (Some(MAC_CHROME), None),
            (Some(IPHONE), None),
            (Some(MAC_CHROME), Some(&web)),
            (Some(MAC_CHROME), Some(&app)),
            (Some("curl/8.5"), None),
            (None, None),
        ];
        // Twice over, so the second round answers from memory.
        for _ in 0..2 {
            for (agent, device) in inputs {
                assert_eq!(
                    *cache.read(agent, device),
                    user_agent_info(agent, device),
                    "{agent:?} {device:?}"
                );
            }
        }
        assert_eq!(cache.lock().len(), inputs.len());
    }

    #[test]
    fn huge_agents_are_read_but_not_remembered() {
        let cache = AgentCache::default();
        let huge = format!("{MAC_CHROME} {}", "x".repeat(MAX_REMEMBERED_AGENT_BYTES));
        assert_eq!(
            *cache.read(Some(&huge), None),
            user_agent_info(Some(&huge), None)
        );
        assert_eq!(cache.lock().len(), 0);
    }

    #[test]
    fn a_full_agent_memory_starts_over() {
        let cache = AgentCache::default();
        for n in 0..=MAX_REMEMBERED_AGENTS {
            cache.read(Some(&format!("agent {n}")), None);
        }
        assert_eq!(cache.lock().len(), 1);
    }
}
