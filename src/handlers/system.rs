//! Liveness, readiness and the stylesheet.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::db;
use crate::entities::outbox_operation::{
    KIND_DIRECTORY, KIND_WEBHOOK, STATUS_APPLYING, STATUS_DONE, STATUS_FAILED, STATUS_GAVE_UP,
    STATUS_QUEUED,
};
use crate::services::readiness::{self, Readiness};
use crate::services::secrets;
use crate::state::AppState;
use crate::templates::STYLESHEET;

/// `GET /healthz`: the process lives and answers (liveness; it asks nothing else, so a
/// database outage never gets a healthy instance restarted).
pub async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body("ok")
}

/// `GET /readyz`: whether this instance may take traffic, each check named in the JSON
/// answer: 200 when all pass, 503 otherwise.
pub async fn ready(state: web::Data<AppState>) -> HttpResponse {
    let (writable, migrations) = tokio::join!(
        readiness::database_writable(&state.db, &state.instance_id),
        readiness::migrations_current(&state.db),
    );
    let checks = vec![
        writable,
        migrations,
        readiness::feed_confirmed(state.access.unconfirmed_for(), state.access.max_staleness()),
        readiness::catalog_loaded(state.catalog.courses().len()),
    ];
    let readiness = Readiness::of(checks);
    if !readiness.ready {
        tracing::warn!(?readiness, "not ready");
    }
    let mut response = if readiness.ready {
        HttpResponse::Ok()
    } else {
        HttpResponse::ServiceUnavailable()
    };
    response
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(readiness)
}

/// `GET /metrics`: the Prometheus text format, on the metrics address or with the token.
pub async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let Some(token) = &state.settings.metrics_token else {
        return HttpResponse::NotFound().finish();
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    if !secrets::constant_time_eq(presented.trim(), token.expose()) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer"))
            .finish();
    }
    metrics_text(state).await
}

/// The metrics themselves, with the values read at scrape time brought up to date.
pub async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let metrics = &state.metrics;
    let now = chrono::Utc::now();
    metrics.set_feed(
        state.access.unconfirmed_for(),
        now.timestamp_millis() as f64 / 1000.0,
    );
    let (connections, idle) = db::pool_use(&state.db);
    metrics.set_pool(connections, idle);
    match db::outbox::count_by_status(&state.db).await {
        Ok(counts) => metrics.set_outbox("mail", &counts),
        Err(error) => tracing::warn!(%error, "metrics: counting the outbox failed"),
    }
    // Directory operations and webhook deliveries, every status (0 when there is none).
    match db::operations::count_by_kind_and_status(&state.db).await {
        Ok(counts) => {
            for kind in [KIND_DIRECTORY, KIND_WEBHOOK] {
                let of_kind: Vec<(String, i64)> = [
                    STATUS_QUEUED,
                    STATUS_APPLYING,
                    STATUS_FAILED,
                    STATUS_DONE,
                    STATUS_GAVE_UP,
                ]
                .into_iter()
                .map(|status| {
                    let count = counts
                        .iter()
                        .find(|(k, s, _)| k == kind && s == status)
                        .map_or(0, |(_, _, n)| *n);
                    (status.to_owned(), count)
                })
                .collect();
                metrics.set_outbox(kind, &of_kind);
            }
        }
        Err(error) => tracing::warn!(%error, "metrics: counting the operations failed"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(metrics.render())
}

/// `GET /static/kiwi.css`
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}
