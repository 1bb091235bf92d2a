//! The JSON shapes of the analytics answers, from typed results: the fields asked for and no
//! others, DataFast's names and spellings, labels and timestamps in the request's zone.

use std::collections::BTreeMap;

use datafast_analytics::{
    Acquisition, Breakdown, BreakdownKey, BreakdownPage, BreakdownRow, Bucket, BucketMetrics,
    CampaignParams, CompletedGoal, FunnelResult, FunnelStepResult, Interval, ListIdentity,
    MapEvent, MapPayment, MapVisitor, Overview, Pagination, RealtimeMap, RevenueBreakdown,
    Timeseries, Versioned, VisitedPage, VisitorActivity, VisitorDetail, VisitorIdentity,
    VisitorListRow, VisitorsList, VisitorsPagination,
};
use datafast_domain::event::EventKind;
use datafast_domain::funnel::{Funnel, FunnelName, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::wire::analytics_answer::{funnel_body, overview_body, realtime_body};
use crate::wire::breakdown_answer::breakdown_body;
use crate::wire::realtime_map_answer::realtime_map_body;
use crate::wire::timeseries_answer::timeseries_body;
use crate::wire::visitor_answer::{VisitorsBody, visitor_body};

fn json_of(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

fn ms(instant: &str) -> i64 {
    instant.parse::<Timestamp>().unwrap().as_millisecond()
}

fn usd() -> Currency {
    Currency::parse("USD").unwrap()
}

fn no_params() -> CampaignParams {
    CampaignParams {
        ref_param: None,
        source: None,
        via: None,
        utm_source: None,
        utm_medium: None,
        utm_campaign: None,
        utm_content: None,
        utm_term: None,
    }
}

#[test]
fn the_overview_shows_the_fields_asked_for() {
    let overview = Overview {
        visitors: 3,
        sessions: 4,
        bounce_rate: 50.0,
        avg_session_duration: 240000.0,
        currency: usd(),
        revenue: 54.0,
        payments: 2,
        revenue_per_visitor: 18.0,
        conversion_rate: 33.33,
    };
    let every = crate::wire::analytics_query::OVERVIEW_FIELDS;
    assert_eq!(
        json_of(overview_body(&overview, every, Some(99.5))),
        json!({"data": [{
            "visitors": 3, "sessions": 4, "bounce_rate": 50.0,
            "avg_session_duration": 240000.0, "currency": "$", "revenue": 54.0,
            "payments": 2, "revenue_per_visitor": 18.0, "conversion_rate": 33.33
        }]})
    );
    assert_eq!(
        serde_json::to_string(&overview_body(&overview, &["visitors", "sessions"], None)).unwrap(),
        r#"{"data":[{"visitors":3,"sessions":4}]}"#
    );
    // MRR only where it is asked for, and then as computed.
    assert_eq!(
        json_of(overview_body(&overview, &["revenue", "mrr"], Some(1_239.0))),
        json!({"data": [{"revenue": 54.0, "mrr": 1239.0}]})
    );
    assert_eq!(
        json_of(realtime_body(&datafast_analytics::Realtime { visitors: 1 })),
        json!({"data": [{"visitors": 1}]})
    );
}

fn metrics(visitors: u64, revenue: f64) -> BucketMetrics {
    BucketMetrics {
        visitors,
        sessions: visitors + 1,
        revenue,
        revenue_breakdown: RevenueBreakdown {
            new: revenue,
            renewal: 10.0,
            refund: 20.0,
        },
        payments: 2,
        conversion_rate: 24.5,
    }
}

fn series(zone: &str, interval: Interval, starts: &[&str]) -> Timeseries {
    Timeseries {
        interval,
        timezone: TimeZoneName::parse(zone).unwrap(),
        currency: usd(),
        totals: metrics(3, 54.0),
        buckets: starts
            .iter()
            .map(|start| Bucket {
                start_ms: ms(start),
                metrics: metrics(1, 49.0),
            })
            .collect(),
        pagination: Pagination {
            limit: 100,
            offset: 0,
            total: starts.len(),
        },
    }
}

#[test]
fn timeseries_buckets_are_named_and_stamped_in_the_request_zone() {
    // 03:00 EDT, the first hour after the spring-forward gap.
    let spring = series(
        "America/New_York",
        Interval::Hour,
        &["2026-03-08T07:00:00Z"],
    );
    assert_eq!(
        json_of(timeseries_body(&spring, &["visitors"])),
        json!({
            "fields": ["visitors"], "interval": "hour", "timezone": "America/New_York",
            "currency": null, "totals": {"visitors": 3},
            "data": [{"name": "08 Mar 03:00", "visitors": 1, "timestamp": "2026-03-08T03:00:00-04:00"}],
            "pagination": {"limit": 100, "offset": 0, "total": 1}
        })
    );
    let days = series("UTC", Interval::Day, &["2026-03-02T00:00:00Z"]);
    let money = json_of(timeseries_body(&days, &["revenue", "visitors"]));
    assert_eq!(money["fields"], json!(["revenue", "visitors"]));
    assert_eq!(money["currency"], json!("$"));
    assert_eq!(
        money["data"][0],
        json!({"name": "02 Mar", "visitors": 1, "revenue": 49.0,
               "revenueBreakdown": {"new": 49.0, "renewal": 10.0, "refund": 20.0},
               "payments": 2, "timestamp": "2026-03-02T00:00:00Z"})
    );
    let rates = json_of(timeseries_body(&days, &["conversion_rate"]));
    assert_eq!(rates["totals"], json!({"conversion_rate": 24.5}));
    let months = series("UTC", Interval::Month, &["2026-01-01T00:00:00Z"]);
    let months = json_of(timeseries_body(&months, &["payments"]));
    assert_eq!(months["interval"], json!("month"));
    assert_eq!(months["currency"], json!("$"));
    assert_eq!(months["data"][0]["name"], json!("Jan 2026"));
    assert_eq!(months["data"][0]["payments"], json!(2));
}

fn row(key: BreakdownKey, visitors: u64, completions: u64, revenue: f64) -> BreakdownRow {
    BreakdownRow {
        key,
        visitors,
        completions,
        revenue,
        payments: u64::from(revenue > 0.0),
        pageviews: 0,
    }
}

fn page(breakdown: Breakdown, rows: Vec<BreakdownRow>) -> BreakdownPage {
    BreakdownPage {
        breakdown,
        pagination: Pagination {
            limit: 1,
            offset: 1,
            total: 4,
        },
        rows,
    }
}

fn pricing_key() -> BreakdownKey {
    BreakdownKey::Page {
        host: "example.com".into(),
        path: "/pricing".into(),
    }
}

#[test]
fn breakdown_rows_show_their_key_under_the_endpoint_name() {
    let label = |text: &str| BreakdownKey::Label(text.to_owned());
    let countries = page(Breakdown::Countries, vec![row(label("US"), 2, 3, 49.0)]);
    let fields = ["country", "image", "visitors", "revenue", "payments"];
    assert_eq!(
        json_of(breakdown_body(countries, &fields)),
        json!({
            "data": [{"country": "United States",
                      "image": "https://purecatamphetamine.github.io/country-flag-icons/3x2/US.svg",
                      "visitors": 2, "revenue": 49.0, "payments": 1}],
            "pagination": {"limit": 1, "offset": 1, "total": 4}
        })
    );
    let goals = page(Breakdown::Goals, vec![row(label("signup"), 1, 1, 0.0)]);
    assert_eq!(
        json_of(breakdown_body(goals, &["goal", "completions", "visitors"]))["data"],
        json!([{"goal": "signup", "completions": 1, "visitors": 1}])
    );
    let mut tags: [Option<String>; 8] = Default::default();
    tags[0] = Some("newsletter".into());
    tags[5] = Some(String::new());
    let campaigns = page(
        Breakdown::Campaigns,
        vec![row(BreakdownKey::Campaign(tags), 1, 1, 49.0)],
    );
    assert_eq!(
        json_of(breakdown_body(
            campaigns,
            &["utm_source", "ref", "visitors"]
        ))["data"],
        json!([{"campaign": {"utm_source": "newsletter", "ref": ""}, "visitors": 1}])
    );
    let pricing = BreakdownKey::Page {
        host: "example.com".into(),
        path: "/pricing".into(),
    };
    let pages = page(Breakdown::Pages, vec![row(pricing, 2, 2, 0.0)]);
    assert_eq!(
        json_of(breakdown_body(pages, &["path"]))["data"],
        json!([{"path": "/pricing"}])
    );
    let entries = page(Breakdown::EntryPages, vec![row(pricing_key(), 2, 3, 49.0)]);
    let every = [
        "hostname", "path", "visitors", "entries", "revenue", "payments",
    ];
    assert_eq!(
        json_of(breakdown_body(entries, &every))["data"],
        json!([{"hostname": "example.com", "path": "/pricing", "visitors": 2, "entries": 3,
                "revenue": 49.0, "payments": 1}])
    );
    let exits = page(
        Breakdown::ExitPages,
        vec![BreakdownRow {
            pageviews: 3,
            ..row(pricing_key(), 2, 2, 0.0)
        }],
    );
    let every = ["hostname", "path", "visitors", "exits", "exitRate"];
    assert_eq!(
        json_of(breakdown_body(exits, &every))["data"],
        json!([{"hostname": "example.com", "path": "/pricing", "visitors": 2, "exits": 2,
                "exitRate": 66.67}])
    );
    let systems = page(
        Breakdown::OperatingSystems,
        vec![row(label("Mac OS"), 3, 4, 0.0)],
    );
    assert_eq!(
        json_of(breakdown_body(systems, &["operating_system", "revenue"]))["data"],
        json!([{"operating_system": "Mac OS", "revenue": 0.0}])
    );
}

#[test]
fn funnel_results_sit_beside_the_step_definitions() {
    let funnel = Funnel {
        id: FunnelId::from_parts(1, [1; 8]),
        website_id: WebsiteId::parse("0123456789abcdef01234567").unwrap(),
        name: FunnelName::parse("Signup").expect("a valid funnel name"),
        slug: "signup".into(),
        steps: vec![
            FunnelStep {
                id: "home".into(),
                name: "Home".into(),
                kind: StepKind::Pageview { url: "/".into() },
            },
            FunnelStep {
                id: "signup".into(),
                name: "Signup".into(),
                kind: StepKind::Goal {
                    goal_name: GoalName::parse("signup").unwrap(),
                },
            },
        ],
        is_active: true,
        created_at: Timestamp::UNIX_EPOCH,
        updated_at: Timestamp::UNIX_EPOCH,
    };
    let result = FunnelResult {
        steps: vec![
            FunnelStepResult {
                visitors: 3,
                conversion_rate: 100.0,
                dropoff: 0,
                revenue: 49.0,
            },
            FunnelStepResult {
                visitors: 1,
                conversion_rate: 33.33,
                dropoff: 2,
                revenue: 49.0,
            },
        ],
        conversion_rate: 33.33,
    };
    let home = json!({"id": "home", "name": "Home", "type": "pageview", "url": "/"});
    let signup = json!({"id": "signup", "name": "Signup", "type": "goal", "goalName": "signup"});
    assert_eq!(
        json_of(funnel_body(&funnel, &result)),
        json!({"data": [{
            "funnel": {"_id": funnel.id.to_string(), "name": "Signup", "steps": [home, signup]},
            "steps": [
                {"id": "home", "name": "Home", "type": "pageview", "url": "/",
                 "visitors": 3, "conversionRate": 100.0, "dropoff": 0, "revenue": 49.0},
                {"id": "signup", "name": "Signup", "type": "goal", "goalName": "signup",
                 "visitors": 1, "conversionRate": 33.33, "dropoff": 2, "revenue": 49.0}
            ],
            "conversionRate": 33.33
        }]})
    );
}

#[test]
fn the_visitors_list_is_camel_case_with_every_parameter() {
    let list = VisitorsList {
        rows: vec![VisitorListRow {
            visitor_id: "v2".into(),
            last_seen_ms: ms("2026-03-03T09:10:00Z"),
            current_url: Some("example.com/docs/a".into()),
            identity: ListIdentity {
                country: Some("FR".into()),
                region: Some("FR-R".into()),
                city: Some("FR City".into()),
                browser: "Mobile Safari".into(),
                os: "Mac OS".into(),
                device: "mobile".into(),
            },
            acquisition: Acquisition {
                referrer: None,
                params: no_params(),
            },
            is_customer: false,
        }],
        pagination: VisitorsPagination {
            offset: 0,
            limit: 100,
            has_more: true,
        },
    };
    assert_eq!(
        json_of(VisitorsBody::from(list)),
        json!({
            "data": [{
                "visitorId": "v2", "lastSeenAt": "2026-03-03T09:10:00.000Z", "currentUrl": "example.com/docs/a",
                "identity": {"country": "FR", "region": "FR-R", "city": "FR City", "browser": "Mobile Safari", "os": "Mac OS", "device": "mobile"},
                "acquisition": {"referrer": null, "params": {"ref": null, "source": null, "via": null, "utm_source": null,
                    "utm_medium": null, "utm_campaign": null, "utm_content": null, "utm_term": null}},
                "isCustomer": false
            }],
            "pagination": {"offset": 0, "limit": 100, "hasMore": true}
        })
    );
}

fn goal(name: &str, kind: EventKind, at: &str) -> CompletedGoal {
    CompletedGoal {
        name: name.into(),
        description: None,
        is_server: false,
        kind,
        at_ms: ms(at),
    }
}

#[test]
fn one_visitor_shows_goal_origins_only_in_the_timeline() {
    let versioned = |name: &str| Versioned {
        name: name.into(),
        version: None,
    };
    let detail = VisitorDetail {
        visitor_id: "v1".into(),
        identity: VisitorIdentity {
            country: Some("US".into()),
            region: None,
            city: None,
            params: no_params(),
            browser: versioned("Chrome"),
            os: versioned("Windows"),
            device: "desktop".into(),
        },
        activity: VisitorActivity {
            visit_count: 1,
            page_view_count: 1,
            time_since_first_visit_ms: 7_200_000,
            time_since_current_visit_ms: 60_000,
            first_visit_ms: ms("2026-03-02T10:00:00Z"),
            current_visit_ms: ms("2026-03-02T11:59:00Z"),
            current_url: "example.com/".into(),
            visited_pages: vec![VisitedPage {
                url: "example.com/".into(),
                at_ms: ms("2026-03-02T10:00:00Z"),
            }],
            completed_custom_goals: vec![goal("signup", EventKind::Custom, "2026-03-02T10:06:00Z")],
            completed_goals: vec![
                goal("signup", EventKind::Custom, "2026-03-02T10:06:00Z"),
                goal("payment", EventKind::Payment, "2026-03-02T11:00:00Z"),
            ],
        },
        profile: None,
    };
    let body = json_of(visitor_body(detail))["data"].clone();
    assert_eq!(body["identity"]["countryCode"], json!("US"));
    assert_eq!(body["identity"]["country"], json!("US"));
    assert_eq!(
        body["identity"]["device"],
        json!({"type": "desktop", "vendor": null, "model": null})
    );
    assert_eq!(body["identity"]["viewport"], Value::Null);
    assert_eq!(body["identity"]["adClickIds"], json!({}));
    let activity = &body["activity"];
    assert_eq!(activity["lastVisitAt"], json!("2026-03-02T11:59:00.000Z"));
    assert_eq!(activity["currentUrl"], json!("example.com/"));
    assert_eq!(
        activity["completedCustomGoals"],
        json!([{"name": "signup", "description": null, "isServer": false, "timestamp": "2026-03-02T10:06:00.000Z"}])
    );
    let origins: Vec<&Value> = activity["completedGoals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| &g["origin"])
        .collect();
    assert_eq!(origins, [&json!("manual"), &json!("payment_provider")]);
    assert!(body.get("profile").is_none());
    assert_eq!(body["prediction"], Value::Null);
}

#[test]
fn the_realtime_map_fills_what_the_server_does_not_keep() {
    let map = RealtimeMap {
        visitors: vec![MapVisitor {
            visitor_id: "v2".into(),
            city: None,
            region: None,
            country_code: Some("FR".into()),
            browser: "Mobile Safari".into(),
            os: "iOS".into(),
            device: "mobile".into(),
            current_url: Some("/docs/a".into()),
            referrer: None,
            session_start_ms: ms("2026-03-03T09:00:00Z"),
            visit_count: 2,
            params: no_params(),
            is_customer: false,
            customer_name: None,
            customer_email: None,
            display_name: None,
            user_id: None,
            has_profile: false,
        }],
        recent_events: vec![MapEvent {
            seq: 5,
            kind: EventKind::Custom,
            visitor_id: "v2".into(),
            at_ms: ms("2026-03-03T09:10:00Z"),
            path: "/docs/a".into(),
            country_code: Some("FR".into()),
            extra_data: BTreeMap::from([("plan".to_owned(), "pro".to_owned())]),
            referrer: None,
            display_name: Some("Jane".into()),
        }],
        recent_payments: vec![MapPayment {
            transaction_id: "p1".into(),
            at_ms: ms("2026-03-03T09:07:00Z"),
            name: Some("Jane".into()),
            email: None,
            amount: 12.34,
            currency: usd(),
            renewal: true,
            display_name: None,
        }],
    };
    let body = json_of(realtime_map_body(map))["data"].clone();
    assert_eq!(body["count"], json!(1));
    assert_eq!(body["hasConversionPredictions"], json!(false));
    let visitor = &body["visitors"][0];
    assert_eq!(
        (&visitor["latitude"], &visitor["longitude"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(
        visitor["sessionStartTime"],
        json!("2026-03-03T09:00:00.000Z")
    );
    assert_eq!(visitor["location"]["countryCode"], json!("FR"));
    assert_eq!(visitor["system"]["device"], json!({"type": "mobile"}));
    assert_eq!(
        visitor["profileData"],
        json!({"displayName": null, "userId": null, "hasProfile": false, "isRandomName": true})
    );
    assert_eq!(
        body["recentEvents"][0],
        json!({"_id": "5", "type": "custom", "visitorId": "v2", "timestamp": "2026-03-03T09:10:00.000Z",
               "path": "/docs/a", "countryCode": "FR", "extraData": {"plan": "pro"}, "referrer": null,
               "customerName": null, "amount": null, "displayName": "Jane"})
    );
    assert_eq!(
        body["recentPayments"][0],
        json!({"_id": "p1", "type": "payment_received", "timestamp": "2026-03-03T09:07:00.000Z",
               "name": "Jane", "email": null, "amount": 12.34, "currency": "USD", "renewal": true,
               "displayName": null, "isNew": false, "visible": true})
    );
}
