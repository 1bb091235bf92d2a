//! `analytics` reports and `visitors`, on the Website API (`/api/v1/analytics/...`,
//! `/api/v1/visitors`): the request each command sends (built by pure functions the unit tests
//! check), the credential it uses, and the tables it shows.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::Value;

use crate::Ctx;
use crate::cli::{
    AnalyticsCommand, FilterArgs, Interval, RangeArgs, ReportArgs, VisitorListArgs, VisitorsCommand,
};
use crate::client::{Answer, Client, Request, segment};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, dynamic_col, lookup};
use crate::period::{self, check_bound};

/// Breakdowns show 50 rows unless `--limit` says otherwise, as DataFast's CLI does.
pub const DEFAULT_BREAKDOWN_LIMIT: u32 = 50;

/// The credential for the Website API and the `websiteId` to send with it: a `df_` site key
/// implies its website, a `dft_` token needs the website named. A website given explicitly
/// prefers the token, since a site key only reaches its own website; with only a site key it is
/// still sent, so that the server refuses another website's id instead of quietly answering
/// for the key's own.
pub fn website_api_client(ctx: &Ctx, given: Option<&str>) -> CliResult<(Client, Option<String>)> {
    let token = ctx.settings.token.as_ref().map(|t| t.value.clone());
    let site_key = ctx.settings.site_key.as_ref().map(|k| k.value.clone());
    match (token, site_key, given) {
        (Some(token), _, Some(website)) => {
            Ok((ctx.client_with(Some(token))?, Some(website.to_owned())))
        }
        (_, Some(key), given) => Ok((ctx.client_with(Some(key))?, given.map(str::to_owned))),
        (Some(token), None, None) => {
            let website = ctx.website(None)?;
            Ok((ctx.client_with(Some(token))?, Some(website)))
        }
        (None, None, _) => Err(CliError::NoCredential(
            "not logged in: run `datafast login`, or set DATAFAST_SITE_KEY or DATAFAST_TOKEN"
                .to_owned(),
        )),
    }
}

/// `startAt`/`endAt`/`timezone` for `--period`, `--from`/`--to` and `--timezone`. A period is
/// computed at `now` in `--timezone`, else in `local`, and that zone's name is sent with it so
/// the server reads the dates in the same zone.
pub fn range_params(
    range: &RangeArgs,
    local: TimeZone,
    now: Timestamp,
) -> CliResult<Vec<(String, String)>> {
    let mut params = Vec::new();
    let mut timezone = range.timezone.clone();
    if let (Some(from), Some(to)) = (&range.from, &range.to) {
        params.push(("startAt".to_owned(), check_bound("--from", from)?));
        params.push(("endAt".to_owned(), check_bound("--to", to)?));
    } else if let Some(named) = range.period {
        let zone = match range.timezone.as_deref() {
            Some(name) => period::zone(Some(name))?,
            None => local,
        };
        if timezone.is_none() {
            timezone = zone.iana_name().map(str::to_owned);
        }
        if let Some(found) = period::range(named, &now.to_zoned(zone))? {
            params.push(("startAt".to_owned(), found.start_at));
            params.push(("endAt".to_owned(), found.end_at));
        }
    } else if let Some(name) = range.timezone.as_deref() {
        period::zone(Some(name))?;
    }
    if let Some(timezone) = timezone {
        params.push(("timezone".to_owned(), timezone));
    }
    Ok(params)
}

pub fn apply_range(mut request: Request, range: &RangeArgs) -> CliResult<Request> {
    let now = period::now_in(TimeZone::UTC).timestamp();
    for (name, value) in range_params(range, TimeZone::system(), now)? {
        request = request.query(&name, value);
    }
    Ok(request)
}

