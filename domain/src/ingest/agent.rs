//! Device, browser and operating system of a visitor, and whether it is a bot: read from the
//! user agent with `woothee`, or from the SDK's `device` object when the client sent one.

use woothee::parser::Parser;

use crate::event::DeviceKind;
use crate::ingest::payload::Device;

/// What the user agent (or the SDK) says about the visitor's software.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserAgentInfo {
    pub device: DeviceKind,
    /// `Chrome`, `Safari`, ...; `Unknown` when not recognised.
    pub browser: String,
    pub browser_version: Option<String>,
    /// `Mac OSX`, `Windows 10`, `iOS`, `Android`, ...; `Unknown` when not recognised.
    pub os: String,
    pub os_version: Option<String>,
    pub is_bot: bool,
}

/// Longest user agent looked at: real ones are a few hundred bytes, and the parser's work
/// grows with the length.
const MAX_AGENT: usize = 1024;

/// Substrings (lowercase) of automated clients that woothee does not list as crawlers.
const BOT_MARKERS: &[&str] = &[
    "bot",
    "crawl",
    "spider",
    "slurp",
    "headless",
    "phantomjs",
    "puppeteer",
    "playwright",
    "selenium",
    "lighthouse",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "axios/",
    "node-fetch",
    "undici",
    "httpclient",
    "libwww",
    "scrapy",
    "preview",
    "monitor",
    "uptime",
];

/// Reads `user_agent`, preferring the SDK's `device` when present: on the web its
/// `osVersion` is the browser's full user agent; on React Native `platform` names the OS.
/// An empty or missing user agent is a bot, since every browser sends one.
pub fn user_agent_info(user_agent: Option<&str>, device: Option<&Device>) -> UserAgentInfo {
    let header = user_agent.unwrap_or_default();
    match device {
        Some(d) if d.platform == "web" => {
            let agent = d.os_version.as_deref().filter(|a| !a.trim().is_empty());
            let mut info = parse(agent.unwrap_or(header));
            // The header still tells a script posing as the SDK.
            info.is_bot |= is_bot_text(header);
            info
        }
        Some(d) => {
            let header_info = parse(header);
            let tablet = d.model.as_deref().is_some_and(|m| {
                m.to_ascii_lowercase().contains("ipad") || m.to_ascii_lowercase().contains("tablet")
            });
            let os = match d.platform.as_str() {
                "ios" => "iOS".to_owned(),
                "android" => "Android".to_owned(),
                "" => "Unknown".to_owned(),
                other => other.to_owned(),
            };
            UserAgentInfo {
                device: if tablet {
                    DeviceKind::Tablet
                } else {
                    DeviceKind::Mobile
                },
                browser: "App".to_owned(),
                browser_version: None,
                os,
                // In an app the SDK's `osVersion` is the operating system's version.
                os_version: known(d.os_version.as_deref()),
                is_bot: header_info.is_bot,
            }
        }
        None => parse(header),
    }
}

/// What the parser calls software it does not recognise.
const UNKNOWN: &str = "Unknown";

impl UserAgentInfo {
    /// Whether the browser is one the parser recognises (or the SDK's app).
    pub fn knows_browser(&self) -> bool {
        self.browser != UNKNOWN
    }
}

fn is_bot_text(agent: &str) -> bool {
    let lower = agent.to_ascii_lowercase();
    lower.trim().is_empty() || BOT_MARKERS.iter().any(|m| lower.contains(m))
}

fn parse(agent: &str) -> UserAgentInfo {
    let agent = truncate(agent.trim(), MAX_AGENT);
    let parsed = Parser::new().parse(agent);
    let category = parsed.as_ref().map_or("UNKNOWN", |r| r.category);
    let lower = agent.to_ascii_lowercase();
    let tablet = lower.contains("ipad")
        || (lower.contains("android") && !lower.contains("mobile"))
        || lower.contains("tablet");
    let device = match category {
        "pc" => DeviceKind::Desktop,
        "smartphone" | "mobilephone" if tablet => DeviceKind::Tablet,
        "smartphone" | "mobilephone" => DeviceKind::Mobile,
        _ => DeviceKind::Other,
    };
    let name = |text: Option<&str>| {
        text.filter(|t| !t.is_empty() && *t != "UNKNOWN")
            .unwrap_or(UNKNOWN)
            .to_owned()
    };
    UserAgentInfo {
        device,
        browser: name(parsed.as_ref().map(|r| r.name)),
        browser_version: known(parsed.as_ref().map(|r| r.version)),
        os: name(parsed.as_ref().map(|r| r.os)),
        os_version: known(parsed.as_ref().map(|r| r.os_version.as_ref())),
        is_bot: category == "crawler" || is_bot_text(agent),
    }
}

