//! `alerts`: goal alerts of a website and their delivery history.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::cli::{AlertChangesArgs, AlertsCommand, Confirm, NewAlertArgs, ScopedId, WebsiteOnly};
use crate::client::{Client, Request, segment};
use crate::commands::{scoped, show_message, show_rows, site_path, text};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, confirm};

const ALERT_ROWS: [Column; 5] = [
    col("ID", "_id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Goal", "trigger.goalName", Kind::Text),
    col("Enabled", "isEnabled", Kind::Bool),
    col("Webhook", "destination.webhookUrl", Kind::Text),
];

const ALERT_FIELDS: [Column; 8] = [
    col("ID", "_id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Goal", "trigger.goalName", Kind::Text),
    col("Enabled", "isEnabled", Kind::Bool),
    col("Destination", "destination.type", Kind::Text),
    col("Webhook", "destination.webhookUrl", Kind::Text),
    col("Subject", "template.subject", Kind::Text),
    col("Message", "template.message", Kind::Text),
];

const HISTORY_ROWS: [Column; 6] = [
    col("Triggered", "triggeredAt", Kind::Date),
    col("Alert", "alertName", Kind::Text),
    col("Goal", "goalName", Kind::Text),
    col("Status", "status", Kind::Text),
    col("Visitor", "visitorId", Kind::Text),
    col("Error", "error", Kind::Text),
];

/// The email body when `--message` is not given; the server wants 10 characters or more.
pub fn default_message(goal: &str) -> String {
    format!("A visitor completed the goal \"{goal}\".")
}

fn alert_path(website: &str, alert: &str) -> String {
    site_path(website, &format!("/alerts/{}", segment(alert)))
}

fn show_alert(ctx: &Ctx, answer: &crate::client::Answer) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return;
    }
    let alert = answer.first();
    ctx.out.record(&ALERT_FIELDS, alert);
    if let Some(logs) = alert["recentLogs"]
        .as_array()
        .filter(|logs| !logs.is_empty())
    {
        ctx.out.print("\nRecent deliveries:");
        ctx.out.table(&HISTORY_ROWS, logs, "");
    }
}

pub fn run(ctx: &Ctx, command: AlertsCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        AlertsCommand::List(site) => list(ctx, &client, &site),
        AlertsCommand::Get(ids) => get(ctx, &client, &ids),
        AlertsCommand::Create(args) => create(ctx, &client, args),
        AlertsCommand::Update(args) => update(ctx, &client, args),
        AlertsCommand::Delete { ids, confirm: c } => delete(ctx, &client, &ids, &c),
        AlertsCommand::History {
            website,
            alert,
            limit,
        } => history(ctx, &client, &website, alert, limit),
    }
}

fn list(ctx: &Ctx, client: &Client, site: &WebsiteOnly) -> CliResult<()> {
    let website = ctx.website(site.chosen())?;
    let answer = client.send(&Request::get(site_path(&website, "/alerts")))?;
    show_rows(ctx, &answer, &ALERT_ROWS, "No alerts.");
    Ok(())
}

fn get(ctx: &Ctx, client: &Client, ids: &ScopedId) -> CliResult<()> {
    let (website, alert) = scoped(ctx, &ids.ids)?;
    let answer = client.send(&Request::get(alert_path(&website, &alert)))?;
    show_alert(ctx, &answer);
    Ok(())
}

fn create(ctx: &Ctx, client: &Client, args: NewAlertArgs) -> CliResult<()> {
    let website = ctx.website(args.website.chosen())?;
    let mut template =
        json!({ "message": args.message.unwrap_or_else(|| default_message(&args.goal)) });
    if let Some(subject) = args.subject {
        template["subject"] = json!(subject);
    }
    let mut body = json!({
        "name": args.name,
        "trigger": { "type": "goal", "goalName": args.goal },
        "template": template,
        "isEnabled": !args.disabled,
    });
    if let Some(url) = args.webhook_url {
        body["destination"] = json!({ "type": "email", "webhookUrl": url });
    }
    let answer =
        client.send(&Request::new(Method::POST, site_path(&website, "/alerts")).body(body))?;
    if !ctx.out.json {
        ctx.out
            .done(&format!("Created alert {}", text(answer.first(), "name")));
    }
    show_alert(ctx, &answer);
    Ok(())
}

fn update(ctx: &Ctx, client: &Client, args: AlertChangesArgs) -> CliResult<()> {
    let (website, alert) = scoped(ctx, &args.ids.ids)?;
    let body = changes(args);
    if body.is_empty() {
        return Err(CliError::usage(
            "nothing to change: give --name, --goal, --subject, --message, --webhook-url, --enabled or --disabled",
        ));
    }
    let answer = client
        .send(&Request::new(Method::PUT, alert_path(&website, &alert)).body(Value::Object(body)))?;
    show_alert(ctx, &answer);
    Ok(())
}

/// The `PUT` body for the flags given; only those fields change.
fn changes(args: AlertChangesArgs) -> Map<String, Value> {
    let mut body = Map::new();
    if let Some(name) = args.name {
        body.insert("name".into(), json!(name));
    }
    if let Some(goal) = args.goal {
        body.insert(
            "trigger".into(),
            json!({ "type": "goal", "goalName": goal }),
        );
    }
    if args.subject.is_some() || args.message.is_some() {
        let mut template = Map::new();
        if let Some(subject) = args.subject {
            template.insert("subject".into(), json!(subject));
        }
        if let Some(message) = args.message {
            template.insert("message".into(), json!(message));
        }
        body.insert("template".into(), Value::Object(template));
    }
    if let Some(url) = args.webhook_url {
        body.insert(
            "destination".into(),
            json!({ "type": "email", "webhookUrl": url }),
        );
    } else if args.clear_webhook_url {
        body.insert(
            "destination".into(),
            json!({ "type": "email", "webhookUrl": null }),
        );
    }
    if args.enabled || args.disabled {
        body.insert("isEnabled".into(), json!(args.enabled));
    }
    body
}

fn delete(ctx: &Ctx, client: &Client, ids: &ScopedId, c: &Confirm) -> CliResult<()> {
    let (website, alert) = scoped(ctx, &ids.ids)?;
    confirm(&format!("Delete alert {alert}"), c.yes)?;
    let answer = client.send(&Request::new(Method::DELETE, alert_path(&website, &alert)))?;
    show_message(ctx, &answer, &format!("Deleted alert {alert}"));
    Ok(())
}

fn history(
    ctx: &Ctx,
    client: &Client,
    website: &WebsiteOnly,
    alert: Option<String>,
    limit: Option<u32>,
) -> CliResult<()> {
    let website = ctx.website(website.chosen())?;
    let request = Request::get(site_path(&website, "/alerts/history"))
        .query_opt("alertId", alert)
        .query_opt("limit", limit.map(|l| l.to_string()));
    let answer = client.send(&request)?;
    show_rows(ctx, &answer, &HISTORY_ROWS, "No deliveries yet.");
    if !ctx.out.json {
        let counts = &answer.body["counts"];
        if counts.is_object() {
            ctx.out.print(&format!(
                "{} sent, {} failed, {} in all",
                counts["sent"], counts["failed"], counts["total"]
            ));
        }
    }
    Ok(())
}
