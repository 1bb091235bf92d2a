//! The property test: for random events, payments, ranges, time zones, filters and caps on
//! distinct values, every endpoint of the engine answers exactly what the naive reference
//! model computes.

use datafast_domain::event::{DeviceKind, Event, EventKind, EventOrigin, VisitContext};
use datafast_domain::funnel::{Funnel, FunnelStep, StepKind};
use datafast_domain::goal::GoalName;
use datafast_domain::payment::Payment;
use datafast_domain::website::Currency;
use jiff::Timestamp;
use proptest::prelude::*;

use crate::filter::{Dimension, Operator};
use crate::limits::Limits;
use crate::reference::Reference;
use crate::tests::{filter, request_context, signup_funnel, website};
use crate::*;

const START: i64 = 1_772_668_800_000; // 2026-03-05T00:00:00Z, days before a DST change.
const SPAN: i64 = 12 * 86_400_000;

fn context_strategy() -> impl Strategy<Value = VisitContext> {
    (
        // Sources of several channels (search, direct, social, AI, referral).
        prop::sample::select(vec![
            "Google",
            "Bing",
            "Direct/None",
            "X",
            "chatgpt.com",
            "blog.example.org",
        ]),
        prop::option::of(prop::sample::select(vec!["US", "FR"])),
        prop::sample::select(vec!["Chrome", "Mobile Safari", "Safari"]),
        prop::sample::select(vec![DeviceKind::Desktop, DeviceKind::Mobile]),
        prop::option::of(prop::sample::select(vec!["news", "ads"])),
        prop::option::of(Just("spring")),
        // Stored names: `iPhone` shows as `iOS`, and makes `Safari` show as `Mobile Safari`.
        prop::sample::select(vec!["iOS", "iPhone", "Mac OSX"]),
        // Paid and email mediums move a visit to another channel.
        prop::option::of(prop::sample::select(vec!["cpc", "email"])),
    )
        .prop_map(
            |(source, country, browser, device, utm_source, campaign, os, medium)| VisitContext {
                referrer: match source {
                    "Google" => Some("google.com".to_owned()),
                    "Bing" => Some("bing.com".to_owned()),
                    "X" => Some("x.com".to_owned()),
                    "Direct/None" => None,
                    host => Some(host.to_owned()),
                },
                source: source.into(),
                utm_source: utm_source.map(str::to_owned),
                utm_medium: medium.map(str::to_owned),
                utm_campaign: campaign.map(str::to_owned),
                browser: browser.into(),
                os: os.into(),
                device,
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
                    .then(|| GoalName::parse(goal).expect("a valid goal name")),
                hostname: host.into(),
                path: path.into(),
                context,
                params: Default::default(),
                description: None,
                origin: EventOrigin::Client,
            },
        )
}

