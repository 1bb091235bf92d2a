//! Ingestion (`POST /api/events`): from a validated event to a stored one, or to a documented
//! drop (bots, foreign hostnames, excluded IPs, paths and hostnames), which the tracker's
//! contract still answers with 200.

use std::net::IpAddr;

use datafast_domain::event::Event;
use datafast_domain::ingest::{
    DropReason, EventData, IncomingEvent, check_website, cookieless_visitor_id, user_agent_info,
};

use super::Services;
use crate::error::{ServiceError, ServiceResult};

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

impl Services {
    /// Checks an event against its website and stores it.
    ///
    /// # Errors
    /// `NotFound` for an unknown tracking id; storage failures.
    pub async fn ingest(&self, request: IngestRequest) -> ServiceResult<IngestOutcome> {
        let IngestRequest {
            event,
            client_ip,
            user_agent,
        } = request;
        let website = self
            .store
            .website_by_tracking_id(event.tracking_id.as_str())
            .await?
            .ok_or_else(|| ServiceError::NotFound("Unknown websiteId".to_owned()))?;
        let agent = user_agent_info(user_agent.as_deref(), event.device.as_ref());
        if agent.is_bot {
            return Ok(IngestOutcome::Dropped(DropReason::Bot));
        }
        // Country exclusions apply once a location database is configured (later work).
        if let Err(reason) = check_website(
            &website,
            &event.page.host,
            &event.page.path,
            &event.domain,
            client_ip,
            None,
        ) {
            return Ok(IngestOutcome::Dropped(reason));
        }
        let now = self.now();
        let cookieless = event.cookieless || website.settings.is_cookieless;
        let visitor_id = match (&event.visitor_id, cookieless) {
            (Some(id), false) => id.as_str().to_owned(),
            _ => {
                let secret = self.hasher.hash(COOKIELESS_SECRET_LABEL);
                cookieless_visitor_id(
                    secret.as_str().as_bytes(),
                    now,
                    client_ip,
                    user_agent.as_deref().unwrap_or_default(),
                    website.domain.as_str(),
                )
                .as_str()
                .to_owned()
            }
        };
        let goal_name = match &event.data {
            EventData::Custom { name, .. } => Some(name.to_string()),
            EventData::Payment(_) => Some("payment".to_owned()),
            _ => None,
        };
        let stored = Event {
            website_id: website.id,
            kind: event.data.kind(),
            occurred_at: now,
            visitor_id: visitor_id.clone(),
            session_id: event.session_id.as_str().to_owned(),
            goal_name,
            hostname: event.page.host.clone(),
            path: event.page.path.clone(),
        };
        self.store.append_events(&[stored]).await?;
        Ok(IngestOutcome::Stored {
            visitor_id,
            cookieless,
        })
    }
}
