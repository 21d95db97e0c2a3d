//! Health check and the stylesheet.

use actix_web::http::header;
use actix_web::{HttpResponse, web};

use crate::db;
use crate::state::AppState;
use crate::templates::STYLESHEET;

/// `GET /healthz`: 200 when the database answers, 503 when it does not.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    match db::ping(&state.db).await {
        Ok(()) => HttpResponse::Ok().content_type("text/plain").body("ok"),
        Err(error) => {
            tracing::warn!(%error, "health check: database does not answer");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unavailable")
        }
    }
}

/// `GET /static/kiwi.css`
pub async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(STYLESHEET)
}
