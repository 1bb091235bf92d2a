//! `datafast-bench seed-demo`: writes N realistic events (and their payments) for one website
//! straight into a server's SQLite file, over a chosen period, so that anyone can reproduce the
//! analytics benchmark or try the analytics endpoints on data that looks like traffic.
//!
//! The traffic model: visitors arrive spread over the period (more on weekdays and in the
//! afternoon), come back for a few sessions, arrive from a realistic mix of sources and
//! campaigns, browse a few pages (about 45 % of sessions bounce), sometimes complete goals,
//! and a small share pay, some with monthly renewals. Everything comes from one seeded
//! generator, so a seed always gives the same data.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};

use datafast_domain::event::{Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::Payment;
use datafast_domain::website::{Currency, Website};
use datafast_ports::store::{EventStore, PaymentStore, WebsiteStore};
use datafast_sqlite::SqliteStore;

/// Events handed to the store at once: large batches are what makes bulk writing fast.
const BATCH: usize = 50_000;

const PAGES: &[&str] = &[
    "/",
    "/pricing",
    "/features",
    "/about",
    "/blog",
    "/docs",
    "/docs/getting-started",
    "/docs/api",
    "/docs/tracking-script",
    "/docs/goals",
    "/docs/funnels",
    "/changelog",
    "/signup",
    "/login",
    "/contact",
    "/integrations",
    "/integrations/stripe",
    "/compare",
    "/blog/launch-week",
    "/blog/revenue-attribution",
    "/blog/cookieless-analytics",
    "/blog/self-hosting",
    "/blog/seo-checklist",
    "/blog/funnel-basics",
    "/customers",
    "/security",
    "/privacy",
    "/terms",
    "/careers",
    "/status",
];

/// (source label, referrer host) with weights in percent.
const SOURCES: &[(&str, Option<&str>, u32)] = &[
    ("Direct/None", None, 30),
    ("Google", Some("google.com"), 33),
    ("X", Some("x.com"), 8),
    ("news.ycombinator.com", Some("news.ycombinator.com"), 5),
    ("Reddit", Some("reddit.com"), 5),
    ("Bing", Some("bing.com"), 4),
    ("DuckDuckGo", Some("duckduckgo.com"), 3),
    ("LinkedIn", Some("linkedin.com"), 3),
    ("GitHub", Some("github.com"), 3),
    ("producthunt.com", Some("producthunt.com"), 2),
    ("YouTube", Some("youtube.com"), 2),
    ("Facebook", Some("facebook.com"), 2),
];

/// (country, region, city, weight).
const PLACES: &[(&str, &str, &str, u32)] = &[
    ("US", "California", "San Francisco", 9),
    ("US", "New York", "New York", 8),
    ("US", "Texas", "Austin", 5),
    ("US", "Washington", "Seattle", 4),
    ("GB", "England", "London", 8),
    ("DE", "Berlin", "Berlin", 6),
    ("DE", "Bavaria", "Munich", 3),
    ("FR", "Ile-de-France", "Paris", 6),
    ("IN", "Karnataka", "Bangalore", 7),
    ("IN", "Maharashtra", "Mumbai", 4),
    ("CA", "Ontario", "Toronto", 4),
    ("BR", "Sao Paulo", "Sao Paulo", 4),
    ("NL", "North Holland", "Amsterdam", 3),
    ("ES", "Madrid", "Madrid", 3),
    ("JP", "Tokyo", "Tokyo", 3),
    ("AU", "New South Wales", "Sydney", 3),
    ("KR", "Seoul", "Seoul", 2),
    ("SE", "Stockholm", "Stockholm", 2),
    ("PL", "Mazovia", "Warsaw", 2),
    ("IT", "Lombardy", "Milan", 2),
];

/// (device, browser, browser version, os, os version, weight), as the user-agent parser
/// stores them.
const SOFTWARE: &[(&str, &str, &str, &str, &str, u32)] = &[
    ("desktop", "Chrome", "131.0.0.0", "Mac OSX", "10.15.7", 20),
    (
        "desktop",
        "Chrome",
        "131.0.0.0",
        "Windows 10",
        "NT 10.0",
        18,
    ),
    ("desktop", "Safari", "18.1", "Mac OSX", "10.15.7", 10),
    ("desktop", "Firefox", "133.0", "Windows 10", "NT 10.0", 5),
    ("desktop", "Edge", "131.0.0.0", "Windows 10", "NT 10.0", 5),
    ("desktop", "Firefox", "133.0", "Linux", "UNKNOWN", 3),
    ("mobile", "Safari", "18.1", "iPhone", "18.1", 17),
    ("mobile", "Chrome", "131.0.6778.81", "Android", "14", 15),
    ("tablet", "Safari", "18.1", "iPad", "18.1", 4),
    ("mobile", "SamsungBrowser", "27.0", "Android", "14", 3),
];

const CAMPAIGNS: &[(&str, &str, &str)] = &[
    ("newsletter", "email", "autumn_launch"),
    ("twitter", "social", "founder_thread"),
    ("google", "cpc", "brand_search"),
    ("partner", "referral", "integration_week"),
];

const AMOUNTS: &[i64] = &[900, 1900, 2900, 4900, 9900, 29900];

/// What a seeding run wrote.
#[derive(Debug)]
pub struct SeedSummary {
    pub events: u64,
    pub visitors: u64,
    pub sessions: u64,
    pub payments: u64,
    pub seconds: f64,
    /// Growth of the database file and its log.
    pub added_bytes: u64,
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [T], weight: impl Fn(&T) -> u32) -> &'a T {
    let total: u32 = items.iter().map(&weight).sum();
    let mut roll = rng.u32(0..total.max(1));
    for item in items {
        let w = weight(item);
        if roll < w {
            return item;
        }
        roll -= w;
    }
    &items[items.len() - 1]
}

