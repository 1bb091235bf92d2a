//! Hand-computed expectations on small fixed event sets, one test per endpoint and rule, on
//! typed requests and results.

use std::collections::BTreeMap;

use datafast_domain::event::{DeviceKind, Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelName, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::payment::Payment;
use datafast_domain::profile::VisitorProfile;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::Timestamp;

use crate::filter::{Dimension, Filter, Operator};
use crate::*;

pub(crate) fn website() -> WebsiteId {
    WebsiteId::parse("0123456789abcdef01234567").unwrap()
}

pub(crate) fn at(instant: &str) -> Timestamp {
    instant.parse().unwrap()
}

pub(crate) fn context(
    source: &str,
    country: &str,
    browser: &str,
    device: DeviceKind,
) -> VisitContext {
    VisitContext {
        referrer: match source {
            "Google" => Some("google.com".into()),
            "X" => Some("x.com".into()),
            _ => None,
        },
        source: source.into(),
        browser: browser.into(),
        os: "Mac OS".into(),
        device,
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
        goal_name: Some(GoalName::parse(name).expect("a valid goal name")),
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
    let mut google = context("Google", "US", "Chrome", DeviceKind::Desktop);
    google.utm_source = Some("newsletter".into());
    let direct = context("Direct/None", "FR", "Mobile Safari", DeviceKind::Mobile);
    let x = context("X", "US", "Firefox", DeviceKind::Desktop);
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

pub(crate) fn ms(instant: &str) -> i64 {
    at(instant).as_millisecond()
}

pub(crate) fn date(text: &str) -> Bound {
    Bound::Date(text.parse().unwrap())
}

/// The website's defaults in `zone`, over the whole days `days` when given.
pub(crate) fn scope(zone: &str, days: Option<(&str, &str)>) -> Scope {
    let mut scope = Scope::of_website(&request_context(zone));
    scope.range = days
        .map(|(start, end)| resolve_range(date(start), date(end), &scope.timezone.zone()).unwrap());
    scope
}

pub(crate) fn filter(dimension: Dimension, operator: Operator, values: &[&str]) -> Filter {
    Filter {
        dimension,
        operator,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn is(dimension: Dimension, values: &[&str]) -> Filter {
    filter(dimension, Operator::Is, values)
}

const MARCH: (&str, &str) = ("2026-03-01", "2026-03-05");

fn march(filters: Vec<Filter>) -> Scope {
    Scope {
        filters,
        ..scope("UTC", Some(MARCH))
    }
}

fn overview(index: &AnalyticsIndex, filters: Vec<Filter>) -> Overview {
    index.overview(
        website(),
        &OverviewRequest {
            scope: march(filters),
        },
    )
}

#[test]
fn overview_follows_the_metric_definitions() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    assert_eq!(
        overview(&index, vec![]),
        Overview {
            visitors: 3,
            sessions: 4,
            bounce_rate: 50.0,
            avg_session_duration: 240000.0,
            currency: Currency::parse("USD").unwrap(),
            revenue: 54.0,
            payments: 2,
            revenue_per_visitor: 18.0,
            conversion_rate: 33.33,
        }
    );
    let mut renewals = march(vec![]);
    renewals.include_renewal_revenue = true;
    let renewals = index.overview(website(), &OverviewRequest { scope: renewals });
    assert_eq!((renewals.revenue, renewals.payments), (64.0, 3));
}

#[test]
fn filters_select_events_and_revenue_follows_the_selected_visitors() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let us = overview(&index, vec![is(Dimension::Country, &["US"])]);
    assert_eq!((us.visitors, us.sessions, us.bounce_rate), (2, 2, 50.0));
    assert_eq!(us.avg_session_duration, 180000.0);
    assert_eq!(us.revenue, 49.0);
    assert_eq!(us.conversion_rate, 50.0);
    let by_name = overview(&index, vec![is(Dimension::Country, &["United States"])]);
    assert_eq!(by_name.visitors, 2);
    let combined = overview(
        &index,
        vec![
            is(Dimension::Country, &["US"]),
            is(Dimension::Page, &["/pricing"]),
        ],
    );
    assert_eq!((combined.visitors, combined.sessions), (1, 1));
    let safari = overview(&index, vec![is(Dimension::Browser, &["Safari"])]);
    assert_eq!((safari.visitors, safari.revenue), (1, 0.0));
    let not_google = overview(
        &index,
        vec![filter(
            Dimension::Referrer,
            Operator::IsNot,
            &["google.com"],
        )],
    );
    assert_eq!(not_google.visitors, 2);
    let entry = overview(&index, vec![is(Dimension::EntryPage, &["/pricing"])]);
    assert_eq!((entry.visitors, entry.sessions), (1, 1));
    let docs = overview(
        &index,
        vec![filter(Dimension::Page, Operator::Contains, &["/docs"])],
    );
    assert_eq!(docs.visitors, 2);
    let no_docs = overview(
        &index,
        vec![filter(
            Dimension::Page,
            Operator::DoesNotContain,
            &["/docs"],
        )],
    );
    assert_eq!(no_docs.visitors, 2);
    let signup = overview(&index, vec![is(Dimension::Goal, &["signup"])]);
    assert_eq!((signup.visitors, signup.revenue), (1, 49.0));
    let campaign = overview(
        &index,
        vec![is(Dimension::UtmSource, &["newsletter", "other"])],
    );
    assert_eq!(campaign.visitors, 1);
}

#[test]
fn an_unknown_website_or_an_empty_range_is_all_zeros() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let empty = OverviewRequest {
        scope: scope("UTC", Some(("2020-01-01", "2020-01-02"))),
    };
    let row = index.overview(website(), &empty);
    assert_eq!((row.visitors, row.bounce_rate), (0, 0.0));
    let other = WebsiteId::parse("ffffffffffffffffffffffff").unwrap();
    let all_time = OverviewRequest {
        scope: scope("UTC", None),
    };
    assert_eq!(index.overview(other, &all_time).visitors, 0);
    assert_eq!(index.overview(website(), &all_time).visitors, 3);
}

fn timeseries_page(
    index: &AnalyticsIndex,
    scope: Scope,
    interval: Interval,
    (limit, offset): (usize, usize),
) -> Timeseries {
    let now = request_context("UTC").now;
    let request = TimeseriesRequest::new(scope, interval, limit, offset, now).unwrap();
    index.timeseries(website(), &request)
}

fn timeseries(
    index: &AnalyticsIndex,
    zone: &str,
    days: Option<(&str, &str)>,
    interval: Interval,
) -> Timeseries {
    timeseries_page(index, scope(zone, days), interval, (100, 0))
}

fn starts(series: &Timeseries) -> Vec<i64> {
    series.buckets.iter().map(|b| b.start_ms).collect()
}

fn bucket_visitors(series: &Timeseries) -> Vec<u64> {
    series.buckets.iter().map(|b| b.metrics.visitors).collect()
}

#[test]
fn timeseries_by_day_with_revenue() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let days = Some(("2026-03-01", "2026-03-04"));
    let series = timeseries(&index, "UTC", days, Interval::Day);
    assert_eq!(series.interval, Interval::Day);
    assert_eq!(series.currency.as_str(), "USD");
    assert_eq!(
        series.pagination,
        Pagination {
            limit: 100,
            offset: 0,
            total: 4
        }
    );
    assert_eq!(
        series.totals,
        BucketMetrics {
            visitors: 3,
            sessions: 4,
            revenue: 54.0,
            revenue_breakdown: RevenueBreakdown {
                new: 54.0,
                renewal: 10.0,
                refund: 20.0
            },
            payments: 2,
            conversion_rate: 18.0,
        }
    );
    assert_eq!(bucket_visitors(&series), [0, 2, 1, 1]);
    assert_eq!(series.buckets[1].start_ms, ms("2026-03-02T00:00:00Z"));
    assert_eq!(series.buckets[1].metrics.revenue, 49.0);
    assert_eq!(
        series.buckets[2].metrics.revenue_breakdown,
        RevenueBreakdown {
            new: 5.0,
            renewal: 10.0,
            refund: 20.0
        }
    );
    let paged = timeseries_page(&index, scope("UTC", days), Interval::Day, (2, 1));
    assert_eq!(paged.buckets.len(), 2);
    assert_eq!(paged.buckets[0].start_ms, ms("2026-03-02T00:00:00Z"));
    // Revenue-based, as the timeseries docs define it: 49 / 2 visitors.
    assert_eq!(paged.buckets[0].metrics.conversion_rate, 24.5);
    assert_eq!(paged.totals.conversion_rate, 18.0);
}

#[test]
fn same_day_ranges_become_hours_across_daylight_saving_changes() {
    let c = context("Direct/None", "US", "Chrome", DeviceKind::Desktop);
    let pv = EventKind::Pageview;
    let events = vec![
        // 03:30 EDT, the first hour after the spring-forward gap.
        event(pv, "2026-03-08T07:30:00Z", "a", "a1", "/", &c),
        // 23:30 EDT on the 8th, which is the 9th in UTC.
        event(pv, "2026-03-09T03:30:00Z", "b", "b1", "/", &c),
        // 01:30 EST on 1 November, the second 01:00 hour.
        event(pv, "2026-11-01T06:30:00Z", "c", "c1", "/", &c),
    ];
    let index = index_of(&events, &[]);
    let zone = "America/New_York";
    let spring = timeseries(
        &index,
        zone,
        Some(("2026-03-08", "2026-03-08")),
        Interval::Day,
    );
    assert_eq!(spring.interval, Interval::Hour);
    assert_eq!(spring.pagination.total, 23);
    // 00:00 EST, then 03:00 EDT two buckets later.
    assert_eq!(spring.buckets[0].start_ms, ms("2026-03-08T05:00:00Z"));
    assert_eq!(spring.buckets[2].start_ms, ms("2026-03-08T07:00:00Z"));
    assert_eq!(spring.buckets[2].metrics.visitors, 1);
    assert_eq!(spring.buckets[22].metrics.visitors, 1);
    assert_eq!(spring.totals.visitors, 2);
    let autumn = timeseries(
        &index,
        zone,
        Some(("2026-11-01", "2026-11-01")),
        Interval::Hour,
    );
    assert_eq!(autumn.pagination.total, 25);
    // 01:00 EDT, then 01:00 EST.
    assert_eq!(autumn.buckets[1].start_ms, ms("2026-11-01T05:00:00Z"));
    assert_eq!(autumn.buckets[2].start_ms, ms("2026-11-01T06:00:00Z"));
    assert_eq!(autumn.buckets[2].metrics.visitors, 1);
    assert_eq!(autumn.buckets[1].metrics.visitors, 0);
    let days = timeseries(
        &index,
        zone,
        Some(("2026-03-07", "2026-03-09")),
        Interval::Day,
    );
    assert_eq!(
        starts(&days),
        [
            ms("2026-03-07T05:00:00Z"),
            ms("2026-03-08T05:00:00Z"),
            ms("2026-03-09T04:00:00Z")
        ]
    );
    assert_eq!(days.buckets[1].metrics.visitors, 2);
    assert_eq!(days.buckets[2].metrics.visitors, 0);
}

#[test]
fn week_and_month_buckets() {
    let c = context("Direct/None", "US", "Chrome", DeviceKind::Desktop);
    let pv = EventKind::Pageview;
    let events = vec![
        event(pv, "2026-03-01T12:00:00Z", "a", "a1", "/", &c),
        event(pv, "2026-03-02T12:00:00Z", "b", "b1", "/", &c),
        event(pv, "2026-03-08T12:00:00Z", "b", "b2", "/", &c),
        event(pv, "2026-01-20T12:00:00Z", "a", "a0", "/", &c),
    ];
    let index = index_of(&events, &[]);
    let weeks = timeseries(
        &index,
        "UTC",
        Some(("2026-03-01", "2026-03-16")),
        Interval::Week,
    );
    assert_eq!(
        starts(&weeks),
        [
            ms("2026-02-23T00:00:00Z"),
            ms("2026-03-02T00:00:00Z"),
            ms("2026-03-09T00:00:00Z"),
            ms("2026-03-16T00:00:00Z")
        ]
    );
    // b's two sessions (Monday and Sunday) share one week: one visitor, two sessions.
    assert_eq!(weeks.buckets[1].metrics.visitors, 1);
    assert_eq!(weeks.buckets[1].metrics.sessions, 2);
    assert_eq!(weeks.buckets[0].metrics.visitors, 1);
    let months = timeseries(
        &index,
        "UTC",
        Some(("2026-01-15", "2026-03-02")),
        Interval::Month,
    );
    assert_eq!(
        starts(&months),
        [
            ms("2026-01-01T00:00:00Z"),
            ms("2026-02-01T00:00:00Z"),
            ms("2026-03-01T00:00:00Z")
        ]
    );
    assert_eq!(bucket_visitors(&months), [1, 0, 2]);
    assert_eq!(months.totals.visitors, 2);
}

#[test]
fn timeseries_defaults_to_the_interval_range() {
    let index = index_of(&[], &[]);
    let day = timeseries(&index, "UTC", None, Interval::Day);
    assert_eq!(day.pagination.total, 30);
    assert_eq!(day.buckets[29].start_ms, ms("2026-03-03T00:00:00Z"));
    let hour = timeseries(&index, "UTC", None, Interval::Hour);
    assert_eq!(hour.pagination.total, 24);
    assert_eq!(hour.buckets[23].start_ms, ms("2026-03-03T09:00:00Z"));
    let month = timeseries(&index, "UTC", None, Interval::Month);
    assert_eq!(month.pagination.total, 12);
    assert_eq!(month.buckets[0].start_ms, ms("2025-04-01T00:00:00Z"));
}

/// A breakdown over March 1 to 5 in UTC, grouping campaigns by every tag, 100 rows.
fn breakdown_request(breakdown: Breakdown, filters: Vec<Filter>) -> BreakdownRequest {
    BreakdownRequest {
        breakdown,
        scope: march(filters),
        campaign_tags: CampaignTag::ALL.to_vec(),
        limit: 100,
        offset: 0,
    }
}

fn breakdown(index: &AnalyticsIndex, breakdown: Breakdown, filters: Vec<Filter>) -> BreakdownPage {
    index.breakdown(website(), &breakdown_request(breakdown, filters))
}

/// Each row's key, visitors, revenue and payments.
fn sums(page: &BreakdownPage) -> Vec<(BreakdownKey, u64, f64, u64)> {
    page.rows
        .iter()
        .map(|r| (r.key.clone(), r.visitors, r.revenue, r.payments))
        .collect()
}

fn label(text: &str) -> BreakdownKey {
    BreakdownKey::Label(text.to_owned())
}

fn page(path: &str) -> BreakdownKey {
    BreakdownKey::Page {
        host: "example.com".into(),
        path: path.into(),
    }
}

#[test]
fn breakdowns_count_visitors_and_attribute_revenue_to_first_touch() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let pages = breakdown(&index, Breakdown::Pages, vec![]);
    assert_eq!(
        sums(&pages),
        [
            (page("/"), 2, 49.0, 1),
            (page("/pricing"), 2, 0.0, 0),
            (page("/docs/a"), 1, 0.0, 0),
            (page("/docs/b"), 1, 0.0, 0)
        ]
    );
    assert_eq!(
        pages.pagination,
        Pagination {
            limit: 100,
            offset: 0,
            total: 4
        }
    );
    // Equal visitors: by label.
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Referrers, vec![])),
        [
            (label("Direct/None"), 1, 0.0, 0),
            (label("Google"), 1, 49.0, 1),
            (label("X"), 1, 0.0, 0)
        ]
    );
    let countries = sums(&breakdown(&index, Breakdown::Countries, vec![]));
    assert_eq!(countries[0], (label("US"), 2, 49.0, 1));
    assert_eq!(countries[1].0, label("FR"));
    let goals = breakdown(&index, Breakdown::Goals, vec![]);
    assert_eq!(goals.rows.len(), 1);
    assert_eq!(
        (
            &goals.rows[0].key,
            goals.rows[0].completions,
            goals.rows[0].visitors
        ),
        (&label("signup"), 1, 1)
    );
    let tag = |value: &str| Some(value.to_owned());
    let everything = [
        tag("newsletter"),
        tag(""),
        tag(""),
        tag(""),
        tag(""),
        tag(""),
        tag(""),
        tag(""),
    ];
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Campaigns, vec![])),
        [(BreakdownKey::Campaign(everything), 1, 49.0, 1)]
    );
    let mut narrow = breakdown_request(Breakdown::Campaigns, vec![]);
    narrow.campaign_tags = vec![CampaignTag::UtmSource];
    let narrow = index.breakdown(website(), &narrow);
    let mut source_only: [Option<String>; 8] = Default::default();
    source_only[0] = tag("newsletter");
    assert_eq!(narrow.rows[0].key, BreakdownKey::Campaign(source_only));
    assert_eq!(narrow.rows[0].visitors, 1);
    let browsers = breakdown(
        &index,
        Breakdown::Browsers,
        vec![is(Dimension::Device, &["desktop"])],
    );
    assert_eq!(browsers.pagination.total, 2);
    let systems = breakdown(&index, Breakdown::OperatingSystems, vec![]);
    assert_eq!(
        (&systems.rows[0].key, systems.rows[0].visitors),
        (&label("Mac OS"), 3)
    );
    let hosts = breakdown(&index, Breakdown::Hostnames, vec![]);
    assert_eq!(hosts.rows[0].key, label("example.com"));
    let regions = breakdown(
        &index,
        Breakdown::Regions,
        vec![is(Dimension::Country, &["FR"])],
    );
    assert_eq!(sums(&regions), [(label("FR-R"), 1, 0.0, 0)]);
    let cities = breakdown(&index, Breakdown::Cities, vec![]);
    assert_eq!(cities.rows[0].key, label("US City"));
    let devices = sums(&breakdown(&index, Breakdown::Devices, vec![]));
    assert_eq!(devices[0], (label("desktop"), 2, 49.0, 1));
}

