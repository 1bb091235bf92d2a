//! Stripe, read with a restricted key (`rk_live_…`, `rk_test_…`) at a pinned API version: the
//! credential check here, the payment listing in [`listing`].

mod listing;
mod lookup;
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

/// The API version every request names, so that an account's default version cannot change
/// the shapes read here (later versions moved `invoice` off charges).
const VERSION: [(&str, &str); 1] = [("Stripe-Version", "2024-12-18.acacia")];

pub(crate) fn api(client: Client, base: &str) -> Result<Api, InvalidEndpoint> {
    Api::new(client, base, reason)
}

/// `{"error": {"message": ...}}`.
fn reason(body: &Value) -> Option<String> {
    Some(body.pointer("/error/message")?.as_str()?.to_owned())
}

#[derive(Deserialize)]
struct Account {
    default_currency: Option<String>,
    business_profile: Option<BusinessProfile>,
    settings: Option<Settings>,
}

#[derive(Deserialize)]
struct BusinessProfile {
    name: Option<String>,
}

#[derive(Deserialize)]
struct Settings {
    dashboard: Option<Dashboard>,
}

#[derive(Deserialize)]
struct Dashboard {
    display_name: Option<String>,
}

/// Any list answer: only its shape is checked.
#[derive(Deserialize)]
struct List {
    #[allow(dead_code, reason = "read to check the answer is a list")]
    data: Vec<Value>,
}

impl Account {
    fn facts(self, key: &str) -> AccountFacts {
        let display_name = self.settings.and_then(|s| s.dashboard?.display_name);
        let name = display_name.or_else(|| self.business_profile?.name);
        AccountFacts {
            name: name.filter(|n| !n.trim().is_empty()),
            currency: self
                .default_currency
                .and_then(|code| Currency::parse(&code).ok()),
            test_mode: is_test_key(key),
        }
    }
}

fn is_test_key(key: &str) -> bool {
    key.starts_with("rk_test_")
}

/// Reads the account. A restricted key is often not allowed to (403); one that can list
/// checkout sessions, which the import needs anyway, is accepted with the facts unknown.
pub(crate) async fn check(api: &Api, key: &str) -> Result<AccountFacts, ProviderError> {
    match api.get::<Account>("v1/account", &[], key, &VERSION).await {
        Ok(account) => Ok(account.facts(key)),
        Err(failure) if failure.status() == Some(StatusCode::FORBIDDEN) => {
            api.get::<List>("v1/checkout/sessions", &[("limit", "1")], key, &VERSION)
                .await?;
            Ok(AccountFacts {
                name: None,
                currency: None,
                test_mode: is_test_key(key),
            })
        }
        Err(failure) => Err(failure.into()),
    }
}
