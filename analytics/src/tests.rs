//! Hand-computed expectations on small fixed event sets, one test per endpoint and rule.

use std::collections::BTreeMap;

use datafast_domain::event::{Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::payment::Payment;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::AnalyticsIndex;
use crate::request::*;

pub(crate) fn website() -> WebsiteId {
    WebsiteId::parse("0123456789abcdef01234567").unwrap()
}

pub(crate) fn at(instant: &str) -> Timestamp {
    instant.parse().unwrap()
}

pub(crate) fn context(source: &str, country: &str, browser: &str, device: &str) -> VisitContext {
    VisitContext {
        referrer: match source {
            "Google" => Some("google.com".into()),
            "X" => Some("x.com".into()),
            _ => None,
        },
        source: source.into(),
        browser: browser.into(),
        os: "Mac OS".into(),
        device: device.into(),
        country: Some(country.into()),
        region: Some(format!("{country}-R")),
        city: Some(format!("{country} City")),
        ..VisitContext::unknown()
    }
}

pub(crate) fn event(
    kind: EventKind,
    instant: &str,
    visitor: &str,
    session: &str,
    path: &str,
    context: &VisitContext,
) -> Event {
    Event {
        website_id: website(),
        kind,
        occurred_at: at(instant),
        visitor_id: visitor.into(),
        session_id: session.into(),
        goal_name: None,
        hostname: "example.com".into(),
        path: path.into(),
        context: context.clone(),
        params: BTreeMap::new(),
        description: None,
        origin: EventOrigin::Client,
    }
}

pub(crate) fn goal(
    instant: &str,
    visitor: &str,
    session: &str,
    name: &str,
    c: &VisitContext,
) -> Event {
    Event {
        goal_name: Some(name.into()),
        ..event(EventKind::Custom, instant, visitor, session, "/", c)
    }
}

pub(crate) fn payment(
    id: &str,
    visitor: Option<&str>,
    cents: i64,
    instant: &str,
    renewal: bool,
    refunded: bool,
) -> Payment {
    Payment {
        website_id: website(),
        transaction_id: id.into(),
        amount_minor: cents,
        currency: Currency::parse("USD").unwrap(),
        visitor_id: visitor.map(str::to_owned),
        email: Some(format!("{id}@example.com")),
        name: Some("Jane".into()),
        customer_id: None,
        renewal,
        refunded,
        free_trial: false,
        occurred_at: at(instant),
    }
}

/// v1 (Google, US, Chrome): / then /pricing then goal signup, one session, pays 49 and renews 10.
/// v2 (direct, FR, Mobile Safari): / in one session; /pricing then /docs/a the next day; a
/// refunded payment of 20. v3 (X, US, Firefox): /docs/b. An unattributed payment of 5.
pub(crate) fn fixture() -> (Vec<Event>, Vec<Payment>) {
    let mut google = context("Google", "US", "Chrome", "desktop");
    google.utm_source = Some("newsletter".into());
    let direct = context("Direct/None", "FR", "Mobile Safari", "mobile");
    let x = context("X", "US", "Firefox", "desktop");
    let pv = EventKind::Pageview;
    let events = vec![
        event(pv, "2026-03-02T10:00:00Z", "v1", "s1", "/", &google),
        event(pv, "2026-03-02T10:05:00Z", "v1", "s1", "/pricing", &google),
        goal("2026-03-02T10:06:00Z", "v1", "s1", "signup", &google),
        event(pv, "2026-03-02T12:00:00Z", "v2", "s2", "/", &direct),
        event(pv, "2026-03-03T09:10:00Z", "v2", "s3", "/docs/a", &direct),
        event(pv, "2026-03-03T09:00:00Z", "v2", "s3", "/pricing", &direct),
        event(pv, "2026-03-04T00:30:00Z", "v3", "s4", "/docs/b", &x),
    ];
    let payments = vec![
        payment("p1", Some("v1"), 4900, "2026-03-02T11:00:00Z", false, false),
        payment("p2", Some("v1"), 1000, "2026-03-03T11:00:00Z", true, false),
        payment("p3", Some("v2"), 2000, "2026-03-03T11:00:00Z", false, true),
        payment("p4", None, 500, "2026-03-03T12:00:00Z", false, false),
    ];
    (events, payments)
}

pub(crate) fn index_of(events: &[Event], payments: &[Payment]) -> AnalyticsIndex {
    let mut index = AnalyticsIndex::new();
    for (seq, e) in events.iter().enumerate() {
        index.apply_event(seq as u64 + 1, e);
    }
    for p in payments {
        index.apply_payment(p);
    }
    index
}

pub(crate) fn request_context(zone: &str) -> RequestContext {
    RequestContext {
        timezone: TimeZoneName::parse(zone).unwrap(),
        currency: Currency::parse("USD").unwrap(),
        include_renewal_revenue: false,
        now: at("2026-03-03T09:12:00Z"),
    }
}

pub(crate) fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
    raw.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn json_of(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

const MARCH: [(&str, &str); 2] = [("startAt", "2026-03-01"), ("endAt", "2026-03-05")];

fn overview(index: &AnalyticsIndex, extra: &[(&str, &str)]) -> Value {
    let mut raw = MARCH.to_vec();
    raw.extend_from_slice(extra);
    let request = parse_overview(&pairs(&raw), &request_context("UTC")).unwrap();
    json_of(index.overview(website(), &request))["data"][0].clone()
}

#[test]
fn overview_follows_the_metric_definitions() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    assert_eq!(
        overview(&index, &[]),
        json!({
            "visitors": 3, "sessions": 4, "bounce_rate": 50.0,
            "avg_session_duration": 240000.0, "currency": "$", "revenue": 54.0,
            "payments": 2, "revenue_per_visitor": 18.0, "conversion_rate": 33.33
        })
    );
    let renewals = overview(&index, &[("includeRenewalRevenue", "true")]);
    assert_eq!(renewals["revenue"], json!(64.0));
    assert_eq!(renewals["payments"], json!(3));
    let few = overview(&index, &[("fields", "sessions,visitors")]);
    assert_eq!(few, json!({"visitors": 3, "sessions": 4}));
}

#[test]
fn filters_select_events_and_revenue_follows_the_selected_visitors() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let us = overview(&index, &[("filter_country", "US")]);
    assert_eq!(
        (&us["visitors"], &us["sessions"], &us["bounce_rate"]),
        (&json!(2), &json!(2), &json!(50.0))
    );
    assert_eq!(us["avg_session_duration"], json!(180000.0));
    assert_eq!(us["revenue"], json!(49.0));
    assert_eq!(us["conversion_rate"], json!(50.0));
    let by_name = overview(&index, &[("country", "United States")]);
    assert_eq!(by_name["visitors"], json!(2));
    let combined = overview(
        &index,
        &[("filter_country", "US"), ("filter_page", "/pricing")],
    );
    assert_eq!(
        (&combined["visitors"], &combined["sessions"]),
        (&json!(1), &json!(1))
    );
    let safari = overview(&index, &[("filter_browser", "Safari")]);
    assert_eq!(safari["visitors"], json!(1));
    assert_eq!(safari["revenue"], json!(0.0));
    let not_google = overview(&index, &[("filter_referrer", "is_not:google.com")]);
    assert_eq!(not_google["visitors"], json!(2));
    let entry = overview(&index, &[("filter_entry_page", "/pricing")]);
    assert_eq!(
        (&entry["visitors"], &entry["sessions"]),
        (&json!(1), &json!(1))
    );
    let docs = overview(&index, &[("filter_page", "contains:/docs")]);
    assert_eq!(docs["visitors"], json!(2));
    let no_docs = overview(&index, &[("filter_page", "does_not_contain:/docs")]);
    assert_eq!(no_docs["visitors"], json!(2));
    let signup = overview(&index, &[("filter_goal", "signup")]);
    assert_eq!(
        (&signup["visitors"], &signup["revenue"]),
        (&json!(1), &json!(49.0))
    );
    let campaign = overview(&index, &[("filter_utm_source", "newsletter,other")]);
    assert_eq!(campaign["visitors"], json!(1));
}

