//! Polar, read with an organization access token (`polar_oat_…`) and the organization's id: the
//! credential check here, the payment listing in [`listing`].

mod listing;
mod lookup;
mod orders;
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

pub(crate) fn api(client: Client, base: &str) -> Result<Api, InvalidEndpoint> {
    Api::new(client, base, reason)
}

/// OAuth errors carry `error_description`; Polar's own carry `detail` (a string, or a list
/// for validation errors) next to `error`.
fn reason(body: &Value) -> Option<String> {
    let text = body
        .get("error_description")
        .and_then(Value::as_str)
        .or_else(|| body.get("detail").and_then(Value::as_str))
        .or_else(|| body.get("error").and_then(Value::as_str))?;
    Some(text.to_owned())
}

#[derive(Deserialize)]
struct Organization {
    name: Option<String>,
    default_presentment_currency: Option<String>,
}

/// Reads the organization. Sandbox tokens do not work on Polar's production API, so a token
/// that passes here is a live one (`polar_api_base` set to the sandbox host is for testing).
pub(crate) async fn check(
    api: &Api,
    token: &str,
    organization_id: &str,
) -> Result<AccountFacts, ProviderError> {
    let path = format!("v1/organizations/{organization_id}");
    let organization: Organization = match api.get(&path, &[], token, &[]).await {
        Err(failure) if failure.status() == Some(StatusCode::NOT_FOUND) => {
            return Err(ProviderError::Rejected(format!(
                "organization {organization_id} is not one this access token can see"
            )));
        }
        answer => answer?,
    };
    Ok(AccountFacts {
        name: organization.name,
        currency: organization
            .default_presentment_currency
            .and_then(|c| Currency::parse(&c).ok()),
        test_mode: false,
    })
}
