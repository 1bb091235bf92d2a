//! `websites`: list, get, create, update, delete and the KPI settings; API keys and the team
//! have modules of their own.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::cli::{
    ColorScheme, Confirm, KpiArgs, RevenueMetric, WebsiteOnly, WebsiteSettingsArgs, WebsitesCommand,
};
use crate::client::{Answer, Request};
use crate::commands::{
    admin, api_keys, csv, show_message, show_record, show_rows, site_path, team, text,
};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, confirm};

const WEBSITE_ROWS: [Column; 7] = [
    col("ID", "_id", Kind::Text),
    col("Domain", "domain", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Tracking ID", "trackingId", Kind::Text),
    col("Timezone", "timezone", Kind::Text),
    col("Currency", "currency", Kind::Text),
    col("Role", "role", Kind::Text),
];

const WEBSITE_FIELDS: [Column; 22] = [
    col("ID", "_id", Kind::Text),
    col("Domain", "domain", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Tracking ID", "trackingId", Kind::Text),
    col("Timezone", "timezone", Kind::Text),
    col("Currency", "currency", Kind::Text),
    col("KPI", "kpi", Kind::Text),
    col("KPI color scheme", "kpiColorScheme", Kind::Text),
    col("Revenue metric", "revenueMetric", Kind::Text),
    col("Cookieless", "isCookieless", Kind::Bool),
    col("Renewal revenue", "includeRenewalRevenue", Kind::Bool),
    col("Weekly reports", "sendWeeklyReports", Kind::Bool),
    col("Viral traffic alerts", "sendViralTrafficAlerts", Kind::Bool),
    col("Public dashboard", "isPublicDashboardEnabled", Kind::Bool),
    col("Public data", "isPublicDataEnabled", Kind::Bool),
    col("Attack mode", "isAttackModeEnabled", Kind::Bool),
    col("All hostnames allowed", "isAllHostnamesAllowed", Kind::Bool),
    col("Allowed hostnames", "allowedHostnames", Kind::Text),
    col("Excluded IPs", "excludedIps", Kind::Text),
    col("Excluded paths", "excludedPaths", Kind::Text),
    col("Excluded countries", "excludedCountries", Kind::Text),
    col("Excluded hostnames", "excludedHostnames", Kind::Text),
];

const KPI_FIELDS: [Column; 4] = [
    col("Website", "_id", Kind::Text),
    col("KPI", "kpi", Kind::Text),
    col("KPI color scheme", "kpiColorScheme", Kind::Text),
    col("Revenue metric", "revenueMetric", Kind::Text),
];

fn scheme_name(scheme: ColorScheme) -> &'static str {
    match scheme {
        ColorScheme::Red => "red",
        ColorScheme::Orange => "orange",
        ColorScheme::Yellow => "yellow",
        ColorScheme::Green => "green",
        ColorScheme::Purple => "purple",
        ColorScheme::Pink => "pink",
        ColorScheme::Gray => "gray",
        ColorScheme::Blue => "blue",
        ColorScheme::Teal => "teal",
        ColorScheme::Indigo => "indigo",
    }
}

fn metric_name(metric: RevenueMetric) -> &'static str {
    match metric {
        RevenueMetric::Revenue => "revenue",
        RevenueMetric::Mrr => "mrr",
    }
}

/// The `PUT /websites/{id}` body for the flags given; only those fields change.
pub fn settings_body(args: &WebsiteSettingsArgs) -> Map<String, Value> {
    let mut body = Map::new();
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            body.insert(key.to_owned(), value);
        }
    };
    put("name", args.name.clone().map(Value::from));
    put("domain", args.domain.clone().map(Value::from));
    put("timezone", args.timezone.clone().map(Value::from));
    put("currency", args.currency.clone().map(Value::from));
    put("kpi", args.kpi.clone().map(Value::from));
    put(
        "kpiColorScheme",
        args.kpi_color_scheme.map(|s| json!(scheme_name(s))),
    );
    put(
        "revenueMetric",
        args.revenue_metric.map(|m| json!(metric_name(m))),
    );
    put("isCookieless", args.cookieless.map(Value::from));
    put(
        "includeRenewalRevenue",
        args.include_renewal_revenue.map(Value::from),
    );
    put(
        "sendWeeklyReports",
        args.send_weekly_reports.map(Value::from),
    );
    put(
        "sendViralTrafficAlerts",
        args.send_viral_traffic_alerts.map(Value::from),
    );
    put(
        "isPublicDashboardEnabled",
        args.public_dashboard.map(Value::from),
    );
    put("isPublicDataEnabled", args.public_data.map(Value::from));
    put("isAttackModeEnabled", args.attack_mode.map(Value::from));
    put(
        "isAllHostnamesAllowed",
        args.all_hostnames_allowed.map(Value::from),
    );
    let list = |value: &Option<String>| value.as_deref().map(|v| json!(csv(v)));
    put("allowedHostnames", list(&args.allowed_hostnames));
    put("excludedIps", list(&args.excluded_ips));
    put("excludedPaths", list(&args.excluded_paths));
    put("excludedCountries", list(&args.excluded_countries));
    put("excludedHostnames", list(&args.excluded_hostnames));
    body
}