/// Longest version kept: real ones are a few dotted numbers.
const MAX_VERSION: usize = 32;

/// A version worth keeping: not empty, not the parser's `UNKNOWN`, bounded.
fn known(version: Option<&str>) -> Option<String> {
    version
        .map(str::trim)
        .filter(|v| !v.is_empty() && *v != "UNKNOWN")
        .map(|v| truncate(v, MAX_VERSION).to_owned())
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAC_CHROME: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const IPAD: &str = "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    const GOOGLEBOT: &str =
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    #[test]
    fn browsers_are_recognised() {
        let info = user_agent_info(Some(MAC_CHROME), None);
        assert_eq!(info.device, DeviceKind::Desktop);
        assert_eq!(info.browser, "Chrome");
        assert_eq!(info.os, "Mac OSX");
        assert!(!info.is_bot);
        let phone = user_agent_info(Some(IPHONE), None);
        assert_eq!(phone.device, DeviceKind::Mobile);
        assert_eq!(phone.os, "iPhone");
        assert_eq!(user_agent_info(Some(IPAD), None).device, DeviceKind::Tablet);
    }

    #[test]
    fn versions_are_kept_when_the_agent_gives_them() {
        let info = user_agent_info(Some(MAC_CHROME), None);
        assert_eq!(info.browser_version.as_deref(), Some("124.0.0.0"));
        assert_eq!(info.os_version.as_deref(), Some("10.15.7"));
        let phone = user_agent_info(Some(IPHONE), None);
        assert_eq!(phone.browser_version.as_deref(), Some("17.4"));
        assert_eq!(phone.os_version.as_deref(), Some("17.4"));
        let unknown = user_agent_info(Some("Mozilla/5.0 (Something odd)"), None);
        assert_eq!(unknown.browser_version, None);
        let app = Device {
            platform: "ios".into(),
            os_version: Some("18.3".into()),
            model: Some("iPhone".into()),
        };
        let from_app = user_agent_info(Some("DataFast/1.0.0"), Some(&app));
        assert_eq!(from_app.os_version.as_deref(), Some("18.3"));
        assert_eq!(from_app.browser_version, None);
    }

    #[test]
    fn bots_are_detected() {
        for agent in [
            GOOGLEBOT,
            "curl/8.5.0",
            "python-requests/2.31",
            "",
            "Mozilla/5.0 HeadlessChrome/120",
        ] {
            assert!(user_agent_info(Some(agent), None).is_bot, "{agent}");
        }
        assert!(user_agent_info(None, None).is_bot);
    }

    #[test]
    fn the_sdk_device_is_preferred() {
        let web = Device {
            platform: "web".into(),
            os_version: Some(IPHONE.into()),
            model: Some("Browser".into()),
        };
        let info = user_agent_info(Some(MAC_CHROME), Some(&web));
        assert_eq!(info.device, DeviceKind::Mobile);
        let app = Device {
            platform: "android".into(),
            os_version: Some("14".into()),
            model: Some("Pixel 8".into()),
        };
        let info = user_agent_info(
            Some("Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile"),
            Some(&app),
        );
        assert_eq!(
            (info.device, info.os.as_str(), info.is_bot),
            (DeviceKind::Mobile, "Android", false)
        );
        let blank = Device {
            platform: String::new(),
            os_version: None,
            model: None,
        };
        assert_eq!(user_agent_info(Some(""), Some(&blank)).os, "Unknown");
        // A bot header is still a bot, whatever the body claims.
        assert!(user_agent_info(Some("curl/8"), Some(&web)).is_bot);
    }

    proptest::proptest! {
        #[test]
        fn any_agent_is_read_without_panicking(agent in "(?s).{0,600}", platform in "web|ios|android|[a-z]{0,8}") {
            let device = Device { platform, os_version: Some(agent.clone()), model: None };
            let info = user_agent_info(Some(&agent), Some(&device));
            proptest::prop_assert!(!info.browser.is_empty() && !info.os.is_empty());
            let _ = user_agent_info(Some(&agent), None);
        }
    }

    #[test]
    fn huge_agents_are_cut_on_a_character_boundary() {
        let agent = "é".repeat(5000);
        let info = user_agent_info(Some(&agent), None);
        assert_eq!(info.browser, "Unknown");
    }
}
