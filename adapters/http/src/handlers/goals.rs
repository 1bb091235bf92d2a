//! `/websites/{websiteId}/goals`: tracked goals, and goal customizations with the palette.

use serde::Deserialize;

use datafast_domain::goal::{CustomizationChange, GoalName};
use datafast_domain::id::WebsiteId;

use crate::envelope::{success, success_with};
use crate::error::ApiResult;
use crate::extract::{Caller, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::handlers::query::Query;
use crate::views::{CustomizationRow, Palette, TrackedGoalRow};

/// The largest customization body, as DataFast documents ("Request body is larger than 4 KB").
pub(crate) const CUSTOMIZATION_BODY_LIMIT: usize = 4096;

pub(crate) async fn tracked(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let goals = services.goals().tracked(&caller, website.0).await?;
    Ok(success(goals.iter().map(TrackedGoalRow::from).collect()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CustomizationQuery {
    #[serde(rename = "goalName")]
    goal_name: Option<String>,
}

pub(crate) async fn customizations(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    query: Query<CustomizationQuery>,
) -> ApiResult {
    let goal = query
        .goal_name
        .as_deref()
        .map(GoalName::parse)
        .transpose()?;
    let view = services
        .goals()
        .customizations(&caller, website.0, goal)
        .await?;
    Ok(success_with(
        view.customizations
            .iter()
            .map(CustomizationRow::from)
            .collect(),
        Palette::all(),
    ))
}

/// `PATCH`: each of `displayName`, `color`, `description` is kept when absent, cleared by
/// null, set by a string.
pub(crate) async fn customize(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    body: JsonObject,
) -> ApiResult {
    let fields = body.fields();
    let change = CustomizationChange::parse(
        fields.required_str("goalName")?,
        fields.str_change("displayName")?,
        fields.str_change("color")?,
        fields.str_change("description")?,
    )?;
    let updated = services
        .goals()
        .customize(&caller, website.0, change)
        .await?;
    Ok(success_with(
        vec![CustomizationRow::from(&updated)],
        Palette::all(),
    ))
}
