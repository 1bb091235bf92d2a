//! The application: [`Services`] and the use cases. Each module holds one area of the API; every
//! use case takes the calling [`Principal`] first, checks it with
//! `datafast_domain::access::authorize` before touching anything, then calls the driven ports of
//! `datafast-ports` and returns domain results. The caches that keep hot reads off storage and
//! the alert worker live here too. No adapter type (rusqlite, actix, an HTTP client) appears here.
//!
//! [`Principal`]: datafast_domain::access::Principal

mod accounts;
mod alert_delivery;
mod alerts;
mod analytics;
mod api_keys;
mod authentication;
pub mod error;
mod funnels;
mod goals;
mod ids;
mod ingestion;
mod integrations;
mod links;
mod payment_lookups;
mod public_dashboards;
mod revenue_import;
mod services;
mod sign_in;
mod sign_in_throttle;
mod team;
mod tokens;
mod website_data;
mod websites;

pub use accounts::{AccountView, Accounts, NewAccount};
pub use alert_delivery::{
    AlertDeliveryPorts, AlertDispatcher, AlertWorker, Pause, PauseFuture, Refused,
    send_with_retries,
};
pub use alerts::{AlertChanges, AlertHistory, Alerts, NewAlert};
pub use analytics::{Analytics, AnalyticsCache, AnalyticsView, FunnelView};
pub use api_keys::{ApiKeys, IssuedApiKey};
pub use authentication::{Authentication, CredentialCache, UsageRecorder};
pub use error::{ServiceError, ServiceResult};
pub use funnels::{FunnelChanges, Funnels, NewFunnel};
pub use goals::{GoalCustomizationsView, Goals};
pub use ingestion::{CookielessSessions, IngestOutcome, IngestRequest, Ingestion, SessionSources};
pub use integrations::{IntegrationStatus, Integrations, ProviderState};
pub use links::{LinkOffer, Links};
pub use payment_lookups::{
    LOOKUP_QUEUE_CAPACITY, LookupOutcome, LookupRequest, LookupWorker, PaymentLookups,
};
pub use public_dashboards::{PublicDashboard, PublicDashboards};
pub use revenue_import::{ImportSettings, PassOutcome, RevenueImport};
pub use services::Services;
pub use sign_in::{SignIn, SignedIn};
pub use sign_in_throttle::SignInThrottle;
pub use team::{Team, TeamEntry, TeamListing};
pub use tokens::{IssuedToken, NewToken, Tokens};
pub use website_data::{GoalCreated, PaymentOutcome, ProfileSaved, Removed, WebsiteData};
pub use websites::{NewWebsite, WebsiteWithRole, Websites};