/// The analytics filters as `filter_<name>` parameters.
pub fn filter_params(filters: &FilterArgs) -> CliResult<Vec<(String, String)>> {
    let named = [
        ("country", &filters.country),
        ("region", &filters.region),
        ("city", &filters.city),
        ("device", &filters.device),
        ("browser", &filters.browser),
        ("os", &filters.os),
        ("referrer", &filters.referrer),
        ("page", &filters.page),
        ("entry_page", &filters.entry_page),
        ("hostname", &filters.hostname),
        ("goal", &filters.goal),
        ("utm_source", &filters.utm_source),
        ("utm_medium", &filters.utm_medium),
        ("utm_campaign", &filters.utm_campaign),
        ("utm_term", &filters.utm_term),
        ("utm_content", &filters.utm_content),
        ("ref", &filters.ref_param),
        ("source", &filters.source),
        ("via", &filters.via),
    ];
    let mut params: Vec<(String, String)> = named
        .into_iter()
        .filter_map(|(name, value)| {
            value
                .as_ref()
                .map(|v| (format!("filter_{name}"), v.clone()))
        })
        .collect();
    for extra in &filters.extra {
        let (name, value) = extra
            .split_once('=')
            .filter(|(name, _)| !name.trim().is_empty())
            .ok_or_else(|| CliError::usage(format!("--filter '{extra}' is not NAME=VALUE")))?;
        let name = name.trim();
        let name = name.strip_prefix("filter_").unwrap_or(name);
        params.push((format!("filter_{name}"), value.to_owned()));
    }
    Ok(params)
}

pub fn apply_filters(mut request: Request, filters: &FilterArgs) -> CliResult<Request> {
    for (name, value) in filter_params(filters)? {
        request = request.query(&name, value);
    }
    Ok(request)
}

/// The report's route name and whether it is a paged breakdown.
fn report_route(command: &AnalyticsCommand) -> (&'static str, bool) {
    match command {
        AnalyticsCommand::Overview(_) => ("overview", false),
        AnalyticsCommand::Timeseries { .. } => ("timeseries", false),
        AnalyticsCommand::Realtime { .. } => ("realtime", false),
        AnalyticsCommand::Pages(_) => ("pages", true),
        AnalyticsCommand::Referrers(_) => ("referrers", true),
        AnalyticsCommand::Campaigns(_) => ("campaigns", true),
        AnalyticsCommand::Goals(_) => ("goals", true),
        AnalyticsCommand::Countries(_) => ("countries", true),
        AnalyticsCommand::Regions(_) => ("regions", true),
        AnalyticsCommand::Cities(_) => ("cities", true),
        AnalyticsCommand::Devices(_) => ("devices", true),
        AnalyticsCommand::Browsers(_) => ("browsers", true),
        AnalyticsCommand::OperatingSystems(_) => ("operating-systems", true),
        AnalyticsCommand::Hostnames(_) => ("hostnames", true),
    }
}

fn report_args(command: &AnalyticsCommand) -> Option<&ReportArgs> {
    match command {
        AnalyticsCommand::Realtime { .. } => None,
        AnalyticsCommand::Timeseries { report, .. } => Some(report),
        AnalyticsCommand::Overview(report)
        | AnalyticsCommand::Pages(report)
        | AnalyticsCommand::Referrers(report)
        | AnalyticsCommand::Campaigns(report)
        | AnalyticsCommand::Goals(report)
        | AnalyticsCommand::Countries(report)
        | AnalyticsCommand::Regions(report)
        | AnalyticsCommand::Cities(report)
        | AnalyticsCommand::Devices(report)
        | AnalyticsCommand::Browsers(report)
        | AnalyticsCommand::OperatingSystems(report)
        | AnalyticsCommand::Hostnames(report) => Some(report),
    }
}

fn interval_name(interval: Interval) -> &'static str {
    match interval {
        Interval::Hour => "hour",
        Interval::Day => "day",
        Interval::Week => "week",
        Interval::Month => "month",
    }
}

