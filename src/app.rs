//! How the server starts: the middleware stack, the error pages and the background work.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::BoxBody;
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers, from_fn};
use actix_web::{App, HttpMessage, HttpRequest, HttpResponse, HttpServer, web};
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder, TracingLogger};

use crate::error::{AppError, ErrorPage};
use crate::handlers::{self, identity};
use crate::routes;
use crate::services::{
    access, entitlement_watch, operations, outbox, reconciliation, reminders, retention, sessions,
    throttle,
};
use crate::state::{AppState, StartError};
use crate::tools::Tool;

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
    if let Some(bind) = &state.settings.metrics_bind {
        tokio::spawn(serve_metrics(state.clone(), bind)?);
    }
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            // Unreadable query strings, paths and forms: the access check answers them in
            // plain text (tools read it), the pages with kiwi's error page.
            .app_data(web::QueryConfig::default().error_handler(plain_bad_request))
            .app_data(web::PathConfig::default().error_handler(plain_bad_request))
            // Tools ask on every request they get: the access check answers outside the
            // middleware of the pages (request span, error pages, origin check, page
            // headers), which would cost more than the check itself.
            .configure(routes::access_check)
            .service(
                web::scope("")
                    .app_data(web::QueryConfig::default().error_handler(bad_request_page))
                    .app_data(web::PathConfig::default().error_handler(bad_request_page))
                    .app_data(web::FormConfig::default().error_handler(bad_request_page))
                    .configure(routes::configure)
                    .default_service(web::to(handlers::not_found))
                    .wrap(from_fn(identity::origin_and_cookies))
                    .wrap(ErrorHandlers::new().default_handler(render_error_page))
                    .wrap(from_fn(measure))
                    .wrap(security_headers(
                        state.settings.secure_cookies(),
                        &state.tools,
                        state.settings.oidc_issuer.as_deref(),
                    ))
                    .wrap(TracingLogger::<RouteOnlySpan>::new()),
            )
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// A request whose query, path or form cannot be read, as a page in the visitor's language;
/// the framework's own text ("Query deserialize error…") is logged, not shown.
fn bad_request_page(error: impl std::fmt::Display, _: &HttpRequest) -> actix_web::Error {
    tracing::debug!(%error, "unreadable request");
    AppError::BadRequest(error.to_string()).into()
}

/// The same for the access check: plain text that is never cached or sniffed.
fn plain_bad_request(error: impl std::fmt::Display, _: &HttpRequest) -> actix_web::Error {
    tracing::debug!(%error, "unreadable access check");
    let response = HttpResponse::BadRequest()
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body("bad request\n");
    actix_web::error::InternalError::from_response(error.to_string(), response).into()
}

/// Middleware: how long each page or form request took, by route group (when kiwi counts).
async fn measure<B: actix_web::body::MessageBody + 'static>(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = std::time::Instant::now();
    let metrics = req
        .app_data::<web::Data<AppState>>()
        .filter(|state| state.metrics.enabled())
        .map(|state| state.metrics.clone());
    let path = metrics.as_ref().map(|_| req.path().to_owned());
    let response = next.call(req).await;
    if let (Some(metrics), Some(path)) = (metrics, path) {
        metrics.request(&path, started.elapsed());
    }
    response
}

/// The metrics on their own address (`KIWI_METRICS_BIND`), without a token: for a scraper on
/// an internal network.
fn serve_metrics(state: web::Data<AppState>, bind: &str) -> Result<Server, StartError> {
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(handlers::system::metrics_text))
    })
    .workers(1)
    .bind(bind)?
    .run();
    Ok(server)
}

/// The request log names the route's pattern (`/setup/{token}`, `/.kiwi/callback`), never
/// the URL: paths and queries carry one-time codes and the tokens of password links.
pub struct RouteOnlySpan;