/// Goals carry the revenue of the visitors who completed them: va completes signup and demo
/// and pays 30 (and renews 10), vb completes signup only and never pays. Each payment counts
/// once per goal of its visitor, so the goals add up to more than the total revenue.
#[test]
fn goals_carry_the_revenue_of_the_visitors_who_completed_them() {
    let us = context("Google", "US", "Chrome", DeviceKind::Desktop);
    let fr = context("Direct/None", "FR", "Chrome", DeviceKind::Desktop);
    let events = vec![
        event(
            EventKind::Pageview,
            "2026-03-02T10:00:00Z",
            "va",
            "s1",
            "/",
            &us,
        ),
        goal("2026-03-02T10:01:00Z", "va", "s1", "signup", &us),
        goal("2026-03-02T10:02:00Z", "va", "s1", "demo", &us),
        goal("2026-03-02T10:03:00Z", "va", "s1", "demo", &us),
        goal("2026-03-03T11:00:00Z", "vb", "s2", "signup", &fr),
    ];
    let payments = vec![
        payment("pa", Some("va"), 3000, "2026-03-03T09:00:00Z", false, false),
        payment("pr", Some("va"), 1000, "2026-03-03T12:00:00Z", true, false),
    ];
    let index = index_of(&events, &payments);
    let rows = |page: &BreakdownPage| -> Vec<(BreakdownKey, u64, u64, f64, u64)> {
        page.rows
            .iter()
            .map(|r| {
                (
                    r.key.clone(),
                    r.visitors,
                    r.completions,
                    r.revenue,
                    r.payments,
                )
            })
            .collect()
    };
    let goals = breakdown(&index, Breakdown::Goals, vec![]);
    assert_eq!(
        rows(&goals),
        [
            (label("signup"), 2, 2, 30.0, 1),
            (label("demo"), 1, 2, 30.0, 1)
        ]
    );
    // The overview counts the payment once.
    assert_eq!(overview(&index, vec![]).revenue, 30.0);
    // Renewals follow includeRenewalRevenue, as everywhere.
    let mut renewals = breakdown_request(Breakdown::Goals, vec![]);
    renewals.scope.include_renewal_revenue = true;
    assert_eq!(
        rows(&index.breakdown(website(), &renewals)),
        [
            (label("signup"), 2, 2, 40.0, 2),
            (label("demo"), 1, 2, 40.0, 2)
        ]
    );
    // Filters choose the completions, and so the visitors whose payments count.
    let french = breakdown(
        &index,
        Breakdown::Goals,
        vec![is(Dimension::Country, &["FR"])],
    );
    assert_eq!(rows(&french), [(label("signup"), 1, 1, 0.0, 0)]);
    let signup = breakdown(
        &index,
        Breakdown::Goals,
        vec![is(Dimension::Goal, &["signup"])],
    );
    assert_eq!(rows(&signup), [(label("signup"), 2, 2, 30.0, 1)]);
    // On March 3, va pays but completes nothing: the payment goes to no goal.
    let mut later = breakdown_request(Breakdown::Goals, vec![]);
    later.scope = scope("UTC", Some(("2026-03-03", "2026-03-03")));
    assert_eq!(
        rows(&index.breakdown(website(), &later)),
        [(label("signup"), 1, 1, 0.0, 0)]
    );
    assert_eq!(
        index
            .overview(
                website(),
                &OverviewRequest {
                    scope: later.scope.clone()
                }
            )
            .revenue,
        30.0
    );
}

