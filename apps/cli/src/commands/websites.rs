//! `websites`: list, get, create, update, delete, the KPI settings, API keys and the team; and
//! `invitations`, the invitee's side of a team invite.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::cli::{
    ApiKeysCommand, ColorScheme, InvitationsCommand, KpiArgs, RevenueMetric, TeamCommand,
    WebsiteSettingsArgs, WebsitesCommand,
};
use crate::client::{Request, segment};
use crate::commands::{admin, csv, scoped, show_message, show_record, show_rows, site_path, text};
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

const API_KEY_ROWS: [Column; 5] = [
    col("ID", "_id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Key", "displayKey", Kind::Text),
    col("Last used", "lastUsedAt", Kind::Date),
    col("Created", "createdAt", Kind::Date),
];

const TEAM_ROWS: [Column; 6] = [
    col("User ID", "userId", Kind::Text),
    col("Invitation ID", "invitationId", Kind::Text),
    col("Email", "email", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Role", "role", Kind::Text),
    col("Status", "status", Kind::Text),
];

const INVITATION_ROWS: [Column; 5] = [
    col("Invitation ID", "invitationId", Kind::Text),
    col("Website", "websiteId", Kind::Text),
    col("Email", "email", Kind::Text),
    col("Role", "role", Kind::Text),
    col("Invited", "invitedAt", Kind::Date),
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
        WebsitesCommand::List => {
            let answer = ctx
                .admin_client()?
                .send(&Request::get(admin("/websites")))?;
            show_rows(ctx, &answer, &WEBSITE_ROWS, "No websites.");
        }
        WebsitesCommand::Get(site) => {
            let website = ctx.website(site.website_id.as_deref())?;
            let answer = ctx
                .admin_client()?
                .send(&Request::get(site_path(&website, "")))?;
            show_record(ctx, &answer, &WEBSITE_FIELDS);
        }
        WebsitesCommand::Create {
            domain,
            timezone,
            name,
        } => {
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
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
            } else {
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
        }
        WebsitesCommand::Update { website, settings } => {
            let website = ctx.website(website.website_id.as_deref())?;
            let body = settings_body(&settings);
            if body.is_empty() {
                return Err(CliError::usage(
                    "nothing to change: give at least one setting flag (see `datafast websites update --help`)",
                ));
            }
            let answer = ctx.admin_client()?.send(
                &Request::new(Method::PUT, site_path(&website, "")).body(Value::Object(body)),
            )?;
            show_record(ctx, &answer, &WEBSITE_FIELDS);
        }
        WebsitesCommand::Delete {
            website,
            confirm: c,
        } => {
            let website = ctx.website(website.website_id.as_deref())?;
            confirm(&format!("Delete website {website}"), c.yes)?;
            let answer = ctx
                .admin_client()?
                .send(&Request::new(Method::DELETE, site_path(&website, "")))?;
            show_message(ctx, &answer, "Website deleted");
        }
        WebsitesCommand::Kpi(args) => kpi(ctx, args)?,
        WebsitesCommand::Apikeys(command) => api_keys(ctx, command)?,
        WebsitesCommand::Team(command) => team(ctx, command)?,
    }
    Ok(())
}

fn kpi(ctx: &Ctx, args: KpiArgs) -> CliResult<()> {
    let website = ctx.website(args.website.website_id.as_deref())?;
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

fn api_keys(ctx: &Ctx, command: ApiKeysCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        ApiKeysCommand::List(site) => {
            let website = ctx.website(site.website_id.as_deref())?;
            let answer = client.send(&Request::get(site_path(&website, "/apikeys")))?;
            show_rows(ctx, &answer, &API_KEY_ROWS, "No API keys.");
        }
        ApiKeysCommand::Create { website, name } => {
            let website = ctx.website(website.website_id.as_deref())?;
            let body = name.map_or_else(|| json!({}), |name| json!({ "name": name }));
            let answer = client
                .send(&Request::new(Method::POST, site_path(&website, "/apikeys")).body(body))?;
            show_issued_key(ctx, &answer, "Created API key");
        }
        ApiKeysCommand::Roll(ids) => {
            let (website, key) = scoped(ctx, &ids.ids)?;
            let answer = client.send(&Request::new(
                Method::PUT,
                site_path(&website, &format!("/apikeys/{}", segment(&key))),
            ))?;
            show_issued_key(ctx, &answer, "Rolled API key");
        }
        ApiKeysCommand::Delete { ids, confirm: c } => {
            let (website, key) = scoped(ctx, &ids.ids)?;
            confirm(&format!("Revoke API key {key}"), c.yes)?;
            let answer = client.send(&Request::new(
                Method::DELETE,
                site_path(&website, &format!("/apikeys/{}", segment(&key))),
            ))?;
            show_message(ctx, &answer, &format!("Revoked API key {key}"));
        }
    }
    Ok(())
}

