//! Extractors: the authenticated caller, typed ids from the path, and the JSON body as an object
//! whose fields are read one by one, so that a missing field, a wrong type or a null answers 400
//! naming that field (serde's own messages name a line and column instead).

use std::future::{Future, Ready, ready};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::Deref;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde_json::{Map, Value};

use datafast_application::Services;
use datafast_domain::access::Principal;
use datafast_domain::goal::FieldChange;
use datafast_domain::id::{
    AlertId, ApiKeyId, FunnelId, InvalidId, InvitationId, TokenId, WebsiteId,
};
use datafast_domain::ingest::client_ip;
use datafast_domain::website::IpRule;

use crate::error::ApiError;
use crate::public_share::SharedPrincipal;
use crate::session_cookie::{carries_csrf_token, changes_state, session_value};

type LocalFuture<T, E> = Pin<Box<dyn Future<Output = Result<T, E>>>>;

/// The value of `Authorization: Bearer <value>`, the scheme in any casing.
pub(crate) fn bearer_value(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, credential) = value.split_once(char::is_whitespace)?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

/// The client's address as ingestion resolves it: the socket peer, or, when the peer is a
/// trusted proxy, the address that proxy forwarded. An unknown peer (only in-process tests have
/// none) reads as `0.0.0.0`.
pub(crate) fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trusted_proxies: &[IpRule],
) -> IpAddr {
    let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |address| address.ip());
    client_ip(
        |name| headers.get(name).and_then(|value| value.to_str().ok()),
        peer,
        trusted_proxies,
    )
}

/// The caller, resolved from its bearer credential by `Services::authenticate`, or, without
/// one, from the dashboard's session cookie (with the CSRF check for a state-changing request).
/// Taking it as a handler argument is what makes a route authenticated.
#[derive(Debug)]
pub struct Caller(Principal);

impl Deref for Caller {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalFuture<Self, ApiError>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(shared) = request.extensions().get::<SharedPrincipal>() {
            return Box::pin(ready(Ok(Caller(shared.0.clone()))));
        }
        let services = request.app_data::<web::Data<Services>>().cloned();
        let bearer = bearer_value(request.headers()).map(str::to_owned);
        let session = match bearer {
            Some(_) => None,
            None => session_value(request).map(|cookie| {
                let needs_csrf = changes_state(request.method());
                (cookie, needs_csrf, request.headers().clone())
            }),
        };
        Box::pin(async move {
            let services =
                services.ok_or_else(|| ApiError::internal("Services missing from app data"))?;
            let principal = match session {
                Some((cookie, needs_csrf, headers)) => {
                    session_caller(&services, &cookie, needs_csrf, &headers).await?
                }
                None => services.auth().authenticate(bearer.as_deref()).await?,
            };
            Ok(Caller(principal))
        })
    }
}

/// The principal of a session cookie; a state-changing request must echo its CSRF token.
async fn session_caller(
    services: &Services,
    cookie: &str,
    needs_csrf: bool,
    headers: &HeaderMap,
) -> Result<Principal, ApiError> {
    let principal = services.sign_in().authenticate(cookie).await?;
    if needs_csrf && !carries_csrf_token(headers, &services.sign_in().csrf_token(cookie)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Missing or invalid CSRF token: send the X-CSRF-Token header from GET /api/session",
        ));
    }
    Ok(principal)
}

/// An id type that appears in paths, with the parameter name the route table uses for it.
pub trait PathParam: Sized {
    const NAME: &'static str;
    fn parse_param(raw: &str) -> Result<Self, InvalidId>;
}

macro_rules! path_params {
    ($($type:ty => $name:literal),* $(,)?) => {
        $(impl PathParam for $type {
            const NAME: &'static str = $name;
            fn parse_param(raw: &str) -> Result<Self, InvalidId> {
                <$type>::parse(raw)
            }
        })*
    };
}

path_params! {
    WebsiteId => "websiteId",
    TokenId => "tokenId",
    ApiKeyId => "apiKeyId",
    FunnelId => "funnelId",
    AlertId => "alertId",
    InvitationId => "invitationId",
}

/// A typed id taken from the path segment named `T::NAME`; 400 "Invalid <name>" otherwise.
#[derive(Debug, Clone, Copy)]
pub struct PathId<T>(pub T);

impl<T: PathParam> FromRequest for PathId<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match request.match_info().get(T::NAME) {
            Some(raw) => T::parse_param(raw)
                .map(PathId)
                .map_err(|invalid| invalid.at(T::NAME).into()),
            None => Err(ApiError::internal(&format!(
                "route has no {} segment",
                T::NAME
            ))),
        };
        ready(parsed)
    }
}

