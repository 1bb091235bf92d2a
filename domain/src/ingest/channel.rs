//! Channels: the fixed groups of sources (direct, organic and paid search and social, email,
//! AI assistants, referral, other campaigns) that a visit's acquisition falls in, by one rule.

use crate::ingest::source::{ReferrerSource, known_match};

/// The channel of a visit: a fixed list of groups of sources, read from the visit's
/// acquisition (its source, referrer host and campaign tags) by [`channel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Channel {
    Direct,
    OrganicSearch,
    PaidSearch,
    OrganicSocial,
    PaidSocial,
    Email,
    AiAssistants,
    Referral,
    OtherCampaign,
}

impl Channel {
    /// Every channel, in the order of the rules' documentation.
    pub const ALL: [Channel; 9] = [
        Channel::Direct,
        Channel::OrganicSearch,
        Channel::PaidSearch,
        Channel::OrganicSocial,
        Channel::PaidSocial,
        Channel::Email,
        Channel::AiAssistants,
        Channel::Referral,
        Channel::OtherCampaign,
    ];

    /// The name analytics show and filters compare (ignoring ASCII case).
    pub fn label(self) -> &'static str {
        match self {
            Channel::Direct => "Direct",
            Channel::OrganicSearch => "Organic search",
            Channel::PaidSearch => "Paid search",
            Channel::OrganicSocial => "Organic social",
            Channel::PaidSocial => "Paid social",
            Channel::Email => "Email",
            Channel::AiAssistants => "AI assistants",
            Channel::Referral => "Referral",
            Channel::OtherCampaign => "Other campaign",
        }
    }

    /// Its position in [`Channel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// What [`channel`] reads of a visit: its acquisition as stored (the normalised source, the
/// referrer host and the campaign tags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChannelInput<'a> {
    /// The source label: `Direct/None`, a known name (`Google`) or a bare host.
    pub source: &'a str,
    /// The referrer host without `www.`, when there was a referrer from another site.
    pub referrer: Option<&'a str>,
    pub utm_source: Option<&'a str>,
    pub utm_medium: Option<&'a str>,
    pub utm_campaign: Option<&'a str>,
    pub utm_term: Option<&'a str>,
    pub utm_content: Option<&'a str>,
    pub ref_param: Option<&'a str>,
    pub source_param: Option<&'a str>,
    pub via: Option<&'a str>,
}

impl<'a> ChannelInput<'a> {
    /// The input of a stored visit context.
    pub fn of(context: &'a crate::event::VisitContext) -> Self {
        Self {
            source: &context.source,
            referrer: context.referrer.as_deref(),
            utm_source: context.utm_source.as_deref(),
            utm_medium: context.utm_medium.as_deref(),
            utm_campaign: context.utm_campaign.as_deref(),
            utm_term: context.utm_term.as_deref(),
            utm_content: context.utm_content.as_deref(),
            ref_param: context.ref_param.as_deref(),
            source_param: context.source_param.as_deref(),
            via: context.via.as_deref(),
        }
    }
}

/// What kind of site a name (a source label, a host, or a tag such as `utm_source=google`)
/// stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiteKind {
    Ai,
    Mail,
    Search,
    Social,
}