/// The request an analytics command sends, at `now` with `local` as the local zone.
pub fn report_request(
    command: &AnalyticsCommand,
    website: Option<String>,
    local: TimeZone,
    now: Timestamp,
) -> CliResult<Request> {
    let (route, breakdown) = report_route(command);
    let mut request =
        Request::get(format!("/api/v1/analytics/{route}")).query_opt("websiteId", website);
    let Some(report) = report_args(command) else {
        return Ok(request);
    };
    for (name, value) in range_params(&report.range, local, now)? {
        request = request.query(&name, value);
    }
    let fields = match command {
        // The API requires fields on timeseries; visitors and sessions are the useful default.
        AnalyticsCommand::Timeseries { .. } => Some(
            report
                .fields
                .clone()
                .unwrap_or_else(|| "visitors,sessions".to_owned()),
        ),
        _ => report.fields.clone(),
    };
    request = request.query_opt("fields", fields);
    if let AnalyticsCommand::Timeseries { interval, .. } = command {
        request = request.query("interval", interval_name(*interval));
    }
    let limit = report
        .limit
        .or(breakdown.then_some(DEFAULT_BREAKDOWN_LIMIT));
    request = request
        .query_opt("limit", limit.map(|l| l.to_string()))
        .query_opt("offset", report.offset.map(|o| o.to_string()));
    apply_filters(request, &report.filters)
}

/// The request `visitors list` sends; its filters have no `filter_` prefix.
pub fn visitors_request(
    args: &VisitorListArgs,
    website: Option<String>,
    local: TimeZone,
    now: Timestamp,
) -> CliResult<Request> {
    let mut request = Request::get("/api/v1/visitors").query_opt("websiteId", website);
    for (name, value) in range_params(&args.range, local, now)? {
        request = request.query(&name, value);
    }
    let named = [
        ("limit", args.limit.map(|l| l.to_string())),
        ("offset", args.offset.map(|o| o.to_string())),
        ("visitedPage", args.visited_page.clone()),
        ("visitedPageContains", args.visited_page_contains.clone()),
        ("completedGoal", args.completed_goal.clone()),
        ("country", args.country.clone()),
        ("region", args.region.clone()),
        ("city", args.city.clone()),
        ("browser", args.browser.clone()),
        ("os", args.os.clone()),
        ("device", args.device.clone()),
        ("referrer", args.referrer.clone()),
        ("hostname", args.hostname.clone()),
        ("utm_source", args.utm_source.clone()),
        ("utm_medium", args.utm_medium.clone()),
        ("utm_campaign", args.utm_campaign.clone()),
        ("utm_term", args.utm_term.clone()),
        ("utm_content", args.utm_content.clone()),
        ("ref", args.ref_param.clone()),
        ("source", args.source.clone()),
        ("via", args.via.clone()),
        ("isCustomer", args.is_customer.map(|b| b.to_string())),
    ];
    if args.is_customer.is_some() && args.completed_goal.is_some() {
        return Err(CliError::usage(
            "--is-customer cannot be combined with --completed-goal",
        ));
    }
    for (name, value) in named {
        request = request.query_opt(name, value);
    }
    Ok(request)
}

fn breakdown_columns(route: &str) -> Vec<Column> {
    let key = match route {
        "pages" => vec![
            col("Hostname", "hostname", Kind::Text),
            col("Page", "path", Kind::Text),
        ],
        "referrers" => vec![col("Referrer", "referrer", Kind::Text)],
        "campaigns" => vec![
            col("Source", "campaign.utm_source", Kind::Text),
            col("Medium", "campaign.utm_medium", Kind::Text),
            col("Campaign", "campaign.utm_campaign", Kind::Text),
            col("Term", "campaign.utm_term", Kind::Text),
            col("Content", "campaign.utm_content", Kind::Text),
            col("Ref", "campaign.ref", Kind::Text),
            col("Source param", "campaign.source", Kind::Text),
            col("Via", "campaign.via", Kind::Text),
        ],
        "goals" => vec![
            col("Goal", "goal", Kind::Text),
            col("Completions", "completions", Kind::Number),
        ],
        "countries" => vec![col("Country", "country", Kind::Text)],
        "regions" => vec![col("Region", "region", Kind::Text)],
        "cities" => vec![col("City", "city", Kind::Text)],
        "devices" => vec![col("Device", "device", Kind::Text)],
        "browsers" => vec![col("Browser", "browser", Kind::Text)],
        "operating-systems" => vec![col("OS", "operating_system", Kind::Text)],
        _ => vec![col("Hostname", "hostname", Kind::Text)],
    };
    let mut columns = key;
    columns.push(col("Visitors", "visitors", Kind::Number));
    columns.push(col("Revenue", "revenue", Kind::Number));
    columns.push(col("Payments", "payments", Kind::Number));
    columns
}

