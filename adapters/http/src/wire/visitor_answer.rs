//! The JSON answers of the visitors routes: the list (`GET /visitors`) and one visitor's
//! profile (`GET /visitors/{id}`), camelCase as DataFast writes them, with the fields the
//! server has nothing for (viewport, ad click ids, prediction) present and empty.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use datafast_analytics::{
    CampaignParams, CompletedGoal, ListIdentity, VisitorActivity, VisitorDetail, VisitorIdentity,
    VisitorListRow, VisitorsList,
};
use datafast_domain::event::EventKind;
use datafast_domain::time::iso_millis;

use crate::wire::analytics_answer::Data;
use crate::wire::iso;

/// A visit's campaign parameters, every one present (`null` when absent).
#[derive(Debug, Serialize)]
pub(crate) struct ParamsBody {
    #[serde(rename = "ref")]
    ref_param: Option<String>,
    source: Option<String>,
    via: Option<String>,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    utm_content: Option<String>,
    utm_term: Option<String>,
}

impl From<CampaignParams> for ParamsBody {
    fn from(params: CampaignParams) -> Self {
        Self {
            ref_param: params.ref_param,
            source: params.source,
            via: params.via,
            utm_source: params.utm_source,
            utm_medium: params.utm_medium,
            utm_campaign: params.utm_campaign,
            utm_content: params.utm_content,
            utm_term: params.utm_term,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct ListIdentityBody {
    country: Option<String>,
    region: Option<String>,
    city: Option<String>,
    browser: String,
    os: String,
    device: String,
}

impl From<ListIdentity> for ListIdentityBody {
    fn from(identity: ListIdentity) -> Self {
        Self {
            country: identity.country,
            region: identity.region,
            city: identity.city,
            browser: identity.browser,
            os: identity.os,
            device: identity.device,
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct AcquisitionBody {
    referrer: Option<String>,
    params: ParamsBody,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VisitorListRowBody {
    visitor_id: String,
    last_seen_at: String,
    current_url: Option<String>,
    identity: ListIdentityBody,
    acquisition: AcquisitionBody,
    is_customer: bool,
}

impl From<VisitorListRow> for VisitorListRowBody {
    fn from(row: VisitorListRow) -> Self {
        Self {
            visitor_id: row.visitor_id,
            last_seen_at: iso(row.last_seen_ms),
            current_url: row.current_url,
            identity: row.identity.into(),
            acquisition: AcquisitionBody {
                referrer: row.acquisition.referrer,
                params: row.acquisition.params.into(),
            },
            is_customer: row.is_customer,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VisitorsPaginationBody {
    offset: usize,
    limit: usize,
    has_more: bool,
}

/// `GET /visitors`: `{"data": [...], "pagination": {offset, limit, hasMore}}`.
#[derive(Debug, Serialize)]
pub(crate) struct VisitorsBody {
    data: Vec<VisitorListRowBody>,
    pagination: VisitorsPaginationBody,
}

impl From<VisitorsList> for VisitorsBody {
    fn from(list: VisitorsList) -> Self {
        Self {
            data: list
                .rows
                .into_iter()
                .map(VisitorListRowBody::from)
                .collect(),
            pagination: VisitorsPaginationBody {
                offset: list.pagination.offset,
                limit: list.pagination.limit,
                has_more: list.pagination.has_more,
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct VersionedBody {
    name: String,
    version: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct DeviceBody {
    #[serde(rename = "type")]
    kind: String,
    vendor: Option<String>,
    model: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VisitorIdentityBody {
    country: Option<String>,
    country_code: Option<String>,
    region: Option<String>,
    city: Option<String>,
    params: ParamsBody,
    browser: VersionedBody,
    os: VersionedBody,
    device: DeviceBody,
    viewport: Option<Value>,
    ad_click_ids: BTreeMap<String, String>,
}

impl From<VisitorIdentity> for VisitorIdentityBody {
    fn from(identity: VisitorIdentity) -> Self {
        Self {
            country: identity.country.clone(),
            country_code: identity.country,
            region: identity.region,
            city: identity.city,
            params: identity.params.into(),
            browser: VersionedBody {
                name: identity.browser.name,
                version: identity.browser.version,
            },
            os: VersionedBody {
                name: identity.os.name,
                version: identity.os.version,
            },
            device: DeviceBody {
                kind: identity.device,
                vendor: None,
                model: None,
            },
            viewport: None,
            ad_click_ids: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct VisitedPageBody {
    url: String,
    timestamp: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompletedGoalBody {
    name: String,
    description: Option<String>,
    is_server: bool,
    /// `manual` or `payment_provider`; absent in `completedCustomGoals`.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
    timestamp: String,
}

fn goal_body(goal: CompletedGoal, with_origin: bool) -> CompletedGoalBody {
    let origin = if goal.kind == EventKind::Payment {
        "payment_provider"
    } else {
        "manual"
    };
    CompletedGoalBody {
        name: goal.name,
        description: goal.description,
        is_server: goal.is_server,
        origin: with_origin.then_some(origin),
        timestamp: iso(goal.at_ms),
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VisitorActivityBody {
    visit_count: u64,
    page_view_count: u64,
    time_since_first_visit: i64,
    time_since_current_visit: i64,
    first_visit_at: String,
    last_visit_at: String,
    current_url: Option<String>,
    visited_pages: Vec<VisitedPageBody>,
    completed_custom_goals: Vec<CompletedGoalBody>,
    completed_goals: Vec<CompletedGoalBody>,
}

impl From<VisitorActivity> for VisitorActivityBody {
    fn from(activity: VisitorActivity) -> Self {
        let goals = |goals: Vec<CompletedGoal>, with_origin: bool| {
            goals
                .into_iter()
                .map(|goal| goal_body(goal, with_origin))
                .collect()
        };
        Self {
            visit_count: activity.visit_count,
            page_view_count: activity.page_view_count,
            time_since_first_visit: activity.time_since_first_visit_ms,
            time_since_current_visit: activity.time_since_current_visit_ms,
            first_visit_at: iso(activity.first_visit_ms),
            last_visit_at: iso(activity.current_visit_ms),
            current_url: Some(activity.current_url),
            visited_pages: activity
                .visited_pages
                .into_iter()
                .map(|page| VisitedPageBody {
                    url: page.url,
                    timestamp: iso(page.at_ms),
                })
                .collect(),
            completed_custom_goals: goals(activity.completed_custom_goals, false),
            completed_goals: goals(activity.completed_goals, true),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ProfileBody {
    user_id: String,
    metadata: BTreeMap<String, String>,
    identified_at: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VisitorDetailBody {
    visitor_id: String,
    identity: VisitorIdentityBody,
    activity: VisitorActivityBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<ProfileBody>,
    /// Always `null`: no conversion modelling.
    prediction: Option<Value>,
}

/// `GET /visitors/{id}`: `{"data": {...}}`.
pub(crate) fn visitor_body(detail: VisitorDetail) -> Data<VisitorDetailBody> {
    Data {
        data: VisitorDetailBody {
            visitor_id: detail.visitor_id,
            identity: detail.identity.into(),
            activity: detail.activity.into(),
            profile: detail.profile.map(|profile| ProfileBody {
                user_id: profile.user_id,
                metadata: profile.metadata,
                identified_at: iso_millis(profile.identified_at),
            }),
            prediction: None,
        },
    }
}
