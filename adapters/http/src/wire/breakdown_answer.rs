//! The JSON answer of every breakdown route: each row shows the endpoint's fields asked for,
//! its key under the endpoint's own name (`path`, `referrer`, `channel`, `country` with its
//! flag, a `campaign` object, ...). Entry pages add `entries`, exit pages `exits` and
//! `exitRate`; goals show `completions`, and `revenue` and `payments` only when asked.

use serde::Serialize;

use datafast_analytics::{Breakdown, BreakdownKey, BreakdownPage, BreakdownRow, country_name};

use crate::wire::analytics_answer::PaginationBody;

#[derive(Debug, Serialize)]
pub(crate) struct Campaign {
    #[serde(skip_serializing_if = "Option::is_none")]
    utm_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utm_medium: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utm_campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utm_term: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    utm_content: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    ref_param: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<String>,
}

/// One breakdown row; only the endpoint's selected keys are present.
#[derive(Debug, Default, Serialize)]
pub(crate) struct BreakdownRowBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    referrer: Option<String>,
    /// Channels: the channel's name (`Organic search`).
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<Campaign>,
    #[serde(skip_serializing_if = "Option::is_none")]
    goal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    browser: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    operating_system: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    completions: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visitors: Option<u64>,
    /// Entry pages: the sessions entering on the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    entries: Option<u64>,
    /// Exit pages: the sessions leaving from the page.
    #[serde(skip_serializing_if = "Option::is_none")]
    exits: Option<u64>,
    /// Exit pages: exits ÷ the page's pageviews × 100.
    #[serde(rename = "exitRate", skip_serializing_if = "Option::is_none")]
    exit_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    revenue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payments: Option<u64>,
}

/// Every breakdown route: `{"data": [...], "pagination": {...}}`.
#[derive(Debug, Serialize)]
pub(crate) struct BreakdownBody {
    data: Vec<BreakdownRowBody>,
    pagination: PaginationBody,
}

/// The flag image the countries breakdown shows next to a country.
fn flag_url(code: &str) -> String {
    format!(
        "https://purecatamphetamine.github.io/country-flag-icons/3x2/{}.svg",
        code.to_ascii_uppercase()
    )
}

fn campaign(values: [Option<String>; 8]) -> Campaign {
    let [
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        ref_param,
        source,
        via,
    ] = values;
    Campaign {
        utm_source,
        utm_medium,
        utm_campaign,
        utm_term,
        utm_content,
        ref_param,
        source,
        via,
    }
}

/// Puts a label key under the breakdown's own field, when that field is asked for.
fn put_label(
    body: &mut BreakdownRowBody,
    breakdown: Breakdown,
    label: String,
    wants: &dyn Fn(&str) -> bool,
) {
    use Breakdown as B;
    let label = Some(label);
    match breakdown {
        B::Referrers => body.referrer = label.filter(|_| wants("referrer")),
        B::Channels => body.channel = label.filter(|_| wants("channel")),
        B::Goals => body.goal = label.filter(|_| wants("goal")),
        B::Countries => {
            if let Some(code) = &label {
                body.image = wants("image").then(|| flag_url(code));
            }
            body.country = label
                .filter(|_| wants("country"))
                .map(|code| country_name(&code).to_owned());
        }
        B::Regions => body.region = label.filter(|_| wants("region")),
        B::Cities => body.city = label.filter(|_| wants("city")),
        B::Devices => body.device = label.filter(|_| wants("device")),
        B::Browsers => body.browser = label.filter(|_| wants("browser")),
        B::OperatingSystems => {
            body.operating_system = label.filter(|_| wants("operating_system"));
        }
        B::Hostnames => body.hostname = label.filter(|_| wants("hostname")),
        B::Pages | B::EntryPages | B::ExitPages | B::Campaigns => {}
    }
}

fn row_body(breakdown: Breakdown, row: BreakdownRow, fields: &[&str]) -> BreakdownRowBody {
    let wants = |f: &str| fields.contains(&f);
    let mut body = BreakdownRowBody {
        completions: (breakdown == Breakdown::Goals && wants("completions"))
            .then_some(row.completions),
        visitors: wants("visitors").then_some(row.visitors),
        entries: (breakdown == Breakdown::EntryPages && wants("entries"))
            .then_some(row.completions),
        exits: (breakdown == Breakdown::ExitPages && wants("exits")).then_some(row.completions),
        exit_rate: (breakdown == Breakdown::ExitPages && wants("exitRate"))
            .then(|| row.exit_rate()),
        revenue: wants("revenue").then_some(row.revenue),
        payments: wants("payments").then_some(row.payments),
        ..BreakdownRowBody::default()
    };
    match row.key {
        BreakdownKey::Page { host, path } => {
            body.hostname = wants("hostname").then_some(host);
            body.path = wants("path").then_some(path);
        }
        BreakdownKey::Campaign(values) => body.campaign = Some(campaign(values)),
        BreakdownKey::Label(label) => put_label(&mut body, breakdown, label, &wants),
    }
    body
}

/// A breakdown page with the `fields` asked for.
pub(crate) fn breakdown_body(page: BreakdownPage, fields: &[&str]) -> BreakdownBody {
    let breakdown = page.breakdown;
    BreakdownBody {
        data: page
            .rows
            .into_iter()
            .map(|row| row_body(breakdown, row, fields))
            .collect(),
        pagination: (&page.pagination).into(),
    }
}
