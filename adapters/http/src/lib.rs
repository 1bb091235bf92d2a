//! The actix-web adapter for DataFast's Account API (`/api/v1/admin`) and the health check.
//! It owns HTTP only: the route table, the authenticating extractor, per-credential rate
//! limiting, request bodies read into domain input, response views, and the one mapping from
//! use-case errors to statuses in the error envelope. Every decision about who may do what, and
//! every rule about the data, belongs to `datafast-domain` and the use cases of
//! `datafast-ports`; handlers only pipe between HTTP and those.

mod config;
mod envelope;
mod error;
mod extract;
mod handlers;
mod logging;
mod rate_limit;
mod routes;
#[cfg(test)]
mod tests;
mod views;

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};

use datafast_ports::Services;

pub use config::{DEFAULT_MAX_BODY_BYTES, HttpConfig, IngestConfig, RateLimit};
pub use error::ApiError;
pub use routes::{RouteInfo, route_table};

use rate_limit::AdminRateLimiter;

/// What every worker's app shares: the use cases and the one rate limiter.
#[derive(Clone)]
struct AppState {
    services: web::Data<Services>,
    limiter: Option<web::Data<AdminRateLimiter>>,
    max_body_bytes: usize,
    ingest: web::Data<IngestConfig>,
    extra_events_path: Option<String>,
}

impl AppState {
    fn new(services: Services, config: &HttpConfig) -> Self {
        Self {
            services: web::Data::new(services),
            limiter: AdminRateLimiter::new(config.rate_limit).map(web::Data::new),
            max_body_bytes: config.max_body_bytes,
            ingest: web::Data::new(IngestConfig {
                trusted_proxies: config.trusted_proxies.clone(),
            }),
            extra_events_path: config.extra_events_path.clone(),
        }
    }
}

/// JSON bodies: size limit, and every rejection in the error envelope.
fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(error::json_error)
}

/// The application: public routes, the rate-limited admin scope, 404 for everything else,
/// and a log line per request.
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
    let mut app = App::new()
        .app_data(state.services)
        .app_data(state.ingest)
        .app_data(json_config(state.max_body_bytes))
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error));
    if let Some(limiter) = state.limiter {
        app = app.app_data(limiter);
    }
    if let Some(path) = state.extra_events_path {
        app = app.service(routes::extra_events_resource(&path));
    }
    app.configure(routes::configure_public)
        .service(admin)
        .service(website_api)
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(logging::log_request))
}

/// Builds the server on an already-bound listener (tests bind port 0). The caller awaits it.
/// SIGINT and SIGTERM stop it gracefully (actix's default signal handling).
///
/// # Errors
/// When the listener cannot be handed to actix (for example, it is not listening).
pub fn build_server(
    listener: TcpListener,
    services: Services,
    config: HttpConfig,
) -> std::io::Result<Server> {
    let state = AppState::new(services, &config);
    let server = HttpServer::new(move || application(state.clone()))
        .workers(config.workers.max(1))
        .listen(listener)?
        .run();
    Ok(server)
}
