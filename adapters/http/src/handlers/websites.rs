//! `/websites`: list, create, read and update settings, and the documented refusal to delete.

use datafast_application::NewWebsite;
use datafast_domain::goal::{FieldChange, GoalName};
use datafast_domain::id::WebsiteId;
use datafast_domain::time::TimeZoneName;
use datafast_domain::website::{
    ColorScheme, CountryCode, Currency, Domain, Hostname, IpRule, PathRule, RevenueMetric,
    WebsitePatch, parse_list, parse_website_name,
};

use crate::envelope::{Message, success};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Fields, JsonObject, PathId};
use crate::handlers::UseCases;
use crate::public_address::PublicAddress;
use crate::views::{WebsiteBody, WebsiteCreated, WebsiteRow};

pub(crate) async fn list(caller: Caller, services: UseCases) -> ApiResult {
    let websites = services.websites().list(&caller).await?;
    Ok(success(websites.iter().map(WebsiteRow::from).collect()))
}

fn new_website(fields: &Fields<'_>) -> Result<NewWebsite, ApiError> {
    Ok(NewWebsite {
        domain: Domain::parse(fields.required_str("domain")?)?,
        name: fields
            .optional_str("name")?
            .map(parse_website_name)
            .transpose()?,
        timezone: fields
            .optional_str("timezone")?
            .map(TimeZoneName::parse)
            .transpose()?,
    })
}

pub(crate) async fn create(
    caller: Caller,
    services: UseCases,
    public_address: PublicAddress,
    body: JsonObject,
) -> ApiResult {
    let request = new_website(&body.fields())?;
    let website = services.websites().create(&caller, request).await?;
    Ok(success(vec![WebsiteCreated::new(
        &website,
        &public_address.0,
    )]))
}

pub(crate) async fn get(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    let view = services.websites().get(&caller, website.0).await?;
    Ok(success(vec![WebsiteBody::from(&view)]))
}

/// A list setting, each entry through its own parser; `None` when the field is absent.
fn list_setting<T: PartialEq>(
    fields: &Fields<'_>,
    key: &str,
    parse: impl Fn(&str) -> Result<T, datafast_domain::ValidationError>,
) -> Result<Option<Vec<T>>, ApiError> {
    match fields.optional_str_list(key)? {
        Some(items) => Ok(Some(parse_list(key, &items, parse)?)),
        None => Ok(None),
    }
}

/// Every updatable field of reference section 2.4; absent fields are kept, `kpi: null` clears,
/// and a null anywhere else is refused.
fn website_patch(fields: &Fields<'_>) -> Result<WebsitePatch, ApiError> {
    let kpi = match fields.str_change("kpi")? {
        FieldChange::Keep => None,
        FieldChange::Clear => Some(None),
        FieldChange::Set(goal) => Some(Some(GoalName::parse(&goal).map_err(|e| e.within("kpi"))?)),
    };
    Ok(WebsitePatch {
        domain: fields
            .optional_str("domain")?
            .map(Domain::parse)
            .transpose()?,
        name: fields
            .optional_str("name")?
            .map(parse_website_name)
            .transpose()?,
        timezone: fields
            .optional_str("timezone")?
            .map(TimeZoneName::parse)
            .transpose()?,
        currency: fields
            .optional_str("currency")?
            .map(Currency::parse)
            .transpose()?,
        kpi,
        kpi_color_scheme: fields
            .optional_str("kpiColorScheme")?
            .map(ColorScheme::parse)
            .transpose()?,
        revenue_metric: fields
            .optional_str("revenueMetric")?
            .map(RevenueMetric::parse)
            .transpose()?,
        send_weekly_reports: fields.optional_bool("sendWeeklyReports")?,
        send_viral_traffic_alerts: fields.optional_bool("sendViralTrafficAlerts")?,
        is_public_dashboard_enabled: fields.optional_bool("isPublicDashboardEnabled")?,
        is_public_data_enabled: fields.optional_bool("isPublicDataEnabled")?,
        is_cookieless: fields.optional_bool("isCookieless")?,
        is_attack_mode_enabled: fields.optional_bool("isAttackModeEnabled")?,
        include_renewal_revenue: fields.optional_bool("includeRenewalRevenue")?,
        allowed_hostnames: list_setting(fields, "allowedHostnames", Hostname::parse)?,
        is_all_hostnames_allowed: fields.optional_bool("isAllHostnamesAllowed")?,
        excluded_ips: list_setting(fields, "excludedIps", IpRule::parse)?,
        excluded_paths: list_setting(fields, "excludedPaths", PathRule::parse)?,
        excluded_countries: list_setting(fields, "excludedCountries", CountryCode::parse)?,
        excluded_hostnames: list_setting(fields, "excludedHostnames", Hostname::parse)?,
    })
}

pub(crate) async fn update(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
    body: JsonObject,
) -> ApiResult {
    let patch = website_patch(&body.fields())?;
    let view = services
        .websites()
        .update(&caller, website.0, patch)
        .await?;
    Ok(success(vec![WebsiteBody::from(&view)]))
}

/// The use case refuses after checking the caller (deletion is dashboard-only at DataFast);
/// should it ever succeed, this is the answer.
pub(crate) async fn delete(
    caller: Caller,
    services: UseCases,
    website: PathId<WebsiteId>,
) -> ApiResult {
    services.websites().delete(&caller, website.0).await?;
    Ok(success(vec![Message::new("Website deleted")]))
}