/// Only the columns some row fills, so `--fields` narrows the table too, and campaign parts no
/// visitor came with (the server sends them as `""`) do not take up the width.
fn present(columns: Vec<Column>, rows: &[Value]) -> Vec<Column> {
    columns
        .into_iter()
        .filter(|c| {
            rows.iter().any(|row| match lookup(row, &c.path) {
                Value::Null => false,
                Value::String(text) => !text.is_empty(),
                _ => true,
            })
        })
        .collect()
}

fn kind_of_metric(name: &str) -> Kind {
    match name {
        "bounce_rate" => Kind::Percent,
        "avg_session_duration" => Kind::Millis,
        "name" | "timestamp" | "currency" => Kind::Text,
        _ => Kind::Number,
    }
}

/// How a report reads: one object (`Record`) or rows (`Table`), with the columns to show.
#[derive(Debug)]
pub enum Layout {
    Record(Vec<Column>),
    Table(Vec<Column>),
}

/// The columns for a report's answer: the known ones the answer has, in a fixed order.
pub fn report_layout(route: &str, body: &Value, rows: &[Value]) -> Layout {
    match route {
        "overview" => Layout::Record(present(
            vec![
                col("Visitors", "visitors", Kind::Number),
                col("Sessions", "sessions", Kind::Number),
                col("Bounce rate", "bounce_rate", Kind::Percent),
                col("Avg. session", "avg_session_duration", Kind::Millis),
                col("Revenue", "revenue", Kind::Number),
                col("Payments", "payments", Kind::Number),
                col("Revenue/visitor", "revenue_per_visitor", Kind::Number),
                col("Conversion rate", "conversion_rate", Kind::Percent),
                col("MRR", "mrr", Kind::Number),
                col("Currency", "currency", Kind::Text),
            ],
            rows,
        )),
        "realtime" => Layout::Record(vec![col("Active visitors", "visitors", Kind::Number)]),
        "timeseries" => {
            let mut columns = vec![col("Period", "name", Kind::Text)];
            columns.extend(
                body["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|field| *field != "name")
                    .map(|field| dynamic_col(field, kind_of_metric(field))),
            );
            Layout::Table(columns)
        }
        breakdown => Layout::Table(present(breakdown_columns(breakdown), rows)),
    }
}

fn show_report(ctx: &Ctx, route: &str, answer: &Answer) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return;
    }
    let rows = answer.rows();
    match report_layout(route, &answer.body, &rows) {
        Layout::Record(columns) => ctx.out.record(&columns, answer.first()),
        Layout::Table(columns) => ctx.out.table(&columns, &rows, "No data for this range."),
    }
    let page = &answer.body["pagination"];
    if let (Some(offset), Some(total)) = (page["offset"].as_u64(), page["total"].as_u64()) {
        let shown = rows.len() as u64;
        if offset + shown < total {
            ctx.out.print(&format!(
                "Showing {}-{} of {total}; use --offset {} for more",
                offset + 1,
                offset + shown,
                offset + shown
            ));
        }
    }
}

pub fn run(ctx: &Ctx, command: AnalyticsCommand) -> CliResult<()> {
    let given = match &command {
        AnalyticsCommand::Realtime { website } => website.clone(),
        other => report_args(other).and_then(|r| r.website.clone()),
    };
    let (client, website) = website_api_client(ctx, given.as_deref())?;
    let now = period::now_in(TimeZone::UTC).timestamp();
    let request = report_request(&command, website, TimeZone::system(), now)?;
    let answer = client.send(&request)?;
    show_report(ctx, report_route(&command).0, &answer);
    Ok(())
}

