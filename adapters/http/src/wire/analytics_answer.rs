//! The JSON answers of overview, realtime and funnel results, and the shapes the analytics
//! answers share (`{"data": ...}`, `pagination`). Each is the body without `status`, which the
//! handler adds at the top level.

use serde::Serialize;

use datafast_analytics::{FunnelResult, FunnelStepResult, Overview, Pagination, Realtime};
use datafast_domain::funnel::Funnel;

use crate::views::StepBody;

/// `{"data": ...}`.
#[derive(Debug, Serialize)]
pub(crate) struct Data<T> {
    pub(crate) data: T,
}

#[derive(Debug, Serialize)]
pub(crate) struct PaginationBody {
    limit: usize,
    offset: usize,
    total: usize,
}

impl From<&Pagination> for PaginationBody {
    fn from(page: &Pagination) -> Self {
        Self {
            limit: page.limit,
            offset: page.offset,
            total: page.total,
        }
    }
}

/// The overview's one row: only the fields asked for.
#[derive(Debug, Serialize)]
pub(crate) struct OverviewRow {
    #[serde(skip_serializing_if = "Option::is_none")]
    visitors: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bounce_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    avg_session_duration: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payments: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue_per_visitor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mrr: Option<f64>,
}

/// `GET /analytics/overview`: `{"data": [row]}` with the `fields` asked for; `mrr` is given
/// when asked for.
pub(crate) fn overview_body(
    overview: &Overview,
    fields: &[&str],
    mrr: Option<f64>,
) -> Data<Vec<OverviewRow>> {
    let wants = |f: &str| fields.contains(&f);
    let pick = |f: &str, value: f64| wants(f).then_some(value);
    Data {
        data: vec![OverviewRow {
            visitors: wants("visitors").then_some(overview.visitors),
            sessions: wants("sessions").then_some(overview.sessions),
            bounce_rate: pick("bounce_rate", overview.bounce_rate),
            avg_session_duration: pick("avg_session_duration", overview.avg_session_duration),
            currency: wants("currency").then(|| overview.currency.symbol()),
            revenue: pick("revenue", overview.revenue),
            payments: wants("payments").then_some(overview.payments),
            revenue_per_visitor: pick("revenue_per_visitor", overview.revenue_per_visitor),
            conversion_rate: pick("conversion_rate", overview.conversion_rate),
            mrr: mrr.filter(|_| wants("mrr")),
        }],
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct RealtimeRow {
    visitors: u64,
}

/// `GET /analytics/realtime`: `{"data": [{"visitors": n}]}`.
pub(crate) fn realtime_body(realtime: &Realtime) -> Data<Vec<RealtimeRow>> {
    Data {
        data: vec![RealtimeRow {
            visitors: realtime.visitors,
        }],
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct FunnelDefinition {
    #[serde(rename = "_id")]
    id: String,
    name: String,
    steps: Vec<StepBody>,
}

#[derive(Debug, Serialize)]
pub(crate) struct FunnelStepRow {
    #[serde(flatten)]
    step: StepBody,
    visitors: u64,
    #[serde(rename = "conversionRate")]
    conversion_rate: f64,
    dropoff: u64,
    revenue: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct FunnelResultBody {
    funnel: FunnelDefinition,
    steps: Vec<FunnelStepRow>,
    #[serde(rename = "conversionRate")]
    conversion_rate: f64,
}

/// `GET /analytics/funnels/{id}`: `{"data": [result]}`, each step's result beside its
/// definition.
pub(crate) fn funnel_body(funnel: &Funnel, result: &FunnelResult) -> Data<Vec<FunnelResultBody>> {
    let step_row = |(step, outcome): (_, &FunnelStepResult)| FunnelStepRow {
        step: StepBody::from(step),
        visitors: outcome.visitors,
        conversion_rate: outcome.conversion_rate,
        dropoff: outcome.dropoff,
        revenue: outcome.revenue,
    };
    Data {
        data: vec![FunnelResultBody {
            funnel: FunnelDefinition {
                id: funnel.id.to_string(),
                name: funnel.name.to_string(),
                steps: funnel.steps.iter().map(StepBody::from).collect(),
            },
            steps: funnel
                .steps
                .iter()
                .zip(&result.steps)
                .map(step_row)
                .collect(),
            conversion_rate: result.conversion_rate,
        }],
    }
}
