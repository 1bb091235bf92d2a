//! `/account`: the caller's profile.

use crate::envelope::success;
use crate::error::ApiResult;
use crate::extract::{Caller, JsonObject};
use crate::handlers::UseCases;
use crate::views::AccountBody;

pub(crate) async fn get(caller: Caller, services: UseCases) -> ApiResult {
    let view = services.accounts().get(&caller).await?;
    Ok(success(vec![AccountBody::from(&view)]))
}

pub(crate) async fn rename(caller: Caller, services: UseCases, body: JsonObject) -> ApiResult {
    let name = body.fields().required_str("name")?;
    let view = services.accounts().rename(&caller, name).await?;
    Ok(success(vec![AccountBody::from(&view)]))
}
