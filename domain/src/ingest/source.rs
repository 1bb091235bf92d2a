//! Where a visit came from: the referrer reduced to a source name (`Google`, `X`,
//! `Direct/None`, or a bare host), and the campaign tags read from the page URL.

use url::Url;

use crate::ingest::sanitize::sanitize_value;
use crate::website::Domain;

/// The source of a visit as analytics group it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferrerSource {
    /// No referrer, an unreadable one, or a page of the same site.
    Direct,
    /// A well-known site, by its usual name.
    Known(&'static str),
    /// Any other site: its host without `www.`.
    Site(String),
}

impl ReferrerSource {
    pub fn label(&self) -> &str {
        match self {
            ReferrerSource::Direct => "Direct/None",
            ReferrerSource::Known(name) => name,
            ReferrerSource::Site(host) => host,
        }
    }
}

/// Hosts (without `www.`) and the name they are shown under. A pattern ending in `.` matches
/// any top-level domain (`google.fr`, `google.co.uk`).
const KNOWN: &[(&str, &str)] = &[
    ("google.", "Google"),
    ("bing.com", "Bing"),
    ("duckduckgo.com", "DuckDuckGo"),
    ("facebook.com", "Facebook"),
    ("fb.com", "Facebook"),
    ("x.com", "X"),
    ("twitter.com", "X"),
    ("t.co", "X"),
    ("linkedin.com", "LinkedIn"),
    ("lnkd.in", "LinkedIn"),
    ("reddit.com", "Reddit"),
    ("youtube.com", "YouTube"),
    ("youtu.be", "YouTube"),
    ("github.com", "GitHub"),
];

/// The source of a visit whose referrer is `referrer`, on a page of `page_host` for a website
/// of `domain`. Same-site referrers (the page's host, or any host of the website's domain) are
/// direct.
pub fn referrer_source(referrer: Option<&str>, page_host: &str, domain: &Domain) -> ReferrerSource {
    let Some(host) = referrer
        .and_then(|r| Url::parse(r.trim()).ok())
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .filter(|h| !h.is_empty())
    else {
        return ReferrerSource::Direct;
    };
    if host == page_host || domain.covers(&host) {
        return ReferrerSource::Direct;
    }
    let bare = host.strip_prefix("www.").unwrap_or(&host);
    for (pattern, name) in KNOWN {
        if known_match(pattern, bare) {
            return ReferrerSource::Known(name);
        }
    }
    ReferrerSource::Site(bare.to_owned())
}

/// `pattern` equals `host` or is a parent domain of it (`m.facebook.com`); a pattern ending in
/// `.` stands for the name under any public suffix (`google.` for `news.google.co.uk`).
fn known_match(pattern: &str, host: &str) -> bool {
    let under = |base: &str| {
        host == base
            || host
                .strip_suffix(base)
                .is_some_and(|prefix| prefix.ends_with('.'))
    };
    match pattern.strip_suffix('.') {
        Some(name) => {
            let labels: Vec<&str> = host.split('.').collect();
            // `google` followed by one or two short suffix labels (`fr`, `co.uk`).
            labels.iter().enumerate().any(|(i, l)| {
                *l == name
                    && (1..=2).contains(&(labels.len() - i - 1))
                    && labels[i + 1..].iter().all(|s| s.len() <= 3)
            })
        }
        None => under(pattern),
    }
}

/// Campaign tags of a page URL: `utm_*`, and the `ref`, `source` and `via` shorthands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Campaign {
    pub utm_source: Option<String>,
    pub utm_medium: Option<String>,
    pub utm_campaign: Option<String>,
    pub utm_term: Option<String>,
    pub utm_content: Option<String>,
    pub ref_: Option<String>,
    pub source: Option<String>,
    pub via: Option<String>,
}

/// Reads the campaign tags from `href`'s query; values are sanitised and the first occurrence
/// of each wins. An unparsable URL has none.
pub fn campaign(href: &str) -> Campaign {
    let mut out = Campaign::default();
    let Ok(url) = Url::parse(href) else {
        return out;
    };
    for (key, value) in url.query_pairs() {
        let slot = match key.as_ref() {
            "utm_source" => &mut out.utm_source,
            "utm_medium" => &mut out.utm_medium,
            "utm_campaign" => &mut out.utm_campaign,
            "utm_term" => &mut out.utm_term,
            "utm_content" => &mut out.utm_content,
            "ref" => &mut out.ref_,
            "source" => &mut out.source,
            "via" => &mut out.via,
            _ => continue,
        };
        if slot.is_none() {
            let clean = sanitize_value(&value);
            if !clean.is_empty() {
                *slot = Some(clean);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(referrer: Option<&str>) -> String {
        let domain = Domain::parse("example.com").unwrap();
        referrer_source(referrer, "example.com", &domain)
            .label()
            .to_owned()
    }

    #[test]
    fn known_sites_get_their_names() {
        assert_eq!(source(Some("https://www.google.com/")), "Google");
        assert_eq!(
            source(Some("https://www.google.co.uk/search?q=x")),
            "Google"
        );
        assert_eq!(source(Some("https://news.google.fr/")), "Google");
        assert_eq!(source(Some("https://www.bing.com/search")), "Bing");
        assert_eq!(source(Some("https://duckduckgo.com/")), "DuckDuckGo");
        assert_eq!(source(Some("https://l.facebook.com/l.php")), "Facebook");
        assert_eq!(source(Some("https://t.co/abc")), "X");
        assert_eq!(source(Some("https://twitter.com/x")), "X");
        assert_eq!(source(Some("https://www.linkedin.com/")), "LinkedIn");
        assert_eq!(source(Some("https://old.reddit.com/r/rust")), "Reddit");
        assert_eq!(source(Some("https://youtu.be/abc")), "YouTube");
        assert_eq!(source(Some("https://github.com/a/b")), "GitHub");
    }

    #[test]
    fn lookalikes_are_not_known_sites() {
        assert_eq!(source(Some("https://notgoogle.com/")), "notgoogle.com");
        assert_eq!(
            source(Some("https://google.evil.example.org/")),
            "google.evil.example.org"
        );
        assert_eq!(source(Some("https://fakex.com/")), "fakex.com");
    }

    #[test]
    fn empty_and_same_site_referrers_are_direct() {
        assert_eq!(source(None), "Direct/None");
        assert_eq!(source(Some("")), "Direct/None");
        assert_eq!(source(Some("not a url")), "Direct/None");
        assert_eq!(source(Some("https://example.com/a")), "Direct/None");
        assert_eq!(source(Some("https://blog.example.com/a")), "Direct/None");
        assert_eq!(
            source(Some("https://www.indiehackers.com/post")),
            "indiehackers.com"
        );
    }

    #[test]
    fn campaign_tags_are_read_and_cleaned() {
        let c = campaign(
            "https://example.com/?utm_source=news%3Cletter&utm_medium=email&ref=ph&via=bob&source=x&utm_source=second",
        );
        assert_eq!(c.utm_source.as_deref(), Some("newsletter"));
        assert_eq!(c.utm_medium.as_deref(), Some("email"));
        assert_eq!(c.ref_.as_deref(), Some("ph"));
        assert_eq!(c.via.as_deref(), Some("bob"));
        assert_eq!(c.source.as_deref(), Some("x"));
        assert_eq!(c.utm_campaign, None);
        assert_eq!(campaign("::"), Campaign::default());
    }
}
