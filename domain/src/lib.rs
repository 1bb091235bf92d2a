//! The DataFast domain: every type a client can observe, every validation rule, and the
//! authorization policy. It owns no IO, no async runtime, no clock and no randomness: time and
//! random bytes come in as arguments, so everything here is deterministic and testable.

pub mod access;
pub mod account;
pub mod alert;
pub mod apikey;
pub mod credential;
pub mod error;
pub mod event;
pub mod funnel;
pub mod goal;
pub mod grant;
pub mod id;
pub mod ingest;
pub mod integration;
pub mod payment;
pub mod payment_reference;
pub mod permission;
pub mod profile;
pub mod provider_payment;
pub mod provider_subscription;
pub mod role;
pub mod session;
pub mod team;
pub mod text;
pub mod time;
pub mod token;
pub mod website;

pub use error::ValidationError;