#[test]
fn breakdown_pagination_edges() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let paged = |limit: usize, offset: usize| {
        let mut request = breakdown_request(Breakdown::Pages, vec![]);
        request.limit = limit;
        request.offset = offset;
        index.breakdown(website(), &request)
    };
    let second = paged(1, 1);
    assert_eq!(
        second.rows.iter().map(|r| &r.key).collect::<Vec<_>>(),
        [&page("/pricing")]
    );
    assert_eq!(
        second.pagination,
        Pagination {
            limit: 1,
            offset: 1,
            total: 4
        }
    );
    let past = paged(100, 4);
    assert!(past.rows.is_empty());
    assert_eq!(past.pagination.total, 4);
    assert_eq!(paged(1000, 3).rows.len(), 1);
}

/// Each row's key, visitors, sessions (entries or exits), revenue, payments and exit rate.
fn edges(page: &BreakdownPage) -> Vec<(BreakdownKey, u64, u64, f64, u64, f64)> {
    page.rows
        .iter()
        .map(|r| {
            let rate = r.exit_rate();
            (
                r.key.clone(),
                r.visitors,
                r.completions,
                r.revenue,
                r.payments,
                rate,
            )
        })
        .collect()
}

#[test]
fn entry_pages_count_sessions_by_their_first_pageview_with_first_touch_revenue() {
    let (events, payments) = fixture();
    let mut index = index_of(&events, &payments);
    for compacted in [false, true] {
        if compacted {
            index.compact();
        }
        // s1 (v1) enters on /, s2 (v2) on /, s3 (v2) on /pricing (09:00, stored after its
        // 09:10 pageview), s4 (v3) on /docs/b. v1's 49 USD goes to /, v1's first touch; the
        // renewal is left out (the scope's default) and v2's refund adds nothing.
        let entries = breakdown(&index, Breakdown::EntryPages, vec![]);
        assert_eq!(
            edges(&entries),
            [
                (page("/"), 2, 2, 49.0, 1, 0.0),
                (page("/docs/b"), 1, 1, 0.0, 0, 0.0),
                (page("/pricing"), 1, 1, 0.0, 0, 0.0),
            ],
            "compacted: {compacted}"
        );
        assert_eq!(entries.pagination.total, 3);
        // Under filter_page=/pricing, the selected pageviews are the two on /pricing: both
        // sessions with one enter there. v1's revenue belongs to /, which has no entry.
        let pricing = breakdown(
            &index,
            Breakdown::EntryPages,
            vec![is(Dimension::Page, &["/pricing"])],
        );
        assert_eq!(edges(&pricing), [(page("/pricing"), 2, 2, 0.0, 0, 0.0)]);
        // A range from 10:01 on 2 March cuts s1's first pageview: s1 enters on /pricing. v1's
        // first touch is still /, so its 49 USD shows on / (entered by s2), as on pages.
        let mut cut = breakdown_request(Breakdown::EntryPages, vec![]);
        cut.scope.range = Some(TimeRange {
            start_ms: ms("2026-03-02T10:01:00Z"),
            end_ms: ms("2026-03-05T00:00:00Z"),
        });
        assert_eq!(
            edges(&index.breakdown(website(), &cut)),
            [
                (page("/pricing"), 2, 2, 0.0, 0, 0.0),
                (page("/"), 1, 1, 49.0, 1, 0.0),
                (page("/docs/b"), 1, 1, 0.0, 0, 0.0),
            ]
        );
    }
}

