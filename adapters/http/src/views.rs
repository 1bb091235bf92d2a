//! Response views: the JSON shapes of DataFast's Account API (reference section 2), built from
//! domain values. They are separate from the domain types so the wire format can follow the
//! spec exactly (`_id` and `id`, camelCase, millisecond timestamps) without the domain knowing.

use jiff::Timestamp;
use serde::Serialize;

use datafast_application::{
    AccountView, IntegrationStatus, IssuedApiKey, IssuedToken, LookupOutcome, PassOutcome,
    ProviderState, TeamEntry, WebsiteWithRole,
};
use datafast_domain::access::WebsiteScope;
use datafast_domain::alert::{Alert, AlertLog, DeliveryCounts};
use datafast_domain::apikey::ApiKey;
use datafast_domain::funnel::{Funnel, FunnelStep, StepKind};
use datafast_domain::goal::{GoalCustomization, GoalEventType, PALETTE, PaletteColor, TrackedGoal};
use datafast_domain::integration::Provider;
use datafast_domain::role::Role;
use datafast_domain::team::Invitation;
use datafast_domain::time::iso_millis;
use datafast_domain::token::AccessToken;
use datafast_domain::website::Website;
use datafast_ports::store::ImportRecord;

use crate::envelope::Ids;

fn millis(instant: Timestamp) -> String {
    iso_millis(instant)
}

fn optional_millis(instant: Option<Timestamp>) -> Option<String> {
    instant.map(iso_millis)
}

// ---------------------------------------------------------------- account

/// `GET /account`. A self-hosted server has no plans or trials: access is always on.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountBody {
    #[serde(flatten)]
    ids: Ids,
    name: String,
    email: String,
    image: Option<String>,
    has_access: bool,
    plan_type: &'static str,
    is_free_trial_active: bool,
    free_trial_start_at: Option<String>,
    billing_cycle_start_at: Option<String>,
    billing_cycle_end_at: Option<String>,
    created_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    website_id: Option<String>,
}

impl From<&AccountView> for AccountBody {
    fn from(view: &AccountView) -> Self {
        let account = &view.account;
        Self {
            ids: Ids::of(account.id),
            name: account.name.clone(),
            email: account.email.to_string(),
            image: account.image.clone(),
            has_access: true,
            plan_type: "self-hosted",
            is_free_trial_active: false,
            free_trial_start_at: None,
            billing_cycle_start_at: None,
            billing_cycle_end_at: None,
            created_at: millis(account.created_at),
            website_id: view.website_id.map(|id| id.to_string()),
        }
    }
}

// ---------------------------------------------------------------- tokens

fn website_ids(scope: &WebsiteScope) -> Vec<String> {
    scope.ids().iter().map(ToString::to_string).collect()
}

/// `POST /access-tokens`: the only time the raw token is shown.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenCreated {
    #[serde(flatten)]
    ids: Ids,
    name: Option<String>,
    display_key: String,
    scope: &'static str,
    permissions: Vec<String>,
    website_ids: Vec<String>,
    key: String,
}

impl From<&IssuedToken> for TokenCreated {
    fn from(issued: &IssuedToken) -> Self {
        let token = &issued.token;
        Self {
            ids: Ids::of(token.id),
            name: token.name.clone(),
            display_key: token.display_key.clone(),
            scope: "user",
            permissions: token.permissions.to_strings(),
            website_ids: website_ids(&token.websites),
            key: issued.raw.expose().to_owned(),
        }
    }
}

/// A row of `GET /access-tokens`: masked, never the raw value.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRow {
    #[serde(flatten)]
    ids: Ids,
    name: Option<String>,
    display_key: String,
    scope: &'static str,
    permissions: Vec<String>,
    website_ids: Vec<String>,
    last_used_at: Option<String>,
    created_at: String,
}

impl From<&AccessToken> for TokenRow {
    fn from(token: &AccessToken) -> Self {
        Self {
            ids: Ids::of(token.id),
            name: token.name.clone(),
            display_key: token.display_key.clone(),
            scope: "user",
            permissions: token.permissions.to_strings(),
            website_ids: website_ids(&token.websites),
            last_used_at: optional_millis(token.last_used_at),
            created_at: millis(token.created_at),
        }
    }
}

