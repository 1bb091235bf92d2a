//! Ingestion rules for `POST /api/events`, with no IO: the payload as sent and its validation,
//! sanitising of client-supplied text, the client IP, referrer sources and campaign tags, user
//! agents and bots, the website's hostname and exclusion rules, cookieless visitor ids and the
//! session rules (which session an event belongs to, where its visit came from). Time, secrets
//! and headers come in as arguments.

pub mod agent;
pub mod channel;
pub mod client;
pub mod context;
pub mod draft;
pub mod extra;
pub mod payload;
pub mod rules;
pub mod sanitize;
pub mod server;
pub mod session;
pub mod source;
pub mod visitor;

pub use agent::{UserAgentInfo, user_agent_info};
pub use client::{client_ip, is_trusted_proxy};
pub use context::{Place, visit_context};
pub use draft::{
    DeviceDraft, EventDraft, GoalDeleteDraft, GoalDraft, IdentifyDraft, MetadataDraft,
    PaymentDeleteDraft, PaymentDraft, RangeDraft, Sent, SentFields, SizeDraft,
};
pub use payload::{
    Device, EventData, IncomingEvent, IngestError, PageUrl, PaymentData, SessionId, Size,
    VisitorId, validate,
};
pub use rules::{DropReason, check_website};
pub use sanitize::sanitize_value;
pub use session::{
    AcquisitionStep, SESSION_TIMEOUT, SessionStep, acquisition_of, brings_acquisition,
    cookieless_session_id, inherit_acquisition, same_session,
};
pub use source::{
    Campaign, ReferrerSource, campaign, query_campaign, referrer_host_source, referrer_source,
};
pub use visitor::cookieless_visitor_id;