fn uuid(rng: &mut fastrand::Rng) -> String {
    let a = rng.u64(..);
    let b = rng.u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        8 + (b >> 62),
        (b >> 48) & 0xfff,
        b & 0xffff_ffff_ffff
    )
}

/// A moment in the period: weekdays weigh more than weekends, afternoons (UTC) more than
/// nights.
fn moment(rng: &mut fastrand::Rng, start: Timestamp, days: u32) -> Timestamp {
    loop {
        let day = rng.u32(0..days.max(1));
        let weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; only the pattern matters.
        if weekday >= 5 && rng.u8(0..10) < 4 {
            continue;
        }
        let hour = loop {
            let h = rng.u32(0..24);
            let busy = if (12..22).contains(&h) { 10 } else { 4 };
            if rng.u32(0..10) < busy {
                break h;
            }
        };
        let second = i64::from(day) * 86_400 + i64::from(hour) * 3600 + i64::from(rng.u32(0..3600));
        return start
            + SignedDuration::from_secs(second)
            + SignedDuration::from_millis(rng.i64(0..1000));
    }
}

/// Fills the website `website_id` of the database at `database` with `events` events spread
/// over the `days` days before now.
///
/// # Errors
/// When the database cannot be opened, the website does not exist, or a write fails.
pub async fn seed_demo(
    database: &Path,
    website_id: &str,
    events: u64,
    days: u32,
    seed: u64,
) -> Result<SeedSummary, String> {
    let started = Instant::now();
    let bytes_before = database_bytes(database);
    let store = SqliteStore::open(database).map_err(|e| e.to_string())?;
    let id =
        WebsiteId::parse(website_id).map_err(|_| format!("{website_id} is not a website id"))?;
    let website: Website = store
        .website(id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no website {website_id} in {}", database.display()))?;
    #[allow(
        clippy::disallowed_methods,
        reason = "the generator's period ends now, by design"
    )]
    let now = Timestamp::now();
    let start = now - SignedDuration::from_hours(24 * i64::from(days));
    let usd = Currency::parse("USD").map_err(|e| e.to_string())?;
    let mut rng = fastrand::Rng::with_seed(seed);
    let hostname = website.domain.as_str().to_owned();
    let mut batch: Vec<Event> = Vec::with_capacity(BATCH);
    let (mut written, mut visitors, mut sessions, mut payments) = (0_u64, 0_u64, 0_u64, 0_u64);
    let mut last_report = Instant::now();

    while written + (batch.len() as u64) < events {
        visitors += 1;
        let visitor = uuid(&mut rng);
        let place = pick(&mut rng, PLACES, |p| p.3);
        let software = pick(&mut rng, SOFTWARE, |s| s.5);
        let first = moment(&mut rng, start, days);
        // About 2.8 sessions per visitor, so that ten million events come from about a
        // million visitors, the scale the analytics benchmark asks for.
        let visits = 1 + (3..7).filter(|n| rng.u8(0..10) < 9 - n).count() as u32;
        let mut converted = false;
        for visit in 0..visits {
            if written + batch.len() as u64 >= events {
                break;
            }
            sessions += 1;
            let session = format!("s{}", uuid(&mut rng));
            let mut at =
                first + SignedDuration::from_hours(i64::from(visit) * i64::from(rng.u32(1..240)));
            if at >= now {
                at = first;
            }
            let source = pick(&mut rng, SOURCES, |s| s.2);
            let campaign = (rng.u8(0..100) < 8).then(|| CAMPAIGNS[rng.usize(0..CAMPAIGNS.len())]);
            let context = VisitContext {
                referrer: source.1.map(str::to_owned),
                source: source.0.to_owned(),
                utm_source: campaign.map(|c| c.0.to_owned()),
                utm_medium: campaign.map(|c| c.1.to_owned()),
                utm_campaign: campaign.map(|c| c.2.to_owned()),
                ref_param: (rng.u8(0..100) < 2).then(|| "producthunt".to_owned()),
                browser: software.1.to_owned(),
                browser_version: Some(software.2.to_owned()),
                os: software.3.to_owned(),
                os_version: (software.4 != "UNKNOWN").then(|| software.4.to_owned()),
                device: software.0.to_owned(),
                country: Some(place.0.to_owned()),
                region: Some(place.1.to_owned()),
                city: Some(place.2.to_owned()),
                ..VisitContext::default()
            };
            let pageviews = if rng.u8(0..100) < 45 {
                1
            } else {
                rng.u32(2..9)
            };
            let landing = if rng.u8(0..10) < 4 {
                0
            } else {
                rng.usize(0..PAGES.len())
            };
            let event = |kind, at, path: &str, goal: Option<&str>, params| Event {
                website_id: website.id,
                kind,
                occurred_at: at,
                visitor_id: visitor.clone(),
                session_id: session.clone(),
                goal_name: goal.map(str::to_owned),
                hostname: hostname.clone(),
                path: path.to_owned(),
                context: context.clone(),
                params,
                description: None,
                origin: EventOrigin::Client,
            };
            for n in 0..pageviews {
                let path = if n == 0 {
                    PAGES[landing]
                } else {
                    PAGES[rng.usize(0..PAGES.len())]
                };
                batch.push(event(EventKind::Pageview, at, path, None, BTreeMap::new()));
                at += SignedDuration::from_secs(rng.i64(10..240));
            }
            if pageviews > 1 && rng.u8(0..100) < 12 {
                let plan = ["free", "pro", "team"][rng.usize(0..3)];
                let params = BTreeMap::from([("plan".to_owned(), plan.to_owned())]);
                batch.push(event(
                    EventKind::Custom,
                    at,
                    "/signup",
                    Some("signup"),
                    params,
                ));
            }
            if pageviews > 2 && rng.u8(0..100) < 5 {
                batch.push(event(
                    EventKind::Custom,
                    at,
                    "/pricing",
                    Some("checkout_started"),
                    BTreeMap::new(),
                ));
                if !converted && rng.u8(0..100) < 40 {
                    converted = true;
                    let amount = AMOUNTS[rng.usize(0..AMOUNTS.len())];
                    let renewals = if rng.u8(0..10) < 3 { rng.u32(1..3) } else { 0 };
                    for month in 0..=renewals {
                        let paid_at = at + SignedDuration::from_hours(24 * 30 * i64::from(month));
                        if paid_at >= now {
                            break;
                        }
                        payments += 1;
                        let payment = Payment {
                            website_id: website.id,
                            transaction_id: format!("demo_{seed}_{payments}"),
                            amount_minor: amount,
                            currency: usd.clone(),
                            visitor_id: Some(visitor.clone()),
                            email: None,
                            name: None,
                            customer_id: Some(format!("cus_{visitors}")),
                            renewal: month > 0,
                            refunded: false,
                            free_trial: false,
                            occurred_at: paid_at,
                        };
                        let goal = Event {
                            kind: EventKind::Payment,
                            goal_name: Some("payment".to_owned()),
                            occurred_at: paid_at,
                            path: "/checkout/success".to_owned(),
                            params: BTreeMap::from([(
                                "transaction_id".to_owned(),
                                payment.transaction_id.clone(),
                            )]),
                            origin: EventOrigin::Server,
                            ..event(EventKind::Payment, paid_at, "/", None, BTreeMap::new())
                        };
                        store
                            .record_payment(&payment, Some(goal))
                            .await
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
        }
        if batch.len() >= BATCH {
            written += batch.len() as u64;
            store
                .append_events(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                .await
                .map_err(|e| e.to_string())?;
            if last_report.elapsed().as_secs() >= 5 {
                eprintln!(
                    "  {written} events, {:.0} events/s",
                    written as f64 / started.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
        }
    }
    written += batch.len() as u64;
    store
        .append_events(batch)
        .await
        .map_err(|e| e.to_string())?;
    drop(store);
    Ok(SeedSummary {
        events: written,
        visitors,
        sessions,
        payments,
        seconds: started.elapsed().as_secs_f64(),
        added_bytes: database_bytes(database).saturating_sub(bytes_before),
    })
}

/// The database file and its write-ahead log.
pub fn database_bytes(database: &Path) -> u64 {
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| {
            let mut path = database.as_os_str().to_owned();
            path.push(suffix);
            std::fs::metadata(path).ok().map(|m| m.len())
        })
        .sum()
}