/// Hosts (patterns as in [`KNOWN`]: a parent domain, or a name under any suffix when ending in
/// `.`) and bare names (a tag value or a known source's name, compared in lower case) of each
/// kind of site. Kinds are tried in this order, so `gemini.google.com` is an AI assistant and
/// `mail.google.com` a mail client before `google.` makes them search.
const SITES: &[(SiteKind, &[&str], &[&str])] = &[
    (
        SiteKind::Ai,
        &[
            "chatgpt.com",
            "openai.com",
            "perplexity.ai",
            "claude.ai",
            "gemini.google.com",
            "bard.google.com",
            "copilot.microsoft.com",
            "copilot.cloud.microsoft",
            "you.com",
            "phind.com",
            "poe.com",
            "deepseek.com",
            "grok.com",
            "chat.mistral.ai",
            "meta.ai",
        ],
        &[
            "chatgpt",
            "openai",
            "perplexity",
            "claude",
            "gemini",
            "copilot",
            "phind",
            "poe",
            "deepseek",
            "grok",
            "mistral",
        ],
    ),
    (
        SiteKind::Mail,
        &[
            "mail.google.com",
            "mail.yahoo.com",
            "outlook.live.com",
            "outlook.office.com",
            "outlook.office365.com",
            "proton.me",
            "mail.aol.com",
        ],
        &[
            "email",
            "e-mail",
            "e_mail",
            "mail",
            "newsletter",
            "gmail",
            "outlook",
        ],
    ),
    (
        SiteKind::Search,
        &[
            "google.",
            "bing.com",
            "duckduckgo.com",
            "yahoo.",
            "yandex.",
            "baidu.com",
            "ecosia.org",
            "search.brave.com",
            "qwant.com",
            "startpage.com",
            "naver.com",
            "seznam.cz",
            "ask.com",
        ],
        &[
            "google",
            "bing",
            "duckduckgo",
            "yahoo",
            "yandex",
            "baidu",
            "ecosia",
            "brave",
            "qwant",
            "startpage",
            "naver",
            "seznam",
        ],
    ),
    (
        SiteKind::Social,
        &[
            "facebook.com",
            "fb.com",
            "x.com",
            "twitter.com",
            "t.co",
            "linkedin.com",
            "lnkd.in",
            "reddit.com",
            "youtube.com",
            "youtu.be",
            "github.com",
            "instagram.com",
            "tiktok.com",
            "pinterest.",
            "threads.net",
            "threads.com",
            "mastodon.social",
            "bsky.app",
            "news.ycombinator.com",
            "t.me",
            "telegram.org",
            "discord.com",
            "discord.gg",
            "whatsapp.com",
            "quora.com",
            "medium.com",
            "producthunt.com",
        ],
        &[
            "facebook",
            "fb",
            "x",
            "twitter",
            "linkedin",
            "reddit",
            "youtube",
            "github",
            "instagram",
            "ig",
            "tiktok",
            "pinterest",
            "threads",
            "mastodon",
            "bluesky",
            "bsky",
            "hackernews",
            "hn",
            "telegram",
            "discord",
            "whatsapp",
            "quora",
            "medium",
            "producthunt",
        ],
    ),
];

/// The kind of site `name` stands for, if any: a host (it has a dot) by its domain, a bare
/// name by the list of names. A host whose first label is `mail` or `webmail` is a mail
/// client, one whose first label is `search` a search engine.
fn site_kind(name: &str) -> Option<SiteKind> {
    let lower = name.trim().to_ascii_lowercase();
    let name = lower.strip_prefix("www.").unwrap_or(&lower);
    if name.is_empty() {
        return None;
    }
    if name.contains('.') {
        for (kind, hosts, _) in SITES {
            if hosts.iter().any(|pattern| known_match(pattern, name)) {
                return Some(*kind);
            }
        }
        return match name.split('.').next() {
            Some("mail" | "webmail") => Some(SiteKind::Mail),
            Some("search") => Some(SiteKind::Search),
            _ => None,
        };
    }
    SITES
        .iter()
        .find(|(_, _, names)| names.contains(&name))
        .map(|(kind, _, _)| *kind)
}

/// `utm_medium` values of paid traffic: `cpc`, `ppc`, `cpm`, `cpv`, `cpa`, `ads`,
/// `retargeting`, or anything starting with `paid` (`paid`, `paid_social`, `paidsearch`).
fn paid_medium(medium: &str) -> bool {
    matches!(
        medium,
        "cpc" | "ppc" | "cpm" | "cpv" | "cpa" | "ads" | "retargeting"
    ) || medium.starts_with("paid")
}

/// The channel of a visit, by the first rule that holds (`utm_medium` compared in lower case):
///
/// 1. a paid `utm_medium` (`cpc`, `ppc`, `cpm`, `cpv`, `cpa`, `ads`, `retargeting`, or
///    starting with `paid`): **Paid social** when the medium mentions
///    `social` or the visit's site is a social network, **Paid search** otherwise;
/// 2. `utm_medium` `email`, `e-mail`, `e_mail`, `mail` or `newsletter`: **Email**;
/// 3. `utm_medium` mentioning `social`, or `sm`: **Organic social**;
/// 4. `utm_medium` `organic`: **Organic search**;
/// 5. the visit's site (the first of `utm_source`, `ref`, `source`, the referrer host and the
///    source label that names a known site): an AI assistant is **AI assistants**, a mail
///    client **Email**, a search engine **Organic search**, a social network **Organic
///    social**;
/// 6. a referrer from another site (the source is not `Direct/None`), or `utm_medium`
///    `referral`: **Referral**;
/// 7. any campaign tag (`utm_*`, `ref`, `source`, `via`): **Other campaign**;
/// 8. otherwise **Direct**.
pub fn channel(input: &ChannelInput<'_>) -> Channel {
    let medium = input
        .utm_medium
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let site = site_of(input);
    paid_channel(&medium, site)
        .or_else(|| medium_channel(&medium))
        .or_else(|| site.map(site_channel))
        .unwrap_or_else(|| unknown_site_channel(input, &medium))
}

