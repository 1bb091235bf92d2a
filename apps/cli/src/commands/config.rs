//! `config`: the settings in force and where each comes from, and the default website kept
//! in the config file.

use serde_json::{Value, json};

use crate::Ctx;
use crate::cli::ConfigCommand;
use crate::config::{FileConfig, Sourced, mask_secret};
use crate::error::{CliError, CliResult};
use crate::output::{Kind, col};

pub fn run(ctx: &Ctx, command: ConfigCommand) -> CliResult<()> {
    let path = &ctx.settings.path;
    match command {
        ConfigCommand::Show => {
            let shown = settings_in_force(ctx);
            if ctx.out.json {
                ctx.out.json_value(&shown);
            } else {
                show_record(ctx, &shown);
            }
            Ok(())
        }
        ConfigCommand::SetWebsite { website_id } => {
            let website_id = website_id.trim().to_owned();
            if website_id.is_empty() {
                return Err(CliError::usage("the website id is empty"));
            }
            let mut file = FileConfig::load(path)?;
            file.website_id = Some(website_id.clone());
            file.save(path)?;
            ctx.out
                .done(&format!("Default website set to {website_id}"));
            Ok(())
        }
        ConfigCommand::ClearWebsite => {
            let mut file = FileConfig::load(path)?;
            if file.website_id.take().is_some() {
                file.save(path)?;
                ctx.out.done("Default website cleared");
            } else {
                ctx.out.done("No default website was set");
            }
            Ok(())
        }
    }
}

fn describe(sourced: Option<&Sourced>, secret: bool) -> (Value, Value) {
    match sourced {
        Some(s) => (
            json!(if secret {
                mask_secret(&s.value)
            } else {
                s.value.clone()
            }),
            json!(s.source.to_string()),
        ),
        None => (Value::Null, Value::Null),
    }
}

/// The settings in force, secrets masked, each with where it comes from: what `--json` prints.
fn settings_in_force(ctx: &Ctx) -> Value {
    let settings = &ctx.settings;
    let path = &settings.path;
    let (token, token_source) = describe(settings.token.as_ref(), true);
    let (site_key, site_key_source) = describe(settings.site_key.as_ref(), true);
    let (website, website_source) = describe(settings.website_id.as_ref(), false);
    let (base, base_source) = describe(Some(&settings.api_base), false);
    json!({
        "configFile": path.display().to_string(),
        "configFileExists": path.exists(),
        "token": token,
        "siteKey": site_key,
        "apiBase": base,
        "websiteId": website,
        "sources": {
            "token": token_source,
            "siteKey": site_key_source,
            "apiBase": base_source,
            "websiteId": website_source,
        },
    })
}

/// `shown` as `label: value (source)` lines, and the config file.
fn show_record(ctx: &Ctx, shown: &Value) {
    let path = &ctx.settings.path;
    let line = |key: &str| match (shown[key].as_str(), shown["sources"][key].as_str()) {
        (Some(value), Some(source)) => format!("{value} ({source})"),
        _ => "(not set)".to_owned(),
    };
    let record = json!({
        "token": line("token"),
        "siteKey": line("siteKey"),
        "apiBase": line("apiBase"),
        "websiteId": line("websiteId"),
        "file": format!(
            "{}{}",
            path.display(),
            if path.exists() { "" } else { " (not created yet)" }
        ),
    });
    ctx.out.record(
        &[
            col("Token", "token", Kind::Text),
            col("Site key", "siteKey", Kind::Text),
            col("API base", "apiBase", Kind::Text),
            col("Website", "websiteId", Kind::Text),
            col("Config file", "file", Kind::Text),
        ],
        &record,
    );
}
