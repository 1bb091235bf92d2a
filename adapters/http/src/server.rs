//! The HTTP server: actix's HTTP/1 service over connections that pass through the connection
//! guard, with the connection cap, the head and body timeouts and the bounded shutdown of
//! [`HttpConfig`]. It is assembled from actix's parts rather than with `HttpServer`, which
//! takes only plain TCP streams and so leaves no place for the guard.

use std::future::ready;
use std::net::TcpListener;
use std::time::Duration;

use actix_http::error::DispatchError;
use actix_http::{Extensions, HttpService, KeepAlive};
use actix_service::{IntoServiceFactory, ServiceFactoryExt, map_config};
use actix_web::dev::{AppConfig, Server, fn_service};
use actix_web::rt::net::TcpStream;

use datafast_application::Services;

use crate::guard::{GuardTimeouts, GuardedStream};
use crate::traffic::spawn_summaries;
use crate::{AppState, HttpConfig, application};

/// How long an idle connection is kept between requests (actix's default).
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// After the last response on a connection, how long the client may take to close its side
/// before the server drops it (actix's default).
const LINGER: Duration = Duration::from_secs(1);

/// How long after the application's own body deadline (which answers 408) the guard ends a
/// connection whose body is still incomplete; the dispatcher's own head timer runs this much
/// after the guard's, as a backstop that never fires first.
const BACKSTOP: Duration = Duration::from_secs(1);

/// Builds the server on an already-bound listener (tests bind port 0). The caller awaits it.
/// SIGINT and SIGTERM stop it gracefully: it stops accepting, gives in-flight requests up to
/// `shutdown_timeout`, then drops what is left. Past `max_connections` (shared equally by the
/// workers, at least one each), new connections wait in the operating system's accept queue.
///
/// # Errors
/// When the listener cannot be handed to actix (for example, it is not listening).
pub fn build_server(
    listener: TcpListener,
    services: Services,
    config: HttpConfig,
) -> std::io::Result<Server> {
    let state = AppState::new(services, &config);
    spawn_summaries(&state.traffic, config.traffic_summary_interval);
    let workers = config.workers.max(1);
    let local_address = listener.local_addr()?;
    let timeouts = GuardTimeouts {
        head: config.head_timeout,
        body: config.body_timeout + BACKSTOP,
    };
    let dispatcher_head_timeout = config.head_timeout + BACKSTOP;
    let server = Server::build()
        .workers(workers)
        .max_concurrent_connections((config.max_connections / workers).max(1))
        .shutdown_timeout(config.shutdown_timeout.as_secs())
        .listen("datafast-http", listener, move || {
            let app = application(state.clone())
                .into_factory()
                .map_err(|error| error.error_response());
            let http = HttpService::build()
                .keep_alive(KeepAlive::Timeout(KEEP_ALIVE))
                .client_request_timeout(dispatcher_head_timeout)
                .client_disconnect_timeout(LINGER)
                .local_addr(local_address)
                .on_connect_ext(|io: &GuardedStream, data: &mut Extensions| {
                    io.share_rejection(data);
                })
                // The application reads its peer address from the request, never from this
                // configuration, whose host and address are actix's defaults.
                .h1(map_config(app, |()| AppConfig::default()));
            fn_service(move |stream: TcpStream| {
                let peer = stream.peer_addr().ok();
                ready(Ok::<_, DispatchError>((
                    GuardedStream::new(stream, timeouts),
                    peer,
                )))
            })
            .and_then(http)
        })?
        .run();
    Ok(server)
}
