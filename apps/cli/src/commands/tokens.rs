//! `tokens`: account tokens (`dft_`), listed masked, created with the raw token shown once.

use reqwest::Method;
use serde_json::{Map, Value, json};

use crate::Ctx;
use crate::cli::TokensCommand;
use crate::client::{Request, segment};
use crate::commands::{admin, csv, show_message, text};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, confirm};

const TOKEN_ROWS: [Column; 7] = [
    col("ID", "_id", Kind::Text),
    col("Name", "name", Kind::Text),
    col("Token", "displayKey", Kind::Text),
    col("Permissions", "permissions", Kind::Text),
    col("Websites", "websiteIds", Kind::Text),
    col("Last used", "lastUsedAt", Kind::Date),
    col("Created", "createdAt", Kind::Date),
];

/// The create body: only what was given, so the server's defaults (`["*"]`, all websites) apply.
pub fn create_body(
    name: Option<String>,
    permissions: Option<&str>,
    websites: Option<&str>,
) -> CliResult<Value> {
    let mut body = Map::new();
    if let Some(name) = name {
        body.insert("name".into(), json!(name));
    }
    if let Some(permissions) = permissions {
        let list = csv(permissions);
        if list.is_empty() {
            return Err(CliError::usage(
                "--permissions is empty; use \"*\" for full access",
            ));
        }
        body.insert("permissions".into(), json!(list));
    }
    if let Some(websites) = websites {
        body.insert("websiteIds".into(), json!(csv(websites)));
    }
    Ok(Value::Object(body))
}

pub fn run(ctx: &Ctx, command: TokensCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        TokensCommand::List => {
            let answer = client.send(&Request::get(admin("/access-tokens")))?;
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
            } else {
                // An empty allowlist means every website; say so instead of a dash.
                let rows: Vec<Value> = answer
                    .rows()
                    .into_iter()
                    .map(|mut row| {
                        if row["websiteIds"].as_array().is_some_and(Vec::is_empty) {
                            row["websiteIds"] = json!("all");
                        }
                        row
                    })
                    .collect();
                ctx.out.table(&TOKEN_ROWS, &rows, "No tokens.");
            }
        }
        TokensCommand::Create {
            name,
            permissions,
            websites,
        } => {
            let body = create_body(name, permissions.as_deref(), websites.as_deref())?;
            let answer =
                client.send(&Request::new(Method::POST, admin("/access-tokens")).body(body))?;
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
            } else {
                let token = answer.first();
                ctx.out.done(&format!(
                    "Created token {} ({})",
                    token["name"].as_str().unwrap_or("(unnamed)"),
                    text(token, "_id")
                ));
                ctx.out.secret("Account token", text(token, "key"));
            }
        }
        TokensCommand::Delete {
            token_id,
            confirm: c,
        } => {
            confirm(&format!("Revoke token {token_id}"), c.yes)?;
            let answer = client.send(&Request::new(
                Method::DELETE,
                admin(&format!("/access-tokens/{}", segment(&token_id))),
            ))?;
            show_message(ctx, &answer, "Token revoked");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_sends_only_what_was_given() {
        let body = create_body(None, None, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body, json!({}));
        let body = create_body(
            Some("ci".into()),
            Some("analytics:read, websites:read"),
            Some("a,b"),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            body,
            json!({"name": "ci", "permissions": ["analytics:read", "websites:read"], "websiteIds": ["a", "b"]})
        );
        assert!(create_body(None, Some(" , "), None).is_err());
    }
}
