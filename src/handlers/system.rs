//! Liveness, readiness and the stylesheet.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::services::readiness::{self, Readiness};
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

/// `GET /static/kiwi.css`
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}
