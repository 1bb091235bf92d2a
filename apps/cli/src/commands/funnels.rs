//! `funnels`: list, get (the definition), view (results, from the analytics API), create,
//! update (including `--enable`/`--disable`) and delete.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::cli::{Confirm, FilterArgs, FunnelsCommand, RangeArgs, ScopedId, WebsiteOnly};
use crate::client::{Request, segment};
use crate::commands::analytics::{apply_filters, apply_range, website_api_client};
use crate::commands::{scoped, show_message, site_path, text};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, confirm};

const FUNNEL_ROWS: [Column; 6] = [
    col("ID", "_id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Slug", "slug", Kind::Text),
    col("Steps", "stepCount", Kind::Number),
    col("Active", "isActive", Kind::Bool),
    col("Created", "createdAt", Kind::Date),
];

const STEP_ROWS: [Column; 4] = [
    col("Step", "id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Type", "type", Kind::Text),
    col("Target", "target", Kind::Text),
];

const RESULT_ROWS: [Column; 6] = [
    col("Step", "name", Kind::Text),
    col("Type", "type", Kind::Text),
    col("Visitors", "visitors", Kind::Number),
    col("Conversion", "conversionRate", Kind::Percent),
    col("Drop-off", "dropoff", Kind::Number),
    col("Revenue", "revenue", Kind::Number),
];

/// `--steps` must be a JSON array; anything else is a usage error before any request.
pub fn parse_steps(steps: &str) -> CliResult<Value> {
    match serde_json::from_str::<Value>(steps) {
        Ok(value @ Value::Array(_)) => Ok(value),
        Ok(_) => Err(CliError::usage("--steps must be a JSON array of steps")),
        Err(e) => Err(CliError::usage(format!("--steps is not valid JSON: {e}"))),
    }
}

fn funnel_path(website: &str, funnel: &str) -> String {
    site_path(website, &format!("/funnels/{}", segment(funnel)))
}

fn with_step_targets(steps: &Value) -> Vec<Value> {
    steps
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|mut step| {
            let target = step["url"]
                .as_str()
                .or(step["goalName"].as_str())
                .unwrap_or("-")
                .to_owned();
            step["target"] = json!(target);
            step
        })
        .collect()
}

fn show_funnel(ctx: &Ctx, answer: &crate::client::Answer) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return;
    }
    let funnel = answer.first();
    ctx.out.record(
        &[
            col("ID", "_id", Kind::Text),
            col("Name", "name", Kind::Text),
            col("Slug", "slug", Kind::Text),
            col("Active", "isActive", Kind::Bool),
            col("Created", "createdAt", Kind::Date),
        ],
        funnel,
    );
    ctx.out.print("");
    ctx.out.table(
        &STEP_ROWS,
        &with_step_targets(&funnel["steps"]),
        "No steps.",
    );
}

pub fn run(ctx: &Ctx, command: FunnelsCommand) -> CliResult<()> {
    match command {
        FunnelsCommand::List {
            website,
            include_inactive,
        } => list(ctx, &website, include_inactive),
        FunnelsCommand::Get(ids) => get(ctx, &ids),
        FunnelsCommand::View {
            ids,
            range,
            filters,
        } => view(ctx, &ids, &range, &filters),
        FunnelsCommand::Create {
            website,
            name,
            steps,
        } => create(ctx, &website, name, &steps),
        FunnelsCommand::Update {
            ids,
            name,
            steps,
            enable,
            disable,
        } => update(ctx, &ids, name, steps, enable, disable),
        FunnelsCommand::Delete { ids, confirm: c } => delete(ctx, &ids, &c),
    }
}

fn list(ctx: &Ctx, website: &WebsiteOnly, include_inactive: bool) -> CliResult<()> {
    let website = ctx.website(website.chosen())?;
    let mut request = Request::get(site_path(&website, "/funnels"));
    if include_inactive {
        request = request.query("includeInactive", "true");
    }
    let answer = ctx.admin_client()?.send(&request)?;
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
    } else {
        let rows: Vec<Value> = answer
            .rows()
            .into_iter()
            .map(|mut row| {
                row["stepCount"] = json!(row["steps"].as_array().map_or(0, Vec::len));
                row
            })
            .collect();
        ctx.out.table(&FUNNEL_ROWS, &rows, "No funnels.");
    }
    Ok(())
}

