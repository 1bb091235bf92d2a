//! Logging in and out, `whoami` and `account`.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::{Value, json};

use crate::Ctx;
use crate::cli::AccountCommand;
use crate::client::{Answer, Client, Request};
use crate::commands::{admin, show_record};
use crate::config::{FileConfig, Source, mask_secret};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col};

const ACCOUNT_FIELDS: [Column; 6] = [
    col("Name", "name", Kind::Text),
    col("Email", "email", Kind::Text),
    col("Account ID", "_id", Kind::Text),
    col("Plan", "planType", Kind::Text),
    col("Website", "websiteId", Kind::Text),
    col("Created", "createdAt", Kind::Date),
];

/// `GET /account`, which every DataFast server has: a 404 there means the base URL is wrong,
/// which is reported like an unreachable server (exit 5), not like a missing resource.
fn fetch_account(client: &Client) -> CliResult<Answer> {
    client
        .send(&Request::get(admin("/account")))
        .map_err(|error| match error {
            CliError::Api {
                status: 404,
                message,
            } if message.contains("base URL") => {
                CliError::BadResponse(format!("{message} (HTTP 404)"))
            }
            CliError::Api {
                status: 404,
                message,
            } => CliError::BadResponse(format!(
                "{message} (HTTP 404): {} does not serve the DataFast API; is the base URL right?",
                client.base()
            )),
            other => other,
        })
}

/// The credential `login` saves: `--token`/`--site-key`, else one line from stdin.
fn credential_to_save(ctx: &Ctx) -> CliResult<String> {
    let from_flag = [&ctx.settings.token, &ctx.settings.site_key]
        .into_iter()
        .flatten()
        .find(|c| c.source == Source::Flag)
        .map(|c| c.value.clone());
    if let Some(value) = from_flag {
        return Ok(value);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Paste your account token (dft_...) or website key (df_...): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read the token: {e}")))?;
    let line = line.trim().to_owned();
    if line.is_empty() {
        return Err(CliError::usage(
            "no token given: pass --token dft_... or paste it on stdin",
        ));
    }
    Ok(line)
}

pub fn login(ctx: &Ctx) -> CliResult<()> {
    let credential = credential_to_save(ctx)?;
    let is_token = credential.starts_with("dft_");
    if !is_token && !credential.starts_with("df_") {
        return Err(CliError::usage(
            "that is neither an account token (dft_...) nor a website key (df_...)",
        ));
    }
    let answer = fetch_account(&ctx.client_with(Some(credential.clone()))?)?;
    let account = answer.first();

    let path = &ctx.settings.path;
    let mut file = FileConfig::load(path)?;
    if is_token {
        file.token = Some(credential);
    } else {
        file.site_key = Some(credential);
        if let (None, Some(website)) = (&file.website_id, account["websiteId"].as_str()) {
            file.website_id = Some(website.to_owned());
        }
    }
    // A base URL chosen for this login is remembered, so later commands reach the same server.
    if matches!(ctx.settings.api_base.source, Source::Flag | Source::Env) {
        file.api_base = Some(ctx.settings.api_base.value.clone());
    }
    file.save(path)?;

    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
    } else {
        let who = match (account["name"].as_str(), account["email"].as_str()) {
            (Some(name), Some(email)) => format!("{name} <{email}>"),
            (_, Some(email)) => email.to_owned(),
            _ => "the account".to_owned(),
        };
        ctx.out.done(&format!(
            "Logged in to {} as {who}; saved to {}",
            ctx.settings.api_base.value,
            path.display()
        ));
    }
    Ok(())
}

pub fn logout(ctx: &Ctx) -> CliResult<()> {
    let path = &ctx.settings.path;
    let mut file = FileConfig::load(path)?;
    let had_credentials = file.token.is_some() || file.site_key.is_some();
    file.token = None;
    file.site_key = None;
    if had_credentials {
        if file.is_empty() {
            std::fs::remove_file(path)
                .map_err(|e| CliError::Config(format!("cannot remove {}: {e}", path.display())))?;
        } else {
            file.save(path)?;
        }
        ctx.out.done(&format!(
            "Logged out: credentials removed from {}",
            path.display()
        ));
    } else {
        ctx.out
            .done("Not logged in: the config file holds no credentials");
    }
    for (name, sourced) in [
        ("DATAFAST_TOKEN", &ctx.settings.token),
        ("DATAFAST_SITE_KEY", &ctx.settings.site_key),
    ] {
        if sourced.as_ref().is_some_and(|s| s.source == Source::Env) {
            eprintln!("note: {name} is still set in the environment and will keep being used");
        }
    }
    Ok(())
}

pub fn whoami(ctx: &Ctx) -> CliResult<()> {
    let answer = fetch_account(&ctx.admin_client()?)?;
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return Ok(());
    }
    let mut record = answer.first().clone();
    let credential = ctx
        .settings
        .token
        .as_ref()
        .or(ctx.settings.site_key.as_ref());
    if let (Value::Object(map), Some(credential)) = (&mut record, credential) {
        map.insert(
            "credential".into(),
            json!(format!(
                "{} (from {})",
                mask_secret(&credential.value),
                credential.source
            )),
        );
        map.insert("server".into(), json!(ctx.settings.api_base.value));
    }
    let mut fields = ACCOUNT_FIELDS.to_vec();
    if record["websiteId"].is_null() {
        fields.retain(|f| f.path != "websiteId");
    }
    fields.push(col("Credential", "credential", Kind::Text));
    fields.push(col("Server", "server", Kind::Text));
    ctx.out.record(&fields, &record);
    Ok(())
}

pub fn account(ctx: &Ctx, command: AccountCommand) -> CliResult<()> {
    match command {
        AccountCommand::Show => whoami(ctx),
        AccountCommand::Update { name } => {
            let answer = ctx.admin_client()?.send(
                &Request::new(reqwest::Method::PUT, admin("/account"))
                    .body(json!({ "name": name })),
            )?;
            show_record(ctx, &answer, &ACCOUNT_FIELDS[..4]);
            Ok(())
        }
    }
}
