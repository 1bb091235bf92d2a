//! The query strings of the analytics and visitors routes: what they read into the typed
//! requests, the website's defaults for what they leave out, and every refusal naming its
//! parameter.

use datafast_analytics::{Breakdown, CampaignTag, RequestContext, TimeRange};
use datafast_domain::ValidationError;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::Currency;
use jiff::Timestamp;

use crate::wire::analytics_query::{breakdown, funnel, overview, realtime, timeseries};
use crate::wire::visitors_query::visitors;

fn request_context(zone: &str) -> RequestContext {
    RequestContext {
        timezone: TimeZoneName::parse(zone).unwrap(),
        currency: Currency::parse("USD").unwrap(),
        include_renewal_revenue: false,
        now: at("2026-03-03T09:12:00Z"),
    }
}

fn at(instant: &str) -> Timestamp {
    instant.parse().unwrap()
}

fn pairs(raw: &[(&str, &str)]) -> Vec<(String, String)> {
    raw.iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// An empty value is refused on every route's parser, naming the parameter, known or not.
#[test]
fn an_empty_value_is_refused_naming_its_parameter() {
    let c = request_context("UTC");
    for name in [
        "limit",
        "visitedPage",
        "country",
        "filter_country",
        "cachebust",
    ] {
        let raw = pairs(&[("websiteId", "x"), (name, " ")]);
        let errors = [
            overview(&raw, &c, false).err(),
            funnel(&raw, &c).err(),
            breakdown(Breakdown::Pages, &raw, &c).err(),
            timeseries(&raw, &c).err(),
            realtime(&raw).err(),
            visitors(&raw, &c).err(),
        ];
        for error in errors {
            let error = error.expect("refused");
            assert_eq!(error.field, name);
            assert_eq!(error.message, "must not be empty");
        }
    }
    assert!(visitors(&pairs(&[("limit", "5")]), &c).is_ok());
}

fn refused(result: Result<impl std::fmt::Debug, ValidationError>, field: &str) {
    match result {
        Ok(value) => panic!("accepted: {value:?}"),
        Err(error) => assert_eq!(error.field, field, "{error}"),
    }
}

#[test]
fn bad_input_is_refused_naming_the_parameter() {
    let c = request_context("UTC");
    let overview = |raw: &[(&str, &str)]| overview(&pairs(raw), &c, false);
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
    let pages = |raw: &[(&str, &str)]| breakdown(Breakdown::Pages, &pairs(raw), &c);
    refused(pages(&[("limit", "0")]), "limit");
    refused(pages(&[("limit", "1001")]), "limit");
    refused(pages(&[("limit", "99999999999999999999999")]), "limit");
    refused(pages(&[("limit", "ten")]), "limit");
    refused(pages(&[("offset", "-1")]), "offset");
    refused(pages(&[("fields", "referrer")]), "fields");
    assert_eq!(pages(&[("limit", "1000")]).unwrap().request.limit, 1000);
    refused(
        breakdown(Breakdown::Campaigns, &pairs(&[("fields", "visitors")]), &c),
        "fields",
    );
    let series = |raw: &[(&str, &str)]| timeseries(&pairs(raw), &c);
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
    assert!(realtime(&pairs(&[("fields", "visitors")])).is_ok());
    refused(realtime(&pairs(&[("fields", "sessions")])), "fields");
    let list = |raw: &[(&str, &str)]| visitors(&pairs(raw), &c);
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
    let range = |raw: &[(&str, &str)]| -> TimeRange {
        overview(&pairs(raw), &c, false)
            .unwrap()
            .request
            .scope
            .range
            .unwrap()
    };
    let ms = |instant: &str| at(instant).as_millisecond();
    let day = range(&[("startAt", "2026-03-08"), ("endAt", "2026-03-08")]);
    assert_eq!(day.start_ms, ms("2026-03-08T05:00:00Z"));
    assert_eq!(day.end_ms, ms("2026-03-09T04:00:00Z") - 1);
    let utc = range(&[
        ("startAt", "2026-03-08"),
        ("endAt", "2026-03-08"),
        ("timezone", "UTC"),
    ]);
    assert_eq!(utc.start_ms, ms("2026-03-08T00:00:00Z"));
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
    assert_eq!(wall.start_ms, ms("2026-03-08T13:00:00Z"));
    // Full UTC days are read as dates in the request's zone.
    let full = range(&[
        ("startAt", "2026-03-08T00:00:00.000Z"),
        ("endAt", "2026-03-08T23:59:59.999Z"),
    ]);
    assert_eq!(full, day);
}

/// What the query leaves out, the website decides (its zone and renewal setting); what it
/// says wins.
#[test]
fn the_website_defaults_fill_what_the_query_leaves_out() {
    let mut c = request_context("Europe/Paris");
    c.include_renewal_revenue = true;
    let plain = overview(&[], &c, false).unwrap().request.scope;
    assert_eq!(plain.timezone.as_str(), "Europe/Paris");
    assert!(plain.include_renewal_revenue);
    assert_eq!(plain.range, None);
    let said = pairs(&[("timezone", "UTC"), ("includeRenewalRevenue", "false")]);
    let scope = funnel(&said, &c).unwrap();
    assert_eq!(scope.timezone.as_str(), "UTC");
    assert!(!scope.include_renewal_revenue);
    let list = visitors(&[], &c).unwrap();
    assert_eq!(list.timezone.as_str(), "Europe/Paris");
    assert_eq!((list.limit, list.offset), (100, 0));
}

/// `fields` choose what the answer shows, in its order (request order for the timeseries),
/// with the endpoints' aliases; the campaigns breakdown groups by the campaign fields asked.
#[test]
fn fields_are_read_in_the_answer_order() {
    let c = request_context("UTC");
    let chosen = overview(&pairs(&[("fields", "sessions,visitors")]), &c, false).unwrap();
    assert_eq!(chosen.fields, ["visitors", "sessions"]);
    let series = timeseries(
        &pairs(&[("fields", "revenue,visitors,revenue"), ("interval", "day")]),
        &c,
    )
    .unwrap();
    assert_eq!(series.fields, ["revenue", "visitors"]);
    let goals = breakdown(Breakdown::Goals, &pairs(&[("fields", "name,visitors")]), &c).unwrap();
    assert_eq!(goals.fields, ["goal", "visitors"]);
    let systems = breakdown(Breakdown::OperatingSystems, &pairs(&[("fields", "os")]), &c).unwrap();
    assert_eq!(systems.fields, ["operating_system"]);
    let campaigns = breakdown(
        Breakdown::Campaigns,
        &pairs(&[("fields", "via,visitors,utm_source")]),
        &c,
    )
    .unwrap();
    assert_eq!(
        campaigns.request.campaign_tags,
        [CampaignTag::UtmSource, CampaignTag::Via]
    );
    let all = breakdown(Breakdown::Campaigns, &[], &c).unwrap();
    assert_eq!(all.request.campaign_tags, CampaignTag::ALL);
}

#[test]
fn the_overview_shows_mrr_when_asked_or_when_the_website_leads_with_it() {
    let c = request_context("UTC");
    let fields = |raw: &[(&str, &str)], leads| overview(&pairs(raw), &c, leads).unwrap().fields;
    assert!(
        !fields(&[], false).contains(&"mrr"),
        "DataFast's default fields"
    );
    assert_eq!(fields(&[], true).last(), Some(&"mrr"));
    assert_eq!(
        fields(&[("fields", "mrr,visitors")], false),
        vec!["visitors", "mrr"]
    );
    assert_eq!(fields(&[("fields", "visitors")], true), vec!["visitors"]);
}
