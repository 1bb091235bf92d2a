//! `/access-tokens`: list, create (the raw token shown once), revoke.

use datafast_application::NewToken;
use datafast_domain::access::WebsiteScope;
use datafast_domain::id::{TokenId, WebsiteId};
use datafast_domain::permission::PermissionSet;
use datafast_domain::token::parse_token_name;

use crate::envelope::{Message, success};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Fields, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::views::{TokenCreated, TokenRow};

pub(crate) async fn list(caller: Caller, services: UseCases) -> ApiResult {
    let tokens = services.tokens().list(&caller).await?;
    Ok(success(tokens.iter().map(TokenRow::from).collect()))
}

/// Omitted `permissions` means `["*"]`, omitted or empty `websiteIds` means every website; a
/// null is refused rather than read as omitted, so it can never widen a token.
fn new_token(fields: &Fields<'_>) -> Result<NewToken, ApiError> {
    let name = parse_token_name(fields.optional_str("name")?)?;
    let permissions = match fields.optional_str_list("permissions")? {
        Some(list) => PermissionSet::parse(&list)?,
        None => PermissionSet::All,
    };
    let website_ids = fields
        .optional_str_list("websiteIds")?
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(index, raw)| {
            WebsiteId::parse(raw).map_err(|invalid| invalid.at(format!("websiteIds[{index}]")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(NewToken {
        name,
        permissions,
        websites: WebsiteScope::from_ids(website_ids),
    })
}

pub(crate) async fn create(caller: Caller, services: UseCases, body: JsonObject) -> ApiResult {
    let request = new_token(&body.fields())?;
    let issued = services.tokens().create(&caller, request).await?;
    Ok(success(vec![TokenCreated::from(&issued)]))
}

pub(crate) async fn delete(
    caller: Caller,
    services: UseCases,
    token: PathId<TokenId>,
) -> ApiResult {
    services.tokens().delete(&caller, token.0).await?;
    Ok(success(vec![Message::new(
        "Access token deleted successfully",
    )]))
}
