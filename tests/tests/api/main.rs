//! Black-box tests of the Account API: the real server, on a real socket (port 0), over a fresh
//! SQLite file per test, driven with an HTTP client exactly as a script would.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_doc;
mod browser;
mod helpers;

mod account;
mod alerts;
mod analytics;
mod apikeys;
mod authority;
mod authorization;
mod dashboard;
mod envelope;
mod events;
mod funnels;
mod goals;
mod integrations;
mod malformed_ids;
mod null_and_empty;
mod openapi;
mod provider_webhooks;
mod revenue_import;
mod secrets;
mod subscriptions;
mod team;
mod tokens;
mod website_writes;
mod websites;
