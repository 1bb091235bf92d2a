//! A browser as the dashboard's tests need one: it keeps the session cookie the server sets,
//! sends it back, and sends the CSRF token only when told to, so tests can leave it out.

use reqwest::Method;
use reqwest::header::{COOKIE, ORIGIN, SET_COOKIE};
use serde_json::Value;

pub struct Browser {
    client: reqwest::Client,
    address: String,
    cookie: Option<String>,
    /// The last `csrfToken` a session answer carried.
    pub csrf: Option<String>,
    /// The last `Set-Cookie` header, whole, to check its attributes.
    pub last_set_cookie: Option<String>,
}

impl Browser {
    pub fn new(address: &str) -> Self {
        Self {
            client: reqwest::Client::new(),
            address: address.to_owned(),
            cookie: None,
            csrf: None,
            last_set_cookie: None,
        }
    }

    /// A request with the cookie, if any, and the CSRF token when `with_csrf`.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        with_csrf: bool,
    ) -> (u16, Value) {
        self.send_from(method, path, body, with_csrf, None).await
    }

    /// As [`Browser::send`], from a page of `origin`.
    pub async fn send_from(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
        with_csrf: bool,
        origin: Option<&str>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.address));
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, format!("df_session={cookie}"));
        }
        if let (true, Some(csrf)) = (with_csrf, &self.csrf) {
            request = request.header("x-csrf-token", csrf);
        }
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request sent");
        let status = response.status().as_u16();
        self.keep_cookie(response.headers());
        let text = response.text().await.expect("body read");
        let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if let Some(csrf) = json["data"][0]["csrfToken"].as_str() {
            self.csrf = Some(csrf.to_owned());
        }
        (status, json)
    }

    fn keep_cookie(&mut self, headers: &reqwest::header::HeaderMap) {
        let Some(set) = headers.get(SET_COOKIE).and_then(|v| v.to_str().ok()) else {
            return;
        };
        self.last_set_cookie = Some(set.to_owned());
        let value = set
            .split(';')
            .next()
            .and_then(|pair| pair.strip_prefix("df_session="))
            .unwrap_or_default();
        self.cookie = (!value.is_empty()).then(|| value.to_owned());
    }

    /// The session cookie's value, once the server has set one.
    pub fn cookie(&self) -> Option<&str> {
        self.cookie.as_deref()
    }

    pub async fn get(&mut self, path: &str) -> (u16, Value) {
        self.send(Method::GET, path, None, false).await
    }

    pub async fn sign_in(&mut self, email: &str, password: &str) -> (u16, Value) {
        let body = serde_json::json!({"email": email, "password": password});
        self.send(Method::POST, "/api/session", Some(body), false)
            .await
    }
}
