//! The handlers, one module per area of the Account API and the Website API. Each is a pipe: extract the caller and
//! the ids, turn the body into domain input with the domain's parsers, call one use case, and
//! map its result to a view. Business rules live in the domain and the use cases, not here.

pub(crate) mod account;
pub(crate) mod alerts;
pub(crate) mod analytics;
pub(crate) mod apikeys;
pub(crate) mod dashboard;
pub(crate) mod events;
pub(crate) mod fallback;
pub(crate) mod funnels;
pub(crate) mod goals;
pub(crate) mod integrations;
pub(crate) mod query;
pub(crate) mod session;
pub(crate) mod team;
pub(crate) mod tokens;
pub(crate) mod webhooks;
pub(crate) mod website_writes;
pub(crate) mod websites;

use actix_web::web;
use datafast_application::Services;

/// The use cases, as handlers receive them.
pub(crate) type UseCases = web::Data<Services>;