/// A custom goal event of one of the two goals the goals breakdown shows, so that visitors
/// often complete both.
fn goal_event_strategy() -> impl Strategy<Value = Event> {
    (
        event_strategy(),
        prop::sample::select(vec!["signup", "demo"]),
    )
        .prop_map(|(event, goal)| Event {
            kind: EventKind::Custom,
            goal_name: Some(GoalName::parse(goal).expect("a valid goal name")),
            ..event
        })
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

/// Filters as `(dimension, operator, values)`.
const FILTERS: [(Dimension, Operator, &[&str]); 19] = [
    (Dimension::Country, Operator::Is, &["US"]),
    (Dimension::Country, Operator::IsNot, &["FR"]),
    (Dimension::Browser, Operator::Is, &["Safari"]),
    (Dimension::Device, Operator::IsNot, &["mobile"]),
    (Dimension::Page, Operator::Contains, &["/docs"]),
    (Dimension::Page, Operator::Is, &["/pricing", "/"]),
    (Dimension::Page, Operator::DoesNotContain, &["pric"]),
    (Dimension::EntryPage, Operator::Is, &["/"]),
    (Dimension::Goal, Operator::Is, &["signup"]),
    (Dimension::Referrer, Operator::Is, &["Google"]),
    (Dimension::UtmSource, Operator::Is, &["news"]),
    (Dimension::Hostname, Operator::Is, &["example.com"]),
    (Dimension::Region, Operator::Is, &["US-1"]),
    (Dimension::UtmCampaign, Operator::IsNot, &["spring"]),
    (Dimension::Channel, Operator::Is, &["organic search"]),
    (
        Dimension::Channel,
        Operator::IsNot,
        &["Direct", "Paid search"],
    ),
    // Values past a cap are all `(other)`, and filters test that.
    (Dimension::Page, Operator::Is, &["(other)"]),
    (Dimension::Referrer, Operator::IsNot, &["(other)"]),
    (Dimension::Goal, Operator::Is, &["(other)", "demo"]),
];

fn day(n: i64) -> jiff::civil::Date {
    Timestamp::from_millisecond(START + n * 86_400_000)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default()
}

/// A scope: an optional range of dates or instants, a zone, up to two filters, renewals.
fn scope_strategy() -> impl Strategy<Value = Scope> {
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
            let mut scope = Scope::of_website(&request_context(zone));
            scope.range = range.and_then(|(from, days, instants)| {
                let (start, end) = if instants {
                    let at = |date: jiff::civil::Date, hour: i8, minute: i8| {
                        Bound::Instant(
                            date.at(hour, minute, 0, 0)
                                .to_zoned(jiff::tz::TimeZone::UTC)
                                .map(|z| z.timestamp())
                                .unwrap_or(Timestamp::UNIX_EPOCH),
                        )
                    };
                    (at(day(from), 7, 30), at(day(from + days), 19, 45))
                } else {
                    (Bound::Date(day(from)), Bound::Date(day(from + days)))
                };
                resolve_range(start, end, &scope.timezone.zone()).ok()
            });
            scope.filters = filters
                .into_iter()
                .map(|(dimension, operator, values)| filter(dimension, operator, values))
                .collect();
            scope.include_renewal_revenue = renewals;
            scope
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
        goal_labels: Default::default(),
    };
    (index, model.with_limits(limits))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn overview_and_funnel_equal_the_reference(
        (events, payments) in world(),
        scope in scope_strategy(),
        compact in any::<bool>(),
        limits in limits_strategy(),
    ) {
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let overview = OverviewRequest { scope: scope.clone() };
        prop_assert_eq!(index.overview(website(), &overview), model.overview(&overview));
        for funnel in [signup_funnel(), overlapping_funnel()] {
            prop_assert_eq!(
                index.funnel(website(), &funnel, &scope),
                model.funnel(&funnel, &scope)
            );
        }
    }

    #[test]
    fn timeseries_equal_the_reference(
        (events, payments) in world(),
        scope in scope_strategy(),
        interval in prop::sample::select(vec![
            Interval::Hour, Interval::Day, Interval::Week, Interval::Month,
        ]),
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
        let now = Timestamp::from_millisecond(START + SPAN / 2).unwrap_or(Timestamp::UNIX_EPOCH);
        let request = TimeseriesRequest::new(scope, interval, limit, 0, now).unwrap();
        prop_assert_eq!(index.timeseries(website(), &request), model.timeseries(&request));
    }

    #[test]
    fn breakdowns_equal_the_reference(
        (events, payments) in world(),
        scope in scope_strategy(),
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
        let campaign_tags = if breakdown == Breakdown::Campaigns && offset % 2 == 1 {
            vec![CampaignTag::UtmCampaign]
        } else {
            CampaignTag::ALL.to_vec()
        };
        let request = BreakdownRequest { breakdown, scope, campaign_tags, limit, offset };
        prop_assert_eq!(index.breakdown(website(), &request), model.breakdown(&request));
    }

    /// Goals on their own, with more cases than their share of the test above and extra goal
    /// events, so that paying visitors often complete both goals: each goal's revenue and
    /// payments are those of the visitors who completed it.
    #[test]
    fn goals_with_revenue_equal_the_reference(
        (mut events, payments) in world(),
        goals in prop::collection::vec(goal_event_strategy(), 0..12),
        scope in scope_strategy(),
        limit in 1..5usize,
        offset in 0..3usize,
        compact in any::<bool>(),
        pairs_path in any::<bool>(),
        limits in limits_strategy(),
    ) {
        crate::engine::FORCE_PAIRS.with(|f| f.set(pairs_path));
        events.extend(goals);
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let campaign_tags = CampaignTag::ALL.to_vec();
        let breakdown = Breakdown::Goals;
        let request = BreakdownRequest { breakdown, scope, campaign_tags, limit, offset };
        prop_assert_eq!(index.breakdown(website(), &request), model.breakdown(&request));
    }

    /// Entry and exit pages on their own, with more cases than their share of the test
    /// above, and with instants coarsened to 6 hours when `ties` is set, so that one
    /// session's pageviews often share an instant and the sequence decides its ends.
    #[test]
    fn entry_and_exit_pages_equal_the_reference(
        (mut events, payments) in world(),
        scope in scope_strategy(),
        breakdown in prop::sample::select(vec![Breakdown::EntryPages, Breakdown::ExitPages]),
        limit in 1..5usize,
        offset in 0..3usize,
        ties in any::<bool>(),
        compact in any::<bool>(),
        pairs_path in any::<bool>(),
        limits in limits_strategy(),
    ) {
        crate::engine::FORCE_PAIRS.with(|f| f.set(pairs_path));
        if ties {
            const STEP: i64 = 6 * 3_600_000;
            for e in &mut events {
                let ms = e.occurred_at.as_millisecond();
                e.occurred_at = Timestamp::from_millisecond(ms - (ms - START).rem_euclid(STEP))
                    .unwrap_or(Timestamp::UNIX_EPOCH);
            }
        }
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let campaign_tags = CampaignTag::ALL.to_vec();
        let request = BreakdownRequest { breakdown, scope, campaign_tags, limit, offset };
        let engine = index.breakdown(website(), &request);
        prop_assert_eq!(&engine, &model.breakdown(&request));
        for row in &engine.rows {
            prop_assert!(row.completions >= 1 && row.visitors <= row.completions);
            if breakdown == Breakdown::ExitPages {
                prop_assert!(row.pageviews >= row.completions);
            }
        }
    }

    #[test]
    fn the_visitors_list_equals_the_reference(
        (events, payments) in world(),
        range in prop::option::of((0..12i64, 0..4i64)),
        condition in 0..8usize,
        limit in 1..4usize,
        offset in 0..3usize,
        compact in any::<bool>(),
        limits in limits_strategy(),
    ) {
        let (mut index, model) = built(&events, &payments, &limits);
        if compact {
            index.compact();
        }
        let utc = jiff::tz::TimeZone::UTC;
        let owned = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        let mut request = VisitorsRequest {
            range: range.and_then(|(from, days)| {
                resolve_range(Bound::Date(day(from)), Bound::Date(day(from + days)), &utc).ok()
            }),
            timezone: request_context("UTC").timezone,
            visited_pages: Vec::new(),
            page_contains: Vec::new(),
            completed_goals: Vec::new(),
            filters: Vec::new(),
            is_customer: None,
            limit,
            offset,
        };
        match condition {
            1 => request.visited_pages = owned(&["/pricing"]),
            2 => request.page_contains = owned(&["docs"]),
            3 => request.completed_goals = owned(&["signup", "demo"]),
            4 => request.is_customer = Some(true),
            5 => request.is_customer = Some(false),
            6 => request.filters = vec![filter(Dimension::Country, Operator::IsNot, &["US"])],
            7 => request.filters = vec![filter(Dimension::Browser, Operator::Is, &["Safari"])],
            _ => {}
        }
        let engine = index.visitors(website(), &request);
        let (rows, has_more) = model.visitors(&request);
        let actual: Vec<(String, i64, Option<String>, bool)> = engine
            .rows
            .into_iter()
            .map(|row| (row.visitor_id, row.last_seen_ms, row.current_url, row.is_customer))
            .collect();
        prop_assert_eq!(actual, rows);
        prop_assert_eq!(engine.pagination.has_more, has_more);
    }
}
