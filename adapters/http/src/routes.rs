//! The route table: one declaration per route that both registers it with actix and lists it
//! in [`route_table`], so the two cannot drift apart. Routes sharing a path form one actix
//! resource, which is what lets a wrong method answer 405 with `Allow` instead of falling
//! through to the next resource.

use actix_web::http::Method;
use actix_web::{HttpResponse, web};

use datafast_domain::permission::Permission;

use crate::error::ApiError;
use crate::handlers::goals::CUSTOMIZATION_BODY_LIMIT;
use crate::handlers::{
    account, alerts, analytics, apikeys, dashboard, events, fallback, funnels, goals, integrations,
    session, team, tokens, webhooks, website_writes, websites,
};
use crate::json_config;

/// One registered route, as other crates see it (the OpenAPI check, the authorization matrix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteInfo {
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// The full path with OpenAPI-style parameters: `/api/v1/admin/websites/{websiteId}`.
    pub path: &'static str,
    /// The permission string the route requires; `None` for the health check.
    pub permission: Option<&'static str>,
    /// Whether only the website's owner may call it (on top of the permission).
    pub owner_only: bool,
}

/// The one spelling of the admin API's base path.
macro_rules! admin_prefix {
    () => {
        "/api/v1/admin"
    };
}
pub(crate) const ADMIN_PREFIX: &str = admin_prefix!();

/// The one spelling of the Website API's base path (its routes come after the admin scope, so
/// `/api/v1/admin` never reaches them).
macro_rules! website_prefix {
    () => {
        "/api/v1"
    };
}
pub(crate) const WEBSITE_PREFIX: &str = website_prefix!();

macro_rules! permission {
    (none) => {
        None
    };
    ($variant:ident) => {
        Some(Permission::$variant.as_str())
    };
}

macro_rules! owner_only {
    (owner_only) => {
        true
    };
    (any_role) => {
        false
    };
}

/// A resource with its methods, and 405 with `Allow` for every other method.
macro_rules! resource {
    ($path:expr, $($method:ident $handler:path),+) => {{
        const ALLOWED: &[&str] = &[$(stringify!($method)),+];
        web::resource($path)
            $(.route(web::route().method(Method::$method).to($handler)))+
            .default_service(web::to(|| async {
                Err::<HttpResponse, ApiError>(ApiError::method_not_allowed(ALLOWED))
            }))
    }};
}

macro_rules! routes {
    (
        public {
            $($public_path:literal => {
                $($public_method:ident $public_handler:path => $public_permission:ident, $public_who:ident;)+
            })*
        }
        admin {
            $($admin_path:literal $([json limit $limit:expr])? => {
                $($admin_method:ident $admin_handler:path => $admin_permission:ident, $admin_who:ident;)+
            })*
        }
        website {
            $($site_path:literal => {
                $($site_method:ident $site_handler:path => $site_permission:ident, $site_who:ident;)+
            })*
        }
    ) => {
        /// Every registered route, in registration order.
        pub fn route_table() -> Vec<RouteInfo> {
            vec![
                $($(RouteInfo {
                    method: stringify!($public_method),
                    path: $public_path,
                    permission: permission!($public_permission),
                    owner_only: owner_only!($public_who),
                },)+)*
                $($(RouteInfo {
                    method: stringify!($admin_method),
                    path: concat!(admin_prefix!(), $admin_path),
                    permission: permission!($admin_permission),
                    owner_only: owner_only!($admin_who),
                },)+)*
                $($(RouteInfo {
                    method: stringify!($site_method),
                    path: concat!(website_prefix!(), $site_path),
                    permission: permission!($site_permission),
                    owner_only: owner_only!($site_who),
                },)+)*
            ]
        }

        /// Routes outside the admin API: no authentication, no rate limit.
        pub(crate) fn configure_public(config: &mut web::ServiceConfig) {
            $(config.service(resource!($public_path, $($public_method $public_handler),+));)*
        }

        /// The admin API's routes, relative to [`ADMIN_PREFIX`].
        pub(crate) fn configure_admin(config: &mut web::ServiceConfig) {
            $(config.service(
                resource!($admin_path, $($admin_method $admin_handler),+)
                    $(.app_data(json_config($limit)))?
            );)*
        }

        /// The Website API's routes, relative to [`WEBSITE_PREFIX`].
        pub(crate) fn configure_website(config: &mut web::ServiceConfig) {
            $(config.service(resource!($site_path, $($site_method $site_handler),+));)*
        }
    };
}

