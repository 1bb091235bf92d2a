//! `/websites/{websiteId}/funnels`: list (active, or all with `?includeInactive=true`), create,
//! get one, update (including enable and disable), soft delete.

use serde::Deserialize;

use datafast_application::{FunnelChanges, NewFunnel};
use datafast_domain::funnel::{FunnelName, FunnelStep, StepInput, build_steps};
use datafast_domain::id::{FunnelId, WebsiteId};

use crate::envelope::success;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Fields, JsonObject, PathId, query_flag};
use crate::handlers::UseCases;
use crate::handlers::query::Query;
use crate::views::{Deleted, FunnelBody};

#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(rename = "includeInactive")]
    include_inactive: Option<String>,
}

pub(crate) async fn list(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    query: Query<ListQuery>,
) -> ApiResult {
    let include_inactive = query_flag("includeInactive", query.include_inactive.as_deref())?;
    let funnels = services
        .funnels()
        .list(&caller, website.0, include_inactive)
        .await?;
    Ok(success(funnels.iter().map(FunnelBody::from).collect()))
}

/// `steps`, each `{name?, type, url | goalName}`, through the domain's step builder.
fn steps(fields: &Fields<'_>) -> Result<Option<Vec<FunnelStep>>, ApiError> {
    let Some(items) = fields.optional_object_list("steps")? else {
        return Ok(None);
    };
    let inputs = items
        .iter()
        .map(|step| {
            Ok(StepInput {
                name: step.optional_str("name")?.map(str::to_owned),
                kind: step.optional_str("type")?.unwrap_or_default().to_owned(),
                url: step.optional_str("url")?.map(str::to_owned),
                goal_name: step.optional_str("goalName")?.map(str::to_owned),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Some(build_steps(inputs)?))
}

fn new_funnel(fields: &Fields<'_>) -> Result<NewFunnel, ApiError> {
    let name = FunnelName::parse(fields.required_str("name")?)?;
    let steps = match steps(fields)? {
        Some(steps) => steps,
        None => {
            return Err(ApiError::bad_request("Missing required field 'steps'"));
        }
    };
    Ok(NewFunnel {
        name,
        steps,
        is_active: fields.optional_bool("isActive")?.unwrap_or(true),
    })
}

pub(crate) async fn create(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    body: JsonObject,
) -> ApiResult {
    let request = new_funnel(&body.fields())?;
    let funnel = services
        .funnels()
        .create(&caller, website.0, request)
        .await?;
    Ok(success(vec![FunnelBody::from(&funnel)]))
}

pub(crate) async fn get(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    funnel: PathId<FunnelId>,
) -> ApiResult {
    let funnel = services.funnels().get(&caller, website.0, funnel.0).await?;
    Ok(success(vec![FunnelBody::from(&funnel)]))
}

fn funnel_changes(fields: &Fields<'_>) -> Result<FunnelChanges, ApiError> {
    Ok(FunnelChanges {
        name: fields
            .optional_str("name")?
            .map(FunnelName::parse)
            .transpose()?,
        steps: steps(fields)?,
        is_active: fields.optional_bool("isActive")?,
    })
}

pub(crate) async fn update(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    funnel: PathId<FunnelId>,
    body: JsonObject,
) -> ApiResult {
    let changes = funnel_changes(&body.fields())?;
    let funnel = services
        .funnels()
        .update(&caller, website.0, funnel.0, changes)
        .await?;
    Ok(success(vec![FunnelBody::from(&funnel)]))
}

pub(crate) async fn delete(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    funnel: PathId<FunnelId>,
) -> ApiResult {
    services
        .funnels()
        .delete(&caller, website.0, funnel.0)
        .await?;
    Ok(success(vec![Deleted::of(funnel.0)]))
}
