//! A quick speed check on synthetic events, run by hand in release mode:
//! `cargo test -p datafast-analytics --release --test speed -- --ignored --nocapture`
//! (`SPEED_VISITORS=1600000` for about 10 million events).
//! Not a benchmark (the server's benchmark measures the real thing); it prints the timings of
//! the queries themselves, typed request to typed result (the JSON answer is the HTTP
//! adapter's, a conversion of the page of rows).

#![allow(clippy::unwrap_used)] // A hand-run measurement: a failure should stop it loudly.

use std::collections::BTreeMap;
use std::time::Instant;

use datafast_analytics::filter::{Dimension, Filter, Operator};
use datafast_analytics::{
    AnalyticsIndex, Bound, Breakdown, BreakdownRequest, CampaignTag, Interval, OverviewRequest,
    RequestContext, Scope, TimeRange, TimeseriesRequest, VisitorsRequest, resolve_range,
};
use datafast_domain::event::{DeviceKind, Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelName, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::payment::Payment;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::Timestamp;
use jiff::civil::date;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const DAY_MS: i64 = 86_400_000;
const START_MS: i64 = 1_767_225_600_000; // 2026-01-01

fn contexts() -> Vec<VisitContext> {
    let sources = [
        "Google",
        "Direct/None",
        "X",
        "news.ycombinator.com",
        "Bing",
        "reddit.com",
    ];
    let countries = ["US", "FR", "DE", "GB", "IN", "BR", "JP", "CA"];
    let browsers = ["Chrome", "Safari", "Mobile Safari", "Firefox", "Edge"];
    let mut all = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        for (j, country) in countries.iter().enumerate() {
            for (k, browser) in browsers.iter().enumerate() {
                all.push(VisitContext {
                    referrer: None,
                    source: (*source).into(),
                    utm_source: (i == 3).then(|| "hn".to_owned()),
                    browser: (*browser).into(),
                    os: if k % 2 == 0 { "Windows" } else { "Mac OS" }.into(),
                    device: if k == 2 {
                        DeviceKind::Mobile
                    } else {
                        DeviceKind::Desktop
                    },
                    country: Some((*country).into()),
                    region: Some(format!("{country}-{}", (i + k) % 5)),
                    city: Some(format!("{country} city {}", (j + k) % 7)),
                    ..VisitContext::unknown()
                });
            }
        }
    }
    all
}