/// The configured second ingestion path: the same handlers as `/api/events`.
pub(crate) fn extra_events_resource(path: &str) -> actix_web::Resource {
    resource!(path, POST events::collect, OPTIONS events::preflight)
}

// Order matters where paths overlap: `/alerts/history` must precede `/alerts/{alertId}`.
routes! {
    public {
        "/health" => {
            GET fallback::health => none, any_role;
        }
        "/api/events" => {
            POST events::collect => none, any_role;
            OPTIONS events::preflight => none, any_role;
        }
        "/js/script.js" => {
            GET events::script => none, any_role;
        }
        "/js/script.hash.js" => {
            GET events::script => none, any_role;
        }
        "/js/script.cookieless.js" => {
            GET events::script => none, any_role;
        }
        "/api/webhooks/{provider}/{websiteId}" => {
            POST webhooks::receive => none, any_role;
        }
    }
    admin {
        "/account" => {
            GET account::get => AnalyticsRead, any_role;
            PUT account::rename => AnalyticsRead, any_role;
        }
        "/access-tokens" => {
            GET tokens::list => ApiKeysRead, any_role;
            POST tokens::create => ApiKeysWrite, any_role;
        }
        "/access-tokens/{tokenId}" => {
            DELETE tokens::delete => ApiKeysWrite, any_role;
        }
        "/websites" => {
            GET websites::list => WebsitesRead, any_role;
            POST websites::create => WebsitesWrite, any_role;
        }
        "/websites/{websiteId}" => {
            GET websites::get => SettingsRead, any_role;
            PUT websites::update => SettingsWrite, any_role;
            DELETE websites::delete => WebsitesWrite, owner_only;
        }
        "/websites/{websiteId}/apikeys" => {
            GET apikeys::list => ApiKeysRead, any_role;
            POST apikeys::create => ApiKeysWrite, any_role;
        }
        "/websites/{websiteId}/apikeys/{apiKeyId}" => {
            PUT apikeys::roll => ApiKeysWrite, any_role;
            DELETE apikeys::delete => ApiKeysWrite, any_role;
        }
        "/websites/{websiteId}/goals" => {
            GET goals::tracked => SettingsRead, any_role;
        }
        "/websites/{websiteId}/goals/customizations" [json limit CUSTOMIZATION_BODY_LIMIT] => {
            GET goals::customizations => GoalsRead, any_role;
            PATCH goals::customize => GoalsWrite, any_role;
        }
        "/websites/{websiteId}/funnels" => {
            GET funnels::list => FunnelsRead, any_role;
            POST funnels::create => FunnelsWrite, any_role;
        }
        "/websites/{websiteId}/funnels/{funnelId}" => {
            GET funnels::get => FunnelsRead, any_role;
            PUT funnels::update => FunnelsWrite, any_role;
            DELETE funnels::delete => FunnelsWrite, any_role;
        }
        "/websites/{websiteId}/alerts" => {
            GET alerts::list => AlertsRead, any_role;
            POST alerts::create => AlertsWrite, any_role;
        }
        "/websites/{websiteId}/alerts/history" => {
            GET alerts::history => AlertsRead, any_role;
        }
        "/websites/{websiteId}/alerts/{alertId}" => {
            GET alerts::get => AlertsRead, any_role;
            PUT alerts::update => AlertsWrite, any_role;
            DELETE alerts::delete => AlertsWrite, any_role;
        }
        "/websites/{websiteId}/team" => {
            GET team::list => TeamRead, any_role;
            POST team::invite => TeamWrite, owner_only;
            DELETE team::remove => TeamWrite, owner_only;
        }
        "/websites/{websiteId}/integrations" => {
            GET integrations::status => SettingsRead, any_role;
        }
        "/websites/{websiteId}/integrations/sync" => {
            POST integrations::sync => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/stripe" => {
            POST integrations::connect_stripe => SettingsWrite, any_role;
            DELETE integrations::disconnect_stripe => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/lemonsqueezy" => {
            POST integrations::connect_lemon_squeezy => SettingsWrite, any_role;
            DELETE integrations::disconnect_lemon_squeezy => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/polar" => {
            POST integrations::connect_polar => SettingsWrite, any_role;
            DELETE integrations::disconnect_polar => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/paddle" => {
            POST integrations::connect_paddle => SettingsWrite, any_role;
            DELETE integrations::disconnect_paddle => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/{provider}/webhook" => {
            PUT integrations::set_webhook => SettingsWrite, any_role;
            DELETE integrations::remove_webhook => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/shopify" => {
            DELETE integrations::disconnect_shopify => SettingsWrite, any_role;
        }
        "/websites/{websiteId}/integrations/woocommerce" => {
            DELETE integrations::disconnect_woocommerce => SettingsWrite, any_role;
        }
        "/invitations" => {
            GET team::mine => TeamRead, any_role;
        }
        "/invitations/{invitationId}/accept" => {
            POST team::accept => TeamWrite, any_role;
        }
    }
    website {
        "/goals" => {
            POST website_writes::create_goal => GoalsWrite, any_role;
            DELETE website_writes::delete_goals => GoalsWrite, any_role;
        }
        "/payments" => {
            POST website_writes::create_payment => PaymentsWrite, any_role;
            DELETE website_writes::delete_payments => PaymentsWrite, any_role;
        }
        "/identify" => {
            POST website_writes::identify => IdentifyWrite, any_role;
        }
        "/analytics/overview" => {
            GET analytics::overview => AnalyticsRead, any_role;
        }
        "/analytics/timeseries" => {
            GET analytics::timeseries => AnalyticsRead, any_role;
        }
        "/analytics/realtime" => {
            GET analytics::realtime => AnalyticsRead, any_role;
        }
        "/analytics/realtime/map" => {
            GET analytics::realtime_map => AnalyticsRead, any_role;
        }
        "/analytics/metadata" => {
            GET analytics::metadata => AnalyticsRead, any_role;
        }
        "/analytics/pages" => {
            GET analytics::pages => AnalyticsRead, any_role;
        }
        "/analytics/referrers" => {
            GET analytics::referrers => AnalyticsRead, any_role;
        }
        "/analytics/channels" => {
            GET analytics::channels => AnalyticsRead, any_role;
        }
        "/analytics/campaigns" => {
            GET analytics::campaigns => AnalyticsRead, any_role;
        }
        "/analytics/goals" => {
            GET analytics::goals => AnalyticsRead, any_role;
        }
        "/analytics/countries" => {
            GET analytics::countries => AnalyticsRead, any_role;
        }
        "/analytics/regions" => {
            GET analytics::regions => AnalyticsRead, any_role;
        }
        "/analytics/cities" => {
            GET analytics::cities => AnalyticsRead, any_role;
        }
        "/analytics/devices" => {
            GET analytics::devices => AnalyticsRead, any_role;
        }
        "/analytics/browsers" => {
            GET analytics::browsers => AnalyticsRead, any_role;
        }
        "/analytics/operating-systems" => {
            GET analytics::operating_systems => AnalyticsRead, any_role;
        }
        "/analytics/hostnames" => {
            GET analytics::hostnames => AnalyticsRead, any_role;
        }
        "/analytics/entry-pages" => {
            GET analytics::entry_pages => AnalyticsRead, any_role;
        }
        "/analytics/exit-pages" => {
            GET analytics::exit_pages => AnalyticsRead, any_role;
        }
        "/analytics/funnels/{funnelId}" => {
            GET analytics::funnel => AnalyticsRead, any_role;
        }
        "/visitors" => {
            GET analytics::visitors => VisitorsRead, any_role;
        }
        "/visitors/{visitorId}" => {
            GET analytics::visitor => VisitorsRead, any_role;
        }
    }
}

