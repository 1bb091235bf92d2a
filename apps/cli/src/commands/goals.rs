//! `goals`: tracked goals, their display customizations and the colour palette.

use reqwest::Method;
use serde_json::{Value, json};

use crate::Ctx;
use crate::cli::{GoalsCommand, WebsiteOnly};
use crate::client::{Client, Request};
use crate::commands::{show_rows, site_path};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col};

const GOAL_ROWS: [Column; 5] = [
    col("Goal", "name", Kind::Text),
    col("Type", "eventType", Kind::Text),
    col("Completions", "total", Kind::Number),
    col("Visitors", "uv", Kind::Number),
    col("Conversion", "conversionRate", Kind::Fraction),
];

const CUSTOMIZATION_ROWS: [Column; 5] = [
    col("Goal", "goalName", Kind::Text),
    col("Display name", "displayName", Kind::Text),
    col("Color", "color", Kind::Text),
    col("Description", "description", Kind::Text),
    col("Updated", "updatedAt", Kind::Date),
];

const COLOR_ROWS: [Column; 3] = [
    col("Color", "color", Kind::Text),
    col("Family", "family", Kind::Text),
    col("Label", "label", Kind::Text),
];

/// A `--x` value, or `null` with `--clear-x`, or nothing.
fn field(value: Option<String>, clear: bool) -> Option<Value> {
    value.map(Value::from).or(clear.then_some(Value::Null))
}

pub fn run(ctx: &Ctx, command: GoalsCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        GoalsCommand::List(site) => {
            let website = ctx.website(site.chosen())?;
            let answer = client.send(&Request::get(site_path(&website, "/goals")))?;
            show_rows(ctx, &answer, &GOAL_ROWS, "No goals tracked yet.");
        }
        GoalsCommand::Customizations { website, goal } => {
            let website = ctx.website(website.chosen())?;
            let request = Request::get(site_path(&website, "/goals/customizations"))
                .query_opt("goalName", goal);
            let answer = client.send(&request)?;
            show_rows(ctx, &answer, &CUSTOMIZATION_ROWS, "No goal customizations.");
        }
        GoalsCommand::Colors(site) => colors(ctx, &client, &site)?,
        GoalsCommand::Customize {
            ids,
            display_name,
            color,
            description,
            clear_display_name,
            clear_color,
            clear_description,
        } => {
            let changes = [
                ("displayName", field(display_name, clear_display_name)),
                ("color", field(color, clear_color)),
                ("description", field(description, clear_description)),
            ];
            customize(ctx, &client, &ids, changes)?;
        }
    }
    Ok(())
}

/// The palette, which the customizations answer carries beside its `data`.
fn colors(ctx: &Ctx, client: &Client, site: &WebsiteOnly) -> CliResult<()> {
    let website = ctx.website(site.chosen())?;
    let answer = client.send(&Request::get(site_path(&website, "/goals/customizations")))?;
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("colors"));
    } else {
        let colors = answer.body["colors"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        ctx.out.table(&COLOR_ROWS, &colors, "No colors.");
    }
    Ok(())
}

/// Sets or clears the fields `changes` gives a value for; at least one must.
fn customize(
    ctx: &Ctx,
    client: &Client,
    ids: &[String],
    changes: [(&str, Option<Value>); 3],
) -> CliResult<()> {
    let (website, goal) = crate::commands::scoped(ctx, ids)?;
    let mut body = json!({ "goalName": goal });
    let mut changed = false;
    for (key, value) in changes {
        if let Some(value) = value {
            body[key] = value;
            changed = true;
        }
    }
    if !changed {
        return Err(CliError::usage(
            "nothing to change: give --display-name, --color, --description or a --clear-* flag",
        ));
    }
    let answer = client.send(
        &Request::new(Method::PATCH, site_path(&website, "/goals/customizations")).body(body),
    )?;
    show_rows(ctx, &answer, &CUSTOMIZATION_ROWS, "No goal customizations.");
    Ok(())
}