#[test]
#[ignore = "a speed check for release builds"]
fn two_million_events() {
    let website = WebsiteId::parse("0123456789abcdef01234567").unwrap();
    let contexts = contexts();
    let paths: Vec<String> = (0..300).map(|i| format!("/page/{i}")).collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut index = AnalyticsIndex::new();
    // About 6 events per visitor; SPEED_VISITORS=1600000 gives about 10M events.
    let visitors: u64 = std::env::var("SPEED_VISITORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(350_000);
    let days = 90;
    let started = Instant::now();
    let mut seq = 0u64;
    let mut last_visitor = String::new();
    let mut payments = 0;
    let signup = GoalName::parse("signup").unwrap();
    for v in 0..visitors {
        let visitor_id = format!("{:08x}-0000-4000-8000-{:012x}", rng.next() as u32, v);
        last_visitor.clone_from(&visitor_id);
        let context = &contexts[rng.below(contexts.len() as u64) as usize];
        let sessions = 1 + rng.below(3);
        for s in 0..sessions {
            let session_id = format!("{visitor_id}-{s}");
            let mut at = START_MS + rng.below(days * DAY_MS as u64) as i64;
            let pageviews = 1 + rng.below(5);
            for p in 0..pageviews {
                let path = if p == 0 && rng.below(2) == 0 {
                    "/".to_owned()
                } else {
                    paths[(rng.below(300) * rng.below(300) / 300) as usize].clone()
                };
                seq += 1;
                index.apply_event(
                    seq,
                    &Event {
                        website_id: website,
                        kind: EventKind::Pageview,
                        occurred_at: Timestamp::from_millisecond(at).unwrap(),
                        visitor_id: visitor_id.clone(),
                        session_id: session_id.clone(),
                        goal_name: None,
                        hostname: "example.com".into(),
                        path,
                        context: context.clone(),
                        params: BTreeMap::new(),
                        description: None,
                        origin: EventOrigin::Client,
                    },
                );
                at += 1000 * rng.below(120) as i64;
            }
            if rng.below(10) == 0 {
                seq += 1;
                index.apply_event(
                    seq,
                    &Event {
                        website_id: website,
                        kind: EventKind::Custom,
                        occurred_at: Timestamp::from_millisecond(at).unwrap(),
                        visitor_id: visitor_id.clone(),
                        session_id: session_id.clone(),
                        goal_name: Some(signup.clone()),
                        hostname: "example.com".into(),
                        path: "/signup".into(),
                        context: context.clone(),
                        params: BTreeMap::new(),
                        description: None,
                        origin: EventOrigin::Client,
                    },
                );
                if rng.below(5) == 0 {
                    payments += 1;
                    index.apply_payment(&Payment {
                        website_id: website,
                        transaction_id: format!("tx{seq}"),
                        amount_minor: 4900,
                        currency: Currency::parse("USD").unwrap(),
                        visitor_id: Some(visitor_id.clone()),
                        email: None,
                        name: None,
                        customer_id: None,
                        renewal: rng.below(3) == 0,
                        refunded: false,
                        free_trial: false,
                        occurred_at: Timestamp::from_millisecond(at + 60_000).unwrap(),
                    });
                }
            }
        }
    }
    println!(
        "built {} events, {payments} payments in {:?}; resident memory {} MiB",
        index.event_count(),
        started.elapsed(),
        resident_mib()
    );
    println!("-- in sequence order (visitor by visitor)");
    measure(&index, website, &last_visitor, false);
    let compacting = Instant::now();
    index.compact();
    println!(
        "-- after compact() ({:?}); resident memory {} MiB",
        compacting.elapsed(),
        resident_mib()
    );
    measure(&index, website, &last_visitor, true);
}

/// The month of February 2026 in the website's zone, filtered to the US or not.
fn month_scope(context: &RequestContext, filtered: bool) -> Scope {
    let mut scope = Scope::of_website(context);
    let zone = context.timezone.zone();
    let first = Bound::Date(date(2026, 2, 1));
    scope.range = Some(resolve_range(first, Bound::Date(date(2026, 3, 2)), &zone).unwrap());
    if filtered {
        scope.filters = vec![Filter {
            dimension: Dimension::Country,
            operator: Operator::Is,
            values: vec!["US".into()],
        }];
    }
    scope
}

fn visitors_request(context: &RequestContext, range: Option<TimeRange>) -> VisitorsRequest {
    VisitorsRequest {
        range,
        timezone: context.timezone.clone(),
        visited_pages: Vec::new(),
        page_contains: Vec::new(),
        completed_goals: Vec::new(),
        filters: Vec::new(),
        is_customer: None,
        limit: 100,
        offset: 0,
    }
}

fn funnel_of(website: WebsiteId) -> Funnel {
    let step = |id: &str, kind: StepKind| FunnelStep {
        id: id.into(),
        name: id.into(),
        kind,
    };
    let pageview = |url: &str| StepKind::Pageview { url: url.into() };
    Funnel {
        id: FunnelId::from_parts(1, [0; 8]),
        website_id: website,
        name: FunnelName::parse("f").unwrap(),
        slug: "f".into(),
        steps: vec![
            step("a", pageview("/")),
            step("b", pageview("/page/1*")),
            step("c", pageview("/page/2*")),
            step(
                "d",
                StepKind::Goal {
                    goal_name: GoalName::parse("signup").unwrap(),
                },
            ),
        ],
        is_active: true,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

/// Times a query 7 times; prints the median, the maximum and the rows it answered.
fn time(name: &str, run: &mut dyn FnMut() -> usize) {
    let mut samples = Vec::new();
    let mut rows = 0;
    for _ in 0..7 {
        let started = Instant::now();
        rows = run();
        samples.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{name:<28} median {:7.1} ms  max {:7.1} ms  ({rows} rows)",
        samples[3], samples[6]
    );
}

fn measure(index: &AnalyticsIndex, website: WebsiteId, last_visitor: &str, everything: bool) {
    let context = RequestContext {
        timezone: TimeZoneName::parse("America/New_York").unwrap(),
        currency: Currency::parse("USD").unwrap(),
        include_renewal_revenue: false,
        now: Timestamp::from_millisecond(START_MS + 90 * DAY_MS).unwrap(),
    };
    let list = visitors_request(&context, month_scope(&context, false).range);
    time("visitors list 30d", &mut || {
        index.visitors(website, &list).rows.len()
    });
    let everyone = visitors_request(&context, None);
    time("visitors all time", &mut || {
        index.visitors(website, &everyone).rows.len()
    });
    let mut all_time = visitors_request(&context, None);
    all_time.visited_pages = vec!["/page/7".into()];
    time("visitors all time /page/7", &mut || {
        index.visitors(website, &all_time).rows.len()
    });
    let now = Timestamp::from_millisecond(START_MS + 45 * DAY_MS).unwrap();
    time("realtime", &mut || {
        usize::from(index.realtime(website, now).visitors > 0)
    });
    time("realtime map", &mut || {
        let map = index.realtime_map(website, now);
        map.visitors.len() + map.recent_events.len() + map.recent_payments.len()
    });
    time("one visitor", &mut || {
        usize::from(index.visitor(website, last_visitor, context.now).is_some())
    });
    for filtered in [false, true] {
        if filtered && !everything {
            break;
        }
        measure_scoped(index, website, &context, filtered);
    }
}

/// The queries of one range, filtered or not.
fn measure_scoped(
    index: &AnalyticsIndex,
    website: WebsiteId,
    context: &RequestContext,
    filtered: bool,
) {
    let tag = if filtered { " +country" } else { "" };
    let scope = month_scope(context, filtered);
    let overview = OverviewRequest {
        scope: scope.clone(),
    };
    time(&format!("overview 30d{tag}"), &mut || {
        usize::from(index.overview(website, &overview).visitors > 0)
    });
    let daily = TimeseriesRequest::new(scope.clone(), Interval::Day, 100, 0, context.now).unwrap();
    time(&format!("timeseries day 30d{tag}"), &mut || {
        index.timeseries(website, &daily).buckets.len()
    });
    let mut one_day = scope.clone();
    let zone = context.timezone.zone();
    let february_10 = Bound::Date(date(2026, 2, 10));
    one_day.range = Some(resolve_range(february_10, february_10, &zone).unwrap());
    let hourly = TimeseriesRequest::new(one_day, Interval::Hour, 100, 0, context.now).unwrap();
    time(&format!("timeseries hour 1d{tag}"), &mut || {
        index.timeseries(website, &hourly).buckets.len()
    });
    for (breakdown, name) in [
        (Breakdown::Pages, "pages"),
        (Breakdown::Referrers, "referrers"),
        (Breakdown::Countries, "countries"),
    ] {
        let request = BreakdownRequest {
            breakdown,
            scope: scope.clone(),
            campaign_tags: CampaignTag::ALL.to_vec(),
            limit: 100,
            offset: 0,
        };
        time(&format!("{name} 30d{tag}"), &mut || {
            index.breakdown(website, &request).rows.len()
        });
    }
    let funnel = funnel_of(website);
    time(&format!("funnel 4 steps 30d{tag}"), &mut || {
        index.funnel(website, &funnel, &scope).steps.len()
    });
}

/// The process's resident set size, from procfs (0 elsewhere).
fn resident_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}
