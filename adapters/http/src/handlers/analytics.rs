//! The Website API's reads under `/api/v1`: every analytics endpoint, funnel results and the
//! visitors routes. The use case authorizes and brings the analytics index up to date; the
//! query string is read into a typed request with the view's website defaults (`wire`); the
//! query itself is CPU work on that index, so it runs on a blocking thread, off the executor,
//! and its typed result is written as the answer there.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use serde_json::{Map, Value};

use datafast_analytics::Breakdown;
use datafast_application::AnalyticsView;
use datafast_domain::id::{FunnelId, WebsiteId};
use datafast_domain::ingest::VisitorId;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, PathId, website_id_param};
use crate::handlers::UseCases;
use crate::handlers::query::Query;
use crate::wire::analytics_answer::{funnel_body, overview_body, realtime_body};
use crate::wire::breakdown_answer::breakdown_body;
use crate::wire::realtime_map_answer::realtime_map_body;
use crate::wire::timeseries_answer::timeseries_body;
use crate::wire::visitor_answer::{VisitorsBody, visitor_body};
use crate::wire::{analytics_query, visitors_query};

/// Every query parameter as sent, repeated names included (none of them empty).
pub(crate) type QueryPairs = Query<Vec<(String, String)>>;

/// `websiteId` from the query pairs: required with an account token, checked with a key.
fn website_param(pairs: &[(String, String)]) -> Result<Option<WebsiteId>, ApiError> {
    website_id_param(
        pairs
            .iter()
            .find(|(name, _)| name == "websiteId")
            .map(|(_, value)| value.as_str()),
    )
}

/// The success envelope around a response whose own fields (`data`, `pagination`, ...) sit
/// at the top level.
#[derive(Serialize)]
struct Success<T> {
    status: &'static str,
    #[serde(flatten)]
    body: T,
}

/// Runs `query` on a blocking thread and answers its result in the success envelope (`None`
/// is the unknown visitor's 404).
async fn answer<T, F>(query: F) -> ApiResult
where
    T: Serialize,
    F: FnOnce() -> Option<T> + Send + 'static,
{
    let body = web::block(move || {
        query().map(|body| {
            serde_json::to_vec(&Success {
                status: "success",
                body,
            })
        })
    })
    .await
    .map_err(|e| ApiError::internal(&format!("analytics query thread: {e}")))?;
    match body {
        Some(Ok(bytes)) => Ok(HttpResponse::Ok()
            .content_type(ContentType::json())
            .body(bytes)),
        Some(Err(e)) => Err(ApiError::internal(&format!("analytics response: {e}"))),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "No pageviews found for this visitor on the authenticated website",
        )),
    }
}

async fn view(
    services: &UseCases,
    caller: &Caller,
    pairs: &QueryPairs,
) -> Result<AnalyticsView, ApiError> {
    Ok(services
        .analytics()
        .view(caller, website_param(pairs)?)
        .await?)
}

/// `GET /analytics/overview`.
pub(crate) async fn overview(caller: Caller, services: UseCases, query: QueryPairs) -> ApiResult {
    let view = view(&services, &caller, &query).await?;
    let asked = analytics_query::overview(&query, &view.request_context(), view.leads_with_mrr())?;
    let mrr = match asked.fields.contains(&"mrr") {
        true => Some(services.analytics().mrr(&view).await?),
        false => None,
    };
    answer(move || {
        Some(overview_body(
            &view.overview(&asked.request),
            &asked.fields,
            mrr,
        ))
    })
    .await
}

/// `GET /analytics/timeseries`.
pub(crate) async fn timeseries(caller: Caller, services: UseCases, query: QueryPairs) -> ApiResult {
    let view = view(&services, &caller, &query).await?;
    let asked = analytics_query::timeseries(&query, &view.request_context())?;
    answer(move || {
        Some(timeseries_body(
            &view.timeseries(&asked.request),
            &asked.fields,
        ))
    })
    .await
}

/// `GET /analytics/realtime`.
pub(crate) async fn realtime(caller: Caller, services: UseCases, query: QueryPairs) -> ApiResult {
    let view = view(&services, &caller, &query).await?;
    analytics_query::realtime(&query)?;
    answer(move || Some(realtime_body(&view.realtime()))).await
}

/// `GET /analytics/realtime/map`.
pub(crate) async fn realtime_map(
    caller: Caller,
    services: UseCases,
    query: QueryPairs,
) -> ApiResult {
    let view = view(&services, &caller, &query).await?;
    analytics_query::realtime(&query)?;
    answer(move || Some(realtime_map_body(view.realtime_map()))).await
}

