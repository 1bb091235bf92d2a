//! Query strings: every handler reads its parameters through [`Query`], which refuses a
//! parameter given with an empty value (`?limit=`, `?alertId=`, a bare `?includeInactive`),
//! naming it, so that an empty value is never read as if the parameter were absent.

use std::future::{Ready, ready};
use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, query_error};

/// The query string as `T` (a struct of the route's parameters, or the raw pairs).
#[derive(Debug)]
pub(crate) struct Query<T>(T);

impl<T> Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, actix_web::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(read(request))
    }
}

fn read<T: DeserializeOwned>(request: &HttpRequest) -> Result<Query<T>, actix_web::Error> {
    let text = request.query_string();
    let pairs = web::Query::<Vec<(String, String)>>::from_query(text)
        .map_err(|e| query_error(e, request))?;
    if let Some((name, _)) = pairs.iter().find(|(_, value)| value.trim().is_empty()) {
        return Err(
            ApiError::bad_request(format!("Query parameter '{name}' must not be empty")).into(),
        );
    }
    web::Query::<T>::from_query(text)
        .map(|query| Query(query.into_inner()))
        .map_err(|e| query_error(e, request))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn pairs(uri: &str) -> Result<Vec<(String, String)>, String> {
        let request = TestRequest::with_uri(uri).to_http_request();
        read::<Vec<(String, String)>>(&request)
            .map(|query| query.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn an_empty_value_is_refused_naming_its_parameter() {
        for uri in [
            "/?limit=",
            "/?alertId=&limit=5",
            "/?includeInactive",
            "/?a=1&fields=%20",
        ] {
            let error = pairs(uri).unwrap_err();
            assert!(error.contains("must not be empty"), "{uri}: {error}");
        }
        assert!(pairs("/?limit=").unwrap_err().contains("'limit'"));
        assert_eq!(
            pairs("/?limit=5&x=a%20b").unwrap(),
            vec![("limit".into(), "5".into()), ("x".into(), "a b".into())]
        );
        assert!(pairs("/").unwrap().is_empty());
    }
}
