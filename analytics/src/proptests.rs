//! The property test: for random events, payments, ranges, time zones, filters and caps on
//! distinct values, every endpoint of the engine answers exactly what the naive reference
//! model computes.

use datafast_domain::event::{Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::payment::Payment;
use datafast_domain::website::Currency;
use jiff::Timestamp;
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::AnalyticsIndex;
use crate::limits::Limits;
use crate::reference::Reference;
use crate::request::*;
use crate::tests::{pairs, request_context, signup_funnel, website};

const START: i64 = 1_772_668_800_000; // 2026-03-05T00:00:00Z, days before a DST change.
const SPAN: i64 = 12 * 86_400_000;

fn context_strategy() -> impl Strategy<Value = VisitContext> {
    (
        prop::sample::select(vec!["Google", "Direct/None", "X"]),
        prop::option::of(prop::sample::select(vec!["US", "FR"])),
        prop::sample::select(vec!["Chrome", "Mobile Safari", "Safari"]),
        prop::sample::select(vec!["desktop", "mobile"]),
        prop::option::of(prop::sample::select(vec!["news", "ads"])),
        prop::option::of(Just("spring")),
        // Stored names: `iPhone` shows as `iOS`, and makes `Safari` show as `Mobile Safari`.
        prop::sample::select(vec!["iOS", "iPhone", "Mac OSX"]),
    )
        .prop_map(
            |(source, country, browser, device, utm_source, campaign, os)| VisitContext {
                referrer: match source {
                    "Google" => Some("google.com".to_owned()),
                    "X" => Some("x.com".to_owned()),
                    _ => None,
                },
                source: source.into(),
                utm_source: utm_source.map(str::to_owned),
                utm_campaign: campaign.map(str::to_owned),
                browser: browser.into(),
                os: os.into(),
                device: device.into(),
                region: country.map(|c| format!("{c}-1")),
                city: country.map(|c| format!("{c} town")),
                country: country.map(str::to_owned),
                ..VisitContext::unknown()
            },
        )
}

fn event_strategy() -> impl Strategy<Value = Event> {
    (
        0..5u8,
        0..3u8,
        prop::sample::select(vec![
            EventKind::Pageview,
            EventKind::Pageview,
            EventKind::Pageview,
            EventKind::Custom,
            EventKind::Payment,
            EventKind::Identify,
        ]),
        0..SPAN,
        prop::sample::select(vec!["/", "/pricing", "/docs/a", "/Docs"]),
        prop::sample::select(vec!["example.com", "app.example.com"]),
        prop::sample::select(vec!["signup", "payment", "demo"]),
        context_strategy(),
    )
        .prop_map(
            |(visitor, session, kind, offset, path, host, goal, context)| Event {
                website_id: website(),
                kind,
                occurred_at: Timestamp::from_millisecond(START + offset / 60_000 * 60_000)
                    .unwrap_or(Timestamp::UNIX_EPOCH),
                visitor_id: format!("v{visitor}"),
                session_id: format!("s{session}"),
                goal_name: matches!(kind, EventKind::Custom | EventKind::Payment)
                    .then(|| goal.to_owned()),
                hostname: host.into(),
                path: path.into(),
                context,
                params: Default::default(),
                description: None,
                origin: EventOrigin::Client,
            },
        )
}

fn payment_strategy() -> impl Strategy<Value = Payment> {
    (
        prop::option::of(0..6u8),
        1..10_000i64,
        0..SPAN,
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(visitor, cents, offset, renewal, refunded, free_trial)| Payment {
                website_id: website(),
                transaction_id: format!("tx{cents}{offset}"),
                amount_minor: cents,
                currency: Currency::parse("USD").unwrap_or_default(),
                visitor_id: visitor.map(|v| format!("v{v}")),
                email: None,
                name: None,
                customer_id: None,
                renewal,
                refunded: refunded && !renewal,
                free_trial,
                occurred_at: Timestamp::from_millisecond(START + offset)
                    .unwrap_or(Timestamp::UNIX_EPOCH),
            },
        )
}

const FILTERS: [(&str, &str); 17] = [
    ("filter_country", "US"),
    ("filter_country", "is_not:FR"),
    ("filter_browser", "Safari"),
    ("filter_device", "is_not:mobile"),
    ("filter_page", "contains:/docs"),
    ("filter_page", "/pricing,/"),
    ("filter_page", "does_not_contain:pric"),
    ("filter_entry_page", "/"),
    ("filter_goal", "signup"),
    ("filter_referrer", "Google"),
    ("filter_utm_source", "news"),
    ("filter_hostname", "example.com"),
    ("region", "US-1"),
    ("filter_utm_campaign", "is_not:spring"),
    // Values past a cap are all `(other)`, and filters test that.
    ("filter_page", "(other)"),
    ("filter_referrer", "is_not:(other)"),
    ("filter_goal", "(other),demo"),
];

/// Query pairs: an optional range of dates or instants, a zone, up to two filters, renewals.
fn query_strategy() -> impl Strategy<Value = (Vec<(String, String)>, &'static str)> {
    (
        prop::option::of((0..12i64, 0..4i64, any::<bool>())),
        prop::sample::select(vec![
            "UTC",
            "America/New_York",
            "Asia/Kolkata",
            "Europe/Paris",
        ]),
        prop::collection::vec(prop::sample::select(FILTERS.to_vec()), 0..=2),
        any::<bool>(),
    )
        .prop_map(|(range, zone, filters, renewals)| {
            let mut raw: Vec<(String, String)> = Vec::new();
            if let Some((from, days, instants)) = range {
                let day = |n: i64| {
                    Timestamp::from_millisecond(START + n * 86_400_000)
                        .map(|t| t.strftime("%Y-%m-%d").to_string())
                        .unwrap_or_default()
                };
                let (start, end) = if instants {
                    (
                        format!("{}T07:30:00Z", day(from)),
                        format!("{}T19:45:00Z", day(from + days)),
                    )
                } else {
                    (day(from), day(from + days))
                };
                raw.push(("startAt".into(), start));
                raw.push(("endAt".into(), end));
            }
            raw.push(("timezone".into(), zone.into()));
            for (k, v) in filters {
                raw.push((k.into(), v.into()));
            }
            raw.push(("includeRenewalRevenue".into(), renewals.to_string()));
            (raw, zone)
        })
}

/// Steps that one event can match several of in a row: each event completes one step at most.
fn overlapping_funnel() -> Funnel {
    let pageview = |url: &str| StepKind::Pageview { url: url.into() };
    let mut funnel = signup_funnel();
    funnel.steps = vec![
        FunnelStep {
            id: "any".into(),
            name: "Any page".into(),
            kind: pageview("/*"),
        },
        FunnelStep {
            id: "pricing".into(),
            name: "Pricing".into(),
            kind: pageview("/pricing"),
        },
        FunnelStep {
            id: "again".into(),
            name: "Any page again".into(),
            kind: pageview("/*"),
        },
        FunnelStep {
            id: "signup".into(),
            name: "Signup".into(),
            kind: StepKind::Goal {
                goal_name: GoalName::parse("signup").unwrap_or_else(|_| unreachable!()),
            },
        },
    ];
    funnel
}

fn to_json(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn world() -> impl Strategy<Value = (Vec<Event>, Vec<Payment>)> {
    (
        prop::collection::vec(event_strategy(), 0..40),
        prop::collection::vec(payment_strategy(), 0..6),
    )
}

/// Default caps, or the same small cap on every field, so that `(other)` shows up often.
fn limits_strategy() -> impl Strategy<Value = Limits> {
    prop::option::of(1..4u32).prop_map(|cap| cap.map_or(Limits::DEFAULT, Limits::uniform))
}

/// The index and the model of the same events under the same caps.
fn built(events: &[Event], payments: &[Payment], limits: &Limits) -> (AnalyticsIndex, Reference) {
    let mut index = AnalyticsIndex::with_limits(*limits);
    for (seq, e) in events.iter().enumerate() {
        index.apply_event(seq as u64 + 1, e);
    }
    for p in payments {
        index.apply_payment(p);
    }
    let model = Reference {
        events: events
            .iter()
            .enumerate()
            .map(|(seq, e)| (seq as u64 + 1, e.clone()))
            .collect(),
        payments: payments.to_vec(),
    };
    (index, model.with_limits(limits))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn overview_and_funnel_equal_the_reference(
        (events, payments) in world(),
        (raw, _) in query_strategy(),
        compact in any::<bool>(),
        limits in limits_strategy(),
    ) {
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let context = request_context("UTC");
        let overview = parse_overview(&raw, &context).unwrap();
        prop_assert_eq!(to_json(index.overview(website(), &overview)), to_json(model.overview(&overview)));
        let scope = parse_funnel(&raw, &context).unwrap();
        for funnel in [signup_funnel(), overlapping_funnel()] {
            prop_assert_eq!(
                to_json(index.funnel(website(), &funnel, &scope)),
                to_json(model.funnel(&funnel, &scope))
            );
        }
    }

    #[test]
    fn timeseries_equal_the_reference(
        (events, payments) in world(),
        (mut raw, _) in query_strategy(),
        interval in prop::sample::select(vec!["hour", "day", "week", "month"]),
        limit in 1..40usize,
        compact in any::<bool>(),
        pairs_path in any::<bool>(),
        limits in limits_strategy(),
    ) {
        crate::engine::FORCE_PAIRS.with(|f| f.set(pairs_path));
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let mut context = request_context("UTC");
        context.now = Timestamp::from_millisecond(START + SPAN / 2).unwrap_or(Timestamp::UNIX_EPOCH);
        raw.push(("interval".into(), interval.into()));
        raw.push(("fields".into(), "visitors,sessions,revenue,conversion_rate".into()));
        raw.push(("limit".into(), limit.to_string()));
        let request = parse_timeseries(&raw, &context).unwrap();
        prop_assert_eq!(to_json(index.timeseries(website(), &request)), to_json(model.timeseries(&request)));
    }

    #[test]
    fn breakdowns_equal_the_reference(
        (events, payments) in world(),
        (mut raw, _) in query_strategy(),
        breakdown in prop::sample::select(Breakdown::ALL.to_vec()),
        limit in 1..5usize,
        offset in 0..4usize,
        compact in any::<bool>(),
        pairs_path in any::<bool>(),
        limits in limits_strategy(),
    ) {
        crate::engine::FORCE_PAIRS.with(|f| f.set(pairs_path));
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        raw.push(("limit".into(), limit.to_string()));
        raw.push(("offset".into(), offset.to_string()));
        if breakdown == Breakdown::Campaigns && offset % 2 == 1 {
            raw.push(("fields".into(), "utm_campaign,visitors,revenue".into()));
        }
        let request = parse_breakdown(breakdown, &raw, &request_context("UTC")).unwrap();
        prop_assert_eq!(to_json(index.breakdown(website(), &request)), to_json(model.breakdown(&request)));
    }

    #[test]
    fn the_visitors_list_equals_the_reference(
        (events, payments) in world(),
        range in prop::option::of((0..12i64, 0..4i64)),
        filter in prop::option::of(prop::sample::select(vec![
            ("visitedPage", "/pricing"), ("pageContains", "docs"), ("completedGoal", "signup,demo"),
            ("isCustomer", "true"), ("hasRevenue", "false"), ("country", "is_not:US"), ("browser", "Safari"),
        ])),
        limit in 1..4usize,
        offset in 0..3usize,
        compact in any::<bool>(),
        limits in limits_strategy(),
    ) {
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let mut raw = vec![("limit", limit.to_string()), ("offset", offset.to_string())];
        if let Some((from, days)) = range {
            let day = |n: i64| Timestamp::from_millisecond(START + n * 86_400_000)
                .map(|t| t.strftime("%Y-%m-%d").to_string()).unwrap_or_default();
            raw.push(("startAt", day(from)));
            raw.push(("endAt", day(from + days)));
        }
        if let Some((k, v)) = filter {
            raw.push((k, v.to_owned()));
        }
        let raw: Vec<(&str, &str)> = raw.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let request = parse_visitors(&pairs(&raw), &request_context("UTC")).unwrap();
        let engine = to_json(index.visitors(website(), &request));
        let (rows, has_more) = model.visitors(&request);
        let expected: Vec<Value> = rows.iter().map(|(id, seen, url, customer)| json!({
            "visitorId": id,
            "lastSeenAt": datafast_domain::time::iso_millis(Timestamp::from_millisecond(*seen).unwrap_or(Timestamp::UNIX_EPOCH)),
            "currentUrl": url,
            "isCustomer": customer,
        })).collect();
        let actual: Vec<Value> = engine["data"].as_array().cloned().unwrap_or_default().iter().map(|row| json!({
            "visitorId": row["visitorId"], "lastSeenAt": row["lastSeenAt"],
            "currentUrl": row["currentUrl"], "isCustomer": row["isCustomer"],
        })).collect();
        prop_assert_eq!(actual, expected);
        prop_assert_eq!(&engine["pagination"]["hasMore"], &json!(has_more));
    }
}