#[test]
fn an_unknown_website_or_an_empty_range_is_all_zeros() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let request = parse_overview(
        &pairs(&[("startAt", "2020-01-01"), ("endAt", "2020-01-02")]),
        &request_context("UTC"),
    )
    .unwrap();
    let row = json_of(index.overview(website(), &request))["data"][0].clone();
    assert_eq!(row["visitors"], json!(0));
    assert_eq!(row["bounce_rate"], json!(0.0));
    let other = WebsiteId::parse("ffffffffffffffffffffffff").unwrap();
    let all_time = parse_overview(&[], &request_context("UTC")).unwrap();
    assert_eq!(
        json_of(index.overview(other, &all_time))["data"][0]["visitors"],
        json!(0)
    );
    assert_eq!(
        json_of(index.overview(website(), &all_time))["data"][0]["visitors"],
        json!(3)
    );
}

fn timeseries(index: &AnalyticsIndex, zone: &str, raw: &[(&str, &str)]) -> Value {
    let request = parse_timeseries(&pairs(raw), &request_context(zone)).unwrap();
    json_of(index.timeseries(website(), &request))
}

#[test]
fn timeseries_by_day_with_revenue() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let series = timeseries(
        &index,
        "UTC",
        &[
            ("startAt", "2026-03-01"),
            ("endAt", "2026-03-04"),
            ("interval", "day"),
            ("fields", "visitors,sessions,revenue"),
        ],
    );
    assert_eq!(series["interval"], json!("day"));
    assert_eq!(series["currency"], json!("$"));
    assert_eq!(series["fields"], json!(["visitors", "sessions", "revenue"]));
    assert_eq!(
        series["pagination"],
        json!({"limit": 100, "offset": 0, "total": 4})
    );
    assert_eq!(
        series["totals"],
        json!({"visitors": 3, "sessions": 4, "revenue": 54.0, "payments": 2,
               "revenueBreakdown": {"new": 54.0, "renewal": 10.0, "refund": 20.0}})
    );
    let data = series["data"].as_array().unwrap();
    let visitors: Vec<&Value> = data.iter().map(|b| &b["visitors"]).collect();
    assert_eq!(visitors, [&json!(0), &json!(2), &json!(1), &json!(1)]);
    assert_eq!(data[1]["name"], json!("02 Mar"));
    assert_eq!(data[1]["timestamp"], json!("2026-03-02T00:00:00Z"));
    assert_eq!(data[1]["revenue"], json!(49.0));
    assert_eq!(
        data[2]["revenueBreakdown"],
        json!({"new": 5.0, "renewal": 10.0, "refund": 20.0})
    );
    let paged = timeseries(
        &index,
        "UTC",
        &[
            ("startAt", "2026-03-01"),
            ("endAt", "2026-03-04"),
            ("interval", "day"),
            ("fields", "visitors,conversion_rate"),
            ("limit", "2"),
            ("offset", "1"),
        ],
    );
    assert_eq!(paged["currency"], Value::Null);
    assert_eq!(paged["data"].as_array().unwrap().len(), 2);
    assert_eq!(paged["data"][0]["timestamp"], json!("2026-03-02T00:00:00Z"));
    // Revenue-based, as the timeseries docs define it: 49 / 2 visitors.
    assert_eq!(paged["data"][0]["conversion_rate"], json!(24.5));
    assert_eq!(paged["totals"]["conversion_rate"], json!(18.0));
}

