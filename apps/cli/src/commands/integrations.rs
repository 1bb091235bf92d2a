//! `integrations`: payment provider status with each revenue import's progress, connect,
//! import now, webhooks, and disconnect. Provider credentials and webhook secrets go to the
//! server and are never printed back.

use reqwest::Method;
use serde_json::{Value, json};

use crate::Ctx;
use crate::cli::{IntegrationsCommand, Provider, WebsiteOnly};
use crate::client::{Client, Request};
use crate::commands::{show_message, site_path};
use crate::error::{CliError, CliResult};
use crate::output::{Column, Kind, col, confirm};

const STATUS_ROWS: [Column; 7] = [
    col("Provider", "provider", Kind::Text),
    col("Connected", "connected", Kind::Bool),
    col("Connected at", "connectedAt", Kind::Date),
    col("Key expires", "keyExpiresAt", Kind::Date),
    col("Last sync", "lastSyncAt", Kind::Date),
    col("Imported", "importedPayments", Kind::Number),
    col("Last error", "lastError", Kind::Text),
];

const SYNC_ROWS: [Column; 4] = [
    col("Provider", "provider", Kind::Text),
    col("Status", "status", Kind::Text),
    col("Imported", "importedPayments", Kind::Number),
    col("Error", "error", Kind::Text),
];

fn slug(provider: Provider) -> &'static str {
    match provider {
        Provider::Stripe => "stripe",
        Provider::Lemonsqueezy => "lemonsqueezy",
        Provider::Polar => "polar",
        Provider::Paddle => "paddle",
        Provider::Shopify => "shopify",
        Provider::Woocommerce => "woocommerce",
    }
}

/// The connect body each provider expects.
pub fn connect_body(
    provider: Provider,
    key: String,
    store_id: Option<String>,
    org_id: Option<String>,
) -> CliResult<Value> {
    let missing = |flag: &str| CliError::usage(format!("{} needs {flag}", slug(provider)));
    match provider {
        Provider::Stripe => Ok(json!({ "stripeRak": key })),
        Provider::Lemonsqueezy => Ok(json!({
            "lemonsqueezyApiKey": key,
            "lemonsqueezyStoreId": store_id.ok_or_else(|| missing("--store-id"))?,
        })),
        Provider::Polar => Ok(json!({
            "polarAccessToken": key,
            "polarOrgId": org_id.ok_or_else(|| missing("--org-id"))?,
        })),
        Provider::Paddle => Ok(json!({ "paddleApiKey": key })),
        Provider::Shopify | Provider::Woocommerce => Err(CliError::usage(format!(
            "{} connects through its own install flow; the API can only report and disconnect it",
            slug(provider)
        ))),
    }
}

pub fn run(ctx: &Ctx, command: IntegrationsCommand) -> CliResult<()> {
    let client = ctx.admin_client()?;
    match command {
        IntegrationsCommand::Status(site) => status(ctx, &client, &site)?,
        IntegrationsCommand::Sync(site) => {
            let website = ctx.website(site.chosen())?;
            let path = site_path(&website, "/integrations/sync");
            let answer = client.send(&Request::new(Method::POST, path))?;
            if ctx.out.json {
                ctx.out.raw_json(&answer.raw_member("data"));
            } else {
                ctx.out
                    .table(&SYNC_ROWS, &answer.rows(), "No provider is connected.");
            }
        }
        IntegrationsCommand::Connect {
            provider,
            website,
            key,
            store_id,
            org_id,
        } => {
            let body = connect_body(provider, key, store_id, org_id)?;
            let website = ctx.website(website.chosen())?;
            let path = site_path(&website, &format!("/integrations/{}", slug(provider)));
            let answer = client.send(&Request::new(Method::POST, path).body(body))?;
            show_message(ctx, &answer, "Connected");
        }
        IntegrationsCommand::Disconnect {
            provider,
            website,
            confirm: c,
        } => {
            let website = ctx.website(website.chosen())?;
            confirm(
                &format!("Disconnect {} from website {website}", slug(provider)),
                c.yes,
            )?;
            let path = site_path(&website, &format!("/integrations/{}", slug(provider)));
            let answer = client.send(&Request::new(Method::DELETE, path))?;
            show_message(ctx, &answer, "Disconnected");
        }
        IntegrationsCommand::Webhook {
            provider,
            website,
            secret,
            remove,
        } => webhook(ctx, &client, provider, &website, secret, remove)?,
    }
    Ok(())
}

/// Without a secret, prints where the provider should send its deliveries; with one, saves
/// it; with `remove`, forgets it.
fn webhook(
    ctx: &Ctx,
    client: &Client,
    provider: Provider,
    site: &WebsiteOnly,
    secret: Option<String>,
    remove: bool,
) -> CliResult<()> {
    let website = ctx.website(site.chosen())?;
    let path = site_path(
        &website,
        &format!("/integrations/{}/webhook", slug(provider)),
    );
    let answer = match (secret, remove) {
        (_, true) => client.send(&Request::new(Method::DELETE, path))?,
        (Some(secret), false) => client
            .send(&Request::new(Method::PUT, path).body(json!({ "signingSecret": secret })))?,
        (None, false) => {
            let status = client.send(&Request::get(site_path(&website, "/integrations")))?;
            let row = &status.first()[slug(provider)];
            let Some(url) = row["webhookUrl"].as_str() else {
                return Err(CliError::usage(format!(
                    "{} has no webhooks here",
                    slug(provider)
                )));
            };
            if ctx.out.json {
                let shown = json!({
                    "webhookUrl": url,
                    "webhookConfigured": row["webhookConfigured"],
                });
                ctx.out.raw_json(&shown.to_string());
            } else {
                ctx.out.print(url);
            }
            return Ok(());
        }
    };
    show_message(ctx, &answer, "Done");
    if let Some(url) = answer.first()["webhookUrl"]
        .as_str()
        .filter(|_| !ctx.out.json)
    {
        ctx.out.print(&format!("Deliveries go to {url}"));
    }
    Ok(())
}

/// Which providers are connected: one row each that the server reports, then the currency.
fn status(ctx: &Ctx, client: &Client, site: &WebsiteOnly) -> CliResult<()> {
    let website = ctx.website(site.chosen())?;
    let answer = client.send(&Request::get(site_path(&website, "/integrations")))?;
    if ctx.out.json {
        ctx.out.raw_json(&answer.raw_member("data"));
        return Ok(());
    }
    let status = answer.first();
    let rows: Vec<Value> = [
        "stripe",
        "lemonsqueezy",
        "polar",
        "paddle",
        "shopify",
        "woocommerce",
    ]
    .iter()
    .filter(|name| status[**name].is_object())
    .map(|name| {
        let mut row = status[*name].clone();
        row["provider"] = json!(name);
        row
    })
    .collect();
    ctx.out.table(&STATUS_ROWS, &rows, "No providers.");
    if let Some(currency) = status["currency"].as_str() {
        ctx.out.print(&format!("Currency: {currency}"));
    }
    Ok(())
}