// ---------------------------------------------------------------- websites

/// A row of `GET /websites`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebsiteRow {
    #[serde(flatten)]
    ids: Ids,
    domain: String,
    name: String,
    tracking_id: String,
    timezone: String,
    currency: String,
    role: Role,
}

impl From<&WebsiteWithRole> for WebsiteRow {
    fn from(listed: &WebsiteWithRole) -> Self {
        let website = &listed.website;
        Self {
            ids: Ids::of(website.id),
            domain: website.domain.to_string(),
            name: website.settings.name.clone(),
            tracking_id: website.tracking_id.as_str().to_owned(),
            timezone: website.settings.timezone.to_string(),
            currency: website.settings.currency.as_str().to_owned(),
            role: listed.role,
        }
    }
}

/// `POST /websites`, with the script tag to paste into the site.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebsiteCreated {
    website_id: String,
    #[serde(flatten)]
    ids: Ids,
    domain: String,
    tracking_id: String,
    name: String,
    timezone: String,
    snippet: String,
}

/// The tracking snippet. Its `src` is this server's public address, so the tag works as
/// pasted into any site; the script then sends events back to where it came from.
fn tracking_snippet(website: &Website, public_address: &str) -> String {
    format!(
        "<script defer data-website-id=\"{}\" data-domain=\"{}\" src=\"{public_address}/js/script.js\"></script>",
        website.tracking_id.as_str(),
        website.domain
    )
}

impl WebsiteCreated {
    /// The answer to `POST /websites`, with a snippet that loads the script from
    /// `public_address`.
    pub fn new(website: &Website, public_address: &str) -> Self {
        Self {
            website_id: website.id.to_string(),
            ids: Ids::of(website.id),
            domain: website.domain.to_string(),
            tracking_id: website.tracking_id.as_str().to_owned(),
            name: website.settings.name.clone(),
            timezone: website.settings.timezone.to_string(),
            snippet: tracking_snippet(website, public_address),
        }
    }
}

/// `GET` and `PUT /websites/{websiteId}`: every setting.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebsiteBody {
    #[serde(flatten)]
    ids: Ids,
    domain: String,
    name: String,
    tracking_id: String,
    timezone: String,
    currency: String,
    kpi: Option<String>,
    kpi_color_scheme: &'static str,
    revenue_metric: &'static str,
    send_weekly_reports: bool,
    send_viral_traffic_alerts: bool,
    is_public_dashboard_enabled: bool,
    is_public_data_enabled: bool,
    is_cookieless: bool,
    is_attack_mode_enabled: bool,
    include_renewal_revenue: bool,
    allowed_hostnames: Vec<String>,
    is_all_hostnames_allowed: bool,
    excluded_ips: Vec<String>,
    excluded_paths: Vec<String>,
    excluded_countries: Vec<String>,
    excluded_hostnames: Vec<String>,
    role: Role,
    created_at: String,
}

impl From<&WebsiteWithRole> for WebsiteBody {
    fn from(view: &WebsiteWithRole) -> Self {
        let website = &view.website;
        let s = &website.settings;
        Self {
            ids: Ids::of(website.id),
            domain: website.domain.to_string(),
            name: s.name.clone(),
            tracking_id: website.tracking_id.as_str().to_owned(),
            timezone: s.timezone.to_string(),
            currency: s.currency.as_str().to_owned(),
            kpi: s.kpi.as_ref().map(ToString::to_string),
            kpi_color_scheme: s.kpi_color_scheme.as_str(),
            revenue_metric: s.revenue_metric.as_str(),
            send_weekly_reports: s.send_weekly_reports,
            send_viral_traffic_alerts: s.send_viral_traffic_alerts,
            is_public_dashboard_enabled: s.is_public_dashboard_enabled,
            is_public_data_enabled: s.is_public_data_enabled,
            is_cookieless: s.is_cookieless,
            is_attack_mode_enabled: s.is_attack_mode_enabled,
            include_renewal_revenue: s.include_renewal_revenue,
            allowed_hostnames: s
                .allowed_hostnames
                .iter()
                .map(|h| h.as_str().to_owned())
                .collect(),
            is_all_hostnames_allowed: s.is_all_hostnames_allowed,
            excluded_ips: s.excluded_ips.iter().map(ToString::to_string).collect(),
            excluded_paths: s
                .excluded_paths
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
            excluded_countries: s
                .excluded_countries
                .iter()
                .map(|c| c.as_str().to_owned())
                .collect(),
            excluded_hostnames: s
                .excluded_hostnames
                .iter()
                .map(|h| h.as_str().to_owned())
                .collect(),
            role: view.role,
            created_at: millis(website.created_at),
        }
    }
}

