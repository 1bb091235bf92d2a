//! The visit context of an accepted event: its referrer reduced to a source, its campaign
//! tags, the visitor's software, and the location the caller looked up.

use crate::event::VisitContext;
use crate::ingest::agent::UserAgentInfo;
use crate::ingest::payload::IncomingEvent;
use crate::ingest::source::{ReferrerSource, query_campaign, referrer_host_source};
use crate::website::Domain;

/// Where the client address is, as the location lookup found it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub country: Option<String>,
    pub region: Option<String>,
    pub city: Option<String>,
}

/// Builds the context stored with `event` on a website of `domain`.
pub fn visit_context(
    event: &IncomingEvent,
    domain: &Domain,
    agent: &UserAgentInfo,
    place: Place,
) -> VisitContext {
    // Both URLs were parsed by validation: their hosts and query are read from there.
    let referrer_host = event.referrer.as_ref().map(|r| r.host.as_str());
    let source = referrer_host_source(referrer_host, &event.page.host, domain);
    let referrer = match &source {
        ReferrerSource::Direct => None,
        _ => event.referrer.as_ref().map(|r| {
            r.host
                .strip_prefix("www.")
                .unwrap_or(r.host.as_str())
                .to_owned()
        }),
    };
    let tags = query_campaign(event.page.query.as_deref());
    VisitContext {
        referrer,
        source: source.label().to_owned(),
        utm_source: tags.utm_source,
        utm_medium: tags.utm_medium,
        utm_campaign: tags.utm_campaign,
        utm_term: tags.utm_term,
        utm_content: tags.utm_content,
        ref_param: tags.ref_,
        source_param: tags.source,
        via: tags.via,
        browser: agent.browser.clone(),
        browser_version: agent.browser_version.clone(),
        os: agent.os.clone(),
        os_version: agent.os_version.clone(),
        device: agent.device,
        country: place.country,
        region: place.region,
        city: place.city,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    use crate::event::DeviceKind;
    use crate::ingest::draft::EventDraft;
    use crate::ingest::payload::validate;
    use crate::ingest::user_agent_info;

    const CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 \
                          (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36";

    fn event(href: &str, referrer: Option<&str>) -> IncomingEvent {
        validate(EventDraft {
            website_id: Some("dfid_abc123".into()),
            domain: Some("example.com".into()),
            visitor_id: Some("0c424a08-3676-4e3a-a7e0-4ac419bb8c6c".into()),
            session_id: Some("s7a403e54-0983-4d84-bd9e-f82db331bb8e".into()),
            href: Some(href.into()),
            referrer: referrer.map(Cow::from),
            kind: Some("pageview".into()),
            ..EventDraft::default()
        })
        .unwrap()
    }

    #[test]
    fn a_search_visit_with_campaign_tags() {
        let domain = Domain::parse("example.com").unwrap();
        let agent = user_agent_info(Some(CHROME), None);
        let context = visit_context(
            &event(
                "https://example.com/pricing?utm_source=news&utm_campaign=spring&ref=hn&via=x",
                Some("https://www.google.com/search?q=x"),
            ),
            &domain,
            &agent,
            Place {
                country: Some("FR".into()),
                ..Place::default()
            },
        );
        assert_eq!(context.source, "Google");
        assert_eq!(context.referrer.as_deref(), Some("google.com"));
        assert_eq!(context.utm_source.as_deref(), Some("news"));
        assert_eq!(context.utm_campaign.as_deref(), Some("spring"));
        assert_eq!(context.ref_param.as_deref(), Some("hn"));
        assert_eq!(context.via.as_deref(), Some("x"));
        assert_eq!(context.browser, "Chrome");
        assert_eq!(context.device, DeviceKind::Desktop);
        assert_eq!(context.country.as_deref(), Some("FR"));
    }

    #[test]
    fn same_site_referrers_are_direct() {
        let domain = Domain::parse("example.com").unwrap();
        let agent = user_agent_info(Some(CHROME), None);
        let context = visit_context(
            &event("https://example.com/b", Some("https://blog.example.com/a")),
            &domain,
            &agent,
            Place::default(),
        );
        assert_eq!(context.source, "Direct/None");
        assert_eq!(context.referrer, None);
    }
}
