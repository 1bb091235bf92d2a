//! The actix-web adapter for DataFast's Account API (`/api/v1/admin`) and the health check.
//! It owns HTTP only: the server and its connection limits, the route table, the
//! authenticating extractor, rate limiting, request bodies read into domain input, response
//! views, the access log, and the one mapping from use-case errors to statuses in the error
//! envelope. Every decision about who may do what, and every rule about the data, belongs to
//! `datafast-domain` and the use cases of `datafast-ports`; handlers only pipe between HTTP and
//! those.

mod auth_failures;
mod body_timeout;
mod config;
mod envelope;
mod error;
mod extract;
mod guard;
mod handlers;
mod logging;
mod public_address;
mod public_share;
mod rate_limit;
mod rejection;
mod routes;
mod server;
mod session_cookie;
#[cfg(test)]
mod tests;
mod traffic;
mod views;
pub mod wire;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, web};

use datafast_application::Services;

pub use config::{
    DEFAULT_AUTH_FAILURE_LIMIT, DEFAULT_BODY_TIMEOUT, DEFAULT_HEAD_TIMEOUT, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_SHUTDOWN_TIMEOUT, HttpConfig, IngestConfig, RateLimit,
};
pub use error::ApiError;
pub use public_address::{PublicAddressConfig, parse_public_url};
pub use routes::{RouteInfo, route_table};
pub use server::build_server;

use auth_failures::FailureLimiter;
use body_timeout::BodyTimeout;
use rate_limit::AdminRateLimiter;
use traffic::Traffic;

/// What every worker's app shares: the use cases, the rate limiters, the traffic counters.
#[derive(Clone)]
struct AppState {
    services: web::Data<Services>,
    limiter: Option<web::Data<AdminRateLimiter>>,
    failures: Option<web::Data<FailureLimiter>>,
    max_body_bytes: usize,
    body_timeout: web::Data<BodyTimeout>,
    ingest: web::Data<IngestConfig>,
    public_address: web::Data<PublicAddressConfig>,
    extra_events_path: Option<String>,
    traffic: web::Data<Traffic>,
}

impl AppState {
    fn new(services: Services, config: &HttpConfig) -> Self {
        let events_paths = std::iter::once(traffic::EVENTS_PATH.to_owned())
            .chain(config.extra_events_path.clone())
            .collect();
        Self {
            services: web::Data::new(services),
            limiter: AdminRateLimiter::new(config.rate_limit).map(web::Data::new),
            failures: FailureLimiter::new(config.auth_failure_limit).map(web::Data::new),
            max_body_bytes: config.max_body_bytes,
            body_timeout: web::Data::new(BodyTimeout(config.body_timeout)),
            ingest: web::Data::new(IngestConfig {
                trusted_proxies: config.trusted_proxies.clone(),
            }),
            public_address: web::Data::new(PublicAddressConfig {
                public_url: config.public_url.clone(),
                trusted_proxies: config.trusted_proxies.clone(),
            }),
            extra_events_path: config.extra_events_path.clone(),
            traffic: web::Data::new(Traffic::new(events_paths)),
        }
    }
}

/// JSON bodies: size limit, and every rejection in the error envelope.
fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(error::json_error)
}

/// The application: the answer to refused request heads, public routes, the rate-limited
/// admin and Website API scopes, 404 for everything else, the body deadline, and the access
/// log.
fn application(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let admin = web::scope(routes::ADMIN_PREFIX)
        .configure(routes::configure_admin)
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(rate_limit::limit_rate));
    let website_api = web::scope(routes::WEBSITE_PREFIX)
        .configure(routes::configure_website)
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(rate_limit::limit_rate));
    let shared = web::scope(public_share::SHARE_API_PREFIX)
        .configure(routes::configure_public_analytics)
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(public_share::open_dashboard))
        .wrap(from_fn(rate_limit::limit_rate));
    let mut app = App::new()
        .app_data(state.services)
        .app_data(state.ingest)
        .app_data(state.public_address)
        .app_data(state.body_timeout)
        .app_data(state.traffic)
        .app_data(json_config(state.max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error));
    if let Some(limiter) = state.limiter {
        app = app.app_data(limiter);
    }
    if let Some(failures) = state.failures {
        app = app.app_data(failures);
    }
    if let Some(path) = state.extra_events_path {
        app = app.service(routes::extra_events_resource(&path));
    }
    app.service(web::resource(rejection::REJECTED_PATH).to(rejection::answer))
        .configure(routes::configure_public)
        .configure(routes::configure_dashboard_api)
        .configure(routes::configure_dashboard_pages)
        .service(admin)
        .service(shared)
        .service(website_api)
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(body_timeout::limit_body_time))
        .wrap(from_fn(logging::log_request))
}
