//! Ingestion (`POST /api/events`): from a validated event to a stored, enriched one (source,
//! campaign, software, location), or to a documented drop (bots, foreign hostnames, excluded
//! IPs, paths, countries and hostnames), which the tracker's contract still answers with 200.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher, RandomState};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;
use sha2::{Digest, Sha256};

use datafast_domain::event::{Event, EventOrigin, VisitContext};
use datafast_domain::id::{ProfileId, WebsiteId};
use datafast_domain::ingest::{
    Device, DropReason, EventData, IncomingEvent, Place, UserAgentInfo, check_website,
    cookieless_visitor_id, same_session, user_agent_info, visit_context,
};
use datafast_domain::profile::VisitorProfile;

use crate::Services;
use crate::error::{ServiceError, ServiceResult};
use crate::ids::{id_seconds, random_array};

/// A validated event and what the connection says about its sender.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub event: IncomingEvent,
    /// The client's address, already resolved through trusted proxies. Never stored.
    pub client_ip: IpAddr,
    pub user_agent: Option<String>,
}

/// What happened to an accepted request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOutcome {
    /// Stored; `visitor_id` is the id it was stored under (derived for cookieless events).
    Stored {
        visitor_id: String,
        cookieless: bool,
    },
    /// Accepted and deliberately not stored.
    Dropped(DropReason),
}

/// The input of the keyed hash from which the cookieless salt secret is derived: the secret
/// is a function of the server's hash key, so it is never stored and survives restarts.
const COOKIELESS_SECRET_LABEL: &str = "datafast cookieless visitor salt v1";

/// Cookieless visitors remembered at once before the idle ones are forgotten.
const MAX_COOKIELESS_VISITORS: usize = 100_000;

/// Sessions of cookieless visitors, whose clients send a throw-away session id: a visitor's
/// events belong to one session until 30 minutes pass without one (DataFast's rule). Kept in
/// memory only, so a restart starts new sessions.
#[derive(Debug, Default)]
pub struct CookielessSessions {
    open: Mutex<HashMap<String, (String, Timestamp)>>,
}

impl CookielessSessions {
    /// The session an event of `visitor_id` at `now` belongs to, opening one when needed.
    pub fn session_for(&self, visitor_id: &str, now: Timestamp) -> String {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((session, last)) = open.get_mut(visitor_id)
            && same_session(*last, now)
        {
            *last = (*last).max(now);
            return session.clone();
        }
        if open.len() >= MAX_COOKIELESS_VISITORS {
            forget_idle(&mut open, now, MAX_COOKIELESS_VISITORS);
        }
        let session = new_session_id(visitor_id, now);
        open.insert(visitor_id.to_owned(), (session.clone(), now));
        session
    }
}

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

/// A hasher for keys that are already hashes: the map below is keyed by the hash of an
/// agent's inputs, computed once per event from borrowed text.
#[derive(Debug, Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; this keeps any other input well defined.
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
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

/// Sessions remembered at once for their acquisition before the idle ones are forgotten.
const MAX_OPEN_SESSIONS: usize = 200_000;
/// Bytes of distinct acquisitions held at once before the idle sessions are forgotten. Real
/// visits share a few hundred acquisitions of a few dozen bytes; a client that gives each
/// session its own referrer and campaign tags (up to about 3 KB each) would otherwise make the
/// memory of 200,000 sessions hold over half a gigabyte.
const MAX_ACQUISITION_BYTES: usize = 16 << 20;

/// Where each open session came from. A visit's source is decided by its first page: the
/// pages after it arrive with a same-site referrer (or none) and no campaign tags, and would
/// otherwise count as direct traffic. Such events inherit their session's acquisition, so that
/// every event of a visit from Google says Google. A page that does carry an outside referrer
/// or campaign tags starts a new acquisition for the session. Kept in memory, 30 minutes after
/// a session's last event.
#[derive(Debug, Default)]
pub struct SessionSources {
    open: Mutex<OpenSessions>,
}

/// The part of a visit context that says where the visit came from, all a session keeps: a
/// context whose other fields are left empty.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Acquisition(VisitContext);

impl Acquisition {
    /// Heap bytes of one shared acquisition: the record, the pointer's counters, the text.
    fn bytes(&self) -> usize {
        size_of::<Self>()
            + 2 * size_of::<usize>()
            + self
                .0
                .acquisition_fields()
                .iter()
                .map(|field| field.map_or(0, str::len))
                .sum::<usize>()
    }

