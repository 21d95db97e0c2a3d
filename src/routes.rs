//! The whole URL map in one function: read it to learn what kiwi does.

use actix_web::web;

use crate::handlers::{admin, hr, pages, profile, setup, sign_in, system, team};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg
        // Everyone
        .route("/healthz", web::get().to(system::health))
        .route("/static/kiwi.css", web::get().to(system::stylesheet))
        .route("/login", web::get().to(sign_in::form))
        .route("/login", web::post().to(sign_in::submit))
        .route("/logout", web::post().to(sign_in::sign_out))
        .route("/language", web::post().to(sign_in::choose_language))
        .route("/setup/{token}", web::get().to(setup::form))
        .route("/setup/{token}", web::post().to(setup::submit))
        // Signed-in people
        .route("/", web::get().to(pages::home))
        .route("/profile", web::get().to(profile::show))
        .route(
            "/profile/password",
            web::post().to(profile::change_password),
        )
        // Department heads: their own unit and below
        .route("/team", web::get().to(team::show))
        // HR
        .route("/hr", web::get().to(hr::index))
        .route("/hr/import", web::post().to(hr::import))
        // Administrators
        .route("/admin", web::get().to(admin::index));
}
