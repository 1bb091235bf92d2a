//! The demo generator's traffic model: visitors arrive spread over the period (more on
//! weekdays and in the afternoon), come back for a few sessions, arrive from a realistic mix of
//! sources and campaigns, browse a few pages (about 45 % of sessions bounce), sometimes
//! complete goals, and a small share pay, some with monthly renewals. Everything comes from
//! one seeded generator, drawn in a fixed order, so a seed always gives the same data.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use datafast_domain::event::{DeviceKind, Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::goal::GoalName;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::Payment;
use datafast_domain::website::{Currency, Website};

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
type Place = (&'static str, &'static str, &'static str, u32);

const PLACES: &[Place] = &[
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
type Software = (
    DeviceKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
);

const SOFTWARE: &[Software] = &[
    (
        DeviceKind::Desktop,
        "Chrome",
        "131.0.0.0",
        "Mac OSX",
        "10.15.7",
        20,
    ),
    (
        DeviceKind::Desktop,
        "Chrome",
        "131.0.0.0",
        "Windows 10",
        "NT 10.0",
        18,
    ),
    (
        DeviceKind::Desktop,
        "Safari",
        "18.1",
        "Mac OSX",
        "10.15.7",
        10,
    ),
    (
        DeviceKind::Desktop,
        "Firefox",
        "133.0",
        "Windows 10",
        "NT 10.0",
        5,
    ),
    (
        DeviceKind::Desktop,
        "Edge",
        "131.0.0.0",
        "Windows 10",
        "NT 10.0",
        5,
    ),
    (
        DeviceKind::Desktop,
        "Firefox",
        "133.0",
        "Linux",
        "UNKNOWN",
        3,
    ),
    (DeviceKind::Mobile, "Safari", "18.1", "iPhone", "18.1", 17),
    (
        DeviceKind::Mobile,
        "Chrome",
        "131.0.6778.81",
        "Android",
        "14",
        15,
    ),
    (DeviceKind::Tablet, "Safari", "18.1", "iPad", "18.1", 4),
    (
        DeviceKind::Mobile,
        "SamsungBrowser",
        "27.0",
        "Android",
        "14",
        3,
    ),
];

const CAMPAIGNS: &[(&str, &str, &str)] = &[
    ("newsletter", "email", "autumn_launch"),
    ("twitter", "social", "founder_thread"),
    ("google", "cpc", "brand_search"),
    ("partner", "referral", "integration_week"),
];

const AMOUNTS: &[i64] = &[900, 1900, 2900, 4900, 9900, 29900];

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

/// A payment and the goal event recorded with it.
pub type PaidGoal = (Payment, Event);

/// One visitor: who, from where, on what, first seen when, and whether they have paid.
struct Visitor {
    id: String,
    place: &'static Place,
    software: &'static Software,
    first: Timestamp,
    converted: bool,
}

/// The seeded generator for one website, and how much it has made so far.
pub struct Generator {
    rng: fastrand::Rng,
    website_id: WebsiteId,
    hostname: String,
    usd: Currency,
    /// The goals sessions complete, parsed once.
    signup: GoalName,
    checkout_started: GoalName,
    now: Timestamp,
    start: Timestamp,
    days: u32,
    seed: u64,
    pub visitors: u64,
    pub sessions: u64,
    pub payments: u64,
}

impl Generator {
    /// A generator for `website` over the `days` days before now.
    pub fn new(website: &Website, days: u32, seed: u64) -> Result<Self, String> {
        #[allow(
            clippy::disallowed_methods,
            reason = "the generator's period ends now, by design"
        )]
        let now = Timestamp::now();
        let start = now - SignedDuration::from_hours(24 * i64::from(days));
        let usd = Currency::parse("USD").map_err(|e| e.to_string())?;
        let goal = |name: &str| GoalName::parse(name).map_err(|e| e.to_string());
        Ok(Self {
            signup: goal("signup")?,
            checkout_started: goal("checkout_started")?,
            rng: fastrand::Rng::with_seed(seed),
            website_id: website.id,
            hostname: website.domain.as_str().to_owned(),
            usd,
            now,
            start,
            days,
            seed,
            visitors: 0,
            sessions: 0,
            payments: 0,
        })
    }

    /// One more visitor's sessions, added to `batch` until it holds `room` events (the last
    /// session may go past it); returns the payments they made.
    pub fn visitor(&mut self, batch: &mut Vec<Event>, room: u64) -> Vec<PaidGoal> {
        self.visitors += 1;
        let rng = &mut self.rng;
        let mut visitor = Visitor {
            id: uuid(rng),
            place: pick(rng, PLACES, |p| p.3),
            software: pick(rng, SOFTWARE, |s| s.5),
            first: moment(rng, self.start, self.days),
            converted: false,
        };
        // About 2.8 sessions per visitor, so that ten million events come from about a
        // million visitors, the scale the analytics benchmark asks for.
        let visits = 1 + (3..7).filter(|n| rng.u8(0..10) < 9 - n).count() as u32;
        let mut paid = Vec::new();
        for visit in 0..visits {
            if batch.len() as u64 >= room {
                break;
            }
            paid.extend(self.session(&mut visitor, visit, batch));
        }
        paid
    }

    /// The `visit`-th session of `visitor`: its pageviews, then the goals it may complete.
    fn session(
        &mut self,
        visitor: &mut Visitor,
        visit: u32,
        batch: &mut Vec<Event>,
    ) -> Vec<PaidGoal> {
        self.sessions += 1;
        let session = format!("s{}", uuid(&mut self.rng));
        let mut at = visitor.first
            + SignedDuration::from_hours(i64::from(visit) * i64::from(self.rng.u32(1..240)));
        if at >= self.now {
            at = visitor.first;
        }
        // What every event of the session shares; each event sets the rest.
        let template = Event {
            website_id: self.website_id,
            kind: EventKind::Pageview,
            occurred_at: at,
            visitor_id: visitor.id.clone(),
            session_id: session,
            goal_name: None,
            hostname: self.hostname.clone(),
            path: String::new(),
            context: self.visit_context(visitor),
            params: BTreeMap::new(),
            description: None,
            origin: EventOrigin::Client,
        };
        let (pageviews, at) = self.browse(&template, at, batch);
        self.goals(visitor, &template, pageviews, at, batch)
    }

    /// Where a session comes from (source, campaign, ref) and the visitor's place and software.
    fn visit_context(&mut self, visitor: &Visitor) -> VisitContext {
        let rng = &mut self.rng;
        let (place, software) = (visitor.place, visitor.software);
        let source = pick(rng, SOURCES, |s| s.2);
        let campaign = (rng.u8(0..100) < 8).then(|| CAMPAIGNS[rng.usize(0..CAMPAIGNS.len())]);
        VisitContext {
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
            device: software.0,
            country: Some(place.0.to_owned()),
            region: Some(place.1.to_owned()),
            city: Some(place.2.to_owned()),
            ..VisitContext::default()
        }
    }

    /// The session's pageviews from `at` on (about 45 % see one page only); returns how many
    /// and when the last one ended.
    fn browse(
        &mut self,
        template: &Event,
        mut at: Timestamp,
        batch: &mut Vec<Event>,
    ) -> (u32, Timestamp) {
        let rng = &mut self.rng;
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
        for n in 0..pageviews {
            let path = if n == 0 {
                PAGES[landing]
            } else {
                PAGES[rng.usize(0..PAGES.len())]
            };
            batch.push(event_like(
                template,
                EventKind::Pageview,
                at,
                path,
                None,
                BTreeMap::new(),
            ));
            at += SignedDuration::from_secs(rng.i64(10..240));
        }
        (pageviews, at)
    }

    /// The goals a session of `pageviews` pages may complete at `at`: a signup, a checkout,
    /// and on the visitor's first checkout that converts, payments.
    fn goals(
        &mut self,
        visitor: &mut Visitor,
        template: &Event,
        pageviews: u32,
        at: Timestamp,
        batch: &mut Vec<Event>,
    ) -> Vec<PaidGoal> {
        if pageviews > 1 && self.rng.u8(0..100) < 12 {
            let plan = ["free", "pro", "team"][self.rng.usize(0..3)];
            let params = BTreeMap::from([("plan".to_owned(), plan.to_owned())]);
            batch.push(event_like(
                template,
                EventKind::Custom,
                at,
                "/signup",
                Some(self.signup.clone()),
                params,
            ));
        }
        if pageviews > 2 && self.rng.u8(0..100) < 5 {
            batch.push(event_like(
                template,
                EventKind::Custom,
                at,
                "/pricing",
                Some(self.checkout_started.clone()),
                BTreeMap::new(),
            ));
            if !visitor.converted && self.rng.u8(0..100) < 40 {
                visitor.converted = true;
                return self.purchase(visitor, template, at);
            }
        }
        Vec::new()
    }

    /// A first payment at `at` and maybe monthly renewals, none after now.
    fn purchase(&mut self, visitor: &Visitor, template: &Event, at: Timestamp) -> Vec<PaidGoal> {
        let amount = AMOUNTS[self.rng.usize(0..AMOUNTS.len())];
        let renewals = if self.rng.u8(0..10) < 3 {
            self.rng.u32(1..3)
        } else {
            0
        };
        let mut paid = Vec::new();
        for month in 0..=renewals {
            let paid_at = at + SignedDuration::from_hours(24 * 30 * i64::from(month));
            if paid_at >= self.now {
                break;
            }
            self.payments += 1;
            paid.push(self.payment(visitor, template, amount, paid_at, month > 0));
        }
        paid
    }

    /// The payment numbered `self.payments`, and its goal event.
    fn payment(
        &self,
        visitor: &Visitor,
        template: &Event,
        amount: i64,
        paid_at: Timestamp,
        renewal: bool,
    ) -> PaidGoal {
        let payment = Payment {
            website_id: self.website_id,
            transaction_id: format!("demo_{}_{}", self.seed, self.payments),
            amount_minor: amount,
            currency: self.usd.clone(),
            visitor_id: Some(visitor.id.clone()),
            email: None,
            name: None,
            customer_id: Some(format!("cus_{}", self.visitors)),
            renewal,
            refunded: false,
            free_trial: false,
            occurred_at: paid_at,
        };
        let goal = Event {
            kind: EventKind::Payment,
            goal_name: Some(payment.goal_name()),
            occurred_at: paid_at,
            path: "/checkout/success".to_owned(),
            params: BTreeMap::from([("transaction_id".to_owned(), payment.transaction_id.clone())]),
            origin: EventOrigin::Server,
            ..template.clone()
        };
        (payment, goal)
    }
}

/// Another event of the session `template` describes.
fn event_like(
    template: &Event,
    kind: EventKind,
    at: Timestamp,
    path: &str,
    goal: Option<GoalName>,
    params: BTreeMap<String, String>,
) -> Event {
    Event {
        kind,
        occurred_at: at,
        goal_name: goal,
        path: path.to_owned(),
        params,
        ..template.clone()
    }
}