impl RootSpanBuilder for RouteOnlySpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "(no route)".to_owned());
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Headers on every response: a CSP without inline script, no framing, no sniffing. Forms
/// may lead to kiwi and to the configured tools' origins only: signing in on the way into a
/// tool ends, through redirects, on the tool's host, and browsers hold those redirects to
/// `form-action` too. Signing out of a single sign-on ends at the provider's sign-out page,
/// so its origin is allowed as well.
fn security_headers(https: bool, tools: &[Tool], oidc_issuer: Option<&str>) -> DefaultHeaders {
    let mut form_action = String::from("'self'");
    for tool in tools {
        form_action.push(' ');
        form_action.push_str(&tool.url);
    }
    if let Some(origin) = oidc_issuer
        .and_then(|issuer| url::Url::parse(issuer).ok())
        .map(|issuer| issuer.origin().ascii_serialization())
        .filter(|origin| origin != "null")
    {
        form_action.push(' ');
        form_action.push_str(&origin);
    }
    let headers = DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            format!(
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                 object-src 'none'; base-uri 'none'; form-action {form_action}; \
                 frame-ancestors 'none'"
            ),
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

/// Follows the access change feed, sends mail, runs the mail scheduler, tells the directory
/// and webhooks (with the watch for entitlements that end without a write and the nightly
/// reconciliation), removes what is past its retention period once a day, and tidies up
/// every ten minutes; each under supervision.
fn spawn_background_work(state: web::Data<AppState>) {
    supervise(
        "access change follower",
        state.clone(),
        |state| async move { access::follow_changes(&state.access, &state.db).await },
    );
    supervise("mail worker", state.clone(), |state| async move {
        outbox::run(&state.outbox, &state.db).await
    });
    supervise("mail scheduler", state.clone(), |state| async move {
        reminders::run(&state.db, &state.mail, &state.catalog, &state.schedule).await
    });
    if state.tools.iter().any(|t| t.is_announced()) {
        supervise("entitlement watch", state.clone(), |state| async move {
            let policy = state.policy.as_ref().map(|p| p.version.as_str());
            entitlement_watch::run(&state.db, &state.tools, policy).await
        });
    }
    if state.directory_worker.is_some() {
        supervise("directory worker", state.clone(), |state| async move {
            if let Some(worker) = &state.directory_worker {
                operations::run_directory(worker, &state.db).await
            }
        });
        supervise(
            "nightly reconciliation",
            state.clone(),
            |state| async move {
                if let Some(directory) = &state.directory {
                    let policy = state.policy.as_ref().map(|p| p.version.as_str());
                    let local = state.settings.local_time();
                    reconciliation::run_nightly(&state.db, directory, &state.tools, policy, local)
                        .await
                }
            },
        );
    }
    if state.webhooks.is_needed() {
        supervise("webhook worker", state.clone(), |state| async move {
            operations::run_webhooks(&state.webhooks, &state.db).await
        });
    }
    if state.settings.retention_daily {
        supervise("retention", state.clone(), |state| async move {
            let periods = retention::Periods::from_settings(&state.settings);
            retention::run_daily(&state.db, periods, state.settings.local_time()).await
        });
    }
    supervise("housekeeping", state, |state| async move {
        let mut interval = tokio::time::interval(Duration::from_secs(600));
        loop {
            interval.tick().await;
            tidy_up(&state).await;
        }
    });
}

/// Removes what has served its purpose: ended sessions, old feed entries, throttle counts.
async fn tidy_up(state: &AppState) {
    if let Err(error) = sessions::purge_stale(&state.db).await {
        tracing::warn!(%error, "purging stale sessions failed");
    }
    if let Err(error) = crate::services::single_sign_on::purge(&state.db).await {
        tracing::warn!(%error, "purging unfinished single sign-ons failed");
    }
    if let Err(error) = crate::services::second_factor::purge(&state.db).await {
        tracing::warn!(%error, "purging waiting second steps failed");
    }
    if let Err(error) = crate::services::tool_sessions::purge_unused_codes(&state.db).await {
        tracing::warn!(%error, "purging unused tool codes failed");
    }
    state.access.forget_idle_sessions(chrono::Utc::now());
    state.progress.forget_unused(Duration::from_secs(2 * 3600));
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    if let Err(error) = crate::db::access_changes::purge(&state.db, day_ago).await {
        tracing::warn!(%error, "purging the access change feed failed");
    }
    if let Err(error) = throttle::purge(&state.db, throttle::LONGEST_WINDOW).await {
        tracing::warn!(%error, "purging throttle counts failed");
    }
    state.verify_limit.forget_old();
}

/// Runs a background task for as long as the server runs: a task that panics or ends is
/// logged and started again after a pause that grows from 1 s to a minute, so one bad
/// record can never stop mail or the feed for good while the web server goes on serving.
fn supervise<F, Fut>(name: &'static str, state: web::Data<AppState>, task: F)
where
    F: Fn(web::Data<AppState>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut pause = Duration::from_secs(1);
        loop {
            let started = tokio::time::Instant::now();
            match tokio::spawn(task(state.clone())).await {
                Err(error) if error.is_panic() => {
                    tracing::error!(task = name, "background task panicked; restarting it");
                }
                Err(error) => {
                    tracing::error!(task = name, %error, "background task was cancelled; restarting it");
                }
                Ok(()) => tracing::error!(task = name, "background task ended; restarting it"),
            }
            if started.elapsed() > Duration::from_secs(300) {
                pause = Duration::from_secs(1);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(60));
        }
    });
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use actix_web::{App, HttpResponse, test, web};
    use tracing_actix_web::TracingLogger;

    use super::RouteOnlySpan;

    /// Collects what the log writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[actix_web::test]
    async fn the_request_log_names_the_route_never_the_tokens_in_its_url() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .wrap(TracingLogger::<RouteOnlySpan>::new())
                .route(
                    "/setup/{token}",
                    web::get().to(|| async {
                        tracing::warn!("something to log while handling the link");
                        HttpResponse::Ok().finish()
                    }),
                ),
        )
        .await;
        let request = test::TestRequest::get()
            .uri("/setup/0123456789abcdef?code=fedcba9876543210")
            .to_request();
        test::call_service(&app, request).await;
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(log.contains("something to log"), "{log}");
        assert!(log.contains("/setup/{token}"), "{log}");
        assert!(!log.contains("0123456789abcdef"), "{log}");
        assert!(!log.contains("fedcba9876543210"), "{log}");
    }
}
