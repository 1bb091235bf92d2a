//! The server's public address, for the snippets and links it hands out: the configured
//! `public_url`, else what the request itself names (`Host`, with `X-Forwarded-Proto` and
//! `X-Forwarded-Host` believed only from a trusted proxy). A snippet pasted into a site must
//! load the script from this server, not from the site it is pasted into.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};

use datafast_domain::ingest::is_trusted_proxy;
use datafast_domain::website::IpRule;

use crate::error::ApiError;

/// How the public address is found; shared by every worker.
#[derive(Debug, Clone, Default)]
pub struct PublicAddressConfig {
    /// The configured address, normalised by [`parse_public_url`].
    pub public_url: Option<String>,
    /// Proxies whose forwarded host and scheme are believed.
    pub trusted_proxies: Vec<IpRule>,
}

/// Checks a configured public address: an absolute `http` or `https` URL, optionally with a
/// path prefix (behind a proxy that serves this server under one), without a query or
/// fragment. Returns it without the trailing slash, ready to have `/js/script.js` appended.
///
/// # Errors
/// Anything else, with the reason.
pub fn parse_public_url(input: &str) -> Result<String, String> {
    let text = input.trim().trim_end_matches('/');
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| format!("'{text}' is not an absolute URL (http://... or https://...)"))?;
    if !matches!(scheme, "http" | "https") {
        return Err(format!("'{text}' must start with http:// or https://"));
    }
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    if !valid_host(host) {
        return Err(format!(
            "'{host}' is not a host name or address (with an optional port)"
        ));
    }
    let path_ok = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~'));
    if !path_ok {
        return Err(format!(
            "the path of '{text}' may hold only letters, digits and - _ . ~ /"
        ));
    }
    Ok(text.to_owned())
}

/// A host as the `Host` header carries it: a name or IPv4 address, or a bracketed IPv6
/// address, each with an optional port. Nothing else can reach a snippet's HTML.
fn valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(':') && !port.contains(']') => (name, Some(port)),
        _ => (host, None),
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = match name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !name.is_empty()
                && name.len() <= 253
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'))
        }
    };
    name_ok && port_ok
}

/// The public address for one request, as an extractor: `https://analytics.example.com`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PublicAddress(pub(crate) String);

impl PublicAddress {
    fn resolve(config: &PublicAddressConfig, request: &HttpRequest) -> Self {
        if let Some(configured) = &config.public_url {
            return Self(configured.clone());
        }
        let trusted = request
            .peer_addr()
            .is_some_and(|peer| is_trusted_proxy(peer.ip(), &config.trusted_proxies));
        let forwarded = |name: &str| {
            trusted
                .then(|| header(request, name))
                .flatten()
                .map(|value| {
                    value
                        .split(',')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .to_owned()
                })
        };
        let scheme = forwarded("x-forwarded-proto")
            .map(|scheme| scheme.to_ascii_lowercase())
            .filter(|scheme| matches!(scheme.as_str(), "http" | "https"))
            .unwrap_or_else(|| "http".to_owned());
        let host = forwarded("x-forwarded-host")
            .filter(|host| valid_host(host))
            .or_else(|| {
                header(request, "host")
                    .map(str::to_owned)
                    .filter(|h| valid_host(h))
            })
            .unwrap_or_else(|| request.app_config().local_addr().to_string());
        Self(format!("{scheme}://{host}"))
    }
}

fn header<'r>(request: &'r HttpRequest, name: &str) -> Option<&'r str> {
    request.headers().get(name)?.to_str().ok()
}

impl FromRequest for PublicAddress {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let config = request.app_data::<web::Data<PublicAddressConfig>>();
        ready(match config {
            Some(config) => Ok(Self::resolve(config, request)),
            None => Err(ApiError::internal(
                "PublicAddressConfig missing from app data",
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn config(public_url: Option<&str>, trusted: &[&str]) -> PublicAddressConfig {
        PublicAddressConfig {
            public_url: public_url.map(str::to_owned),
            trusted_proxies: trusted.iter().map(|t| IpRule::parse(t).unwrap()).collect(),
        }
    }

    fn from(peer: &str, headers: &[(&str, &str)]) -> HttpRequest {
        let mut request = TestRequest::default().peer_addr(peer.parse().unwrap());
        for header in headers {
            request = request.insert_header(*header);
        }
        request.to_http_request()
    }

    #[test]
    fn the_configured_address_wins() {
        let request = from("10.0.0.9:5000", &[("host", "internal:8080")]);
        let resolved =
            PublicAddress::resolve(&config(Some("https://a.example.com"), &[]), &request);
        assert_eq!(resolved.0, "https://a.example.com");
    }

    #[test]
    fn without_one_the_host_header_names_the_server() {
        let request = from(
            "203.0.113.7:5000",
            &[("host", "analytics.example.com:8080")],
        );
        let resolved = PublicAddress::resolve(&config(None, &[]), &request);
        assert_eq!(resolved.0, "http://analytics.example.com:8080");
    }

    #[test]
    fn forwarded_host_and_scheme_count_only_from_a_trusted_proxy() {
        let headers = [
            ("host", "internal:8080"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "analytics.example.com"),
        ];
        let trusted = config(None, &["10.0.0.0/8"]);
        let via_proxy = PublicAddress::resolve(&trusted, &from("10.1.2.3:4000", &headers));
        assert_eq!(via_proxy.0, "https://analytics.example.com");
        let direct = PublicAddress::resolve(&trusted, &from("203.0.113.7:4000", &headers));
        assert_eq!(direct.0, "http://internal:8080");
    }

    #[test]
    fn a_host_that_could_break_out_of_the_snippet_is_not_used() {
        for host in ["evil.com\"><script>", "a b", "x.com/path", ""] {
            let request = from("203.0.113.7:4000", &[("host", host)]);
            let resolved = PublicAddress::resolve(&config(None, &[]), &request);
            let host_part = resolved.0.strip_prefix("http://").unwrap();
            assert!(valid_host(host_part), "{host}: {}", resolved.0);
            assert!(
                !host_part.contains(['"', '<', ' ', '/']),
                "{host}: {}",
                resolved.0
            );
        }
    }

    #[test]
    fn public_urls_are_checked_and_normalised() {
        assert_eq!(
            parse_public_url("https://a.example.com/").unwrap(),
            "https://a.example.com"
        );
        assert_eq!(
            parse_public_url(" http://10.0.0.1:8080/stats/ ").unwrap(),
            "http://10.0.0.1:8080/stats"
        );
        assert_eq!(
            parse_public_url("http://[::1]:8080").unwrap(),
            "http://[::1]:8080"
        );
        for bad in [
            "a.example.com",
            "ftp://a.example.com",
            "https://",
            "https://a b",
            "https://a.com/?x=1",
            "https://a.com/\"x",
        ] {
            assert!(parse_public_url(bad).is_err(), "{bad}");
        }
    }
}
