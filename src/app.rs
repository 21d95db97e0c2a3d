//! How the server starts: the middleware stack, the error pages and the background work.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use tracing_actix_web::TracingLogger;

use crate::error::ErrorPage;
use crate::handlers::{self, identity};
use crate::routes;
use crate::services::{access, outbox, reminders, sessions};
use crate::state::{AppState, StartError};

/// Loads the access cache, then starts the web server on `listener`; the returned server
/// runs until stopped. The cache follows changes, the mail worker sends the outbox and the
/// mail scheduler writes reminders in the background.
pub async fn start(state: Arc<AppState>, listener: TcpListener) -> Result<Server, StartError> {
    if let Err(error) = state.access.load(&state.db).await {
        // The server starts anyway; access checks fail closed until a retry succeeds.
        tracing::error!(%error, "loading the access cache failed");
    }
    let state = web::Data::from(state);
    spawn_background_work(state.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // Tools ask on every request they get: the access check answers outside the
            // middleware of the pages (request span, error pages, origin check, page
            // headers), which would cost more than the check itself.
            .configure(routes::access_check)
            .service(
                web::scope("")
                    .configure(routes::configure)
                    .default_service(web::to(handlers::not_found))
                    .wrap(from_fn(identity::origin_and_cookies))
                    .wrap(ErrorHandlers::new().default_handler(render_error_page))
                    .wrap(security_headers(state.settings.secure_cookies()))
                    .wrap(TracingLogger::default()),
            )
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// Headers on every response: a CSP without inline script, no framing, no sniffing.
fn security_headers(https: bool) -> DefaultHeaders {
    let headers = DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ));
    if https {
        headers.add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000"))
    } else {
        headers
    }
}

/// Fills error responses marked by `AppError` with the error page in the visitor's language.
fn render_error_page<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let Some(marker) = response.response().extensions().get::<ErrorPage>().cloned() else {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    };
    let status = response.status();
    let request = response.request().clone();
    let page = request
        .app_data::<web::Data<AppState>>()
        .map(|state| handlers::error_page(state, &request, status, marker.explanation));
    let rendered = match page {
        Some(Ok(html)) => html,
        Some(Err(error)) => {
            tracing::error!(%error, "error page failed to render");
            status.canonical_reason().unwrap_or("Error").to_owned()
        }
        None => status.canonical_reason().unwrap_or("Error").to_owned(),
    };
    let mut built = HttpResponse::build(status);
    for (name, value) in response.response().headers() {
        built.insert_header((name.clone(), value.clone()));
    }
    let new_response: HttpResponse<BoxBody> = built
        .content_type("text/html; charset=utf-8")
        .body(rendered);
    let (req, _) = response.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new_response).map_into_right_body(),
    ))
}

/// Follows the access change feed, sends mail, runs the mail scheduler, and removes ended
/// sessions every ten minutes.
fn spawn_background_work(state: web::Data<AppState>) {
    let follower = state.clone();
    tokio::spawn(async move { access::follow_changes(&follower.access, &follower.db).await });
    let worker = state.clone();
    tokio::spawn(async move { outbox::run(&worker.outbox, &worker.db).await });
    let scheduler = state.clone();
    tokio::spawn(async move {
        reminders::run(
            &scheduler.db,
            &scheduler.mail,
            &scheduler.catalog,
            &scheduler.schedule,
        )
        .await
    });
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_secs(600));
        loop {
            interval.tick().await;
            if let Err(error) = sessions::purge_stale(&state.db).await {
                tracing::warn!(%error, "purging stale sessions failed");
            }
            state.access.forget_idle_sessions(chrono::Utc::now());
            state.progress.forget_unused(Duration::from_secs(2 * 3600));
            let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
            if let Err(error) = crate::db::access_changes::purge(&state.db, day_ago).await {
                tracing::warn!(%error, "purging the access change feed failed");
            }
            state.verify_limit.forget_old();
        }
    });
}
