//! Ingestion (`POST /api/events`): from a validated event to a stored, enriched one (source,
//! campaign, software, location), or to a documented drop (bots, foreign hostnames, excluded
//! IPs, paths, countries and hostnames), which the tracker's contract still answers with 200.

mod agents;
mod cookieless;
mod prehashed;
mod sources;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;

use jiff::Timestamp;

use datafast_domain::event::{Event, EventKind, EventOrigin};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{ProfileId, WebsiteId};
use datafast_domain::ingest::{
    DropReason, EventData, IncomingEvent, PaymentData, Place, UserAgentInfo, check_website,
    cookieless_visitor_id, visit_context,
};
use datafast_domain::profile::VisitorProfile;
use datafast_domain::provider_payment::CheckoutEmail;
use datafast_domain::website::Website;

pub use agents::AgentCache;
pub use cookieless::CookielessSessions;
pub use sources::SessionSources;

use crate::LookupRequest;
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

/// A memory entry as the session steps take it: with the time of its session's latest event.
fn remembered<T>(entry: Option<&mut (T, Timestamp)>) -> Option<(&mut (T, Timestamp), Timestamp)> {
    entry.map(|entry| {
        let last = entry.1;
        (entry, last)
    })
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
            event,
            client_ip,
            user_agent,
        } = request;
        let website = self.website(&event).await?;
        let (agent, place) = match self.admit(&website, &event, client_ip, user_agent.as_deref()) {
            Ok(sender) => sender,
            Err(reason) => return Ok(IngestOutcome::Dropped(reason)),
        };
        let now = self.services.now();
        let cookieless = event.cookieless || website.settings.is_cookieless;
        let mut context = visit_context(&event, &website.domain, &agent, place);
        // The event is ours: its ids, host and path move into the stored event, not copied.
        let (visitor_id, session_id) = match (event.visitor_id, cookieless) {
            (Some(id), false) => (id.into_string(), event.session_id.into_string()),
            _ => self.cookieless_ids(&website, client_ip, user_agent.as_deref(), now),
        };
        if self
            .attack_without_pageview(&website, event.data.kind(), &visitor_id)
            .await?
        {
            return Ok(IngestOutcome::Dropped(DropReason::AttackModeNoPageview));
        }
        self.services
            .session_sources
            .attribute(website.id, &session_id, &mut context, now);
        let (goal_name, params) = goal_and_params(&event.data);
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
        if let EventData::Payment(payment) = &event.data {
            self.remember_checkout_email(payment, website.id, &visitor_id, now)
                .await?;
            self.queue_lookups(payment, website.id, &visitor_id);
        }
        if !cookieless {
            self.save_profile(&event.data, website.id, &visitor_id, now)
                .await?;
        }
        self.services.announce_goals(goal.as_slice());
        Ok(IngestOutcome::Stored {
            visitor_id,
            cookieless,
        })
    }

    /// Remembers the email a tracker payment event carries for its visitor, so that a provider's
    /// payment by that customer is attributed to the visitor.
    async fn remember_checkout_email(
        &self,
        payment: &PaymentData,
        website: WebsiteId,
        visitor_id: &str,
        now: Timestamp,
    ) -> ServiceResult<()> {
        let checkout = payment
            .email
            .as_deref()
            .and_then(|email| CheckoutEmail::new(website, email, visitor_id, now));
        if let Some(checkout) = checkout {
            self.services.store.save_checkout_email(&checkout).await?;
        }
        Ok(())
    }

    /// Hands the checkouts a tracker payment event names to the lookup worker, when there is
    /// one; the event itself is already stored.
    fn queue_lookups(&self, payment: &PaymentData, website: WebsiteId, visitor_id: &str) {
        let Some(queue) = &self.services.lookups else {
            return;
        };
        for reference in payment.references() {
            queue.offer(LookupRequest {
                website,
                reference,
                visitor_id: visitor_id.to_owned(),
            });
        }
    }

    /// Attack mode keeps only what a real visit does first: an event other than a pageview
    /// counts only from a visitor who already has a pageview on the website. One lookup per
    /// such event, and only on websites in attack mode.
    async fn attack_without_pageview(
        &self,
        website: &Website,
        kind: EventKind,
        visitor_id: &str,
    ) -> ServiceResult<bool> {
        if !website.settings.is_attack_mode_enabled || kind == EventKind::Pageview {
            return Ok(false);
        }
        let earlier = self
            .services
            .store
            .latest_pageview(website.id, visitor_id)
            .await?;
        Ok(earlier.is_none())
    }

    /// The website an event is for.
    ///
    /// # Errors
    /// `NotFound` for an unknown tracking id; storage failures.
    async fn website(&self, event: &IncomingEvent) -> ServiceResult<Website> {
        self.services
            .store
            .website_by_tracking_id(event.tracking_id.as_str())
            .await?
            .ok_or_else(|| ServiceError::NotFound("Unknown websiteId".to_owned()))
    }

    /// What the sender's user agent and address say, or why the event is dropped: a bot, or
    /// one of the website's rules (hostnames, excluded IPs, paths and countries).
    fn admit(
        &self,
        website: &Website,
        event: &IncomingEvent,
        client_ip: IpAddr,
        user_agent: Option<&str>,
    ) -> Result<(Arc<UserAgentInfo>, Place), DropReason> {
        let agent = self.services.agents.read(user_agent, event.device.as_ref());
        if agent.is_bot {
            return Err(DropReason::Bot);
        }
        if website.settings.is_attack_mode_enabled && !agent.knows_browser() {
            return Err(DropReason::AttackModeUnknownBrowser);
        }
        let location = self.services.geo.locate(client_ip);
        check_website(
            website,
            &event.page.host,
            &event.page.path,
            &event.domain,
            client_ip,
            location.country.as_deref(),
        )?;
        let place = Place {
            country: location.country,
            region: location.region,
            city: location.city,
        };
        Ok((agent, place))
    }

    /// The visitor and session ids of a cookieless event: the visitor's derived from its
    /// address, user agent and website, the session the server keeps for that visitor.
    fn cookieless_ids(
        &self,
        website: &Website,
        client_ip: IpAddr,
        user_agent: Option<&str>,
        now: Timestamp,
    ) -> (String, String) {
        let secret = self.services.hasher.hash(COOKIELESS_SECRET_LABEL);
        let visitor = cookieless_visitor_id(
            secret.as_str().as_bytes(),
            now,
            client_ip,
            user_agent.unwrap_or_default(),
            website.domain.as_str(),
        )
        .into_string();
        let session = self.services.cookieless_sessions.session_for(&visitor, now);
        (visitor, session)
    }

    /// Saves the profile an identify event gives its visitor, and tells analytics; other
    /// events give none.
    ///
    /// # Errors
    /// Storage failures.
    async fn save_profile(
        &self,
        data: &EventData,
        website_id: WebsiteId,
        visitor_id: &str,
        now: Timestamp,
    ) -> ServiceResult<()> {
        let EventData::Identify {
            user_id,
            name,
            image,
            properties,
        } = data
        else {
            return Ok(());
        };
        let mut metadata = properties.clone();
        metadata.extend(name.clone().map(|n| ("name".to_owned(), n)));
        metadata.extend(image.clone().map(|i| ("image".to_owned(), i)));
        let profile = VisitorProfile {
            profile_id: ProfileId::from_parts(
                id_seconds(now),
                random_array(self.services.random.as_ref()),
            )
            .to_string(),
            website_id,
            visitor_id: visitor_id.to_owned(),
            user_id: user_id.clone(),
            metadata,
            identified_at: now,
        };
        let saved = self.services.store.save_profile(&profile).await?;
        self.services
            .analytics()
            .analytics_profile_saved(&saved)
            .await;
        Ok(())
    }
}

/// The goal an event completes (custom events only) and the parameters stored with it.
fn goal_and_params(data: &EventData) -> (Option<GoalName>, BTreeMap<String, String>) {
    match data {
        EventData::Pageview => (None, BTreeMap::new()),
        EventData::Custom { name, params } => (Some(name.clone()), params.clone()),
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
    }
}

/// The identifiers and amount of a tracker payment event, as stored parameters.
fn payment_params(payment: &PaymentData) -> BTreeMap<String, String> {
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