/// The `websiteId` query parameter, read the same way by every route that takes one: required
/// with an account token, optional (and checked) with a `df_` key, so absence is not an error
/// here.
pub(crate) fn website_id_param(raw: Option<&str>) -> Result<Option<WebsiteId>, ApiError> {
    raw.map(|raw| WebsiteId::parse(raw.trim()).map_err(|invalid| invalid.at("websiteId").into()))
        .transpose()
}

/// A JSON object body. A request without a body reads as `{}`, so routes whose fields are all
/// optional work without one, and routes with required fields say which one is missing.
/// Content type, size and syntax are checked by actix's JSON extractor under the app's
/// `JsonConfig`.
#[derive(Debug, Default)]
pub struct JsonObject(Map<String, Value>);

impl JsonObject {
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            map: &self.0,
            prefix: String::new(),
        }
    }
}

/// True when the request carries no body at all (HTTP/1.1: neither a length nor chunks).
fn has_no_body(request: &HttpRequest) -> bool {
    let headers = request.headers();
    match headers.get(header::CONTENT_LENGTH) {
        Some(length) => length.to_str().is_ok_and(|l| l.trim() == "0"),
        None => !headers.contains_key(header::TRANSFER_ENCODING),
    }
}

impl FromRequest for JsonObject {
    type Error = actix_web::Error;
    type Future = LocalFuture<Self, actix_web::Error>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if has_no_body(request) {
            return Box::pin(ready(Ok(JsonObject::default())));
        }
        let json = web::Json::<Value>::from_request(request, payload);
        Box::pin(async move {
            match json.await?.into_inner() {
                Value::Object(map) => Ok(JsonObject(map)),
                _ => Err(ApiError::bad_request("The request body must be a JSON object").into()),
            }
        })
    }
}

/// The fields of one JSON object, with the path that leads to it for error messages
/// (`template.message`, `steps[2].url`).
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

/// What a body says about one field.
enum Field<'a> {
    Absent,
    Null,
    Present(&'a Value),
}

impl<'a> Fields<'a> {
    /// The field's name as the client spells it, with its path.
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    fn field(&self, key: &str) -> Field<'a> {
        match self.map.get(key) {
            None => Field::Absent,
            Some(Value::Null) => Field::Null,
            Some(value) => Field::Present(value),
        }
    }

    fn missing(&self, key: &str) -> ApiError {
        ApiError::bad_request(format!("Missing required field '{}'", self.path(key)))
    }

    fn wrong_type(&self, key: &str, expected: &str) -> ApiError {
        ApiError::bad_request(format!("Field '{}' must be {expected}", self.path(key)))
    }

    /// The field's value, `None` when absent. An explicit null is refused: read as absent, it
    /// would quietly pick the default (`permissions: null` would grant `*`). The few fields
    /// that null clears are read with [`Fields::str_change`].
    fn value(&self, key: &str) -> Result<Option<&'a Value>, ApiError> {
        match self.field(key) {
            Field::Absent => Ok(None),
            Field::Null => Err(ApiError::bad_request(format!(
                "Field '{}' must not be null",
                self.path(key)
            ))),
            Field::Present(value) => Ok(Some(value)),
        }
    }

    /// A string that must be there.
    pub fn required_str(&self, key: &str) -> Result<&'a str, ApiError> {
        self.optional_str(key)?.ok_or_else(|| self.missing(key))
    }

    /// A string, or `None` when absent.
    pub fn optional_str(&self, key: &str) -> Result<Option<&'a str>, ApiError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(self.wrong_type(key, "a string")),
        }
    }

    /// Absent keeps, null clears, a string sets: only for the fields documented as cleared by
    /// null.
    pub fn str_change(&self, key: &str) -> Result<FieldChange<String>, ApiError> {
        match self.field(key) {
            Field::Absent => Ok(FieldChange::Keep),
            Field::Null => Ok(FieldChange::Clear),
            Field::Present(Value::String(text)) => Ok(FieldChange::Set(text.clone())),
            Field::Present(_) => Err(self.wrong_type(key, "a string or null")),
        }
    }

    /// `true` or `false` exactly (no "yes", no 1); `None` when absent.
    pub fn optional_bool(&self, key: &str) -> Result<Option<bool>, ApiError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(self.wrong_type(key, "true or false")),
        }
    }

    /// An array of strings; `None` when absent.
    pub fn optional_str_list(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(text) => Ok(text.clone()),
                    _ => Err(self.wrong_type(key, "an array of strings")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.wrong_type(key, "an array of strings")),
        }
    }

    /// A nested object; `None` when absent.
    pub fn optional_object(&self, key: &str) -> Result<Option<Fields<'a>>, ApiError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(Fields {
                map,
                prefix: self.path(key),
            })),
            Some(_) => Err(self.wrong_type(key, "an object")),
        }
    }

    /// A nested object that must be there.
    pub fn required_object(&self, key: &str) -> Result<Fields<'a>, ApiError> {
        self.optional_object(key)?.ok_or_else(|| self.missing(key))
    }

    /// An array of objects; `None` when absent.
    pub fn optional_object_list(&self, key: &str) -> Result<Option<Vec<Fields<'a>>>, ApiError> {
        match self.value(key)? {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(index, item)| match item {
                    Value::Object(map) => Ok(Fields {
                        map,
                        prefix: format!("{}[{index}]", self.path(key)),
                    }),
                    _ => Err(self.wrong_type(key, "an array of objects")),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(self.wrong_type(key, "an array of objects")),
        }
    }
}