    fn of(context: &VisitContext) -> Self {
        Self(VisitContext {
            referrer: context.referrer.clone(),
            source: context.source.clone(),
            utm_source: context.utm_source.clone(),
            utm_medium: context.utm_medium.clone(),
            utm_campaign: context.utm_campaign.clone(),
            utm_term: context.utm_term.clone(),
            utm_content: context.utm_content.clone(),
            ref_param: context.ref_param.clone(),
            source_param: context.source_param.clone(),
            via: context.via.clone(),
            ..VisitContext::default()
        })
    }

    /// Whether `context` carries exactly this acquisition, compared without building one.
    fn is_in(&self, context: &VisitContext) -> bool {
        self.0.acquisition_fields() == context.acquisition_fields()
    }

    fn fill(&self, context: &mut VisitContext) {
        let kept = &self.0;
        context.referrer.clone_from(&kept.referrer);
        context.source.clone_from(&kept.source);
        context.utm_source.clone_from(&kept.utm_source);
        context.utm_medium.clone_from(&kept.utm_medium);
        context.utm_campaign.clone_from(&kept.utm_campaign);
        context.utm_term.clone_from(&kept.utm_term);
        context.utm_content.clone_from(&kept.utm_content);
        context.ref_param.clone_from(&kept.ref_param);
        context.source_param.clone_from(&kept.source_param);
        context.via.clone_from(&kept.via);
    }
}

/// Open sessions by website, then by session id: looked up with the event's `&str`, so that
/// only a new session allocates its key.
///
/// A session holds its acquisition through a pointer shared with every other session that
/// arrived the same way: a handful of sources and campaigns bring most sessions, and a copy
/// per session made each entry ten strings wide. Growing and refilling a map of such entries
/// (new memory the kernel has to zero) was a twentieth of the server's CPU under ingestion
/// load.
#[derive(Debug, Default)]
struct OpenSessions {
    by_website: HashMap<WebsiteId, HashMap<String, (Arc<Acquisition>, Timestamp)>>,
    /// The sessions in `by_website`, all websites together.
    len: usize,
    shared: SharedAcquisitions,
}

/// Acquisitions recently stored, by a hash of their fields, for sessions to share. A
/// collision only costs a copy: an entry is compared field by field before it is shared.
#[derive(Debug, Default)]
struct SharedAcquisitions {
    by_hash: HashMap<u64, Arc<Acquisition>, BuildHasherDefault<Prehashed>>,
    hasher: RandomState,
    /// At least the bytes of the distinct acquisitions held (by sessions or `by_hash`):
    /// counted exactly when idle sessions are forgotten, and each new one added since.
    held_bytes: usize,
}

impl SharedAcquisitions {
    /// `context`'s acquisition as a pointer shared with the sessions that have the same one.
    fn share(&mut self, context: &VisitContext) -> Arc<Acquisition> {
        let key = self.hasher.hash_one(context.acquisition_fields());
        if let Some(known) = self.by_hash.get(&key)
            && known.is_in(context)
        {
            return Arc::clone(known);
        }
        if self.by_hash.len() >= MAX_OPEN_SESSIONS {
            self.by_hash.clear();
        }
        let acquisition = Arc::new(Acquisition::of(context));
        self.held_bytes += acquisition.bytes();
        self.by_hash.insert(key, Arc::clone(&acquisition));
        acquisition
    }
}

impl OpenSessions {
    /// Whether the memory must make room before it takes in another session or acquisition.
    fn is_full(&self) -> bool {
        self.len >= MAX_OPEN_SESSIONS || self.shared.held_bytes >= MAX_ACQUISITION_BYTES
    }

    /// [`forget_idle`] over every website's sessions, counted together, by number and by the
    /// bytes of their acquisitions. The maps of websites with live sessions are emptied rather
    /// than dropped, so that filling them again does not grow them again; a website's map goes
    /// once none of its sessions is live.
    fn forget_idle(&mut self, now: Timestamp) {
        for sessions in self.by_website.values_mut() {
            sessions.retain(|_, (_, last)| same_session(*last, now));
        }
        self.by_website.retain(|_, sessions| !sessions.is_empty());
        self.shared.by_hash.clear();
        self.len = self.by_website.values().map(HashMap::len).sum();
        self.shared.held_bytes = self.held_bytes();
        if self.len >= MAX_OPEN_SESSIONS / 2 || self.shared.held_bytes >= MAX_ACQUISITION_BYTES / 2
        {
            self.by_website.values_mut().for_each(HashMap::clear);
            self.len = 0;
            self.shared.held_bytes = 0;
        }
    }