const VISITOR_ROWS: [Column; 9] = [
    col("Visitor", "visitorId", Kind::Text),
    col("Last seen", "lastSeenAt", Kind::Date),
    col("Current URL", "currentUrl", Kind::Text),
    col("Referrer", "acquisition.referrer", Kind::Text),
    col("Country", "identity.country", Kind::Text),
    col("City", "identity.city", Kind::Text),
    col("Device", "identity.device", Kind::Text),
    col("Browser", "identity.browser", Kind::Text),
    col("Customer", "isCustomer", Kind::Bool),
];

const VISITOR_FIELDS: [Column; 12] = [
    col("Visitor", "visitorId", Kind::Text),
    col("Country", "identity.country", Kind::Text),
    col("Region", "identity.region", Kind::Text),
    col("City", "identity.city", Kind::Text),
    col("Browser", "identity.browser.name", Kind::Text),
    col("OS", "identity.os.name", Kind::Text),
    col("Device", "identity.device.type", Kind::Text),
    col("Visits", "activity.visitCount", Kind::Number),
    col("Pageviews", "activity.pageViewCount", Kind::Number),
    col("First visit", "activity.firstVisitAt", Kind::Date),
    col("Last visit", "activity.lastVisitAt", Kind::Date),
    col("Current URL", "activity.currentUrl", Kind::Text),
];