/// `[{"_id","id","deleted":true}]`, the answer to deleting a key, funnel or alert.
#[derive(Debug, Serialize)]
pub struct Deleted {
    #[serde(flatten)]
    ids: Ids,
    deleted: bool,
}

impl Deleted {
    pub fn of(id: impl ToString) -> Self {
        Self {
            ids: Ids::of(id),
            deleted: true,
        }
    }
}

// ---------------------------------------------------------------- API keys

/// `POST` (create) and `PUT` (roll) `/apikeys`: the only time the raw key is shown.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyIssued {
    #[serde(flatten)]
    ids: Ids,
    name: String,
    display_key: String,
    website_id: String,
    key: String,
    created_at: String,
}

impl From<&IssuedApiKey> for ApiKeyIssued {
    fn from(issued: &IssuedApiKey) -> Self {
        let key = &issued.key;
        Self {
            ids: Ids::of(key.id),
            name: key.name.clone(),
            display_key: key.display_key.clone(),
            website_id: key.website_id.to_string(),
            key: issued.raw.expose().to_owned(),
            created_at: millis(key.created_at),
        }
    }
}

/// A row of `GET /apikeys`: masked.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyRow {
    #[serde(flatten)]
    ids: Ids,
    name: String,
    display_key: String,
    website_id: String,
    last_used_at: Option<String>,
    created_at: String,
}

impl From<&ApiKey> for ApiKeyRow {
    fn from(key: &ApiKey) -> Self {
        Self {
            ids: Ids::of(key.id),
            name: key.name.clone(),
            display_key: key.display_key.clone(),
            website_id: key.website_id.to_string(),
            last_used_at: optional_millis(key.last_used_at),
            created_at: millis(key.created_at),
        }
    }
}

// ---------------------------------------------------------------- goals

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrackedGoalRow {
    name: String,
    total: u64,
    uv: u64,
    conversion_rate: f64,
    event_type: &'static str,
}