#[test]
fn exit_pages_count_sessions_by_their_last_pageview_with_an_exit_rate() {
    let (events, payments) = fixture();
    let mut index = index_of(&events, &payments);
    for compacted in [false, true] {
        if compacted {
            index.compact();
        }
        // s1 leaves from /pricing (its goal is no pageview), s2 from /, s3 from /docs/a, s4
        // from /docs/b. / and /pricing have two pageviews each, so half of them are exits.
        let exits = breakdown(&index, Breakdown::ExitPages, vec![]);
        assert_eq!(
            edges(&exits),
            [
                (page("/"), 1, 1, 0.0, 0, 50.0),
                (page("/docs/a"), 1, 1, 0.0, 0, 100.0),
                (page("/docs/b"), 1, 1, 0.0, 0, 100.0),
                (page("/pricing"), 1, 1, 0.0, 0, 50.0),
            ],
            "compacted: {compacted}"
        );
        // Only US visitors (v1, v3): / is no exit, so it has no row.
        let us = breakdown(
            &index,
            Breakdown::ExitPages,
            vec![is(Dimension::Country, &["US"])],
        );
        assert_eq!(
            edges(&us),
            [
                (page("/docs/b"), 1, 1, 0.0, 0, 100.0),
                (page("/pricing"), 1, 1, 0.0, 0, 100.0),
            ]
        );
        // Paged like every breakdown.
        let mut second = breakdown_request(Breakdown::ExitPages, vec![]);
        second.limit = 2;
        second.offset = 2;
        let second = index.breakdown(website(), &second);
        assert_eq!(
            second.rows.iter().map(|r| &r.key).collect::<Vec<_>>(),
            [&page("/docs/b"), &page("/pricing")]
        );
        assert_eq!(second.pagination.total, 4);
    }
}