/// The kind of the visit's site: the first of `utm_source`, `ref`, `source`, the referrer
/// host and the source label that names a known site.
fn site_of(input: &ChannelInput<'_>) -> Option<SiteKind> {
    [
        input.utm_source,
        input.ref_param,
        input.source_param,
        input.referrer,
        Some(input.source).filter(|s| *s != ReferrerSource::Direct.label()),
    ]
    .into_iter()
    .flatten()
    .find_map(site_kind)
}

/// Rule 1: paid traffic, social or search.
fn paid_channel(medium: &str, site: Option<SiteKind>) -> Option<Channel> {
    if !paid_medium(medium) {
        return None;
    }
    Some(
        if medium.contains("social") || site == Some(SiteKind::Social) {
            Channel::PaidSocial
        } else {
            Channel::PaidSearch
        },
    )
}

/// Rules 2 to 4: what the medium alone says.
fn medium_channel(medium: &str) -> Option<Channel> {
    match medium {
        "email" | "e-mail" | "e_mail" | "mail" | "newsletter" => Some(Channel::Email),
        "sm" => Some(Channel::OrganicSocial),
        "organic" => Some(Channel::OrganicSearch),
        m if m.contains("social") => Some(Channel::OrganicSocial),
        _ => None,
    }
}

/// Rule 5: the kind of site.
fn site_channel(site: SiteKind) -> Channel {
    match site {
        SiteKind::Ai => Channel::AiAssistants,
        SiteKind::Mail => Channel::Email,
        SiteKind::Search => Channel::OrganicSearch,
        SiteKind::Social => Channel::OrganicSocial,
    }
}