    /// The bytes of the distinct acquisitions the sessions hold, each shared one once.
    fn held_bytes(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        self.by_website
            .values()
            .flat_map(HashMap::values)
            .filter(|(acquisition, _)| seen.insert(Arc::as_ptr(acquisition)))
            .map(|(acquisition, _)| acquisition.bytes())
            .sum()
    }
}

impl SessionSources {
    /// Fills `context`'s acquisition from the session when the event brings none of its own,
    /// and remembers the session's acquisition otherwise.
    fn attribute(
        &self,
        website: WebsiteId,
        session_id: &str,
        context: &mut VisitContext,
        now: Timestamp,
    ) {
        let mut guard = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let open = &mut *guard;
        if has_acquisition(context) {
            // Checked before any lookup: each call adds at most one acquisition, so the
            // memory never goes past its bounds by more than one.
            if open.is_full() {
                open.forget_idle(now);
            }
            if let Some((acquisition, last)) = open
                .by_website
                .get_mut(&website)
                .and_then(|sessions| sessions.get_mut(session_id))
            {
                // Most events of a visit repeat its arrival's referrer or tags.
                if !acquisition.is_in(context) {
                    *acquisition = open.shared.share(context);
                }
                *last = now;
                return;
            }
            let acquisition = open.shared.share(context);
            open.by_website
                .entry(website)
                .or_default()
                .insert(session_id.to_owned(), (acquisition, now));
            open.len += 1;
            return;
        }
        if let Some((acquisition, last)) = open
            .by_website
            .get_mut(&website)
            .and_then(|sessions| sessions.get_mut(session_id))
            && same_session(*last, now)
        {
            *last = (*last).max(now);
            acquisition.fill(context);
        }
    }
}

/// Makes room in a full session map: drops the sessions idle for 30 minutes, and when that
/// frees nothing (more open sessions than the map holds), everything. Without the second step
/// a full map of live sessions would be scanned on every event, which stalls ingestion; with
/// it each scan is paid for by the inserts that filled the map again. The price is that the
/// sessions open at that moment start afresh.
fn forget_idle<K: Eq + std::hash::Hash, V>(
    open: &mut HashMap<K, (V, Timestamp)>,
    now: Timestamp,
    capacity: usize,
) {
    open.retain(|_, (_, last)| same_session(*last, now));
    if open.len() >= capacity / 2 {
        open.clear();
    }
}

/// Whether the event itself says where the visit came from.
fn has_acquisition(context: &VisitContext) -> bool {
    context.referrer.is_some()
        || [
            &context.utm_source,
            &context.utm_medium,
            &context.utm_campaign,
            &context.utm_term,
            &context.utm_content,
            &context.ref_param,
            &context.source_param,
            &context.via,
        ]
        .iter()
        .any(|tag| tag.is_some())
}

