//! `/websites/{websiteId}/apikeys`: list masked, create, roll, revoke.

use datafast_domain::apikey::parse_key_name;
use datafast_domain::id::{ApiKeyId, WebsiteId};

use crate::envelope::success;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::views::{ApiKeyIssued, ApiKeyRow, Deleted};

pub(crate) async fn list(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let keys = services.api_keys().list(&caller, website.0).await?;
    Ok(success(keys.iter().map(ApiKeyRow::from).collect()))
}

pub(crate) async fn create(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    body: JsonObject,
) -> ApiResult {
    let name = parse_key_name(body.fields().optional_str("name")?)?;
    let issued = services.api_keys().create(&caller, website.0, name).await?;
    Ok(success(vec![ApiKeyIssued::from(&issued)]))
}

/// `PUT`: replaces the key's secret; the old value stops working at once. The body is ignored.
pub(crate) async fn roll(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    key: PathId<ApiKeyId>,
) -> ApiResult {
    let issued = services.api_keys().roll(&caller, website.0, key.0).await?;
    Ok(success(vec![ApiKeyIssued::from(&issued)]))
}

pub(crate) async fn delete(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    key: PathId<ApiKeyId>,
) -> ApiResult {
    services
        .api_keys()
        .delete(&caller, website.0, key.0)
        .await?;
    Ok(success(vec![Deleted::of(key.0)]))
}
