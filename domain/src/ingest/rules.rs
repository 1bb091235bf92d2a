//! A website's own rules about which events it keeps: the page's host must belong to the
//! website, and the operator's IP, path, country and hostname exclusions apply. An event that
//! fails them is dropped and still answered with 200, so clients do not retry.

use std::net::IpAddr;

use crate::website::Website;

/// Why an otherwise valid event is not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The page's host is neither the website's domain, a subdomain, nor allowed.
    ForeignHostname,
    ExcludedHostname,
    ExcludedIp,
    ExcludedPath,
    ExcludedCountry,
    /// Not decided here: the caller returns it when `user_agent_info` reports a bot.
    Bot,
    /// Attack mode: a user agent that names no browser the parser knows.
    AttackModeUnknownBrowser,
    /// Attack mode: an event other than a pageview from a visitor with no pageview yet.
    AttackModeNoPageview,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::ForeignHostname => "foreign_hostname",
            DropReason::ExcludedHostname => "excluded_hostname",
            DropReason::ExcludedIp => "excluded_ip",
            DropReason::ExcludedPath => "excluded_path",
            DropReason::ExcludedCountry => "excluded_country",
            DropReason::Bot => "bot",
            DropReason::AttackModeUnknownBrowser => "attack_mode_unknown_browser",
            DropReason::AttackModeNoPageview => "attack_mode_no_pageview",
        }
    }
}

/// Whether `host` may send events for `website`: its domain or a subdomain, an entry of
/// `allowedHostnames`, any host when `isAllHostnamesAllowed`, or a mobile app's screen
/// (`https://<app id>/__app/<ios|android>/<Screen>`, whose host is the app identifier the
/// client sent as `domain`).
pub fn host_allowed(website: &Website, host: &str, path: &str, claimed_domain: &str) -> bool {
    let settings = &website.settings;
    settings.is_all_hostnames_allowed
        || website.domain.covers(host)
        || settings.allowed_hostnames.iter().any(|h| h.matches(host))
        || (host == claimed_domain && is_app_screen(path))
}

/// `/__app/<platform>/<Screen>`, the React Native SDK's screen path.
pub fn is_app_screen(path: &str) -> bool {
    path.strip_prefix("/__app/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(platform, screen)| {
            !platform.is_empty()
                && platform.bytes().all(|b| b.is_ascii_alphanumeric())
                && !screen.is_empty()
        })
}

/// Applies the website's rules to an event from `ip` (and `country`, when known) on a page of
/// `host` and `path`; `Err` says why to drop it. `claimed_domain` is the payload's `domain`.
pub fn check_website(
    website: &Website,
    host: &str,
    path: &str,
    claimed_domain: &str,
    ip: IpAddr,
    country: Option<&str>,
) -> Result<(), DropReason> {
    let settings = &website.settings;
    if !host_allowed(website, host, path, claimed_domain) {
        return Err(DropReason::ForeignHostname);
    }
    if settings.excluded_hostnames.iter().any(|h| h.matches(host)) {
        return Err(DropReason::ExcludedHostname);
    }
    if settings.excluded_ips.iter().any(|rule| rule.matches(ip)) {
        return Err(DropReason::ExcludedIp);
    }
    if settings
        .excluded_paths
        .iter()
        .any(|rule| rule.matches(path))
    {
        return Err(DropReason::ExcludedPath);
    }
    if let Some(country) = country
        && settings
            .excluded_countries
            .iter()
            .any(|c| c.as_str().eq_ignore_ascii_case(country))
    {
        return Err(DropReason::ExcludedCountry);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::{AccountId, WebsiteId};
    use crate::time::TimeZoneName;
    use crate::website::{
        CountryCode, Domain, Hostname, IpRule, PathRule, TrackingId, WebsiteSettings,
    };

    fn website() -> Website {
        Website {
            id: WebsiteId::from_parts(1, [1; 8]),
            owner_id: AccountId::from_parts(2, [2; 8]),
            domain: Domain::parse("example.com").unwrap(),
            tracking_id: TrackingId::parse("dfid_abc123").unwrap(),
            created_at: jiff::Timestamp::UNIX_EPOCH,
            settings: WebsiteSettings::new("Example".into(), TimeZoneName::parse("UTC").unwrap()),
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn hosts_of_the_website_are_allowed() {
        let mut site = website();
        let check = |site: &Website, host: &str, path: &str| {
            check_website(site, host, path, "example.com", ip("1.2.3.4"), None)
        };
        assert_eq!(check(&site, "example.com", "/"), Ok(()));
        assert_eq!(check(&site, "app.example.com", "/"), Ok(()));
        assert_eq!(
            check(&site, "badexample.com", "/"),
            Err(DropReason::ForeignHostname)
        );
        assert_eq!(
            check(&site, "localhost", "/"),
            Err(DropReason::ForeignHostname)
        );
        site.settings.allowed_hostnames = vec![Hostname::parse("*.partner.io").unwrap()];
        assert_eq!(check(&site, "shop.partner.io", "/"), Ok(()));
        site.settings.is_all_hostnames_allowed = true;
        assert_eq!(check(&site, "anything.net", "/"), Ok(()));
    }

    #[test]
    fn app_screens_pass_with_their_claimed_identifier() {
        let site = website();
        let app = |host: &str, path: &str| {
            check_website(&site, host, path, "com.example.app", ip("1.2.3.4"), None)
        };
        assert_eq!(app("com.example.app", "/__app/ios/Home"), Ok(()));
        assert_eq!(
            app("com.example.app", "/home"),
            Err(DropReason::ForeignHostname)
        );
        assert_eq!(
            app("com.other.app", "/__app/ios/Home"),
            Err(DropReason::ForeignHostname)
        );
        assert_eq!(
            app("com.example.app", "/__app/ios/"),
            Err(DropReason::ForeignHostname)
        );
    }

    #[test]
    fn exclusions_drop_events() {
        let mut site = website();
        site.settings.excluded_hostnames = vec![Hostname::parse("staging.example.com").unwrap()];
        site.settings.excluded_ips = vec![IpRule::parse("10.0.0.0/8").unwrap()];
        site.settings.excluded_paths = vec![PathRule::parse("/admin/*").unwrap()];
        site.settings.excluded_countries = vec![CountryCode::parse("FR").unwrap()];
        let check = |host: &str, path: &str, addr: &str, country: Option<&str>| {
            check_website(&site, host, path, "example.com", ip(addr), country)
        };
        assert_eq!(check("example.com", "/", "1.2.3.4", Some("US")), Ok(()));
        assert_eq!(
            check("staging.example.com", "/", "1.2.3.4", None),
            Err(DropReason::ExcludedHostname)
        );
        assert_eq!(
            check("example.com", "/", "10.1.2.3", None),
            Err(DropReason::ExcludedIp)
        );
        assert_eq!(
            check("example.com", "/admin/users", "1.2.3.4", None),
            Err(DropReason::ExcludedPath)
        );
        assert_eq!(
            check("example.com", "/", "1.2.3.4", Some("fr")),
            Err(DropReason::ExcludedCountry)
        );
    }
}