#[test]
fn same_day_ranges_become_hours_across_daylight_saving_changes() {
    let c = context("Direct/None", "US", "Chrome", "desktop");
    let events = vec![
        // 03:30 EDT, the first hour after the spring-forward gap.
        event(
            EventKind::Pageview,
            "2026-03-08T07:30:00Z",
            "a",
            "a1",
            "/",
            &c,
        ),
        // 23:30 EDT on the 8th, which is the 9th in UTC.
        event(
            EventKind::Pageview,
            "2026-03-09T03:30:00Z",
            "b",
            "b1",
            "/",
            &c,
        ),
        // 01:30 EST on 1 November, the second 01:00 hour.
        event(
            EventKind::Pageview,
            "2026-11-01T06:30:00Z",
            "c",
            "c1",
            "/",
            &c,
        ),
    ];
    let index = index_of(&events, &[]);
    let zone = "America/New_York";
    let spring = timeseries(
        &index,
        zone,
        &[
            ("startAt", "2026-03-08"),
            ("endAt", "2026-03-08"),
            ("interval", "day"),
            ("fields", "visitors"),
        ],
    );
    assert_eq!(spring["interval"], json!("hour"));
    assert_eq!(spring["pagination"]["total"], json!(23));
    assert_eq!(
        spring["data"][0]["timestamp"],
        json!("2026-03-08T00:00:00-05:00")
    );
    assert_eq!(
        spring["data"][2]["timestamp"],
        json!("2026-03-08T03:00:00-04:00")
    );
    assert_eq!(spring["data"][2]["visitors"], json!(1));
    assert_eq!(spring["data"][22]["visitors"], json!(1));
    assert_eq!(spring["totals"]["visitors"], json!(2));
    let autumn = timeseries(
        &index,
        zone,
        &[
            ("startAt", "2026-11-01"),
            ("endAt", "2026-11-01"),
            ("interval", "hour"),
            ("fields", "visitors"),
        ],
    );
    assert_eq!(autumn["pagination"]["total"], json!(25));
    assert_eq!(
        autumn["data"][1]["timestamp"],
        json!("2026-11-01T01:00:00-04:00")
    );
    assert_eq!(
        autumn["data"][2]["timestamp"],
        json!("2026-11-01T01:00:00-05:00")
    );
    assert_eq!(autumn["data"][2]["visitors"], json!(1));
    assert_eq!(autumn["data"][1]["visitors"], json!(0));
    let days = timeseries(
        &index,
        zone,
        &[
            ("startAt", "2026-03-07"),
            ("endAt", "2026-03-09"),
            ("interval", "day"),
            ("fields", "visitors"),
        ],
    );
    let stamps: Vec<&Value> = days["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["timestamp"])
        .collect();
    assert_eq!(
        stamps,
        [
            &json!("2026-03-07T00:00:00-05:00"),
            &json!("2026-03-08T00:00:00-05:00"),
            &json!("2026-03-09T00:00:00-04:00")
        ]
    );
    assert_eq!(days["data"][1]["visitors"], json!(2));
    assert_eq!(days["data"][2]["visitors"], json!(0));
}

#[test]
fn week_and_month_buckets() {
    let c = context("Direct/None", "US", "Chrome", "desktop");
    let events = vec![
        event(
            EventKind::Pageview,
            "2026-03-01T12:00:00Z",
            "a",
            "a1",
            "/",
            &c,
        ),
        event(
            EventKind::Pageview,
            "2026-03-02T12:00:00Z",
            "b",
            "b1",
            "/",
            &c,
        ),
        event(
            EventKind::Pageview,
            "2026-03-08T12:00:00Z",
            "b",
            "b2",
            "/",
            &c,
        ),
        event(
            EventKind::Pageview,
            "2026-01-20T12:00:00Z",
            "a",
            "a0",
            "/",
            &c,
        ),
    ];
    let index = index_of(&events, &[]);
    let weeks = timeseries(
        &index,
        "UTC",
        &[
            ("startAt", "2026-03-01"),
            ("endAt", "2026-03-16"),
            ("interval", "week"),
            ("fields", "visitors,sessions"),
        ],
    );
    let starts: Vec<&Value> = weeks["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["timestamp"])
        .collect();
    assert_eq!(
        starts,
        [
            &json!("2026-02-23T00:00:00Z"),
            &json!("2026-03-02T00:00:00Z"),
            &json!("2026-03-09T00:00:00Z"),
            &json!("2026-03-16T00:00:00Z")
        ]
    );
    // b's two sessions (Monday and Sunday) share one week: one visitor, two sessions.
    assert_eq!(weeks["data"][1]["visitors"], json!(1));
    assert_eq!(weeks["data"][1]["sessions"], json!(2));
    assert_eq!(weeks["data"][0]["visitors"], json!(1));
    let months = timeseries(
        &index,
        "UTC",
        &[
            ("startAt", "2026-01-15"),
            ("endAt", "2026-03-02"),
            ("interval", "month"),
            ("fields", "visitors"),
        ],
    );
    let names: Vec<&Value> = months["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["name"])
        .collect();
    assert_eq!(
        names,
        [&json!("Jan 2026"), &json!("Feb 2026"), &json!("Mar 2026")]
    );
    let counts: Vec<&Value> = months["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["visitors"])
        .collect();
    assert_eq!(counts, [&json!(1), &json!(0), &json!(2)]);
    assert_eq!(months["totals"]["visitors"], json!(2));
}

#[test]
fn timeseries_defaults_to_the_interval_range() {
    let index = index_of(&[], &[]);
    let day = timeseries(
        &index,
        "UTC",
        &[("interval", "day"), ("fields", "visitors")],
    );
    assert_eq!(day["pagination"]["total"], json!(30));
    assert_eq!(day["data"][29]["timestamp"], json!("2026-03-03T00:00:00Z"));
    let hour = timeseries(
        &index,
        "UTC",
        &[("interval", "hour"), ("fields", "visitors")],
    );
    assert_eq!(hour["pagination"]["total"], json!(24));
    assert_eq!(hour["data"][23]["timestamp"], json!("2026-03-03T09:00:00Z"));
    let month = timeseries(
        &index,
        "UTC",
        &[("interval", "month"), ("fields", "visitors")],
    );
    assert_eq!(month["pagination"]["total"], json!(12));
    assert_eq!(month["data"][0]["name"], json!("Apr 2025"));
}

fn breakdown(index: &AnalyticsIndex, path: &str, extra: &[(&str, &str)]) -> Value {
    let mut raw = MARCH.to_vec();
    raw.extend_from_slice(extra);
    let kind = Breakdown::from_path(path).unwrap();
    let request = parse_breakdown(kind, &pairs(&raw), &request_context("UTC")).unwrap();
    json_of(index.breakdown(website(), &request))
}

#[test]
fn breakdowns_count_visitors_and_attribute_revenue_to_first_touch() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let pages = breakdown(&index, "pages", &[]);
    assert_eq!(
        pages,
        json!({
            "data": [
                {"hostname": "example.com", "path": "/", "visitors": 2, "revenue": 49.0, "payments": 1},
                {"hostname": "example.com", "path": "/pricing", "visitors": 2, "revenue": 0.0, "payments": 0},
                {"hostname": "example.com", "path": "/docs/a", "visitors": 1, "revenue": 0.0, "payments": 0},
                {"hostname": "example.com", "path": "/docs/b", "visitors": 1, "revenue": 0.0, "payments": 0}
            ],
            "pagination": {"limit": 100, "offset": 0, "total": 4}
        })
    );
    let referrers = breakdown(&index, "referrers", &[("fields", "referrer,revenue")]);
    assert_eq!(
        referrers["data"],
        json!([{"referrer": "Google", "revenue": 49.0}, {"referrer": "Direct/None", "revenue": 0.0}, {"referrer": "X", "revenue": 0.0}])
            .as_array()
            .map(|rows| {
                // Equal visitors: by label.
                let mut rows = rows.clone();
                rows.sort_by(|a, b| a["referrer"].as_str().cmp(&b["referrer"].as_str()));
                Value::Array(rows)
            })
            .unwrap()
    );
    let countries = breakdown(&index, "countries", &[]);
    assert_eq!(
        countries["data"][0],
        json!({"country": "United States", "image": "https://purecatamphetamine.github.io/country-flag-icons/3x2/US.svg",
               "visitors": 2, "revenue": 49.0, "payments": 1})
    );
    assert_eq!(countries["data"][1]["country"], json!("France"));
    let goals = breakdown(&index, "goals", &[]);
    assert_eq!(
        goals["data"],
        json!([{"goal": "signup", "completions": 1, "visitors": 1}])
    );
    let named = breakdown(&index, "goals", &[("fields", "name,visitors")]);
    assert_eq!(named["data"], json!([{"goal": "signup", "visitors": 1}]));
    let campaigns = breakdown(&index, "campaigns", &[]);
    assert_eq!(
        campaigns["data"],
        json!([{"campaign": {"utm_source": "newsletter", "utm_medium": "", "utm_campaign": "", "utm_term": "",
                "utm_content": "", "ref": "", "source": "", "via": ""}, "visitors": 1, "revenue": 49.0, "payments": 1}])
    );
    let narrow = breakdown(&index, "campaigns", &[("fields", "utm_source,visitors")]);
    assert_eq!(
        narrow["data"],
        json!([{"campaign": {"utm_source": "newsletter"}, "visitors": 1}])
    );
    let browsers = breakdown(&index, "browsers", &[("filter_device", "desktop")]);
    assert_eq!(browsers["pagination"]["total"], json!(2));
    let systems = breakdown(&index, "operating-systems", &[]);
    assert_eq!(systems["data"][0]["operating_system"], json!("Mac OS"));
    assert_eq!(systems["data"][0]["visitors"], json!(3));
    let hosts = breakdown(&index, "hostnames", &[]);
    assert_eq!(hosts["data"][0]["hostname"], json!("example.com"));
    let regions = breakdown(&index, "regions", &[("filter_country", "FR")]);
    assert_eq!(
        regions["data"],
        json!([{"region": "FR-R", "visitors": 1, "revenue": 0.0, "payments": 0}])
    );
    let cities = breakdown(&index, "cities", &[]);
    assert_eq!(cities["data"][0]["city"], json!("US City"));
    let devices = breakdown(&index, "devices", &[]);
    assert_eq!(
        devices["data"][0],
        json!({"device": "desktop", "visitors": 2, "revenue": 49.0, "payments": 1})
    );
}

#[test]
fn breakdown_pagination_edges() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let second = breakdown(
        &index,
        "pages",
        &[("limit", "1"), ("offset", "1"), ("fields", "path")],
    );
    assert_eq!(second["data"], json!([{"path": "/pricing"}]));
    assert_eq!(
        second["pagination"],
        json!({"limit": 1, "offset": 1, "total": 4})
    );
    let past = breakdown(&index, "pages", &[("offset", "4")]);
    assert_eq!(past["data"], json!([]));
    assert_eq!(past["pagination"]["total"], json!(4));
    let last = breakdown(&index, "pages", &[("offset", "3"), ("limit", "1000")]);
    assert_eq!(last["data"].as_array().unwrap().len(), 1);
}

fn funnel_of(steps: Vec<(&str, StepKind)>) -> Funnel {
    Funnel {
        id: FunnelId::from_parts(1, [1; 8]),
        website_id: website(),
        name: "Signup".into(),
        slug: "signup".into(),
        steps: steps
            .into_iter()
            .map(|(id, kind)| FunnelStep {
                id: id.into(),
                name: id.into(),
                kind,
            })
            .collect(),
        is_active: true,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

pub(crate) fn signup_funnel() -> Funnel {
    funnel_of(vec![
        ("home", StepKind::Pageview { url: "/".into() }),
        (
            "pricing",
            StepKind::Pageview {
                url: "/pricing".into(),
            },
        ),
        (
            "signup",
            StepKind::Goal {
                goal_name: GoalName::parse("signup").unwrap(),
            },
        ),
    ])
}

#[test]
fn funnel_steps_count_in_order_per_visitor() {
    let (mut events, payments) = fixture();
    let c = context("Direct/None", "DE", "Chrome", "desktop");
    // v4 sees /pricing before /: only the first step.
    events.push(event(
        EventKind::Pageview,
        "2026-03-04T10:00:00Z",
        "v4",
        "s5",
        "/pricing",
        &c,
    ));
    events.push(event(
        EventKind::Pageview,
        "2026-03-04T10:01:00Z",
        "v4",
        "s5",
        "/",
        &c,
    ));
    let index = index_of(&events, &payments);
    let scope = parse_funnel(&pairs(&MARCH), &request_context("UTC")).unwrap();
    let result = json_of(index.funnel(website(), &signup_funnel(), &scope));
    let steps = &result["data"][0]["steps"];
    let counts: Vec<&Value> = steps
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["visitors"])
        .collect();
    assert_eq!(counts, [&json!(3), &json!(2), &json!(1)]);
    assert_eq!(steps[1]["conversionRate"], json!(66.67));
    assert_eq!(steps[1]["dropoff"], json!(1));
    assert_eq!(steps[0]["dropoff"], json!(0));
    assert_eq!(steps[0]["conversionRate"], json!(100.0));
    assert_eq!(steps[2]["goalName"], json!("signup"));
    assert_eq!(steps[0]["url"], json!("/"));
    assert_eq!(steps[0]["revenue"], json!(49.0));
    assert_eq!(result["data"][0]["conversionRate"], json!(33.33));
    assert_eq!(result["data"][0]["funnel"]["name"], json!("Signup"));
    let filtered = parse_funnel(
        &pairs(&[
            ("startAt", "2026-03-01"),
            ("endAt", "2026-03-05"),
            ("filter_country", "FR"),
        ]),
        &request_context("UTC"),
    )
    .unwrap();
    let fr = json_of(index.funnel(website(), &signup_funnel(), &filtered));
    let counts: Vec<&Value> = fr["data"][0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["visitors"])
        .collect();
    assert_eq!(counts, [&json!(1), &json!(1), &json!(0)]);
}

#[test]
fn realtime_counts_the_last_ten_minutes() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let now = at("2026-03-03T09:12:00Z");
    assert_eq!(
        json_of(index.realtime(website(), now)),
        json!({"data": [{"visitors": 1}]})
    );
    assert_eq!(
        json_of(index.realtime(website(), at("2026-03-03T09:30:00Z")))["data"][0]["visitors"],
        json!(0)
    );
    let map = json_of(index.realtime_map(website(), now));
    assert_eq!(map["data"]["count"], json!(1));
    let visitor = &map["data"]["visitors"][0];
    assert_eq!(visitor["visitorId"], json!("v2"));
    assert_eq!(visitor["currentUrl"], json!("/docs/a"));
    assert_eq!(visitor["visitCount"], json!(2));
    assert_eq!(
        visitor["sessionStartTime"],
        json!("2026-03-03T09:00:00.000Z")
    );
    assert_eq!(visitor["isCustomer"], json!(false));
    assert_eq!(visitor["location"]["countryCode"], json!("FR"));
    assert_eq!(visitor["system"]["browser"]["name"], json!("Mobile Safari"));
    let recent = map["data"]["recentEvents"].as_array().unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0]["path"], json!("/docs/a"));
    assert_eq!(recent[0]["_id"], json!("5"));
    assert!(parse_realtime(&pairs(&[("fields", "visitors")])).is_ok());
    assert!(parse_realtime(&pairs(&[("fields", "sessions")])).is_err());
}

