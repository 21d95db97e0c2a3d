//! The whole URL map in one function: read it to learn what kiwi does.

use actix_web::web;

use crate::handlers::{admin, courses, hr, pages, profile, quizzes, setup, sign_in, system, team};

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
        // Learning
        .route("/courses", web::get().to(courses::catalog))
        .route("/courses/{course}", web::get().to(courses::show))
        .route(
            "/courses/{course}/modules/{module}",
            web::get().to(courses::module),
        )
        .route(
            "/courses/{course}/modules/{module}/read",
            web::post().to(courses::confirm_read),
        )
        .route(
            "/courses/{course}/modules/{module}/attempts",
            web::post().to(quizzes::start),
        )
        .route(
            "/courses/{course}/files/{path:.*}",
            web::get().to(courses::file),
        )
        .route("/attempts/{attempt}", web::get().to(quizzes::show))
        .route("/attempts/{attempt}", web::post().to(quizzes::submit))
        // Department heads: their own unit and below
        .route("/team", web::get().to(team::show))
        // HR
        .route("/hr", web::get().to(hr::index))
        .route("/hr/import", web::post().to(hr::import))
        // Administrators
        .route("/admin", web::get().to(admin::index));
}