/// The fields of `GET /analytics/metadata`, in response order.
const METADATA_FIELDS: [&str; 7] = [
    "domain",
    "timezone",
    "name",
    "logo",
    "kpiColorScheme",
    "kpi",
    "currency",
];

#[derive(Serialize)]
struct Rows {
    data: Vec<Map<String, Value>>,
}

/// `GET /analytics/metadata`: the website's configuration, with `fields` selection.
pub(crate) async fn metadata(caller: Caller, services: UseCases, query: QueryPairs) -> ApiResult {
    let view = view(&services, &caller, &query).await?;
    let requested: Option<Vec<String>> =
        query
            .iter()
            .find(|(name, _)| name == "fields")
            .map(|(_, value)| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect()
            });
    if let Some(unknown) = requested
        .iter()
        .flatten()
        .find(|f| !METADATA_FIELDS.contains(&f.as_str()))
    {
        return Err(ApiError::bad_request(format!(
            "fields: unknown field '{unknown}'; valid fields: {}",
            METADATA_FIELDS.join(", ")
        )));
    }
    let website = view.website();
    let settings = &website.settings;
    let mut row = Map::new();
    for field in METADATA_FIELDS {
        if requested
            .as_ref()
            .is_some_and(|chosen| !chosen.iter().any(|c| c == field))
        {
            continue;
        }
        let value = match field {
            "domain" => Value::from(website.domain.as_str()),
            "timezone" => Value::from(settings.timezone.as_str()),
            "name" => Value::from(settings.name.as_str()),
            // The server keeps no logos; the field is there so clients that read it do not
            // break.
            "logo" => Value::Null,
            "kpiColorScheme" => Value::from(settings.kpi_color_scheme.as_str()),
            "kpi" => settings
                .kpi
                .as_ref()
                .map_or(Value::Null, |k| Value::from(k.as_str())),
            _ => Value::from(settings.currency.as_str()),
        };
        row.insert(field.to_owned(), value);
    }
    answer(move || Some(Rows { data: vec![row] })).await
}

/// One handler per breakdown route, so the route table lists each path.
macro_rules! breakdowns {
    ($($name:ident => $breakdown:ident),* $(,)?) => {
        $(
            #[doc = concat!("`GET /analytics/", stringify!($name), "`.")]
            pub(crate) async fn $name(
                caller: Caller,
                services: UseCases,
                query: QueryPairs,
            ) -> ApiResult {
                let view = view(&services, &caller, &query).await?;
                let context = view.request_context();
                let asked = analytics_query::breakdown(Breakdown::$breakdown, &query, &context)?;
                answer(move || {
                    Some(breakdown_body(view.breakdown(&asked.request), &asked.fields))
                })
                .await
            }
        )*
    };
}

breakdowns! {
    pages => Pages,
    referrers => Referrers,
    campaigns => Campaigns,
    goals => Goals,
    countries => Countries,
    regions => Regions,
    cities => Cities,
    devices => Devices,
    browsers => Browsers,
    operating_systems => OperatingSystems,
    hostnames => Hostnames,
    entry_pages => EntryPages,
    exit_pages => ExitPages,
    channels => Channels,
}

/// `GET /analytics/funnels/{funnelId}`: 404 for a missing or soft-deleted funnel.
pub(crate) async fn funnel(
    caller: Caller,
    services: UseCases,
    funnel: PathId<FunnelId>,
    query: QueryPairs,
) -> ApiResult {
    let results = services
        .analytics()
        .funnel(&caller, website_param(&query)?, funnel.0)
        .await?;
    let scope = analytics_query::funnel(&query, &results.view.request_context())?;
    answer(move || Some(funnel_body(&results.funnel, &results.results(&scope)))).await
}

/// `GET /visitors`.
pub(crate) async fn visitors(caller: Caller, services: UseCases, query: QueryPairs) -> ApiResult {
    let view = services
        .analytics()
        .visitors(&caller, website_param(&query)?)
        .await?;
    let request = visitors_query::visitors(&query, &view.request_context())?;
    answer(move || Some(VisitorsBody::from(view.visitors(&request)))).await
}

/// `GET /visitors/{visitorId}`: 400 for an id that is not a UUID v4, 404 for a visitor
/// without pageviews on the website.
pub(crate) async fn visitor(
    caller: Caller,
    services: UseCases,
    path: web::Path<String>,
    query: QueryPairs,
) -> ApiResult {
    let visitor = VisitorId::parse_at(&path, "visitorId")?;
    let view = services
        .analytics()
        .visitors(&caller, website_param(&query)?)
        .await?;
    answer(move || view.visitor(visitor.as_str()).map(visitor_body)).await
}
