//! One provider's API as the connectors call it: GET requests with a bearer credential,
//! answers read as JSON, and failures sorted into what the application acts on, with the
//! provider's own reason. The credential goes in a header only, so no URL or error text
//! carries it.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Client, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use datafast_ports::providers::ProviderError;

/// The longest provider reason passed on: enough for any documented message.
const MAX_REASON: usize = 300;

/// A configured endpoint that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InvalidEndpoint {
    #[error("'{0}' is not an absolute http(s) URL")]
    NotAUrl(String),
    #[error("the HTTP client could not be built: {0}")]
    Client(String),
}

/// The HTTP client every connector shares.
pub(crate) fn client(timeout: Duration) -> Result<Client, InvalidEndpoint> {
    Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        // A provider API never redirects a read; following one could hand the credential to
        // another host.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("datafast-server/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| InvalidEndpoint::Client(error.to_string()))
}

/// Pulls a provider's own message out of its error body.
pub(crate) type ReasonReader = fn(&Value) -> Option<String>;

/// One provider's base URL with the shared client.
#[derive(Debug, Clone)]
pub(crate) struct Api {
    client: Client,
    base: Url,
    reason: ReasonReader,
}

/// Why a call gave no answer the connector can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The provider answered with an error status and, in `reason`, its own message.
    Status {
        status: StatusCode,
        reason: String,
        retry_after: Option<Duration>,
    },
    /// No answer, or one that is not in the provider's documented shape.
    Unusable(String),
}

impl Failure {
    pub(crate) fn status(&self) -> Option<StatusCode> {
        match self {
            Failure::Status { status, .. } => Some(*status),
            Failure::Unusable(_) => None,
        }
    }
}

impl From<Failure> for ProviderError {
    fn from(failure: Failure) -> Self {
        match failure {
            Failure::Status {
                status: StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN,
                reason,
                ..
            } => ProviderError::Rejected(reason),
            Failure::Status {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after,
                ..
            } => ProviderError::RateLimited { retry_after },
            Failure::Status { status, reason, .. } => {
                ProviderError::Unavailable(format!("HTTP {}: {reason}", status.as_u16()))
            }
            Failure::Unusable(detail) => ProviderError::Unavailable(detail),
        }
    }
}

impl Api {
    /// `base` is the provider's API root; `reason` reads its error bodies.
    pub(crate) fn new(
        client: Client,
        base: &str,
        reason: ReasonReader,
    ) -> Result<Self, InvalidEndpoint> {
        let not_a_url = || InvalidEndpoint::NotAUrl(base.to_owned());
        let mut parsed = Url::parse(base).map_err(|_| not_a_url())?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
            return Err(not_a_url());
        }
        // Paths are joined onto the base, so it must end in a slash to keep its own path.
        if !parsed.path().ends_with('/') {
            let path = format!("{}/", parsed.path());
            parsed.set_path(&path);
        }
        Ok(Self {
            client,
            base: parsed,
            reason,
        })
    }

    /// GETs `path` (relative to the base) with `query`, authenticated by `credential`, and
    /// reads the answer as `T`.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        credential: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<T, Failure> {
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|_| Failure::Unusable(format!("bad request path {path}")))?;
        let mut request = self.client.get(url).bearer_auth(credential).query(query);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.map_err(transport_failure)?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let body = response.bytes().await.map_err(transport_failure)?;
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|error| {
                Failure::Unusable(format!("an answer not in the documented shape ({error})"))
            });
        }
        let reason = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|value| (self.reason)(&value))
            .map_or_else(
                || format!("HTTP {}", status.as_u16()),
                |text| bounded(&text),
            );
        Err(Failure::Status {
            status,
            reason,
            retry_after,
        })
    }

    /// GETs one object as [`Api::get`] does, `None` when the provider answers 404: the id came
    /// from a webhook or a visitor and may name nothing the credential can see.
    pub(crate) async fn find<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        credential: &str,
        headers: &[(&'static str, &str)],
    ) -> Result<Option<T>, Failure> {
        match self.get(path, query, credential, headers).await {
            Ok(found) => Ok(Some(found)),
            Err(failure) if failure.status() == Some(StatusCode::NOT_FOUND) => Ok(None),
            Err(failure) => Err(failure),
        }
    }
}

/// A transport error as a short, credential-free description.
fn transport_failure(error: reqwest::Error) -> Failure {
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    Failure::Unusable(what.to_owned())
}

/// `Retry-After` in seconds; the HTTP-date form is not used by these providers.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

fn bounded(text: &str) -> String {
    text.trim().chars().take(MAX_REASON).collect()
}
