//! The Website API's writes under `/api/v1`: server-side goals, payments and identify. A `df_`
//! key acts on its own website; an account token names one with `?websiteId=`, which is read
//! before the body, so a malformed one is what a request with both wrong is told about.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use datafast_application::Removed;
use datafast_domain::id::WebsiteId;
use datafast_domain::payment::PaymentRecord;
use datafast_domain::time::iso_millis;

use crate::envelope::success;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, website_id_param};
use crate::handlers::UseCases;
use crate::handlers::query::Query;
use crate::wire::website_writes::{
    GoalDeleteQuery, PaymentDeleteQuery, read_goal, read_goal_delete, read_identify, read_payment,
    read_payment_delete,
};

/// `?websiteId=`: required with an account token, optional (and checked) with a `df_` key.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct WebsiteParam {
    #[serde(rename = "websiteId")]
    website_id: Option<String>,
}

impl WebsiteParam {
    pub(crate) fn parse(&self) -> Result<Option<WebsiteId>, ApiError> {
        website_id_param(self.website_id.as_deref())
    }
}

/// A query carrying the website parameter and the route's own fields.
#[derive(Debug, Deserialize)]
pub(crate) struct WithWebsite<T> {
    #[serde(flatten)]
    website: WebsiteParam,
    #[serde(flatten)]
    rest: T,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoalCreatedView {
    message: &'static str,
    event_id: String,
}

#[derive(Serialize)]
struct TimeRange {
    start: String,
    end: String,
}

fn time_range(removed: &Removed) -> Option<TimeRange> {
    Some(TimeRange {
        start: iso_millis(removed.from?),
        end: iso_millis(removed.to?),
    })
}

/// `POST /api/v1/goals`.
pub(crate) async fn create_goal(
    caller: Caller,
    services: UseCases,
    query: Query<WebsiteParam>,
    body: web::Json<Value>,
) -> ApiResult {
    let website = query.parse()?;
    let goal = read_goal(&body)?;
    let created = services
        .website_data()
        .create_goal(&caller, website, goal)
        .await?;
    Ok(success(vec![GoalCreatedView {
        message: "Custom event created successfully",
        event_id: created.event_id,
    }]))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GoalsDeletedView {
    message: &'static str,
    #[serde(
        rename = "datafast_visitor_id",
        skip_serializing_if = "Option::is_none"
    )]
    datafast_visitor_id: Option<String>,
    #[serde(rename = "goal_name", skip_serializing_if = "Option::is_none")]
    goal_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_range: Option<TimeRange>,
    deleted_count: u64,
}

/// `DELETE /api/v1/goals`.
pub(crate) async fn delete_goals(
    caller: Caller,
    services: UseCases,
    query: Query<WithWebsite<GoalDeleteQuery>>,
) -> ApiResult {
    let website = query.website.parse()?;
    let filter = read_goal_delete(&query.rest)?;
    let visitor = filter.visitor_id.clone();
    let goal_name = filter.goal_name.clone();
    let removed = services
        .website_data()
        .delete_goals(&caller, website, filter)
        .await?;
    let message = match (&visitor, removed.from) {
        (Some(_), Some(_)) => "Goal events for visitor deleted successfully within time range",
        (Some(_), None) => "Goal events for visitor deleted successfully",
        (None, _) => "Goal events deleted successfully within time range",
    };
    Ok(success(vec![GoalsDeletedView {
        message,
        datafast_visitor_id: visitor,
        goal_name: goal_name.map(|name| name.to_string()),
        time_range: time_range(&removed),
        deleted_count: removed.count,
    }]))
}

#[derive(Serialize)]
struct PaymentView {
    message: &'static str,
    transaction_id: String,
}

/// `POST /api/v1/payments`: the documented plain body, without the envelope, on success; a
/// repeated transaction id answers 200 and records nothing.
pub(crate) async fn create_payment(
    caller: Caller,
    services: UseCases,
    query: Query<WebsiteParam>,
    body: web::Json<Value>,
) -> ApiResult {
    let website = query.parse()?;
    let payment = read_payment(&body)?;
    let outcome = services
        .website_data()
        .record_payment(&caller, website, payment)
        .await?;
    let message = match outcome.record {
        PaymentRecord::Recorded => "Payment recorded and attributed successfully",
        PaymentRecord::Duplicate => {
            "Payment with this transaction_id was already recorded; nothing was added"
        }
    };
    Ok(HttpResponse::Ok().json(PaymentView {
        message,
        transaction_id: outcome.transaction_id,
    }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PaymentsDeletedView {
    message: &'static str,
    #[serde(rename = "transaction_id", skip_serializing_if = "Option::is_none")]
    transaction_id: Option<String>,
    #[serde(
        rename = "datafast_visitor_id",
        skip_serializing_if = "Option::is_none"
    )]
    datafast_visitor_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    time_range: Option<TimeRange>,
    deleted_count: u64,
}

/// `DELETE /api/v1/payments`.
pub(crate) async fn delete_payments(
    caller: Caller,
    services: UseCases,
    query: Query<WithWebsite<PaymentDeleteQuery>>,
) -> ApiResult {
    let website = query.website.parse()?;
    let filter = read_payment_delete(&query.rest)?;
    let transaction_id = filter.transaction_id.clone();
    let visitor = filter.visitor_id.clone();
    let removed = services
        .website_data()
        .delete_payments(&caller, website, filter)
        .await?;
    let message = match (&transaction_id, &visitor, removed.from) {
        (Some(_), _, _) => "Payment deleted successfully",
        (None, Some(_), Some(_)) => {
            "All payments for visitor deleted successfully within time range"
        }
        (None, Some(_), None) => "All payments for visitor deleted successfully",
        (None, None, _) => "Payments deleted successfully within time range",
    };
    Ok(success(vec![PaymentsDeletedView {
        message,
        transaction_id,
        datafast_visitor_id: visitor,
        time_range: time_range(&removed),
        deleted_count: removed.count,
    }]))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentifyView {
    message: &'static str,
    profile_id: String,
}

#[derive(Serialize)]
struct ObjectEnvelope<T> {
    status: &'static str,
    data: T,
}

/// `POST /api/v1/identify`: `data` is an object here, as documented.
pub(crate) async fn identify(
    caller: Caller,
    services: UseCases,
    query: Query<WebsiteParam>,
    body: web::Json<Value>,
) -> ApiResult {
    let website = query.parse()?;
    let identify = read_identify(&body)?;
    let saved = services
        .website_data()
        .identify_visitor(&caller, website, identify)
        .await?;
    let message = if saved.persisted {
        "User profile created successfully"
    } else {
        "Identify accepted; cookieless websites keep no profile"
    };
    Ok(HttpResponse::Ok().json(ObjectEnvelope {
        status: "success",
        data: IdentifyView {
            message,
            profile_id: saved.profile_id,
        },
    }))
}
