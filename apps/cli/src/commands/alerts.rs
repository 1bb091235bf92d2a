//! `alerts`: goal alerts of a website and their delivery history.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::cli::AlertsCommand;
use crate::client::{Request, segment};
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
        AlertsCommand::List(site) => {
            let website = ctx.website(site.website_id.as_deref())?;
            let answer = client.send(&Request::get(site_path(&website, "/alerts")))?;
            show_rows(ctx, &answer, &ALERT_ROWS, "No alerts.");
        }
        AlertsCommand::Get(ids) => {
            let (website, alert) = scoped(ctx, &ids.ids)?;
            let answer = client.send(&Request::get(alert_path(&website, &alert)))?;
            show_alert(ctx, &answer);
        }
        AlertsCommand::Create {
            website,
            name,
            goal,
            subject,
            message,
            webhook_url,
            disabled,
        } => {
            let website = ctx.website(website.website_id.as_deref())?;
            let mut template =
                json!({ "message": message.unwrap_or_else(|| default_message(&goal)) });
            if let Some(subject) = subject {
                template["subject"] = json!(subject);
            }
            let mut body = json!({
                "name": name,
                "trigger": { "type": "goal", "goalName": goal },
                "template": template,
                "isEnabled": !disabled,
            });
            if let Some(url) = webhook_url {
                body["destination"] = json!({ "type": "email", "webhookUrl": url });
            }
            let answer = client
                .send(&Request::new(Method::POST, site_path(&website, "/alerts")).body(body))?;
            if !ctx.out.json {
                ctx.out
                    .done(&format!("Created alert {}", text(answer.first(), "name")));
            }
            show_alert(ctx, &answer);
        }
        AlertsCommand::Update {
            ids,
            name,
            goal,
            subject,
            message,
            webhook_url,
            clear_webhook_url,
            enabled,
            disabled,
        } => {
            let (website, alert) = scoped(ctx, &ids.ids)?;
            let mut body = Map::new();
            if let Some(name) = name {
                body.insert("name".into(), json!(name));
            }
            if let Some(goal) = goal {
                body.insert(
                    "trigger".into(),
                    json!({ "type": "goal", "goalName": goal }),
                );
            }
            if subject.is_some() || message.is_some() {
                let mut template = Map::new();
                if let Some(subject) = subject {
                    template.insert("subject".into(), json!(subject));
                }
                if let Some(message) = message {
                    template.insert("message".into(), json!(message));
                }
                body.insert("template".into(), Value::Object(template));
            }
            if let Some(url) = webhook_url {
                body.insert(
                    "destination".into(),
                    json!({ "type": "email", "webhookUrl": url }),
                );
            } else if clear_webhook_url {
                body.insert(
                    "destination".into(),
                    json!({ "type": "email", "webhookUrl": null }),
                );
            }
            if enabled || disabled {
                body.insert("isEnabled".into(), json!(enabled));
            }
            if body.is_empty() {
                return Err(CliError::usage(
                    "nothing to change: give --name, --goal, --subject, --message, --webhook-url, --enabled or --disabled",
                ));
            }
            let answer = client.send(
                &Request::new(Method::PUT, alert_path(&website, &alert)).body(Value::Object(body)),
            )?;
            show_alert(ctx, &answer);
        }
        AlertsCommand::Delete { ids, confirm: c } => {
            let (website, alert) = scoped(ctx, &ids.ids)?;
            confirm(&format!("Delete alert {alert}"), c.yes)?;
            let answer =
                client.send(&Request::new(Method::DELETE, alert_path(&website, &alert)))?;
            show_message(ctx, &answer, &format!("Deleted alert {alert}"));
        }
        AlertsCommand::History {
            website,
            alert,
            limit,
        } => {
            let website = ctx.website(website.website_id.as_deref())?;
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
        }
    }
    Ok(())
}