impl From<&TrackedGoal> for TrackedGoalRow {
    fn from(goal: &TrackedGoal) -> Self {
        Self {
            name: goal.name.clone(),
            total: goal.total,
            uv: goal.unique_visitors,
            conversion_rate: goal.conversion_rate,
            event_type: match goal.event_type {
                GoalEventType::Custom => "custom",
                GoalEventType::Payment => "payment",
            },
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomizationRow {
    goal_name: String,
    display_name: Option<String>,
    color: Option<String>,
    description: Option<String>,
    updated_at: String,
}

impl From<&GoalCustomization> for CustomizationRow {
    fn from(customization: &GoalCustomization) -> Self {
        Self {
            goal_name: customization.goal_name.to_string(),
            display_name: customization.display_name.clone(),
            color: customization.color.clone(),
            description: customization.description.clone(),
            updated_at: millis(customization.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PaletteEntry {
    color: &'static str,
    family: &'static str,
    label: &'static str,
}

impl From<&PaletteColor> for PaletteEntry {
    fn from(entry: &PaletteColor) -> Self {
        Self {
            color: entry.color,
            family: entry.family,
            label: entry.label,
        }
    }
}

/// The `colors` sibling of customization responses: the whole palette.
#[derive(Debug, Serialize)]
pub struct Palette {
    colors: Vec<PaletteEntry>,
}

impl Palette {
    pub fn all() -> Self {
        Self {
            colors: PALETTE.iter().map(PaletteEntry::from).collect(),
        }
    }
}

// ---------------------------------------------------------------- funnels

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StepBody {
    id: String,
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    goal_name: Option<String>,
}

impl From<&FunnelStep> for StepBody {
    fn from(step: &FunnelStep) -> Self {
        let (kind, url, goal_name) = match &step.kind {
            StepKind::Pageview { url } => ("pageview", Some(url.clone()), None),
            StepKind::Goal { goal_name } => ("goal", None, Some(goal_name.to_string())),
        };
        Self {
            id: step.id.clone(),
            name: step.name.clone(),
            kind,
            url,
            goal_name,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunnelBody {
    #[serde(flatten)]
    ids: Ids,
    website_id: String,
    name: String,
    slug: String,
    steps: Vec<StepBody>,
    is_active: bool,
    created_at: String,
    updated_at: String,
}

impl From<&Funnel> for FunnelBody {
    fn from(funnel: &Funnel) -> Self {
        Self {
            ids: Ids::of(funnel.id),
            website_id: funnel.website_id.to_string(),
            name: funnel.name.to_string(),
            slug: funnel.slug.clone(),
            steps: funnel.steps.iter().map(StepBody::from).collect(),
            is_active: funnel.is_active,
            created_at: millis(funnel.created_at),
            updated_at: millis(funnel.updated_at),
        }
    }
}

// ---------------------------------------------------------------- alerts

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertLogRow {
    #[serde(flatten)]
    ids: Ids,
    alert_id: String,
    alert_name: String,
    goal_name: String,
    status: &'static str,
    error: Option<String>,
    visitor_id: Option<String>,
    triggered_at: String,
}

impl From<&AlertLog> for AlertLogRow {
    fn from(log: &AlertLog) -> Self {
        Self {
            ids: Ids::of(log.id),
            alert_id: log.alert_id.to_string(),
            alert_name: log.alert_name.clone(),
            goal_name: log.goal_name.clone(),
            status: log.status.as_str(),
            error: log.error.clone(),
            visitor_id: log.visitor_id.clone(),
            triggered_at: millis(log.triggered_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Trigger {
    #[serde(rename = "type")]
    kind: &'static str,
    goal_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Destination {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_url: Option<String>,
}

#[derive(Debug, Serialize)]
struct Template {
    subject: String,
    message: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertBody {
    #[serde(flatten)]
    ids: Ids,
    website_id: String,
    name: String,
    trigger: Trigger,
    destination: Destination,
    template: Template,
    is_enabled: bool,
    recent_logs: Vec<AlertLogRow>,
    created_at: String,
    updated_at: String,
}

impl AlertBody {
    /// The alert with its most recent deliveries.
    pub fn new(alert: &Alert, recent_logs: &[AlertLog]) -> Self {
        Self {
            ids: Ids::of(alert.id),
            website_id: alert.website_id.to_string(),
            name: alert.name.clone(),
            trigger: Trigger {
                kind: "goal",
                goal_name: alert.goal_name.to_string(),
            },
            destination: Destination {
                kind: "email",
                webhook_url: alert.webhook_url.clone(),
            },
            template: Template {
                subject: alert.subject.clone(),
                message: alert.message.clone(),
            },
            is_enabled: alert.is_enabled,
            recent_logs: recent_logs.iter().map(AlertLogRow::from).collect(),
            created_at: millis(alert.created_at),
            updated_at: millis(alert.updated_at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CountsBody {
    sent: u64,
    failed: u64,
    total: u64,
}

/// The `counts` sibling of the history's `data`.
#[derive(Debug, Serialize)]
pub struct HistoryCounts {
    counts: CountsBody,
}

impl From<DeliveryCounts> for HistoryCounts {
    fn from(counts: DeliveryCounts) -> Self {
        Self {
            counts: CountsBody {
                sent: counts.sent,
                failed: counts.failed,
                total: counts.total(),
            },
        }
    }
}

// ---------------------------------------------------------------- team

/// A row of `GET /team`: an active member or a pending invitation.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum TeamRow {
    #[serde(rename_all = "camelCase")]
    Member {
        user_id: String,
        name: String,
        email: String,
        image: Option<String>,
        role: Role,
        joined_at: String,
        status: &'static str,
    },
    #[serde(rename_all = "camelCase")]
    Pending {
        invitation_id: String,
        user_id: Option<String>,
        email: String,
        role: Role,
        status: &'static str,
        invited_at: String,
    },
}

impl From<&TeamEntry> for TeamRow {
    fn from(entry: &TeamEntry) -> Self {
        match entry {
            TeamEntry::Member {
                membership,
                account,
            } => TeamRow::Member {
                user_id: account.id.to_string(),
                name: account.name.clone(),
                email: account.email.to_string(),
                image: account.image.clone(),
                role: membership.role,
                joined_at: millis(membership.joined_at),
                status: "active",
            },
            TeamEntry::Pending(invitation) => TeamRow::Pending {
                invitation_id: invitation.id.to_string(),
                user_id: None,
                email: invitation.email.to_string(),
                role: invitation.role,
                status: "pending",
                invited_at: millis(invitation.created_at),
            },
        }
    }
}

/// `POST /team`: the invitation and where the invitee accepts it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationCreated {
    message: &'static str,
    invitation_id: String,
    email: String,
    role: Role,
    status: &'static str,
    accept_path: String,
    /// The one-time link that lets the invitee create an account (or sign in) and join.
    invite_url: String,
    /// Whether the link was also emailed to the invitee (only with SMTP configured).
    invite_emailed: bool,
}

impl InvitationCreated {
    pub fn new(invitation: &Invitation, invite_url: String, invite_emailed: bool) -> Self {
        Self {
            message: "Invitation created. Send the invite link to the user.",
            invitation_id: invitation.id.to_string(),
            email: invitation.email.to_string(),
            role: invitation.role,
            status: "pending",
            accept_path: format!("/api/v1/admin/invitations/{}/accept", invitation.id),
            invite_url,
            invite_emailed,
        }
    }
}

/// A row of `GET /invitations`: what the caller has been invited to.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationRow {
    invitation_id: String,
    website_id: String,
    email: String,
    role: Role,
    invited_at: String,
}

impl From<&Invitation> for InvitationRow {
    fn from(invitation: &Invitation) -> Self {
        Self {
            invitation_id: invitation.id.to_string(),
            website_id: invitation.website_id.to_string(),
            email: invitation.email.to_string(),
            role: invitation.role,
            invited_at: millis(invitation.created_at),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationAccepted {
    message: &'static str,
    website_id: String,
    role: Role,
}

impl InvitationAccepted {
    pub fn new(website_id: impl ToString, role: Role) -> Self {
        Self {
            message: "Invitation accepted",
            website_id: website_id.to_string(),
            role,
        }
    }
}

// ---------------------------------------------------------------- integrations

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionStatus {
    connected: bool,
    connected_at: Option<String>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    import: Option<ImportStatus>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaddleStatus {
    connected: bool,
    connected_at: Option<String>,
    key_expires_at: Option<String>,
    #[serde(flatten)]
    import: ImportStatus,
}

/// How a provider's revenue import is doing, and where its webhook is received: shown for
/// the providers this server imports from, connected or not, next to the fields DataFast
/// shows.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportStatus {
    last_sync_at: Option<String>,
    last_error: Option<String>,
    imported_payments: u64,
    webhook_url: String,
    webhook_configured: bool,
}

impl ImportStatus {
    fn of(state: Option<&ProviderState>, webhook_url: String) -> Self {
        let sync = state.map(|state| &state.sync);
        Self {
            last_sync_at: sync.and_then(|s| optional_millis(s.last_sync_at)),
            last_error: sync.and_then(|s| s.last_error.clone()),
            imported_payments: sync.map_or(0, |s| s.imported_payments),
            webhook_url,
            webhook_configured: state.is_some_and(|s| s.webhook),
        }
    }
}

/// Where `provider`'s webhook deliveries for `website` are received.
pub fn webhook_url(
    public_address: &str,
    provider: Provider,
    website: impl std::fmt::Display,
) -> String {
    format!(
        "{public_address}/api/webhooks/{}/{website}",
        provider.slug()
    )
}

/// `PUT .../integrations/{provider}/webhook`: where to point the provider's webhook.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSet {
    provider: &'static str,
    webhook_url: String,
    message: String,
}

impl WebhookSet {
    pub fn new(provider: Provider, webhook_url: String) -> Self {
        Self {
            provider: provider.slug(),
            webhook_url,
            message: format!("{} webhook signing secret saved", provider.title()),
        }
    }
}

/// `POST /api/webhooks/{provider}/{websiteId}`: what the delivery led to.
#[derive(Debug, Serialize)]
pub struct WebhookReceived {
    received: bool,
    payment: &'static str,
}

impl WebhookReceived {
    pub fn new(outcome: LookupOutcome) -> Self {
        let payment = match outcome {
            LookupOutcome::Stored(ImportRecord::New) => "recorded",
            LookupOutcome::Stored(ImportRecord::Settled) => "updated",
            LookupOutcome::Stored(ImportRecord::Unchanged) | LookupOutcome::Repeated => "unchanged",
            LookupOutcome::NotPaid => "not_paid",
            LookupOutcome::NotConnected => "not_connected",
            LookupOutcome::Ignored => "ignored",
        };
        Self {
            received: true,
            payment,
        }
    }
}

/// `GET /integrations`: whether each provider is connected, never a credential.
#[derive(Debug, Serialize)]
pub struct IntegrationsBody {
    stripe: ConnectionStatus,
    lemonsqueezy: ConnectionStatus,
    polar: ConnectionStatus,
    paddle: PaddleStatus,
    shopify: ConnectionStatus,
    woocommerce: ConnectionStatus,
    currency: String,
}

impl IntegrationsBody {
    /// The status of `website`, its webhook URLs under `public_address`.
    pub fn new(
        status: &IntegrationStatus,
        public_address: &str,
        website: impl std::fmt::Display,
    ) -> Self {
        let url = |provider: Provider| webhook_url(public_address, provider, &website);
        let state = |provider: Provider| {
            status
                .providers
                .iter()
                .find(|(p, _)| *p == provider)
                .and_then(|(_, state)| state.as_ref())
        };
        let of = |provider: Provider| {
            let state = state(provider);
            ConnectionStatus {
                connected: state.is_some(),
                connected_at: state.map(|s| millis(s.connected_at)),
                import: provider
                    .connects_through_api()
                    .then(|| ImportStatus::of(state, url(provider))),
            }
        };
        let paddle = state(Provider::Paddle);
        Self {
            stripe: of(Provider::Stripe),
            lemonsqueezy: of(Provider::LemonSqueezy),
            polar: of(Provider::Polar),
            paddle: PaddleStatus {
                connected: paddle.is_some(),
                connected_at: paddle.map(|s| millis(s.connected_at)),
                key_expires_at: paddle.and_then(|s| optional_millis(s.key_expires_at)),
                import: ImportStatus::of(paddle, url(Provider::Paddle)),
            },
            shopify: of(Provider::Shopify),
            woocommerce: of(Provider::WooCommerce),
            currency: status.currency.as_str().to_owned(),
        }
    }
}

/// `POST /integrations/sync`: how the pass over each connected provider ended.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncResult {
    provider: &'static str,
    status: &'static str,
    imported_payments: u64,
    error: Option<String>,
}

impl SyncResult {
    pub fn new(provider: Provider, outcome: &PassOutcome) -> Self {
        let (status, imported_payments, error) = match outcome {
            PassOutcome::Finished { imported } => ("synced", *imported, None),
            PassOutcome::Interrupted { imported, error } => {
                ("interrupted", *imported, Some(error.clone()))
            }
            PassOutcome::Halted { error } => ("halted", 0, Some(error.clone())),
            PassOutcome::AlreadyRunning => ("running", 0, None),
            PassOutcome::Skipped => ("skipped", 0, None),
        };
        Self {
            provider: provider.slug(),
            status,
            imported_payments,
            error,
        }
    }
}

/// A provider connected: Stripe and Lemon Squeezy also report the website's currency.
#[derive(Debug, Serialize)]
pub struct Connected {
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
}

impl Connected {
    pub fn new(provider: Provider, currency: &str) -> Self {
        let reports_currency = matches!(provider, Provider::Stripe | Provider::LemonSqueezy);
        Self {
            message: format!("{} connected successfully", provider.title()),
            currency: reports_currency.then(|| currency.to_owned()),
        }
    }
}