pub fn run(ctx: &Ctx, command: WebsitesCommand) -> CliResult<()> {
    match command {
        WebsitesCommand::List => list(ctx),
        WebsitesCommand::Get(site) => get(ctx, &site),
        WebsitesCommand::Create {
            domain,
            timezone,
            name,
        } => create(ctx, domain, timezone, name),
        WebsitesCommand::Update { website, settings } => update(ctx, &website, &settings),
        WebsitesCommand::Delete {
            website,
            confirm: c,
        } => delete(ctx, &website, &c),
        WebsitesCommand::Kpi(args) => kpi(ctx, args),
        WebsitesCommand::Apikeys(command) => api_keys::run(ctx, command),
        WebsitesCommand::Team(command) => team::run(ctx, command),
    }
}

fn list(ctx: &Ctx) -> CliResult<()> {
    let answer = ctx
        .admin_client()?
        .send(&Request::get(admin("/websites")))?;
    show_rows(ctx, &answer, &WEBSITE_ROWS, "No websites.");
    Ok(())
}

fn get(ctx: &Ctx, site: &WebsiteOnly) -> CliResult<()> {
    let website = ctx.website(site.chosen())?;
    let answer = ctx
        .admin_client()?
        .send(&Request::get(site_path(&website, "")))?;
    show_record(ctx, &answer, &WEBSITE_FIELDS);
    Ok(())
}

fn create(
    ctx: &Ctx,
    domain: String,
    timezone: Option<String>,
    name: Option<String>,
) -> CliResult<()> {
    let mut body = json!({ "domain": domain });
    if let Some(timezone) = timezone {
        body["timezone"] = json!(timezone);
    }
    if let Some(name) = name {
        body["name"] = json!(name);
    }
    let answer = ctx
        .admin_client()?
        .send(&Request::new(Method::POST, admin("/websites")).body(body))?;
    show_created(ctx, &answer);
    Ok(())
}

/// The new website, with the snippet to paste into its pages.
fn show_created(ctx: &Ctx, answer: &Answer) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return;
    }
    let created = answer.first();
    ctx.out
        .done(&format!("Created website {}", text(created, "domain")));
    ctx.out.record(
        &[
            col("Website ID", "websiteId", Kind::Text),
            col("Domain", "domain", Kind::Text),
            col("Name", "name", Kind::Text),
            col("Timezone", "timezone", Kind::Text),
            col("Tracking ID", "trackingId", Kind::Text),
        ],
        created,
    );
    if let Some(snippet) = created["snippet"].as_str() {
        ctx.out
            .print(&format!("\nAdd this to your site's <head>:\n  {snippet}"));
    }
}

fn update(ctx: &Ctx, website: &WebsiteOnly, settings: &WebsiteSettingsArgs) -> CliResult<()> {
    let website = ctx.website(website.chosen())?;
    let body = settings_body(settings);
    if body.is_empty() {
        return Err(CliError::usage(
            "nothing to change: give at least one setting flag (see `datafast websites update --help`)",
        ));
    }
    let answer = ctx
        .admin_client()?
        .send(&Request::new(Method::PUT, site_path(&website, "")).body(Value::Object(body)))?;
    show_record(ctx, &answer, &WEBSITE_FIELDS);
    Ok(())
}

fn delete(ctx: &Ctx, website: &WebsiteOnly, c: &Confirm) -> CliResult<()> {
    let website = ctx.website(website.chosen())?;
    confirm(&format!("Delete website {website}"), c.yes)?;
    let answer = ctx
        .admin_client()?
        .send(&Request::new(Method::DELETE, site_path(&website, "")))?;
    show_message(ctx, &answer, "Website deleted");
    Ok(())
}

fn kpi(ctx: &Ctx, args: KpiArgs) -> CliResult<()> {
    let website = ctx.website(args.website.chosen())?;
    let mut body = Map::new();
    if let Some(goal) = args.goal {
        body.insert("kpi".into(), json!(goal));
    }
    if args.clear {
        body.insert("kpi".into(), Value::Null);
    }
    if let Some(scheme) = args.color_scheme {
        body.insert("kpiColorScheme".into(), json!(scheme_name(scheme)));
    }
    if let Some(metric) = args.revenue_metric {
        body.insert("revenueMetric".into(), json!(metric_name(metric)));
    }
    let request = if body.is_empty() {
        Request::get(site_path(&website, ""))
    } else {
        Request::new(Method::PUT, site_path(&website, "")).body(Value::Object(body))
    };
    let answer = ctx.admin_client()?.send(&request)?;
    show_record(ctx, &answer, &KPI_FIELDS);
    Ok(())
}