/// Rules 6 to 8: another site, a tagged link, or nothing at all.
fn unknown_site_channel(input: &ChannelInput<'_>, medium: &str) -> Channel {
    if input.source != ReferrerSource::Direct.label() || medium == "referral" {
        return Channel::Referral;
    }
    let tagged = [
        input.utm_source,
        input.utm_medium,
        input.utm_campaign,
        input.utm_term,
        input.utm_content,
        input.ref_param,
        input.source_param,
        input.via,
    ]
    .iter()
    .flatten()
    .any(|v| !v.trim().is_empty());
    if tagged {
        Channel::OtherCampaign
    } else {
        Channel::Direct
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::ingest::source::{query_campaign, referrer_source};
    use crate::website::Domain;

    /// The channel of a visit from `referrer` (a URL) with the tags of `query`.
    fn channel_of(referrer: Option<&str>, query: &str) -> &'static str {
        let domain = Domain::parse("example.com").unwrap();
        let source = referrer_source(referrer, "example.com", &domain);
        let host = match source {
            ReferrerSource::Direct => None,
            _ => referrer.and_then(|r| Url::parse(r).ok()).and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_start_matches("www.").to_owned())
            }),
        };
        let tags = query_campaign(Some(query));
        channel(&ChannelInput {
            source: source.label(),
            referrer: host.as_deref(),
            utm_source: tags.utm_source.as_deref(),
            utm_medium: tags.utm_medium.as_deref(),
            utm_campaign: tags.utm_campaign.as_deref(),
            utm_term: tags.utm_term.as_deref(),
            utm_content: tags.utm_content.as_deref(),
            ref_param: tags.ref_.as_deref(),
            source_param: tags.source.as_deref(),
            via: tags.via.as_deref(),
        })
        .label()
    }

    #[test]
    fn channels_follow_the_documented_rules() {
        // Direct: nothing, or a same-site referrer.
        assert_eq!(channel_of(None, ""), "Direct");
        assert_eq!(channel_of(Some("https://example.com/a"), ""), "Direct");
        // Search engines, by known name or host.
        assert_eq!(
            channel_of(Some("https://www.google.co.uk/"), ""),
            "Organic search"
        );
        assert_eq!(
            channel_of(Some("https://www.bing.com/search"), ""),
            "Organic search"
        );
        assert_eq!(
            channel_of(Some("https://duckduckgo.com/"), ""),
            "Organic search"
        );
        assert_eq!(
            channel_of(Some("https://search.yahoo.com/"), ""),
            "Organic search"
        );
        assert_eq!(
            channel_of(Some("https://www.ecosia.org/"), ""),
            "Organic search"
        );
        assert_eq!(channel_of(None, "utm_medium=organic"), "Organic search");
        // Paid: the medium decides, the site picks search or social.
        assert_eq!(
            channel_of(Some("https://www.google.com/"), "utm_medium=cpc"),
            "Paid search"
        );
        assert_eq!(
            channel_of(None, "utm_source=google&utm_medium=PPC"),
            "Paid search"
        );
        assert_eq!(channel_of(None, "utm_medium=paid"), "Paid search");
        assert_eq!(
            channel_of(None, "utm_source=facebook&utm_medium=cpc"),
            "Paid social"
        );
        assert_eq!(
            channel_of(Some("https://t.co/x"), "utm_medium=paid"),
            "Paid social"
        );
        assert_eq!(channel_of(None, "utm_medium=paid_social"), "Paid social");
        // Social networks, by known name, host, tag or medium.
        assert_eq!(channel_of(Some("https://t.co/abc"), ""), "Organic social");
        assert_eq!(
            channel_of(Some("https://l.facebook.com/"), ""),
            "Organic social"
        );
        assert_eq!(
            channel_of(Some("https://news.ycombinator.com/"), ""),
            "Organic social"
        );
        assert_eq!(
            channel_of(Some("https://www.instagram.com/"), ""),
            "Organic social"
        );
        assert_eq!(channel_of(None, "ref=producthunt"), "Organic social");
        assert_eq!(channel_of(None, "utm_medium=social"), "Organic social");
        // Email: the medium, a mail tag, or a webmail referrer (before Google's search).
        assert_eq!(channel_of(None, "utm_medium=email"), "Email");
        assert_eq!(
            channel_of(Some("https://www.google.com/"), "utm_medium=newsletter"),
            "Email"
        );
        assert_eq!(channel_of(None, "utm_source=newsletter"), "Email");
        assert_eq!(
            channel_of(Some("https://mail.google.com/mail/u/0"), ""),
            "Email"
        );
        assert_eq!(channel_of(Some("https://outlook.live.com/"), ""), "Email");
        assert_eq!(
            channel_of(Some("https://webmail.example.org/"), ""),
            "Email"
        );
        // AI assistants, by host (before Google) or by tag.
        assert_eq!(
            channel_of(Some("https://chatgpt.com/"), ""),
            "AI assistants"
        );
        assert_eq!(
            channel_of(Some("https://www.perplexity.ai/"), ""),
            "AI assistants"
        );
        assert_eq!(
            channel_of(Some("https://gemini.google.com/app"), ""),
            "AI assistants"
        );
        assert_eq!(channel_of(None, "utm_source=chatgpt.com"), "AI assistants");
        assert_eq!(channel_of(None, "utm_source=Claude"), "AI assistants");
        // Any other site is a referral, even with tags; tags alone are another campaign.
        assert_eq!(
            channel_of(Some("https://www.indiehackers.com/post"), ""),
            "Referral"
        );
        assert_eq!(
            channel_of(Some("https://blog.rust-lang.org/"), "via=bob"),
            "Referral"
        );
        assert_eq!(channel_of(None, "utm_medium=referral"), "Referral");
        assert_eq!(channel_of(None, "utm_campaign=launch"), "Other campaign");
        assert_eq!(channel_of(None, "via=bob"), "Other campaign");
        assert_eq!(
            channel_of(None, "utm_source=partner&utm_medium=affiliate"),
            "Other campaign"
        );
    }

    #[test]
    fn channel_names_do_not_match_lookalikes() {
        // A bare host that starts like a known name is not that site.
        assert_eq!(
            channel_of(Some("https://xylophone.example.org/"), ""),
            "Referral"
        );
        assert_eq!(channel_of(Some("https://notgoogle.com/"), ""), "Referral");
        assert_eq!(
            channel_of(Some("https://google.evil.example.org/"), ""),
            "Referral"
        );
        assert_eq!(channel_of(Some("https://mailchimp.com/"), ""), "Referral");
        assert_eq!(channel_of(None, "utm_source=googler"), "Other campaign");
    }

    #[test]
    fn every_channel_has_its_place_and_label() {
        for (at, channel) in Channel::ALL.iter().enumerate() {
            assert_eq!(channel.index(), at);
        }
        let labels: std::collections::HashSet<&str> =
            Channel::ALL.iter().map(|c| c.label()).collect();
        assert_eq!(labels.len(), Channel::ALL.len());
    }
}
