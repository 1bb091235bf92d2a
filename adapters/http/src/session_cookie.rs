//! The dashboard's session cookie and its CSRF check. The cookie is HttpOnly and SameSite=Lax
//! (Secure when the server's public address is https); a state-changing request that signs in
//! with it must also carry `X-CSRF-Token`, a value derived from the cookie that only a page of
//! this server can read (from `GET /api/session`). A request with a bearer credential needs
//! neither: no browser sends one by itself.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::Method;
use actix_web::http::header::HeaderMap;

use datafast_domain::session::SESSION_LIFETIME;

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "df_session";
/// The header a cookie-authenticated state-changing request must echo the CSRF token in.
pub(crate) const CSRF_HEADER: &str = "x-csrf-token";

/// The session cookie's value, if the request has one.
pub(crate) fn session_value(request: &HttpRequest) -> Option<String> {
    request
        .cookie(SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned())
}

/// Whether the method can change state, so that a cookie-authenticated request needs the
/// CSRF token.
pub(crate) fn changes_state(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request echoes `expected` in the CSRF header, compared in constant time.
pub(crate) fn carries_csrf_token(headers: &HeaderMap, expected: &str) -> bool {
    let Some(sent) = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    sent.len() == expected.len()
        && sent
            .bytes()
            .zip(expected.bytes())
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// The cookie that opens a session, for `public_address` (`https://...` makes it Secure).
pub(crate) fn session_cookie(value: &str, public_address: &str) -> Cookie<'static> {
    let lifetime = CookieDuration::seconds(SESSION_LIFETIME.as_secs());
    base(value.to_owned(), public_address)
        .max_age(lifetime)
        .finish()
}

/// The cookie that tells the browser to forget the session.
pub(crate) fn cleared_cookie(public_address: &str) -> Cookie<'static> {
    base(String::new(), public_address)
        .max_age(CookieDuration::ZERO)
        .finish()
}

fn base(value: String, public_address: &str) -> actix_web::cookie::CookieBuilder<'static> {
    Cookie::build(SESSION_COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(public_address.starts_with("https://"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_over_https() {
        let plain = session_cookie("abc", "http://127.0.0.1:8080").to_string();
        assert!(
            plain.contains("HttpOnly") && plain.contains("SameSite=Lax"),
            "{plain}"
        );
        assert!(!plain.contains("Secure"), "{plain}");
        let secure = session_cookie("abc", "https://stats.example.com").to_string();
        assert!(secure.contains("Secure"), "{secure}");
        assert!(cleared_cookie("http://x").to_string().contains("Max-Age=0"));
    }

    #[test]
    fn the_csrf_token_must_match_exactly() {
        let mut headers = HeaderMap::new();
        assert!(!carries_csrf_token(&headers, "abcd"));
        headers.insert(
            HeaderName::from_static(CSRF_HEADER),
            HeaderValue::from_static("abce"),
        );
        assert!(!carries_csrf_token(&headers, "abcd"));
        assert!(!carries_csrf_token(&headers, "abc"));
        assert!(carries_csrf_token(&headers, "abce"));
        assert!(changes_state(&Method::POST) && changes_state(&Method::DELETE));
        assert!(!changes_state(&Method::GET));
    }
}