fn get(ctx: &Ctx, ids: &ScopedId) -> CliResult<()> {
    let (website, funnel) = scoped(ctx, &ids.ids)?;
    let answer = ctx
        .admin_client()?
        .send(&Request::get(funnel_path(&website, &funnel)))?;
    show_funnel(ctx, &answer);
    Ok(())
}

/// The funnel's results, from the analytics API.
fn view(ctx: &Ctx, ids: &ScopedId, range: &RangeArgs, filters: &FilterArgs) -> CliResult<()> {
    let (website, funnel) = scoped(ctx, &ids.ids)?;
    let (client, website_param) = website_api_client(ctx, Some(&website))?;
    let mut request = Request::get(format!("/api/v1/analytics/funnels/{}", segment(&funnel)));
    if let Some(website) = website_param {
        request = request.query("websiteId", website);
    }
    let request = apply_filters(apply_range(request, range)?, filters)?;
    let answer = client.send(&request)?;
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return Ok(());
    }
    let result = answer.first();
    if let Some(name) = result["funnel"]["name"].as_str() {
        ctx.out.print(&format!("Funnel: {name}"));
    }
    ctx.out.table(
        &RESULT_ROWS,
        &with_step_targets(&result["steps"]),
        "No steps.",
    );
    if !result["conversionRate"].is_null() {
        ctx.out.print(&format!(
            "Overall conversion: {}",
            crate::output::readable(&result["conversionRate"], Kind::Percent)
        ));
    }
    Ok(())
}

fn create(ctx: &Ctx, website: &WebsiteOnly, name: String, steps: &str) -> CliResult<()> {
    let website = ctx.website(website.chosen())?;
    let body = json!({ "name": name, "steps": parse_steps(steps)? });
    let answer = ctx
        .admin_client()?
        .send(&Request::new(Method::POST, site_path(&website, "/funnels")).body(body))?;
    if !ctx.out.json {
        ctx.out
            .done(&format!("Created funnel {}", text(answer.first(), "name")));
    }
    show_funnel(ctx, &answer);
    Ok(())
}

/// Changes only what the flags give.
fn update(
    ctx: &Ctx,
    ids: &ScopedId,
    name: Option<String>,
    steps: Option<String>,
    enable: bool,
    disable: bool,
) -> CliResult<()> {
    let (website, funnel) = scoped(ctx, &ids.ids)?;
    let mut body = Map::new();
    if let Some(name) = name {
        body.insert("name".into(), json!(name));
    }
    if let Some(steps) = steps {
        body.insert("steps".into(), parse_steps(&steps)?);
    }
    if enable || disable {
        body.insert("isActive".into(), json!(enable));
    }
    if body.is_empty() {
        return Err(CliError::usage(
            "nothing to change: give --name, --steps, --enable or --disable",
        ));
    }
    let answer = ctx.admin_client()?.send(
        &Request::new(Method::PUT, funnel_path(&website, &funnel)).body(Value::Object(body)),
    )?;
    show_funnel(ctx, &answer);
    Ok(())
}

fn delete(ctx: &Ctx, ids: &ScopedId, c: &Confirm) -> CliResult<()> {
    let (website, funnel) = scoped(ctx, &ids.ids)?;
    confirm(&format!("Delete funnel {funnel}"), c.yes)?;
    let answer = ctx.admin_client()?.send(&Request::new(
        Method::DELETE,
        funnel_path(&website, &funnel),
    ))?;
    show_message(ctx, &answer, &format!("Deleted funnel {funnel}"));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_must_be_a_json_array() {
        assert!(parse_steps(r#"[{"name":"a","type":"pageview","url":"/"}]"#).is_ok());
        assert!(parse_steps(r#"{"name":"a"}"#).is_err());
        assert!(parse_steps("not json").is_err());
    }
}
