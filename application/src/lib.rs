//! The application: [`Services`] and the use cases. Each module holds one area of the API; every
//! use case takes the calling [`Principal`] first, checks it with
//! `datafast_domain::access::authorize` before touching anything, then calls the driven ports of
//! `datafast-ports` and returns domain results. The caches that keep hot reads off storage and
//! the alert worker live here too. No adapter type (rusqlite, actix, an HTTP client) appears here.
//!
//! [`Principal`]: datafast_domain::access::Principal

mod account;
mod alert_delivery;
mod alerts;
mod analytics;
mod apikeys;
mod auth;
pub mod error;
mod funnels;
mod goals;
mod ids;
mod ingest;
mod integrations;
mod services;
mod team;
mod tokens;
mod website_writes;
mod websites;

pub use account::{AccountView, NewAccount};
pub use alert_delivery::{
    AlertDeliveryPorts, AlertDispatcher, AlertWorker, Pause, PauseFuture, Refused,
    send_with_retries,
};
pub use alerts::{AlertChanges, AlertHistory, NewAlert};
pub use analytics::{AnalyticsCache, AnalyticsView, FunnelView};
pub use apikeys::IssuedApiKey;
pub use auth::{CredentialCache, UsageRecorder};
pub use error::{ServiceError, ServiceResult};
pub use funnels::{FunnelChanges, NewFunnel};
pub use goals::GoalCustomizationsView;
pub use ingest::{CookielessSessions, IngestOutcome, IngestRequest, SessionSources};
pub use integrations::{IntegrationStatus, ProviderState};
pub use services::Services;
pub use team::{TeamEntry, TeamListing};
pub use tokens::{IssuedToken, NewToken};
pub use website_writes::{GoalCreated, PaymentOutcome, ProfileSaved, Removed};
pub use websites::{NewWebsite, WebsiteWithRole};