/// The dashboard's own JSON routes, outside DataFast's API and so outside [`route_table`] and
/// `docs/openapi.json` (`docs/dashboard.md` describes them). They are rate-limited like the
/// APIs, and a failed sign-in spends the address's failed-authentication budget.
pub(crate) fn configure_dashboard_api(config: &mut web::ServiceConfig) {
    let limited = || actix_web::middleware::from_fn(crate::rate_limit::limit_rate);
    config
        .service(
            resource!("/api/session", GET session::current, POST session::sign_in, DELETE session::sign_out)
                .wrap(limited()),
        )
        .service(resource!("/api/session/password", PUT session::change_password).wrap(limited()))
        .service(resource!("/api/setup", GET session::setup_offer, POST session::setup).wrap(limited()))
        .service(resource!("/api/join", GET session::join_offer, POST session::join).wrap(limited()));
}

/// The dashboard's pages and files. Every page URL gets the same shell; the app routes on the
/// client. Files are compressed for browsers that accept it.
pub(crate) fn configure_dashboard_pages(config: &mut web::ServiceConfig) {
    config.service(
        resource!("/dashboard/{path:.+}", GET dashboard::file)
            .wrap(actix_web::middleware::Compress::default()),
    );
    config.service(
        resource!("/share/{domain}", GET crate::public_share::page)
            .wrap(actix_web::middleware::Compress::default()),
    );
    for page in [
        "/",
        "/signin",
        "/setup",
        "/join",
        "/account",
        "/websites/{tail:.*}",
    ] {
        config.service(
            resource!(page, GET dashboard::page).wrap(actix_web::middleware::Compress::default()),
        );
    }
}