fn show_issued_key(ctx: &Ctx, answer: &crate::client::Answer, verb: &str) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return;
    }
    let key = answer.first();
    ctx.out.done(&format!(
        "{verb} {} ({})",
        text(key, "name"),
        text(key, "_id")
    ));
    ctx.out.secret("Website API key", text(key, "key"));
}

fn team(ctx: &Ctx, command: TeamCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        TeamCommand::List(site) => {
            let website = ctx.website(site.website_id.as_deref())?;
            let answer = client.send(&Request::get(site_path(&website, "/team")))?;
            show_rows(ctx, &answer, &TEAM_ROWS, "No team members.");
        }
        TeamCommand::Invite {
            website,
            email,
            role,
        } => {
            let website = ctx.website(website.website_id.as_deref())?;
            let role = match role {
                crate::cli::InviteRole::Viewer => "viewer",
                crate::cli::InviteRole::Member => "member",
            };
            let answer = client.send(
                &Request::new(Method::POST, site_path(&website, "/team"))
                    .body(json!({ "email": email, "role": role })),
            )?;
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
            } else {
                let invitation = answer.first();
                ctx.out.done(&format!(
                    "Invited {} as {}; invitation {}",
                    text(invitation, "email"),
                    text(invitation, "role"),
                    text(invitation, "invitationId")
                ));
                ctx.out.print(&format!(
                    "They accept with: datafast invitations accept {}",
                    text(invitation, "invitationId")
                ));
            }
        }
        TeamCommand::Remove { ids, confirm: c } => {
            let (website, member) = scoped(ctx, &ids)?;
            // One argument serves for a user id, an invitation id or an email: the team list
            // says which it is, and so which body the server needs.
            let listed = client.send(&Request::get(site_path(&website, "/team")))?;
            let wanted = member.to_lowercase();
            let row = listed
                .rows()
                .into_iter()
                .find(|row| {
                    ["userId", "invitationId", "email"]
                        .iter()
                        .any(|key| text(row, key).to_lowercase() == wanted)
                })
                .ok_or_else(|| CliError::Api {
                    status: 404,
                    message: format!(
                        "no member or pending invitation '{member}' on website {website}"
                    ),
                })?;
            let body = match row["userId"].as_str() {
                Some(user) => json!({ "userId": user }),
                None => json!({ "invitationId": row["invitationId"] }),
            };
            let what = if body.get("userId").is_some() {
                format!("Remove {} from the team", text(&row, "email"))
            } else {
                format!("Withdraw the invitation to {}", text(&row, "email"))
            };
            confirm(&what, c.yes)?;
            let answer = client
                .send(&Request::new(Method::DELETE, site_path(&website, "/team")).body(body))?;
            show_message(ctx, &answer, "Removed");
        }
    }
    Ok(())
}

pub fn invitations(ctx: &Ctx, command: InvitationsCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        InvitationsCommand::List => {
            let answer = client.send(&Request::get(admin("/invitations")))?;
            show_rows(ctx, &answer, &INVITATION_ROWS, "No pending invitations.");
        }
        InvitationsCommand::Accept { invitation_id } => {
            let answer = client.send(&Request::new(
                Method::POST,
                admin(&format!("/invitations/{}/accept", segment(&invitation_id))),
            ))?;
            show_message(ctx, &answer, "Invitation accepted");
        }
    }
    Ok(())
}