/// A session id shaped like the tracker's (`s` + 36 characters), unique per visitor and start.
fn new_session_id(visitor_id: &str, start: Timestamp) -> String {
    let digest = Sha256::new()
        .chain_update(visitor_id.as_bytes())
        .chain_update(start.as_millisecond().to_be_bytes())
        .finalize();
    let hex = hex::encode(&digest[..16]);
    format!(
        "s{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The ingestion use cases, reached through [`Services::ingestion`].
#[derive(Debug, Clone, Copy)]
pub struct Ingestion<'a> {
    pub(crate) services: &'a Services,
}

impl Ingestion<'_> {
    /// Checks an event against its website, enriches and stores it.
    ///
    /// # Errors
    /// `NotFound` for an unknown tracking id; storage failures.
    pub async fn ingest(&self, request: IngestRequest) -> ServiceResult<IngestOutcome> {
        let IngestRequest {
            mut event,
            client_ip,
            user_agent,
        } = request;
        let website = self
            .services
            .store
            .website_by_tracking_id(event.tracking_id.as_str())
            .await?
            .ok_or_else(|| ServiceError::NotFound("Unknown websiteId".to_owned()))?;
        let agent = self
            .services
            .agents
            .read(user_agent.as_deref(), event.device.as_ref());
        if agent.is_bot {
            return Ok(IngestOutcome::Dropped(DropReason::Bot));
        }
        let location = self.services.geo.locate(client_ip);
        if let Err(reason) = check_website(
            &website,
            &event.page.host,
            &event.page.path,
            &event.domain,
            client_ip,
            location.country.as_deref(),
        ) {
            return Ok(IngestOutcome::Dropped(reason));
        }
        let now = self.services.now();
        let cookieless = event.cookieless || website.settings.is_cookieless;
        let mut context = visit_context(
            &event,
            &website.domain,
            &agent,
            Place {
                country: location.country,
                region: location.region,
                city: location.city,
            },
        );
        // The event is ours: its ids, host and path move into the stored event, not copied.
        let (visitor_id, session_id) = match (event.visitor_id.take(), cookieless) {
            (Some(id), false) => (id.into_string(), event.session_id.into_string()),
            _ => {
                let secret = self.services.hasher.hash(COOKIELESS_SECRET_LABEL);
                let visitor = cookieless_visitor_id(
                    secret.as_str().as_bytes(),
                    now,
                    client_ip,
                    user_agent.as_deref().unwrap_or_default(),
                    website.domain.as_str(),
                )
                .into_string();
                let session = self.services.cookieless_sessions.session_for(&visitor, now);
                (visitor, session)
            }
        };
        self.services
            .session_sources
            .attribute(website.id, &session_id, &mut context, now);
        let (goal_name, params) = match &event.data {
            EventData::Pageview => (None, BTreeMap::new()),
            EventData::Custom { name, params } => (Some(name.to_string()), params.clone()),
            // The tracker's payment event links a checkout to the visit; the revenue and the
            // automatic payment goal come from the Payments API or a provider, so that one
            // purchase never counts twice.
            EventData::Payment(payment) => (None, payment_params(payment)),
            EventData::Identify {
                user_id,
                name,
                image,
                properties,
            } => {
                let mut params = properties.clone();
                params.insert("user_id".to_owned(), user_id.clone());
                params.extend(name.clone().map(|n| ("name".to_owned(), n)));
                params.extend(image.clone().map(|i| ("image".to_owned(), i)));
                (None, params)
            }
            EventData::ExternalLink { url, text } => {
                let mut params = BTreeMap::from([("url".to_owned(), url.clone())]);
                params.extend(text.clone().map(|t| ("text".to_owned(), t)));
                (None, params)
            }
        };
        let stored = Event {
            website_id: website.id,
            kind: event.data.kind(),
            occurred_at: now,
            visitor_id: visitor_id.clone(),
            session_id,
            goal_name,
            hostname: event.page.host,
            path: event.page.path,
            context,
            params,
            description: None,
            origin: EventOrigin::Client,
        };
        // Only goal events are announced after the commit; the others need no copy.
        let goal = stored.goal_name.is_some().then(|| stored.clone());
        self.services.store.append_events(vec![stored]).await?;
        if let EventData::Identify {
            user_id,
            name,
            image,
            properties,
        } = &event.data
            && !cookieless
        {
            let mut metadata = properties.clone();
            metadata.extend(name.clone().map(|n| ("name".to_owned(), n)));
            metadata.extend(image.clone().map(|i| ("image".to_owned(), i)));
            let saved = self
                .services
                .store
                .save_profile(&VisitorProfile {
                    profile_id: ProfileId::from_parts(
                        id_seconds(now),
                        random_array(self.services.random.as_ref()),
                    )
                    .to_string(),
                    website_id: website.id,
                    visitor_id: visitor_id.clone(),
                    user_id: user_id.clone(),
                    metadata,
                    identified_at: now,
                })
                .await?;
            self.services
                .analytics()
                .analytics_profile_saved(&saved)
                .await;
        }
        self.services.announce_goals(goal.as_slice());
        Ok(IngestOutcome::Stored {
            visitor_id,
            cookieless,
        })
    }
}