#[test]
fn entry_and_exit_ties_go_by_sequence() {
    let c = context("Direct/None", "US", "Chrome", DeviceKind::Desktop);
    let pv = EventKind::Pageview;
    // Three pageviews at one instant: the first stored enters, the last stored leaves.
    let events = vec![
        event(pv, "2026-03-02T10:00:00Z", "v1", "s1", "/b", &c),
        event(pv, "2026-03-02T10:00:00Z", "v1", "s1", "/a", &c),
        event(pv, "2026-03-02T10:00:00Z", "v1", "s1", "/c", &c),
    ];
    let mut index = index_of(&events, &[]);
    for compacted in [false, true] {
        if compacted {
            index.compact();
        }
        let keys = |breakdown: Breakdown| -> Vec<BreakdownKey> {
            let page = index.breakdown(website(), &breakdown_request(breakdown, vec![]));
            page.rows.into_iter().map(|r| r.key).collect()
        };
        assert_eq!(keys(Breakdown::EntryPages), [page("/b")]);
        assert_eq!(keys(Breakdown::ExitPages), [page("/c")]);
    }
    let exits = breakdown(&index, Breakdown::ExitPages, vec![]);
    assert_eq!(exits.rows[0].pageviews, 1);
    assert_eq!(exits.rows[0].exit_rate(), 100.0);
}

