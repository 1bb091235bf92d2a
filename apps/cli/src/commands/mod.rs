//! One module per command group; this one routes a parsed command to it and holds the helpers
//! they share (paths, the `[WEBSITE_ID] ID` arguments, showing an answer as a table or JSON).

pub mod alerts;
pub mod analytics;
pub mod api_keys;
pub mod config;
pub mod funnels;
pub mod goals;
pub mod integrations;
pub mod session;
pub mod team;
pub mod tokens;
pub mod websites;

use serde_json::Value;

use crate::Ctx;
use crate::cli::{
    AlertsCommand, Command, FunnelsCommand, GoalsCommand, IntegrationsCommand, WebsiteOnly,
};
use crate::client::{Answer, segment};
use crate::error::{CliError, CliResult};
use crate::output::Column;

pub fn dispatch(ctx: &Ctx, command: Command) -> CliResult<()> {
    let default_site = || WebsiteOnly {
        website_id: None,
        website_flag: None,
    };
    match command {
        Command::Login => session::login(ctx),
        Command::Logout => session::logout(ctx),
        Command::Whoami => session::whoami(ctx),
        Command::Config(command) => config::run(ctx, command),
        Command::Account(command) => session::account(ctx, command),
        Command::Websites(command) => websites::run(ctx, command),
        Command::Tokens(command) => tokens::run(ctx, command),
        Command::Funnels(args) => funnels::run(
            ctx,
            args.command.unwrap_or(FunnelsCommand::List {
                website: default_site(),
                include_inactive: false,
            }),
        ),
        Command::Alerts(args) => alerts::run(
            ctx,
            args.command.unwrap_or(AlertsCommand::List(default_site())),
        ),
        Command::Goals(args) => goals::run(
            ctx,
            args.command.unwrap_or(GoalsCommand::List(default_site())),
        ),
        Command::Integrations(args) => {
            let status = WebsiteOnly {
                website_flag: args.website,
                ..default_site()
            };
            integrations::run(
                ctx,
                args.command.unwrap_or(IntegrationsCommand::Status(status)),
            )
        }
        Command::Invitations(command) => team::invitations(ctx, command),
        Command::Analytics(command) => analytics::run(ctx, command),
        Command::Visitors(command) => analytics::visitors(ctx, command),
        // Handled before settings are loaded, so it works without a config file.
        Command::Completion { .. } => Ok(()),
    }
}

/// An Account API path.
pub fn admin(path: &str) -> String {
    format!("/api/v1/admin{path}")
}

/// An Account API path under one website.
pub fn site_path(website: &str, rest: &str) -> String {
    admin(&format!("/websites/{}{rest}", segment(website)))
}

/// `[WEBSITE_ID] ID`: one value is the id on the default website, two are website then id.
pub fn scoped(ctx: &Ctx, ids: &[String]) -> CliResult<(String, String)> {
    match ids {
        [id] => Ok((ctx.website(None)?, id.clone())),
        [website, id] => Ok((website.clone(), id.clone())),
        _ => Err(CliError::usage("expected [WEBSITE_ID] ID")),
    }
}

/// A comma-separated flag value as a list; an empty value is an empty list.
pub fn csv(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Rows as a table, or `data` unchanged with `--json`.
pub fn show_rows(ctx: &Ctx, answer: &Answer, columns: &[Column], empty: &str) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
    } else {
        ctx.out.table(columns, &answer.rows(), empty);
    }
}

/// The first object as `label: value` lines, or `data` unchanged with `--json`.
pub fn show_record(ctx: &Ctx, answer: &Answer, fields: &[Column]) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
    } else {
        ctx.out.record(fields, answer.first());
    }
}

/// A write whose answer is a `message`: the message, or `data` with `--json`.
pub fn show_message(ctx: &Ctx, answer: &Answer, fallback: &str) {
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
    } else {
        let message = answer.first()["message"].as_str().unwrap_or(fallback);
        ctx.out.done(message);
    }
}

/// A string member of a row, or empty.
pub fn text<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key].as_str().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_on_commas_and_drop_blanks() {
        assert_eq!(csv("a, b,,c "), vec!["a", "b", "c"]);
        assert!(csv("").is_empty());
    }

    #[test]
    fn ids_in_paths_are_encoded() {
        assert_eq!(
            site_path("a/b", "/funnels"),
            "/api/v1/admin/websites/a%2Fb/funnels"
        );
    }
}