#[test]
fn recent_events_carry_their_parameters_through_compaction() {
    let c = context("Google", "US", "Chrome", "desktop");
    let mut signup = goal("2026-03-03T09:05:00Z", "v1", "s1", "signup", &c);
    signup.params = BTreeMap::from([
        ("plan".to_owned(), "pro".to_owned()),
        ("seats".to_owned(), "3".to_owned()),
    ]);
    // Stored after the goal but earlier in time, so compaction reorders the rows.
    let pageview = event(
        EventKind::Pageview,
        "2026-03-03T09:01:00Z",
        "v1",
        "s1",
        "/",
        &c,
    );
    let mut index = index_of(&[signup, pageview], &[]);
    index.compact();
    let map = json_of(index.realtime_map(website(), at("2026-03-03T09:06:00Z")));
    let recent = map["data"]["recentEvents"].as_array().unwrap();
    let by_type = |kind: &str| {
        recent
            .iter()
            .find(|e| e["type"] == json!(kind))
            .unwrap()
            .clone()
    };
    assert_eq!(
        by_type("custom")["extraData"],
        json!({"plan": "pro", "seats": "3"})
    );
    assert_eq!(by_type("pageview")["extraData"], json!({}));
}

#[test]
fn stored_parser_names_read_as_datafast_names() {
    let mut iphone = context("Google", "US", "Safari", "mobile");
    iphone.os = "iPhone".into();
    let mut windows = context("Google", "US", "Chrome", "desktop");
    windows.os = "Windows 10".into();
    let events = vec![
        event(
            EventKind::Pageview,
            "2026-03-03T09:01:00Z",
            "v1",
            "s1",
            "/",
            &iphone,
        ),
        event(
            EventKind::Pageview,
            "2026-03-03T09:02:00Z",
            "v2",
            "s2",
            "/",
            &windows,
        ),
    ];
    let index = index_of(&events, &[]);
    let names = |path: &str, field: &str, extra: &[(&str, &str)]| -> Vec<String> {
        let mut names: Vec<String> = breakdown(&index, path, extra)["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[field].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names("operating-systems", "operating_system", &[]),
        ["Windows", "iOS"]
    );
    assert_eq!(
        names("browsers", "browser", &[]),
        ["Chrome", "Mobile Safari"]
    );
    assert_eq!(
        names("browsers", "browser", &[("filter_os", "is:iOS")]),
        ["Mobile Safari"]
    );
}

#[test]
fn a_visitor_shows_browser_and_system_versions() {
    let mut c = context("Google", "US", "Chrome", "desktop");
    c.browser_version = Some("131.0.0.0".into());
    c.os = "Windows 10".into();
    c.os_version = Some("NT 10.0".into());
    let events = [event(
        EventKind::Pageview,
        "2026-03-03T09:01:00Z",
        "v1",
        "s1",
        "/",
        &c,
    )];
    let index = index_of(&events, &[]);
    let detail = json_of(
        index
            .visitor(website(), "v1", at("2026-03-03T10:00:00Z"))
            .unwrap(),
    );
    let identity = &detail["data"]["identity"];
    assert_eq!(
        identity["browser"],
        json!({"name": "Chrome", "version": "131.0.0.0"})
    );
    assert_eq!(identity["os"], json!({"name": "Windows", "version": "10"}));
}

fn visitors(index: &AnalyticsIndex, raw: &[(&str, &str)]) -> Value {
    let request = parse_visitors(&pairs(raw), &request_context("UTC")).unwrap();
    json_of(index.visitors(website(), &request))
}

fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["visitorId"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_visitors_list_filters_and_pages() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let all = visitors(&index, &[]);
    assert_eq!(ids(&all), ["v3", "v2", "v1"]);
    assert_eq!(
        all["pagination"],
        json!({"offset": 0, "limit": 100, "hasMore": false})
    );
    assert_eq!(
        all["data"][1],
        json!({
            "visitorId": "v2", "lastSeenAt": "2026-03-03T09:10:00.000Z", "currentUrl": "example.com/docs/a",
            "identity": {"country": "FR", "region": "FR-R", "city": "FR City", "browser": "Mobile Safari", "os": "Mac OS", "device": "mobile"},
            "acquisition": {"referrer": null, "params": {"ref": null, "source": null, "via": null, "utm_source": null,
                "utm_medium": null, "utm_campaign": null, "utm_content": null, "utm_term": null}},
            "isCustomer": false
        })
    );
    let page = visitors(&index, &[("limit", "2")]);
    assert_eq!(ids(&page), ["v3", "v2"]);
    assert_eq!(page["pagination"]["hasMore"], json!(true));
    assert_eq!(
        ids(&visitors(&index, &[("visitedPage", "/pricing")])),
        ["v2", "v1"]
    );
    assert_eq!(
        ids(&visitors(&index, &[("pageContains", "DOCS")])),
        ["v3", "v2"]
    );
    let goal = visitors(&index, &[("completedGoal", "signup")]);
    assert_eq!(ids(&goal), ["v1"]);
    assert_eq!(
        goal["data"][0]["lastSeenAt"],
        json!("2026-03-02T10:06:00.000Z")
    );
    assert_eq!(
        goal["data"][0]["acquisition"]["params"]["utm_source"],
        json!("newsletter")
    );
    assert_eq!(ids(&visitors(&index, &[("isCustomer", "true")])), ["v1"]);
    assert_eq!(
        ids(&visitors(&index, &[("hasRevenue", "false")])),
        ["v3", "v2"]
    );
    assert_eq!(
        ids(&visitors(
            &index,
            &[("country", "US"), ("browser", "Firefox")]
        )),
        ["v3"]
    );
    assert_eq!(
        ids(&visitors(
            &index,
            &[("startAt", "2026-03-02"), ("endAt", "2026-03-02")]
        )),
        ["v2", "v1"]
    );
}

#[test]
fn one_visitor_with_goals_and_profile() {
    let (mut events, payments) = fixture();
    let c = context("Google", "US", "Chrome", "desktop");
    let mut server_goal = goal("2026-03-02T10:30:00Z", "v1", "s1", "demo_booked", &c);
    server_goal.origin = EventOrigin::Server;
    server_goal.description = Some("Booked a demo".into());
    events.push(server_goal);
    let mut paid = goal("2026-03-02T11:00:00Z", "v1", "s1", "payment", &c);
    paid.kind = EventKind::Payment;
    events.push(paid);
    events.push(goal("2026-03-02T11:00:00Z", "ghost", "g1", "signup", &c));
    let mut index = index_of(&events, &payments);
    index.apply_profile(&VisitorProfile {
        profile_id: "pr1".into(),
        website_id: website(),
        visitor_id: "v1".into(),
        user_id: "user-1".into(),
        metadata: BTreeMap::from([("name".to_owned(), "Jane".to_owned())]),
        identified_at: at("2026-03-02T10:07:00Z"),
    });
    let now = at("2026-03-02T12:00:00Z");
    let before = json_of(index.visitor(website(), "v1", now).unwrap());
    // Reordering by time keeps descriptions with their events.
    index.compact();
    assert_eq!(
        json_of(index.visitor(website(), "v1", now).unwrap()),
        before
    );
    let detail = json_of(index.visitor(website(), "v1", now).unwrap())["data"].clone();
    assert_eq!(detail["identity"]["countryCode"], json!("US"));
    assert_eq!(
        detail["identity"]["browser"],
        json!({"name": "Chrome", "version": null})
    );
    assert_eq!(
        detail["identity"]["params"]["utm_source"],
        json!("newsletter")
    );
    let activity = &detail["activity"];
    assert_eq!(activity["visitCount"], json!(1));
    assert_eq!(activity["pageViewCount"], json!(2));
    assert_eq!(activity["timeSinceFirstVisit"], json!(7_200_000));
    assert_eq!(activity["firstVisitAt"], json!("2026-03-02T10:00:00.000Z"));
    assert_eq!(activity["currentUrl"], json!("example.com/pricing"));
    assert_eq!(
        activity["visitedPages"],
        json!([{"url": "example.com/", "timestamp": "2026-03-02T10:00:00.000Z"},
               {"url": "example.com/pricing", "timestamp": "2026-03-02T10:05:00.000Z"}])
    );
    assert_eq!(
        activity["completedCustomGoals"][1],
        json!({"name": "demo_booked", "description": "Booked a demo", "isServer": true, "timestamp": "2026-03-02T10:30:00.000Z"})
    );
    let timeline: Vec<(&Value, &Value)> = activity["completedGoals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (&g["name"], &g["origin"]))
        .collect();
    assert_eq!(
        timeline,
        [
            (&json!("signup"), &json!("manual")),
            (&json!("demo_booked"), &json!("manual")),
            (&json!("payment"), &json!("payment_provider"))
        ]
    );
    assert_eq!(detail["profile"]["userId"], json!("user-1"));
    assert_eq!(detail["prediction"], Value::Null);
    let v3 = json_of(index.visitor(website(), "v3", now).unwrap());
    assert!(v3["data"].get("profile").is_none());
    assert!(index.visitor(website(), "nobody", now).is_none());
    // Goal events only, no pageview: not found.
    assert!(index.visitor(website(), "ghost", now).is_none());
}

fn refused(result: Result<impl std::fmt::Debug, datafast_domain::ValidationError>, field: &str) {
    match result {
        Ok(value) => panic!("accepted: {value:?}"),
        Err(error) => assert_eq!(error.field, field, "{error}"),
    }
}

#[test]
fn bad_input_is_refused_naming_the_parameter() {
    let c = request_context("UTC");
    let overview = |raw: &[(&str, &str)]| parse_overview(&pairs(raw), &c);
    refused(overview(&[("fields", "visitors,clicks")]), "fields");
    refused(overview(&[("fields", "")]), "fields");
    refused(overview(&[("startAt", "2026-03-01")]), "endAt");
    refused(overview(&[("endAt", "2026-03-01")]), "startAt");
    refused(
        overview(&[("startAt", "2026-03-05"), ("endAt", "2026-03-01")]),
        "endAt",
    );
    refused(
        overview(&[("startAt", "2026-13-01"), ("endAt", "2026-03-01")]),
        "startAt",
    );
    refused(
        overview(&[("startAt", "yesterday"), ("endAt", "2026-03-01")]),
        "startAt",
    );
    refused(overview(&[("timezone", "Mars/Olympus")]), "timezone");
    refused(overview(&[("filter_planet", "mars")]), "filter_planet");
    refused(
        overview(&[("filter_country", "contains:U")]),
        "filter_country",
    );
    refused(overview(&[("filter_country", "is:")]), "filter_country");
    refused(
        overview(&[("includeRenewalRevenue", "maybe")]),
        "includeRenewalRevenue",
    );
    assert!(overview(&[("websiteId", "x"), ("cachebust", "1")]).is_ok());
    let pages = |raw: &[(&str, &str)]| parse_breakdown(Breakdown::Pages, &pairs(raw), &c);
    refused(pages(&[("limit", "0")]), "limit");
    refused(pages(&[("limit", "1001")]), "limit");
    refused(pages(&[("limit", "99999999999999999999999")]), "limit");
    refused(pages(&[("limit", "ten")]), "limit");
    refused(pages(&[("offset", "-1")]), "offset");
    refused(pages(&[("fields", "referrer")]), "fields");
    assert_eq!(pages(&[("limit", "1000")]).unwrap().limit, 1000);
    refused(
        parse_breakdown(Breakdown::Campaigns, &pairs(&[("fields", "visitors")]), &c),
        "fields",
    );
    let series = |raw: &[(&str, &str)]| parse_timeseries(&pairs(raw), &c);
    refused(series(&[("interval", "day")]), "fields");
    refused(series(&[("fields", "visitors")]), "interval");
    refused(
        series(&[("fields", "visitors"), ("interval", "year")]),
        "interval",
    );
    refused(
        series(&[("fields", "bounce_rate"), ("interval", "day")]),
        "fields",
    );
    refused(
        series(&[
            ("fields", "visitors"),
            ("interval", "hour"),
            ("startAt", "1990-01-01"),
            ("endAt", "2026-01-01"),
        ]),
        "startAt",
    );
    let list = |raw: &[(&str, &str)]| parse_visitors(&pairs(raw), &c);
    refused(list(&[("limit", "251")]), "limit");
    assert_eq!(list(&[("limit", "250")]).unwrap().limit, 250);
    refused(
        list(&[("isCustomer", "true"), ("completedGoal", "signup")]),
        "isCustomer",
    );
    refused(list(&[("isCustomer", "yes")]), "isCustomer");
}

#[test]
fn dates_are_days_in_the_request_zone() {
    let c = request_context("America/New_York");
    let range = |raw: &[(&str, &str)]| {
        parse_overview(&pairs(raw), &c)
            .unwrap()
            .scope
            .range
            .unwrap()
    };
    let day = range(&[("startAt", "2026-03-08"), ("endAt", "2026-03-08")]);
    assert_eq!(day.start_ms, at("2026-03-08T05:00:00Z").as_millisecond());
    assert_eq!(day.end_ms, at("2026-03-09T04:00:00Z").as_millisecond() - 1);
    let utc = range(&[
        ("startAt", "2026-03-08"),
        ("endAt", "2026-03-08"),
        ("timezone", "UTC"),
    ]);
    assert_eq!(utc.start_ms, at("2026-03-08T00:00:00Z").as_millisecond());
    let instants = range(&[
        ("startAt", "2026-03-08T10:00:00Z"),
        ("endAt", "2026-03-08T11:00:00Z"),
    ]);
    assert_eq!(instants.end_ms - instants.start_ms, 3_600_000);
    // A wall-clock time without offset is in the request's zone.
    let wall = range(&[
        ("startAt", "2026-03-08T09:00:00"),
        ("endAt", "2026-03-08T10:00:00"),
    ]);
    assert_eq!(wall.start_ms, at("2026-03-08T13:00:00Z").as_millisecond());
    // Full UTC days are read as dates in the request's zone.
    let full = range(&[
        ("startAt", "2026-03-08T00:00:00.000Z"),
        ("endAt", "2026-03-08T23:59:59.999Z"),
    ]);
    assert_eq!(full, day);
}

#[test]
fn revenue_goes_to_the_first_touch_not_the_latest_visit() {
    let x = context("X", "DE", "Chrome", "desktop");
    let google = context("Google", "FR", "Firefox", "mobile");
    let events = vec![
        // Arrives second but happened first: the first touch is by time, not arrival.
        event(
            EventKind::Pageview,
            "2026-03-03T09:00:00Z",
            "w",
            "w2",
            "/pricing",
            &google,
        ),
        event(
            EventKind::Pageview,
            "2026-03-02T09:00:00Z",
            "w",
            "w1",
            "/blog",
            &x,
        ),
    ];
    let payments = vec![payment(
        "pw",
        Some("w"),
        10_000,
        "2026-03-03T09:05:00Z",
        false,
        false,
    )];
    let index = index_of(&events, &payments);
    let referrers = breakdown(
        &index,
        "referrers",
        &[("fields", "referrer,revenue,payments")],
    );
    assert_eq!(
        referrers["data"],
        json!([{"referrer": "Google", "revenue": 0.0, "payments": 0}, {"referrer": "X", "revenue": 100.0, "payments": 1}])
    );
    let pages = breakdown(&index, "pages", &[("fields", "path,revenue")]);
    assert_eq!(
        pages["data"],
        json!([{"path": "/blog", "revenue": 100.0}, {"path": "/pricing", "revenue": 0.0}])
    );
    let countries = breakdown(&index, "countries", &[("fields", "country,revenue")]);
    // Equal visitors: by country code, DE before FR.
    assert_eq!(
        countries["data"],
        json!([{"country": "Germany", "revenue": 100.0}, {"country": "France", "revenue": 0.0}])
    );
    // Filtered to the later visit, the payment still counts (its visitor is selected) and
    // still belongs to the first touch, which no selected event shows: no row carries it.
    let only_google = breakdown(&index, "referrers", &[("filter_referrer", "Google")]);
    assert_eq!(
        only_google["data"],
        json!([{"referrer": "Google", "visitors": 1, "revenue": 0.0, "payments": 0}])
    );
    let overview = overview(&index, &[("filter_referrer", "Google")]);
    assert_eq!(overview["revenue"], json!(100.0));
}