fn funnel_of(steps: Vec<(&str, StepKind)>) -> Funnel {
    Funnel {
        id: FunnelId::from_parts(1, [1; 8]),
        website_id: website(),
        name: FunnelName::parse("Signup").expect("a valid funnel name"),
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
    let c = context("Direct/None", "DE", "Chrome", DeviceKind::Desktop);
    // v4 sees /pricing before /: only the first step.
    let pv = EventKind::Pageview;
    events.push(event(
        pv,
        "2026-03-04T10:00:00Z",
        "v4",
        "s5",
        "/pricing",
        &c,
    ));
    events.push(event(pv, "2026-03-04T10:01:00Z", "v4", "s5", "/", &c));
    let index = index_of(&events, &payments);
    let result = index.funnel(website(), &signup_funnel(), &march(vec![]));
    let counts: Vec<u64> = result.steps.iter().map(|s| s.visitors).collect();
    assert_eq!(counts, [3, 2, 1]);
    assert_eq!(result.steps[1].conversion_rate, 66.67);
    assert_eq!(result.steps[1].dropoff, 1);
    assert_eq!(result.steps[0].dropoff, 0);
    assert_eq!(result.steps[0].conversion_rate, 100.0);
    assert_eq!(result.steps[0].revenue, 49.0);
    assert_eq!(result.conversion_rate, 33.33);
    let fr = index.funnel(
        website(),
        &signup_funnel(),
        &march(vec![is(Dimension::Country, &["FR"])]),
    );
    let counts: Vec<u64> = fr.steps.iter().map(|s| s.visitors).collect();
    assert_eq!(counts, [1, 1, 0]);
}

#[test]
fn realtime_counts_the_last_ten_minutes() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let now = at("2026-03-03T09:12:00Z");
    assert_eq!(index.realtime(website(), now), Realtime { visitors: 1 });
    assert_eq!(
        index
            .realtime(website(), at("2026-03-03T09:30:00Z"))
            .visitors,
        0
    );
    let map = index.realtime_map(website(), now);
    assert_eq!(map.visitors.len(), 1);
    let visitor = &map.visitors[0];
    assert_eq!(visitor.visitor_id, "v2");
    assert_eq!(visitor.current_url.as_deref(), Some("/docs/a"));
    assert_eq!(visitor.visit_count, 2);
    assert_eq!(visitor.session_start_ms, ms("2026-03-03T09:00:00Z"));
    assert!(!visitor.is_customer);
    assert_eq!(visitor.country_code.as_deref(), Some("FR"));
    assert_eq!(visitor.browser, "Mobile Safari");
    assert_eq!(map.recent_events.len(), 1);
    assert_eq!(map.recent_events[0].path, "/docs/a");
    assert_eq!(map.recent_events[0].seq, 5);
}

#[test]
fn recent_events_carry_their_parameters_through_compaction() {
    let c = context("Google", "US", "Chrome", DeviceKind::Desktop);
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
    let mut index = index_of(&[signup.clone(), pageview], &[]);
    index.compact();
    let map = index.realtime_map(website(), at("2026-03-03T09:06:00Z"));
    let by_kind = |kind: EventKind| {
        map.recent_events
            .iter()
            .find(|e| e.kind == kind)
            .unwrap()
            .extra_data
            .clone()
    };
    assert_eq!(by_kind(EventKind::Custom), signup.params);
    assert!(by_kind(EventKind::Pageview).is_empty());
}

#[test]
fn stored_parser_names_read_as_datafast_names() {
    let mut iphone = context("Google", "US", "Safari", DeviceKind::Mobile);
    iphone.os = "iPhone".into();
    let mut windows = context("Google", "US", "Chrome", DeviceKind::Desktop);
    windows.os = "Windows 10".into();
    let pv = EventKind::Pageview;
    let events = vec![
        event(pv, "2026-03-03T09:01:00Z", "v1", "s1", "/", &iphone),
        event(pv, "2026-03-03T09:02:00Z", "v2", "s2", "/", &windows),
    ];
    let index = index_of(&events, &[]);
    let names = |kind: Breakdown, filters: Vec<Filter>| -> Vec<String> {
        let mut names: Vec<String> = breakdown(&index, kind, filters)
            .rows
            .into_iter()
            .map(|row| match row.key {
                BreakdownKey::Label(name) => name,
                other => panic!("not a label: {other:?}"),
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(Breakdown::OperatingSystems, vec![]),
        ["Windows", "iOS"]
    );
    assert_eq!(
        names(Breakdown::Browsers, vec![]),
        ["Chrome", "Mobile Safari"]
    );
    assert_eq!(
        names(Breakdown::Browsers, vec![is(Dimension::Os, &["iOS"])]),
        ["Mobile Safari"]
    );
}

#[test]
fn a_visitor_shows_browser_and_system_versions() {
    let mut c = context("Google", "US", "Chrome", DeviceKind::Desktop);
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
    let detail = index
        .visitor(website(), "v1", at("2026-03-03T10:00:00Z"))
        .unwrap();
    let versioned = |name: &str, version: &str| Versioned {
        name: name.into(),
        version: Some(version.into()),
    };
    assert_eq!(detail.identity.browser, versioned("Chrome", "131.0.0.0"));
    assert_eq!(detail.identity.os, versioned("Windows", "10"));
}

/// All time in UTC, no condition, 100 rows.
fn list_request() -> VisitorsRequest {
    VisitorsRequest {
        range: None,
        timezone: TimeZoneName::parse("UTC").unwrap(),
        visited_pages: Vec::new(),
        page_contains: Vec::new(),
        completed_goals: Vec::new(),
        filters: Vec::new(),
        is_customer: None,
        limit: 100,
        offset: 0,
    }
}

fn ids(list: &VisitorsList) -> Vec<&str> {
    list.rows.iter().map(|r| r.visitor_id.as_str()).collect()
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| (*v).to_owned()).collect()
}

#[test]
fn the_visitors_list_filters_and_pages() {
    let (events, payments) = fixture();
    let index = index_of(&events, &payments);
    let list = |change: &dyn Fn(&mut VisitorsRequest)| {
        let mut request = list_request();
        change(&mut request);
        index.visitors(website(), &request)
    };
    let all = list(&|_| {});
    assert_eq!(ids(&all), ["v3", "v2", "v1"]);
    assert_eq!(
        all.pagination,
        VisitorsPagination {
            offset: 0,
            limit: 100,
            has_more: false
        }
    );
    let none = || None;
    assert_eq!(
        all.rows[1],
        VisitorListRow {
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
                params: CampaignParams {
                    ref_param: none(),
                    source: none(),
                    via: none(),
                    utm_source: none(),
                    utm_medium: none(),
                    utm_campaign: none(),
                    utm_content: none(),
                    utm_term: none(),
                },
            },
            is_customer: false,
        }
    );
    let page = list(&|r| r.limit = 2);
    assert_eq!(ids(&page), ["v3", "v2"]);
    assert!(page.pagination.has_more);
    let pricing = list(&|r| r.visited_pages = strings(&["/pricing"]));
    assert_eq!(ids(&pricing), ["v2", "v1"]);
    let docs = list(&|r| r.page_contains = strings(&["DOCS"]));
    assert_eq!(ids(&docs), ["v3", "v2"]);
    let goal = list(&|r| r.completed_goals = strings(&["signup"]));
    assert_eq!(ids(&goal), ["v1"]);
    assert_eq!(goal.rows[0].last_seen_ms, ms("2026-03-02T10:06:00Z"));
    assert_eq!(
        goal.rows[0].acquisition.params.utm_source.as_deref(),
        Some("newsletter")
    );
    assert_eq!(ids(&list(&|r| r.is_customer = Some(true))), ["v1"]);
    assert_eq!(ids(&list(&|r| r.is_customer = Some(false))), ["v3", "v2"]);
    let us_firefox = list(&|r| {
        r.filters = vec![
            is(Dimension::Country, &["US"]),
            is(Dimension::Browser, &["Firefox"]),
        ];
    });
    assert_eq!(ids(&us_firefox), ["v3"]);
    let march_2 = list(&|r| r.range = scope("UTC", Some(("2026-03-02", "2026-03-02"))).range);
    assert_eq!(ids(&march_2), ["v2", "v1"]);
}

