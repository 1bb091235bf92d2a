//! What the connector tests share: the credentials they tell the fakes to accept, and clients
//! pointed at the fakes.
// Fixture helpers sit outside `#[test]` functions, where clippy's test exemption does not reach.
#![allow(clippy::expect_used)]

use std::time::Duration;

use datafast_provider_fakes::FakeProviders;
use datafast_providers::{ProviderClients, ProviderEndpoints};

pub const LEMON_KEY: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake";
pub const STORE: &str = "12345";
pub const POLAR_TOKEN: &str = "polar_oat_fakeToken0000000000";
pub const ORGANIZATION: &str = "5f0c6a4e-8a6b-4b8e-9a59-1b2c3d4e5f60";
pub const PADDLE_KEY: &str = "pdl_live_apikey_01fakekey000000000000";

/// Clients of the fakes, with Paddle's sandbox host at `paddle_sandbox`.
pub fn clients_for(fakes: &FakeProviders, paddle_sandbox: &str) -> ProviderClients {
    let endpoints = ProviderEndpoints {
        stripe: fakes.stripe.base_url().to_owned(),
        lemonsqueezy: fakes.lemonsqueezy.base_url().to_owned(),
        polar: fakes.polar.base_url().to_owned(),
        paddle: fakes.paddle.base_url().to_owned(),
        paddle_sandbox: paddle_sandbox.to_owned(),
    };
    ProviderClients::new(&endpoints, Duration::from_secs(5)).expect("clients")
}