/// The Website API's aggregate analytics routes, as a public dashboard reads them under
/// `/api/share/{domain}` (the visitors routes are left out on purpose).
pub(crate) fn configure_public_analytics(config: &mut web::ServiceConfig) {
    config
        .service(resource!("/analytics/overview", GET analytics::overview))
        .service(resource!("/analytics/timeseries", GET analytics::timeseries))
        .service(resource!("/analytics/realtime", GET analytics::realtime))
        .service(resource!("/analytics/realtime/map", GET analytics::realtime_map))
        .service(resource!("/analytics/metadata", GET analytics::metadata))
        .service(resource!("/analytics/pages", GET analytics::pages))
        .service(resource!("/analytics/referrers", GET analytics::referrers))
        .service(resource!("/analytics/channels", GET analytics::channels))
        .service(resource!("/analytics/campaigns", GET analytics::campaigns))
        .service(resource!("/analytics/goals", GET analytics::goals))
        .service(resource!("/analytics/countries", GET analytics::countries))
        .service(resource!("/analytics/regions", GET analytics::regions))
        .service(resource!("/analytics/cities", GET analytics::cities))
        .service(resource!("/analytics/devices", GET analytics::devices))
        .service(resource!("/analytics/browsers", GET analytics::browsers))
        .service(resource!("/analytics/operating-systems", GET analytics::operating_systems))
        .service(resource!("/analytics/hostnames", GET analytics::hostnames))
        .service(resource!("/analytics/entry-pages", GET analytics::entry_pages))
        .service(resource!("/analytics/exit-pages", GET analytics::exit_pages))
        .service(resource!("/analytics/funnels/{funnelId}", GET analytics::funnel));
}
