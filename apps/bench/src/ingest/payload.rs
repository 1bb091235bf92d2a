//! The ingestion suite's events: the SDK's full payload, numbered, mostly pageviews with some
//! goals, from a fixed pool of visitors, paths and referrers.

/// Distinct visitors the load draws from; sessions are a few per visitor.
pub(super) const VISITORS: u64 = 200_000;
const PATHS: [&str; 12] = [
    "/",
    "/pricing",
    "/features",
    "/blog",
    "/blog/launch-week",
    "/blog/analytics-without-cookies",
    "/docs",
    "/docs/getting-started",
    "/docs/api",
    "/signup",
    "/login",
    "/changelog",
];
const REFERRERS: [Option<&str>; 6] = [
    None,
    Some("https://www.google.com/"),
    Some("https://news.ycombinator.com/item?id=1"),
    Some("https://x.com/someone/status/1"),
    Some("https://www.reddit.com/r/selfhosted/"),
    Some("https://duckduckgo.com/"),
];
const GOALS: [&str; 4] = [
    "signup",
    "newsletter_signup",
    "checkout_started",
    "demo_booked",
];

/// A UUID v4 shaped id derived from `n`, as the SDK's ids look.
pub(crate) fn uuid(n: u64, salt: u64) -> String {
    let mixed = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (mixed >> 32) as u32,
        (mixed >> 16) as u16,
        (n >> 12) & 0xfff,
        n & 0xfff,
        mixed & 0xffff_ffff_ffff
    )
}

/// The `n`-th event of the load: the SDK's full payload, mostly pageviews with some goals.
pub(crate) fn sdk_event(tracking_id: &str, n: u64) -> serde_json::Value {
    let visitor = (n * 7919) % VISITORS;
    let session = visitor * 4 + (n / VISITORS) % 4;
    let path = PATHS[(n % PATHS.len() as u64) as usize];
    let campaign = if n.is_multiple_of(5) {
        "?utm_source=newsletter&utm_medium=email&utm_campaign=autumn"
    } else {
        ""
    };
    let is_goal = n.is_multiple_of(8);
    let mut event = serde_json::json!({
        "websiteId": tracking_id,
        "domain": "bench.example",
        "visitorId": uuid(visitor, 0x5eed),
        "sessionId": format!("s{}", uuid(session, 0xc0ffee)),
        "visitorFirstSeenAt": "2026-11-01T10:00:00.000Z",
        "visitorSessionNumber": 1 + (n / VISITORS) % 4,
        "href": format!("https://bench.example{path}{campaign}"),
        "referrer": REFERRERS[(visitor % REFERRERS.len() as u64) as usize],
        "type": if is_goal { "custom" } else { "pageview" },
        "viewport": { "width": 1280, "height": 800 },
        "language": "en-US",
        "timezone": "Europe/Paris",
        "screenWidth": 1920,
        "screenHeight": 1080,
        "device": {
            "platform": "web",
            "osVersion": crate::client::BROWSER_AGENT,
            "model": "Browser"
        }
    });
    if is_goal {
        event["extraData"] = serde_json::json!({
            "eventName": GOALS[((n / 8) % GOALS.len() as u64) as usize],
            "plan": "pro"
        });
    }
    event
}