pub fn visitors(ctx: &Ctx, command: VisitorsCommand) -> CliResult<()> {
    match command {
        VisitorsCommand::List(args) => {
            let (client, website) = website_api_client(ctx, args.website.as_deref())?;
            let now = period::now_in(TimeZone::UTC).timestamp();
            let answer =
                client.send(&visitors_request(&args, website, TimeZone::system(), now)?)?;
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
                return Ok(());
            }
            ctx.out
                .table(&VISITOR_ROWS, &answer.rows(), "No visitors in this range.");
            let page = &answer.body["pagination"];
            if page["hasMore"].as_bool() == Some(true) {
                let next = page["offset"].as_u64().unwrap_or(0) + answer.rows().len() as u64;
                ctx.out
                    .print(&format!("More visitors: use --offset {next}"));
            }
        }
        VisitorsCommand::Get {
            visitor_id,
            website,
        } => {
            let (client, website) = website_api_client(ctx, website.as_deref())?;
            let request = Request::get(format!("/api/v1/visitors/{}", segment(&visitor_id)))
                .query_opt("websiteId", website);
            let answer = client.send(&request)?;
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
                return Ok(());
            }
            let visitor = answer.first();
            ctx.out.record(&VISITOR_FIELDS, visitor);
            if let Some(goals) = visitor["activity"]["completedCustomGoals"]
                .as_array()
                .filter(|g| !g.is_empty())
            {
                ctx.out.print("\nGoals:");
                ctx.out.table(
                    &[
                        col("Goal", "name", Kind::Text),
                        col("When", "timestamp", Kind::Date),
                    ],
                    goals,
                    "",
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;

    /// 2026-03-04 (a Wednesday) 23:30 UTC: already the 5th in Tokyo.
    fn now() -> Timestamp {
        "2026-03-04T23:30:00Z"
            .parse()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn analytics_url(args: &[&str], local: &str) -> String {
        let mut argv = vec!["datafast", "analytics"];
        argv.extend_from_slice(args);
        let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{e}"));
        let Command::Analytics(command) = cli.command else {
            panic!("not an analytics command")
        };
        let local = TimeZone::get(local).unwrap_or_else(|e| panic!("{e}"));
        report_request(&command, Some("w1".into()), local, now())
            .unwrap_or_else(|e| panic!("{e}"))
            .path_and_query()
    }

    #[test]
    fn every_period_becomes_a_range_in_the_given_zone() {
        let expect = [
            ("today", "startAt=2026-03-04&endAt=2026-03-04"),
            ("yesterday", "startAt=2026-03-03&endAt=2026-03-03"),
            (
                "last24h",
                "startAt=2026-03-03T23%3A30%3A00%2B00%3A00&endAt=2026-03-04T23%3A30%3A00%2B00%3A00",
            ),
            ("last7d", "startAt=2026-02-26&endAt=2026-03-04"),
            ("last30d", "startAt=2026-02-03&endAt=2026-03-04"),
            ("last12m", "startAt=2025-04-01&endAt=2026-03-04"),
            ("week", "startAt=2026-03-02&endAt=2026-03-04"),
            ("month", "startAt=2026-03-01&endAt=2026-03-04"),
            ("year", "startAt=2026-01-01&endAt=2026-03-04"),
        ];
        for (name, range) in expect {
            assert_eq!(
                analytics_url(
                    &["overview", "--period", name, "--timezone", "UTC"],
                    "Asia/Tokyo"
                ),
                format!("/api/v1/analytics/overview?websiteId=w1&{range}&timezone=UTC"),
                "period {name}"
            );
        }
        assert_eq!(
            analytics_url(
                &["overview", "--period", "all", "--timezone", "UTC"],
                "Asia/Tokyo"
            ),
            "/api/v1/analytics/overview?websiteId=w1&timezone=UTC"
        );
    }

    #[test]
    fn without_a_timezone_periods_use_the_local_zone_and_send_it() {
        assert_eq!(
            analytics_url(&["overview", "--period", "today"], "Asia/Tokyo"),
            "/api/v1/analytics/overview?websiteId=w1&startAt=2026-03-05&endAt=2026-03-05&timezone=Asia%2FTokyo"
        );
        assert_eq!(
            analytics_url(&["overview", "--period", "last24h"], "Asia/Tokyo"),
            "/api/v1/analytics/overview?websiteId=w1&startAt=2026-03-04T08%3A30%3A00%2B09%3A00&endAt=2026-03-05T08%3A30%3A00%2B09%3A00&timezone=Asia%2FTokyo"
        );
    }

    #[test]
    fn explicit_bounds_and_no_range_pass_through() {
        assert_eq!(
            analytics_url(
                &[
                    "overview",
                    "--from",
                    "2026-01-01",
                    "--to",
                    "2026-01-31T23:59:59Z"
                ],
                "UTC"
            ),
            "/api/v1/analytics/overview?websiteId=w1&startAt=2026-01-01&endAt=2026-01-31T23%3A59%3A59Z"
        );
        assert_eq!(
            analytics_url(&["overview"], "UTC"),
            "/api/v1/analytics/overview?websiteId=w1"
        );
    }

    #[test]
    fn breakdowns_send_fields_limit_offset_and_filters() {
        assert_eq!(
            analytics_url(
                &[
                    "pages",
                    "--fields",
                    "path,visitors",
                    "--offset",
                    "50",
                    "--country",
                    "US,Canada",
                    "--page",
                    "contains:/docs",
                    "--filter",
                    "referrer=Google",
                    "--filter",
                    "filter_via=x",
                ],
                "UTC"
            ),
            "/api/v1/analytics/pages?websiteId=w1&fields=path%2Cvisitors&limit=50&offset=50&filter_country=US%2CCanada&filter_page=contains%3A%2Fdocs&filter_referrer=Google&filter_via=x"
        );
        assert_eq!(
            analytics_url(&["operating-systems", "--limit", "5"], "UTC"),
            "/api/v1/analytics/operating-systems?websiteId=w1&limit=5"
        );
    }

    #[test]
    fn timeseries_always_names_fields_and_interval() {
        assert_eq!(
            analytics_url(
                &[
                    "timeseries",
                    "--interval",
                    "hour",
                    "--period",
                    "today",
                    "--timezone",
                    "Europe/Paris"
                ],
                "UTC"
            ),
            "/api/v1/analytics/timeseries?websiteId=w1&startAt=2026-03-05&endAt=2026-03-05&timezone=Europe%2FParis&fields=visitors%2Csessions&interval=hour"
        );
        assert_eq!(
            analytics_url(&["realtime"], "UTC"),
            "/api/v1/analytics/realtime?websiteId=w1"
        );
    }

    #[test]
    fn a_bad_filter_or_zone_is_a_usage_error() {
        let cli = Cli::try_parse_from(["datafast", "analytics", "pages", "--filter", "novalue"])
            .unwrap_or_else(|e| panic!("{e}"));
        let Command::Analytics(command) = cli.command else {
            panic!()
        };
        let error = report_request(&command, None, TimeZone::UTC, now()).err();
        assert_eq!(
            error.map(|e| e.exit_code()),
            Some(crate::error::exit::USAGE)
        );
        let cli = Cli::try_parse_from([
            "datafast",
            "analytics",
            "pages",
            "--timezone",
            "Nowhere/Else",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let Command::Analytics(command) = cli.command else {
            panic!()
        };
        assert!(report_request(&command, None, TimeZone::UTC, now()).is_err());
    }

    fn rendered(route: &str, body: &Value) -> String {
        let rows: Vec<Value> = body["data"].as_array().cloned().unwrap_or_default();
        match report_layout(route, body, &rows) {
            Layout::Record(columns) => crate::output::render_record(&columns, &rows[0]),
            Layout::Table(columns) => crate::output::render_table(&columns, &rows),
        }
    }

    #[test]
    fn reports_render_the_reference_examples() {
        let overview = serde_json::json!({"status": "success", "data": [{
            "visitors": 12450, "sessions": 16890, "bounce_rate": 65.32,
            "avg_session_duration": 245678.45, "currency": "$", "revenue": 28450,
            "revenue_per_visitor": 2.29, "conversion_rate": 1.15
        }]});
        assert_eq!(
            rendered("overview", &overview),
            "Visitors:        12,450\nSessions:        16,890\nBounce rate:     65.32%\n\
             Avg. session:    4m 06s\nRevenue:         28,450\nRevenue/visitor: 2.29\n\
             Conversion rate: 1.15%\nCurrency:        $"
        );
        let pages = serde_json::json!({"status": "success", "data": [
            {"hostname": "example.com", "path": "/", "visitors": 8920, "revenue": 12450},
            {"hostname": "example.com", "path": "/pricing", "visitors": 2150, "revenue": 8934}
        ], "pagination": {"limit": 100, "offset": 0, "total": 243}});
        assert_eq!(
            rendered("pages", &pages),
            "HOSTNAME     PAGE      VISITORS  REVENUE\n\
             example.com  /            8,920   12,450\n\
             example.com  /pricing     2,150    8,934"
        );
        let campaigns = serde_json::json!({"status": "success", "data": [{
            "campaign": {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "launch",
                         "utm_term": "", "utm_content": "", "ref": "", "source": "", "via": ""},
            "visitors": 1840, "revenue": 2890
        }]});
        // Empty campaign parts get no column.
        assert_eq!(
            rendered("campaigns", &campaigns),
            "SOURCE      MEDIUM  CAMPAIGN  VISITORS  REVENUE\n\
             newsletter  email   launch       1,840    2,890"
        );
        let series = serde_json::json!({"status": "success", "fields": ["visitors", "name", "revenue"],
            "data": [{"visitors": 45, "name": "01 Jan", "revenue": 1234.5, "timestamp": "2024-01-01T00:00:00Z"}]});
        assert_eq!(
            rendered("timeseries", &series),
            "PERIOD  VISITORS  REVENUE\n01 Jan        45  1,234.5"
        );
    }

    #[test]
    fn visitors_use_unprefixed_filters() {
        let cli = Cli::try_parse_from([
            "datafast",
            "visitors",
            "list",
            "--period",
            "last7d",
            "--timezone",
            "UTC",
            "--visited-page",
            "/pricing",
            "--device",
            "mobile",
            "--is-customer",
            "true",
            "--limit",
            "10",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        let Command::Visitors(VisitorsCommand::List(args)) = cli.command else {
            panic!()
        };
        let request =
            visitors_request(&args, None, TimeZone::UTC, now()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            request.path_and_query(),
            "/api/v1/visitors?startAt=2026-02-26&endAt=2026-03-04&timezone=UTC&limit=10&visitedPage=%2Fpricing&device=mobile&isCustomer=true"
        );
    }
}
