//! The whole URL map in one function: read it to learn what kiwi does.

use actix_web::web;

use crate::handlers::{
    access, admin, assignments, certificates, courses, hr, pages, passwords, profile, quizzes,
    reports, setup, sign_in, system, tools,
};

/// AI tools asking whether a person may use them; served without the pages' middleware.
pub fn access_check(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/access", web::get().to(access::api))
        .route("/auth/verify", web::get().to(access::forward));
}

/// Everything else: pages, forms and downloads.
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
        .route("/password/forgot", web::get().to(passwords::forgot_form))
        .route("/password/forgot", web::post().to(passwords::forgot))
        .route(
            "/password/reset/{token}",
            web::get().to(passwords::reset_form),
        )
        .route("/password/reset/{token}", web::post().to(passwords::reset))
        .route("/invite/{token}", web::get().to(passwords::invitation_form))
        .route(
            "/invite/{token}",
            web::post().to(passwords::accept_invitation),
        )
        .route("/verify/{serial}", web::get().to(certificates::verify))
        .route("/accessibility", web::get().to(pages::accessibility))
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
            "/courses/{course}/refresher",
            web::post().to(quizzes::start_refresher),
        )
        .route(
            "/courses/{course}/files/{path:.*}",
            web::get().to(courses::file),
        )
        .route("/attempts/{attempt}", web::get().to(quizzes::show))
        .route("/attempts/{attempt}", web::post().to(quizzes::submit))
        .route("/certificates", web::get().to(certificates::list))
        .route("/certificates/{serial}", web::get().to(certificates::show))
        .route(
            "/certificates/{serial}/pdf",
            web::get().to(certificates::pdf),
        )
        .route("/tools", web::get().to(tools::list))
        .route("/policy", web::get().to(tools::policy))
        .route("/policy/acknowledge", web::post().to(tools::acknowledge))
        // Department heads: their own unit and below
        .route("/team", web::get().to(reports::team))
        .route("/team/export.csv", web::get().to(reports::team_export))
        // Department heads (own subtree) and HR (everything): assignments
        .route("/assignments", web::get().to(assignments::list))
        .route("/assignments", web::post().to(assignments::create))
        .route(
            "/assignments/{id}/withdraw",
            web::post().to(assignments::withdraw),
        )
        // HR
        .route("/hr", web::get().to(hr::index))
        .route("/hr/import", web::post().to(hr::import))
        .route("/hr/report", web::get().to(reports::hr))
        .route("/hr/export.csv", web::get().to(reports::hr_export_csv))
        .route("/hr/export.xlsx", web::get().to(reports::hr_export_xlsx))
        .route("/hr/evidence", web::get().to(reports::evidence))
        .route(
            "/hr/certificates/revoke",
            web::get().to(certificates::revoke_form),
        )
        .route(
            "/hr/certificates/revoke",
            web::post().to(certificates::revoke),
        )
        // Administrators
        .route("/admin", web::get().to(admin::index))
        .route("/admin/keys", web::get().to(admin::keys))
        .route(
            "/admin/keys/{key}/revoke",
            web::post().to(admin::revoke_key),
        )
        .route("/admin/mail", web::get().to(admin::mail))
        .route(
            "/admin/mail/{mail}/retry",
            web::post().to(admin::retry_mail),
        );
}