#[test]
fn one_visitor_with_goals_and_profile() {
    let (mut events, payments) = fixture();
    let c = context("Google", "US", "Chrome", DeviceKind::Desktop);
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
    let before = index.visitor(website(), "v1", now).unwrap();
    // Reordering by time keeps descriptions with their events.
    index.compact();
    let detail = index.visitor(website(), "v1", now).unwrap();
    assert_eq!(detail, before);
    assert_eq!(detail.identity.country.as_deref(), Some("US"));
    assert_eq!(
        detail.identity.browser,
        Versioned {
            name: "Chrome".into(),
            version: None
        }
    );
    assert_eq!(
        detail.identity.params.utm_source.as_deref(),
        Some("newsletter")
    );
    let activity = &detail.activity;
    assert_eq!(activity.visit_count, 1);
    assert_eq!(activity.page_view_count, 2);
    assert_eq!(activity.time_since_first_visit_ms, 7_200_000);
    assert_eq!(activity.first_visit_ms, ms("2026-03-02T10:00:00Z"));
    assert_eq!(activity.current_url, "example.com/pricing");
    assert_eq!(
        activity.visited_pages,
        [
            VisitedPage {
                url: "example.com/".into(),
                at_ms: ms("2026-03-02T10:00:00Z")
            },
            VisitedPage {
                url: "example.com/pricing".into(),
                at_ms: ms("2026-03-02T10:05:00Z")
            }
        ]
    );
    assert_eq!(
        activity.completed_custom_goals[1],
        CompletedGoal {
            name: "demo_booked".into(),
            description: Some("Booked a demo".into()),
            is_server: true,
            kind: EventKind::Custom,
            at_ms: ms("2026-03-02T10:30:00Z"),
        }
    );
    let timeline: Vec<(&str, EventKind)> = activity
        .completed_goals
        .iter()
        .map(|g| (g.name.as_str(), g.kind))
        .collect();
    assert_eq!(
        timeline,
        [
            ("signup", EventKind::Custom),
            ("demo_booked", EventKind::Custom),
            ("payment", EventKind::Payment)
        ]
    );
    assert_eq!(detail.profile.unwrap().user_id, "user-1");
    let v3 = index.visitor(website(), "v3", now).unwrap();
    assert!(v3.profile.is_none());
    assert!(index.visitor(website(), "nobody", now).is_none());
    // Goal events only, no pageview: not found.
    assert!(index.visitor(website(), "ghost", now).is_none());
}

#[test]
fn reversed_or_unrepresentable_ranges_and_too_many_buckets_are_refused() {
    let utc = jiff::tz::TimeZone::UTC;
    assert_eq!(
        resolve_range(date("2026-03-05"), date("2026-03-01"), &utc),
        Err(RuleError::EndBeforeStart)
    );
    assert_eq!(
        resolve_range(date("2026-01-01"), date("9999-12-31"), &utc),
        Err(RuleError::EndOutsideDates)
    );
    let decades = scope("UTC", Some(("1990-01-01", "2026-01-01")));
    let now = request_context("UTC").now;
    let hourly = TimeseriesRequest::new(decades.clone(), Interval::Hour, 100, 0, now);
    assert_eq!(hourly.err(), Some(RuleError::TooManyBuckets));
    assert!(TimeseriesRequest::new(decades, Interval::Day, 100, 0, now).is_ok());
}

#[test]
fn dates_are_days_in_the_request_zone() {
    let new_york = TimeZoneName::parse("America/New_York").unwrap().zone();
    let range = |start: Bound, end: Bound| resolve_range(start, end, &new_york).unwrap();
    let day = range(date("2026-03-08"), date("2026-03-08"));
    assert_eq!(day.start_ms, ms("2026-03-08T05:00:00Z"));
    assert_eq!(day.end_ms, ms("2026-03-09T04:00:00Z") - 1);
    let utc = resolve_range(
        date("2026-03-08"),
        date("2026-03-08"),
        &jiff::tz::TimeZone::UTC,
    )
    .unwrap();
    assert_eq!(utc.start_ms, ms("2026-03-08T00:00:00Z"));
    let instant = |text: &str| Bound::Instant(at(text));
    let instants = range(
        instant("2026-03-08T10:00:00Z"),
        instant("2026-03-08T11:00:00Z"),
    );
    assert_eq!(instants.end_ms - instants.start_ms, 3_600_000);
    // A wall-clock time is in the request's zone.
    let local = |text: &str| Bound::Local(text.parse().unwrap());
    let wall = range(local("2026-03-08T09:00:00"), local("2026-03-08T10:00:00"));
    assert_eq!(wall.start_ms, ms("2026-03-08T13:00:00Z"));
    // Full UTC days are read as dates in the request's zone.
    let full = range(
        instant("2026-03-08T00:00:00.000Z"),
        instant("2026-03-08T23:59:59.999Z"),
    );
    assert_eq!(full, day);
}