/// The identifiers and amount of a tracker payment event, as stored parameters.
fn payment_params(payment: &datafast_domain::ingest::PaymentData) -> BTreeMap<String, String> {
    let fields = [
        ("email", payment.email.clone()),
        ("amount", payment.amount.map(|a| a.to_string())),
        (
            "currency",
            payment.currency.as_ref().map(|c| c.as_str().to_owned()),
        ),
        ("stripe_session_id", payment.stripe_session_id.clone()),
        (
            "lemonsqueezy_order_id",
            payment.lemonsqueezy_order_id.clone(),
        ),
        ("polar_checkout_id", payment.polar_checkout_id.clone()),
        (
            "paddle_transaction_id",
            payment.paddle_transaction_id.clone(),
        ),
    ];
    fields
        .into_iter()
        .filter_map(|(key, value)| value.map(|v| (key.to_owned(), v)))
        .collect()
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

    #[test]
    fn a_map_full_of_live_sessions_is_emptied_not_rescanned() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let mut open: HashMap<u32, ((), Timestamp)> = (0..100).map(|n| (n, ((), now))).collect();
        forget_idle(&mut open, now, 100);
        assert!(open.is_empty());
        let old = now - jiff::SignedDuration::from_mins(45);
        let mut mixed: HashMap<u32, ((), Timestamp)> = (0..100)
            .map(|n| (n, ((), if n < 90 { old } else { now })))
            .collect();
        forget_idle(&mut mixed, now, 100);
        assert_eq!(mixed.len(), 10, "idle sessions go, live ones stay");
    }

    #[test]
    fn a_full_session_memory_is_emptied_across_websites() {
        let sources = SessionSources::default();
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let tagged = VisitContext {
            referrer: Some("google.com".into()),
            ..VisitContext::unknown()
        };
        for n in 0..MAX_OPEN_SESSIONS - 1 {
            let site = WebsiteId::from_parts(1, [(n % 3) as u8; 8]);
            sources.attribute(site, &format!("s{n}"), &mut tagged.clone(), now);
        }
        // The same session again is no new one; the same id on another website is.
        let site = WebsiteId::from_parts(1, [0; 8]);
        sources.attribute(site, "s0", &mut tagged.clone(), now);
        assert_eq!(sources.open.lock().unwrap().len, MAX_OPEN_SESSIONS - 1);
        let other = WebsiteId::from_parts(1, [1; 8]);
        sources.attribute(other, "s0", &mut tagged.clone(), now);
        assert_eq!(sources.open.lock().unwrap().len, MAX_OPEN_SESSIONS);
        sources.attribute(site, "new", &mut tagged.clone(), now);
        let open = sources.open.lock().unwrap();
        assert_eq!(open.len, 1);
        assert_eq!(open.by_website.values().map(HashMap::len).sum::<usize>(), 1);
    }

    /// A visit that arrived from `referrer`, which the sources call `source`.
    fn arrival(referrer: &str, source: &str) -> VisitContext {
        VisitContext {
            referrer: Some(referrer.into()),
            source: source.into(),
            ..VisitContext::unknown()
        }
    }

    #[test]
    fn sessions_that_arrived_the_same_way_share_one_acquisition() {
        let sources = SessionSources::default();
        let site = WebsiteId::from_parts(1, [1; 8]);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let from_google = arrival("google.com", "Google");
        let from_x = arrival("x.com", "X");
        sources.attribute(site, "s1", &mut from_google.clone(), now);
        sources.attribute(site, "s2", &mut from_google.clone(), now);
        sources.attribute(site, "s3", &mut from_x.clone(), now);
        let open = sources.open.lock().unwrap();
        let sessions = &open.by_website[&site];
        assert!(Arc::ptr_eq(&sessions["s1"].0, &sessions["s2"].0));
        assert!(!Arc::ptr_eq(&sessions["s1"].0, &sessions["s3"].0));
        assert_eq!(sessions["s3"].0.0.source, "X");
    }

    #[test]
    fn a_shared_acquisition_is_compared_before_it_is_reused() {
        let mut shared = SharedAcquisitions::default();
        let from_google = arrival("google.com", "Google");
        let from_x = arrival("x.com", "X");
        // A colliding entry: another acquisition stored under this context's hash.
        let key = shared.hasher.hash_one(from_google.acquisition_fields());
        shared
            .by_hash
            .insert(key, Arc::new(Acquisition::of(&from_x)));
        let acquisition = shared.share(&from_google);
        assert_eq!(*acquisition, Acquisition::of(&from_google));
        assert!(Arc::ptr_eq(&shared.share(&from_google), &acquisition));
    }

    #[test]
    fn later_pages_of_a_session_keep_its_source_until_a_new_one_arrives() {
        let sources = SessionSources::default();
        let site = WebsiteId::from_parts(1, [1; 8]);
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let from_google = VisitContext {
            referrer: Some("google.com".into()),
            source: "Google".into(),
            utm_campaign: Some("spring".into()),
            ..VisitContext::unknown()
        };
        let mut first = from_google.clone();
        sources.attribute(site, "s1", &mut first, start);
        assert_eq!(first, from_google);

        let mut next = VisitContext::unknown();
        sources.attribute(
            site,
            "s1",
            &mut next,
            start + jiff::SignedDuration::from_mins(5),
        );
        assert_eq!(next.source, "Google");
        assert_eq!(next.utm_campaign.as_deref(), Some("spring"));

        // Another session, and the same one after 30 idle minutes, stay direct.
        let mut other = VisitContext::unknown();
        sources.attribute(site, "s2", &mut other, start);
        assert_eq!(other.source, "Direct/None");
        let mut late = VisitContext::unknown();
        sources.attribute(
            site,
            "s1",
            &mut late,
            start + jiff::SignedDuration::from_mins(40),
        );
        assert_eq!(late.source, "Direct/None");

        // A new outside referrer starts a new acquisition.
        let from_x = VisitContext {
            referrer: Some("x.com".into()),
            source: "X".into(),
            ..VisitContext::unknown()
        };
        let mut arrival = from_x.clone();
        sources.attribute(
            site,
            "s2",
            &mut arrival,
            start + jiff::SignedDuration::from_mins(1),
        );
        let mut after = VisitContext::unknown();
        sources.attribute(
            site,
            "s2",
            &mut after,
            start + jiff::SignedDuration::from_mins(2),
        );
        assert_eq!(after.source, "X");
        assert_eq!(after.utm_campaign, None);
    }

    /// The text of the distinct acquisitions the session memory holds, through its sessions
    /// or its shared map.
    fn held_acquisition_text(open: &OpenSessions) -> usize {
        let mut seen = std::collections::HashSet::new();
        open.by_website
            .values()
            .flat_map(HashMap::values)
            .map(|(acquisition, _)| acquisition)
            .chain(open.shared.by_hash.values())
            .filter(|acquisition| seen.insert(Arc::as_ptr(acquisition)))
            .flat_map(|acquisition| acquisition.0.acquisition_fields())
            .map(|field| field.map_or(0, str::len))
            .sum()
    }

    #[test]
    fn hostile_acquisitions_stay_within_the_memory_budget() {
        let sources = SessionSources::default();
        let site = WebsiteId::from_parts(1, [1; 8]);
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        // Each session arrives with its own long referrer and campaign tags: about 2.3 KB of
        // text that no other session shares.
        let tag = |n: usize, letter: &str| Some(format!("{n}{}", letter.repeat(250)));
        for n in 0..20_000 {
            let mut context = VisitContext {
                referrer: tag(n, "r"),
                source: format!("{n}{}", "r".repeat(250)),
                utm_source: tag(n, "a"),
                utm_medium: tag(n, "b"),
                utm_campaign: tag(n, "c"),
                utm_term: tag(n, "d"),
                utm_content: tag(n, "e"),
                ref_param: tag(n, "f"),
                source_param: tag(n, "g"),
                via: tag(n, "h"),
                ..VisitContext::unknown()
            };
            sources.attribute(site, &format!("s{n}"), &mut context, now);
        }
        let open = sources.open.lock().unwrap();
        let held = held_acquisition_text(&open);
        assert!(held <= 16 << 20, "{held} bytes of acquisitions held");
        assert!(open.len > 0, "the latest sessions are remembered");
    }

    #[test]
    fn cookieless_sessions_end_after_thirty_idle_minutes() {
        let sessions = CookielessSessions::default();
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let first = sessions.session_for("v1", start);
        assert_eq!(first.len(), 37);
        let later = start + jiff::SignedDuration::from_mins(29);
        assert_eq!(sessions.session_for("v1", later), first);
        // 29 minutes after the last event, so the session goes on.
        let still = later + jiff::SignedDuration::from_mins(29);
        assert_eq!(sessions.session_for("v1", still), first);
        let gone = still + jiff::SignedDuration::from_mins(31);
        assert_ne!(sessions.session_for("v1", gone), first);
        assert_ne!(sessions.session_for("v2", start), first);
    }
}
