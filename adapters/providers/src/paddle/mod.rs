//! Paddle Billing, read with an API key (`pdl_live_…`, or `pdl_sdbx_…` on the sandbox host): the
//! credential check here, the payment listing in [`listing`].

mod listing;
mod lookup;
mod subscriptions;
mod transactions;

use reqwest::Client;
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::AccountFacts;
use datafast_ports::providers::ProviderError;

use crate::api::{Api, InvalidEndpoint};

pub(crate) use listing::payments;
pub(crate) use lookup::lookup;
pub(crate) use subscriptions::subscriptions;

const VERSION: [(&str, &str); 1] = [("Paddle-Version", "1")];

pub(crate) fn api(client: Client, base: &str) -> Result<Api, InvalidEndpoint> {
    Api::new(client, base, reason)
}

/// `{"error": {"code": ..., "detail": ...}}`.
fn reason(body: &Value) -> Option<String> {
    Some(body.pointer("/error/detail")?.as_str()?.to_owned())
}

#[derive(Deserialize)]
struct EventTypes {
    #[allow(dead_code, reason = "read to check the answer is a list")]
    data: Vec<Value>,
}

/// Lists event types, the one call every valid key may make (a bad key gets 403
/// `invalid_token`). Paddle gives no account name or currency to such a key.
pub(crate) async fn check(api: &Api, key: &str) -> Result<AccountFacts, ProviderError> {
    let _: EventTypes = api.get("event-types", &[], key, &VERSION).await?;
    Ok(AccountFacts {
        name: None,
        currency: None,
        test_mode: key.starts_with("pdl_sdbx_"),
    })
}