/// A query-string flag: absent is false; `true`/`1` and `false`/`0` otherwise (an empty value
/// is refused like any other).
pub fn query_flag(name: &str, value: Option<&str>) -> Result<bool, ApiError> {
    match value.map(str::trim) {
        None => Ok(false),
        Some(text) if text.eq_ignore_ascii_case("true") || text == "1" => Ok(true),
        Some(text) if text.eq_ignore_ascii_case("false") || text == "0" => Ok(false),
        Some(_) => Err(ApiError::bad_request(format!(
            "Query parameter '{name}' must be true or false"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;
    use serde_json::json;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => JsonObject(map),
            _ => unreachable!("tests pass objects"),
        }
    }

    #[test]
    fn bearer_scheme_is_case_insensitive_and_other_schemes_are_ignored() {
        let mut headers = HeaderMap::new();
        for (header_value, expected) in [
            ("Bearer dft_abc", Some("dft_abc")),
            ("bearer   dft_abc ", Some("dft_abc")),
            ("BEARER dft_abc", Some("dft_abc")),
            ("Basic dXNlcjpwYXNz", None),
            ("Bearer", None),
            ("dft_abc", None),
        ] {
            headers.insert(
                header::AUTHORIZATION,
                HeaderValue::from_static(header_value),
            );
            assert_eq!(bearer_value(&headers), expected, "{header_value}");
        }
    }

    #[test]
    fn fields_name_themselves_in_errors() {
        let body =
            object(json!({"name": 7, "template": {"message": false}, "steps": [{"url": 1}]}));
        let fields = body.fields();
        assert_eq!(
            fields.required_str("name").unwrap_err().message(),
            "Field 'name' must be a string"
        );
        assert_eq!(
            fields.required_str("domain").unwrap_err().message(),
            "Missing required field 'domain'"
        );
        let template = fields.required_object("template").unwrap();
        assert!(
            template
                .required_str("message")
                .unwrap_err()
                .message()
                .contains("'template.message'")
        );
        let steps = fields.optional_object_list("steps").unwrap().unwrap();
        assert!(
            steps[0]
                .optional_str("url")
                .unwrap_err()
                .message()
                .contains("'steps[0].url'")
        );
    }

    #[test]
    fn tri_state_and_strict_booleans() {
        let body = object(json!({"a": null, "b": "x", "flag": "yes", "ok": true}));
        let fields = body.fields();
        assert_eq!(fields.str_change("a").unwrap(), FieldChange::Clear);
        assert_eq!(
            fields.str_change("b").unwrap(),
            FieldChange::Set("x".into())
        );
        assert_eq!(fields.str_change("c").unwrap(), FieldChange::Keep);
        assert!(fields.optional_bool("flag").is_err());
        assert_eq!(fields.optional_bool("ok").unwrap(), Some(true));
        assert_eq!(fields.optional_bool("missing").unwrap(), None);
    }

    #[test]
    fn null_is_refused_naming_the_field_except_where_it_clears() {
        let body = object(json!({"a": null, "nested": {"b": null}, "list": [{"c": null}]}));
        let fields = body.fields();
        let refused = [
            fields.optional_str("a").map(|_| ()),
            fields.required_str("a").map(|_| ()),
            fields.optional_bool("a").map(|_| ()),
            fields.optional_str_list("a").map(|_| ()),
            fields.optional_object("a").map(|_| ()),
            fields.optional_object_list("a").map(|_| ()),
        ];
        for result in refused {
            assert_eq!(result.unwrap_err().message(), "Field 'a' must not be null");
        }
        let nested = fields.required_object("nested").unwrap();
        assert!(
            nested
                .optional_str("b")
                .unwrap_err()
                .message()
                .contains("'nested.b'")
        );
        let list = fields.optional_object_list("list").unwrap().unwrap();
        assert!(
            list[0]
                .optional_bool("c")
                .unwrap_err()
                .message()
                .contains("'list[0].c'")
        );
        assert_eq!(fields.str_change("a").unwrap(), FieldChange::Clear);
    }

    #[test]
    fn query_flags() {
        assert!(query_flag("x", Some("true")).unwrap());
        assert!(!query_flag("x", None).unwrap());
        assert!(query_flag("x", Some("maybe")).is_err());
        assert!(query_flag("x", Some("")).is_err());
    }
}
