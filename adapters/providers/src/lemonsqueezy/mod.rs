//! Lemon Squeezy, read with an API key and the store's id over its JSON:API: the credential
//! check here, the payment listing in [`listing`].

mod listing;
mod lookup;
mod records;
mod subscriptions;

use reqwest::{Client, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use datafast_domain::integration::AccountFacts;
use datafast_domain::website::Currency;
use datafast_ports::providers::ProviderError;

use crate::api::{Api, InvalidEndpoint};

pub(crate) use listing::payments;
pub(crate) use lookup::lookup;
pub(crate) use subscriptions::subscriptions;

const JSON_API: [(&str, &str); 1] = [("Accept", "application/vnd.api+json")];

pub(crate) fn api(client: Client, base: &str) -> Result<Api, InvalidEndpoint> {
    Api::new(client, base, reason)
}

/// `{"errors": [{"detail": ..., "title": ...}]}`.
fn reason(body: &Value) -> Option<String> {
    let first = body.pointer("/errors/0")?;
    let text = first.get("detail").or_else(|| first.get("title"))?;
    Some(text.as_str()?.to_owned())
}

/// `GET /v1/users/me`: whose key it is, and whether it is a test-mode key.
#[derive(Deserialize)]
struct Me {
    meta: MeMeta,
}

#[derive(Deserialize)]
struct MeMeta {
    test_mode: bool,
}

#[derive(Deserialize)]
struct Store {
    data: StoreData,
}

#[derive(Deserialize)]
struct StoreData {
    attributes: StoreAttributes,
}

#[derive(Deserialize)]
struct StoreAttributes {
    name: Option<String>,
    currency: Option<String>,
}

/// Checks the key, then that it sees the store, and reads the store's name and currency.
pub(crate) async fn check(
    api: &Api,
    key: &str,
    store_id: &str,
) -> Result<AccountFacts, ProviderError> {
    let me: Me = api.get("v1/users/me", &[], key, &JSON_API).await?;
    let path = format!("v1/stores/{store_id}");
    let store: Store = match api.get(&path, &[], key, &JSON_API).await {
        Err(failure) if failure.status() == Some(StatusCode::NOT_FOUND) => {
            return Err(ProviderError::Rejected(format!(
                "store {store_id} is not one this API key can see"
            )));
        }
        answer => answer?,
    };
    let attributes = store.data.attributes;
    Ok(AccountFacts {
        name: attributes.name,
        currency: attributes.currency.and_then(|c| Currency::parse(&c).ok()),
        test_mode: me.meta.test_mode,
    })
}
