//! The HTTP side: one blocking request per call, the bearer credential, the `{status, data}`
//! envelope unwrapped, and every failure turned into a [`CliError`] with the server's message.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::{CliError, CliResult};
use crate::output::Spinner;

const TIMEOUT: Duration = Duration::from_secs(60);

/// A request before it is sent: what unit tests inspect to check the URL a command builds.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    /// The path below the base URL, starting with `/api/v1/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub fn query_opt(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    pub fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The path and query as they go on the wire, percent-encoded.
    pub fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let encoded: Vec<String> = self
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        format!("{}?{}", self.path, encoded.join("&"))
    }
}

/// Percent-encoding for a query component (RFC 3986 unreserved characters pass through).
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char);
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A path segment from user input, encoded so an id can never change the route.
pub fn segment(text: &str) -> String {
    encode(text)
}

/// A successful answer: the whole body parsed, and the raw text of `data` for `--json`.
#[derive(Debug, Clone)]
pub struct Answer {
    pub body: Value,
    raw_body: String,
}

impl Answer {
    pub fn data(&self) -> &Value {
        &self.body["data"]
    }

    /// The first row of an array `data`, or `data` itself when it is an object.
    pub fn first(&self) -> &Value {
        match self.data() {
            Value::Array(rows) => rows.first().unwrap_or(&Value::Null),
            other => other,
        }
    }

    pub fn rows(&self) -> Vec<Value> {
        match self.data() {
            Value::Array(rows) => rows.clone(),
            Value::Null => Vec::new(),
            other => vec![other.clone()],
        }
    }

    /// A top-level member's text exactly as the server sent it, so `--json` changes nothing,
    /// not even the order of keys.
    pub fn raw_member(&self, name: &str) -> String {
        serde_json::from_str::<std::collections::HashMap<String, &RawValue>>(&self.raw_body)
            .ok()
            .and_then(|members| members.get(name).map(|raw| raw.get().to_owned()))
            .unwrap_or_else(|| self.body[name].to_string())
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    base: String,
    credential: Option<String>,
    http: reqwest::blocking::Client,
    show_progress: bool,
}

impl Client {
    pub fn new(base: &str, credential: Option<String>, show_progress: bool) -> CliResult<Self> {
        let http = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("datafast-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CliError::Config(format!("cannot start the HTTP client: {e}")))?;
        Ok(Self {
            base: base.to_owned(),
            credential,
            http,
            show_progress,
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, request: &Request) -> String {
        format!("{}{}", self.base, request.path_and_query())
    }

    pub fn send(&self, request: &Request) -> CliResult<Answer> {
        let url = self.url(request);
        if reqwest::Url::parse(&url).is_err() {
            return Err(CliError::Unreachable {
                base: self.base.clone(),
                reason: "not a valid http(s) URL".to_owned(),
            });
        }
        let _spinner = self
            .show_progress
            .then(|| Spinner::start(format!("{} {}", request.method, request.path)));
        let mut builder = self
            .http
            .request(request.method.clone(), &url)
            .header("Accept", "application/json");
        if let Some(credential) = &self.credential {
            builder = builder.bearer_auth(credential);
        }
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send().map_err(|e| CliError::Unreachable {
            base: self.base.clone(),
            reason: describe_transport_error(&e),
        })?;
        let status = response.status().as_u16();
        let text = response.text().map_err(|e| CliError::Unreachable {
            base: self.base.clone(),
            reason: format!("the answer was cut off: {}", describe_transport_error(&e)),
        })?;
        interpret(status, text, &url)
    }
}

/// Turns a status and body into an answer or the error the user sees.
pub fn interpret(status: u16, text: String, url: &str) -> CliResult<Answer> {
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    if (200..300).contains(&status) {
        return match parsed {
            Some(body) if body.get("data").is_some() || body.get("status").is_some() => {
                Ok(Answer {
                    body,
                    raw_body: text,
                })
            }
            _ => Err(CliError::BadResponse(format!(
                "{url} did not answer with the DataFast API's JSON (HTTP {status}); is the base URL right?"
            ))),
        };
    }
    let message = parsed
        .as_ref()
        .and_then(|body| body["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error");
            format!("{reason} from {url}; is the base URL right?")
        });
    Err(CliError::Api { status, message })
}

/// The innermost cause, which is the readable part ("Connection refused", "dns error").
fn describe_transport_error(error: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut last = error.to_string();
    while let Some(current) = source {
        last = current.to_string();
        source = current.source();
    }
    if error.is_timeout() {
        format!("timed out ({last})")
    } else {
        last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        let request = Request::get("/api/v1/analytics/pages")
            .query("filter_page", "contains:/docs")
            .query("startAt", "2026-01-01T00:00:00+01:00");
        assert_eq!(
            request.path_and_query(),
            "/api/v1/analytics/pages?filter_page=contains%3A%2Fdocs&startAt=2026-01-01T00%3A00%3A00%2B01%3A00"
        );
    }

    #[test]
    fn errors_carry_the_server_message_and_status() {
        let body = r#"{"status":"error","error":{"code":403,"message":"Missing permission: funnels:write"}}"#;
        let error = interpret(403, body.to_owned(), "http://x/y").err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("Missing permission: funnels:write (HTTP 403)".to_owned())
        );
    }

    #[test]
    fn a_non_api_answer_points_at_the_base_url() {
        let error = interpret(200, "<html></html>".to_owned(), "http://x/y").err();
        assert!(matches!(error, Some(CliError::BadResponse(m)) if m.contains("base URL")));
        let error = interpret(404, "<html></html>".to_owned(), "http://x/y").err();
        assert!(
            matches!(error, Some(CliError::Api { status: 404, message }) if message.contains("Not Found"))
        );
    }

    #[test]
    fn raw_members_keep_the_servers_text() {
        let text =
            r##"{"status":"success","data":[{"z":1,"a":2}],"colors":[{"color":"#ef4444"}]}"##;
        let answer = interpret(200, text.to_owned(), "u").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(answer.raw_member("data"), r#"[{"z":1,"a":2}]"#);
        assert_eq!(answer.raw_member("colors"), r##"[{"color":"#ef4444"}]"##);
    }
}
