//! `websites apikeys`: a website's API keys (df_), listed masked, created and rolled with the
//! raw key shown once, and revoked.

use reqwest::Method;
use serde_json::json;

use crate::Ctx;
use crate::cli::ApiKeysCommand;
use crate::client::{Request, segment};
use crate::commands::{scoped, show_message, show_rows, site_path, text};
use crate::error::CliResult;
use crate::output::{Column, Kind, col, confirm};

const API_KEY_ROWS: [Column; 5] = [
    col("ID", "_id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Key", "displayKey", Kind::Text),
    col("Last used", "lastUsedAt", Kind::Date),
    col("Created", "createdAt", Kind::Date),
];

pub fn run(ctx: &Ctx, command: ApiKeysCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        ApiKeysCommand::List(site) => {
            let website = ctx.website(site.chosen())?;
            let answer = client.send(&Request::get(site_path(&website, "/apikeys")))?;
            show_rows(ctx, &answer, &API_KEY_ROWS, "No API keys.");
        }
        ApiKeysCommand::Create { website, name } => {
            let website = ctx.website(website.chosen())?;
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