#[test]
fn revenue_goes_to_the_first_touch_not_the_latest_visit() {
    let x = context("X", "DE", "Chrome", DeviceKind::Desktop);
    let google = context("Google", "FR", "Firefox", DeviceKind::Mobile);
    let pv = EventKind::Pageview;
    let events = vec![
        // Arrives second but happened first: the first touch is by time, not arrival.
        event(pv, "2026-03-03T09:00:00Z", "w", "w2", "/pricing", &google),
        event(pv, "2026-03-02T09:00:00Z", "w", "w1", "/blog", &x),
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
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Referrers, vec![])),
        [(label("Google"), 1, 0.0, 0), (label("X"), 1, 100.0, 1)]
    );
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Pages, vec![])),
        [(page("/blog"), 1, 100.0, 1), (page("/pricing"), 1, 0.0, 0)]
    );
    // Equal visitors: by country code, DE before FR.
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Countries, vec![])),
        [(label("DE"), 1, 100.0, 1), (label("FR"), 1, 0.0, 0)]
    );
    // Filtered to the later visit, the payment still counts (its visitor is selected) and
    // still belongs to the first touch, which no selected event shows: no row carries it.
    let google_only = vec![is(Dimension::Referrer, &["Google"])];
    assert_eq!(
        sums(&breakdown(
            &index,
            Breakdown::Referrers,
            google_only.clone()
        )),
        [(label("Google"), 1, 0.0, 0)]
    );
    assert_eq!(overview(&index, google_only).revenue, 100.0);
}

/// A visit from `referrer` (a host, `None` for direct) under the source `source`.
fn arrival(source: &str, referrer: Option<&str>) -> VisitContext {
    VisitContext {
        referrer: referrer.map(str::to_owned),
        ..context(source, "US", "Chrome", DeviceKind::Desktop)
    }
}

/// v1 comes from Google, then from Bing, and pays 30; v2 from ChatGPT, then directly, and
/// pays 20; v3 from X with `utm_medium=cpc`; v4 directly with only a campaign tag.
fn channel_fixture() -> AnalyticsIndex {
    let google = arrival("Google", Some("google.com"));
    let bing = arrival("Bing", Some("bing.com"));
    let chatgpt = arrival("chatgpt.com", Some("chatgpt.com"));
    let direct = arrival("Direct/None", None);
    let paid_x = VisitContext {
        utm_medium: Some("cpc".into()),
        ..arrival("X", Some("x.com"))
    };
    let tagged = VisitContext {
        utm_campaign: Some("launch".into()),
        ..direct.clone()
    };
    let pv = EventKind::Pageview;
    let events = vec![
        event(pv, "2026-03-02T09:00:00Z", "v1", "s1", "/", &google),
        event(pv, "2026-03-03T09:00:00Z", "v1", "s2", "/pricing", &bing),
        event(pv, "2026-03-02T10:00:00Z", "v2", "s3", "/", &chatgpt),
        event(pv, "2026-03-04T10:00:00Z", "v2", "s4", "/docs", &direct),
        event(pv, "2026-03-02T11:00:00Z", "v3", "s5", "/", &paid_x),
        event(pv, "2026-03-02T12:00:00Z", "v4", "s6", "/", &tagged),
    ];
    let payments = vec![
        payment("p1", Some("v1"), 3000, "2026-03-03T10:00:00Z", false, false),
        payment("p2", Some("v2"), 2000, "2026-03-04T11:00:00Z", false, false),
    ];
    index_of(&events, &payments)
}

#[test]
fn channels_count_each_visitor_once_with_first_touch_revenue() {
    let index = channel_fixture();
    // The referrers show v1 twice (Google and Bing); the channel once.
    let referrers = sums(&breakdown(&index, Breakdown::Referrers, vec![]));
    assert!(referrers.contains(&(label("Google"), 1, 30.0, 1)));
    assert!(referrers.contains(&(label("Bing"), 1, 0.0, 0)));
    let channels = breakdown(&index, Breakdown::Channels, vec![]);
    // Equal visitors: by events (Organic search has two), then by name.
    assert_eq!(
        sums(&channels),
        [
            (label("Organic search"), 1, 30.0, 1),
            (label("AI assistants"), 1, 20.0, 1),
            (label("Direct"), 1, 0.0, 0),
            (label("Other campaign"), 1, 0.0, 0),
            (label("Paid social"), 1, 0.0, 0),
        ]
    );
    assert_eq!(channels.rows[0].completions, 2);
    assert_eq!(channels.pagination.total, 5);
}

#[test]
fn the_channel_filter_selects_the_events_of_its_channel() {
    let index = channel_fixture();
    // Labels compare ignoring case.
    let search = vec![is(Dimension::Channel, &["organic SEARCH"])];
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Channels, search.clone())),
        [(label("Organic search"), 1, 30.0, 1)]
    );
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Referrers, search.clone())),
        [(label("Bing"), 1, 0.0, 0), (label("Google"), 1, 30.0, 1)]
    );
    let selected = overview(&index, search);
    assert_eq!((selected.visitors, selected.revenue), (1, 30.0));
    // v2's direct visit goes, their ChatGPT visit stays: v2 is still selected.
    let not_direct = vec![filter(
        Dimension::Channel,
        Operator::IsNot,
        &["Direct", "Other campaign"],
    )];
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Pages, not_direct.clone())),
        [(page("/"), 3, 50.0, 2), (page("/pricing"), 1, 0.0, 0)]
    );
    assert_eq!(overview(&index, not_direct).visitors, 3);
    let ai = vec![is(Dimension::Channel, &["AI assistants"])];
    assert_eq!(
        sums(&breakdown(&index, Breakdown::Referrers, ai)),
        [(label("chatgpt.com"), 1, 20.0, 1)]
    );
}
