//! The whole URL map in one function: read it to learn what kiwi does.

use actix_web::web;

use crate::handlers::council_report;
use crate::handlers::{
    access, admin, assignments, certificates, courses, evidence, exports, hr, integrations,
    my_data, pages, passwords, privacy, profile, quizzes, reports, second_factor, setup, sign_in,
    single_sign_on, system, tool_host, tools,
};

/// AI tools asking whether a person may use them; served without the pages' middleware.
pub fn access_check(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/access", web::get().to(access::api))
        .route("/auth/verify", web::get().to(access::forward))
        .route("/metrics", web::get().to(system::metrics));
}

/// Everything else: pages, forms and downloads. Paths that share a first segment are in one
/// scope, so a request is matched against the few patterns of its own area only.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg
        // Everyone
        .route("/healthz", web::get().to(system::health))
        .route("/readyz", web::get().to(system::ready))
        .route("/static/kiwi.css", web::get().to(system::stylesheet))
        .route("/login", web::get().to(sign_in::form))
        .route("/login", web::post().to(sign_in::submit))
        .service(
            web::scope("/login/oidc")
                .route("", web::get().to(single_sign_on::start))
                .route("/callback", web::get().to(single_sign_on::callback))
                .route(
                    "/backchannel-logout",
                    web::post().to(single_sign_on::back_channel_logout),
                ),
        )
        .service(
            web::resource("/login/second-factor")
                .route(web::get().to(second_factor::step_form))
                .route(web::post().to(second_factor::step_submit)),
        )
        .route("/logout", web::get().to(sign_in::sign_out_form))
        .route("/logout", web::post().to(sign_in::sign_out))
        .route("/language", web::post().to(sign_in::choose_language))
        .service(
            web::resource("/setup/{token}")
                .route(web::get().to(setup::form))
                .route(web::post().to(setup::submit)),
        )
        .service(
            web::scope("/password")
                .route("/forgot", web::get().to(passwords::forgot_form))
                .route("/forgot", web::post().to(passwords::forgot))
                .service(
                    web::resource("/reset/{token}")
                        .route(web::get().to(passwords::reset_form))
                        .route(web::post().to(passwords::reset)),
                ),
        )
        .service(
            web::resource("/invite/{token}")
                .route(web::get().to(passwords::invitation_form))
                .route(web::post().to(passwords::accept_invitation)),
        )
        .route("/verify/{serial}", web::get().to(certificates::verify))
        .route("/accessibility", web::get().to(pages::accessibility))
        // Signed-in people
        .route("/", web::get().to(pages::home))
        .route("/profile", web::get().to(profile::show))
        .route("/privacy", web::get().to(privacy::show))
        .route(
            "/profile/password",
            web::post().to(profile::change_password),
        )
        // "Meine Daten": the signed-in person's own data, and who looked at it
        .route("/profile/data", web::get().to(my_data::show))
        .route("/profile/data.json", web::get().to(my_data::json))
        .route("/profile/data.html", web::get().to(my_data::html))
        .service(
            web::resource("/profile/second-factor")
                .route(web::get().to(second_factor::enrol_form))
                .route(web::post().to(second_factor::enrol_submit)),
        )
        // Learning
        .service(
            web::scope("/courses")
                .route("", web::get().to(courses::catalog))
                .route("/{course}", web::get().to(courses::show))
                .route("/{course}/modules/{module}", web::get().to(courses::module))
                .route(
                    "/{course}/modules/{module}/read",
                    web::post().to(courses::confirm_read),
                )
                .route(
                    "/{course}/modules/{module}/attempts",
                    web::post().to(quizzes::start),
                )
                .route(
                    "/{course}/refresher",
                    web::post().to(quizzes::start_refresher),
                )
                .route("/{course}/files/{path:.*}", web::get().to(courses::file)),
        )
        .service(
            web::resource("/attempts/{attempt}")
                .route(web::get().to(quizzes::show))
                .route(web::post().to(quizzes::submit)),
        )
        .service(
            web::scope("/certificates")
                .route("", web::get().to(certificates::list))
                .route("/{serial}", web::get().to(certificates::show))
                .route("/{serial}/pdf", web::get().to(certificates::pdf)),
        )
        .route("/tools", web::get().to(tools::list))
        .route("/tools/{tool}", web::get().to(tools::show))
        .route("/tools/{tool}/open", web::get().to(tools::open))
        // On a tool's own host name, routed here by the tool's proxy
        .service(
            web::scope("/.kiwi")
                .route("/callback", web::get().to(tool_host::callback))
                .route("/sign-out", web::get().to(tool_host::sign_out)),
        )
        .route("/policy", web::get().to(tools::policy))
        .route("/policy/acknowledge", web::post().to(tools::acknowledge))
        // Department heads: their own unit and below
        .route("/team", web::get().to(reports::team))
        .route("/team/export.csv", web::get().to(exports::team_export))
        // Department heads (own subtree) and HR (everything): assignments
        .route("/assignments", web::get().to(assignments::list))
        .route("/assignments", web::post().to(assignments::create))
        .route(
            "/assignments/{id}/withdraw",
            web::post().to(assignments::withdraw),
        )
        // HR
        .service(
            web::scope("/hr")
                .route("", web::get().to(hr::index))
                .route("/import", web::post().to(hr::import))
                .route("/report", web::get().to(reports::hr))
                .route("/export.csv", web::get().to(exports::hr_export_csv))
                .route("/export.xlsx", web::get().to(exports::hr_export_xlsx))
                .route("/evidence", web::get().to(evidence::evidence))
                // HR and administrators: the council report, in figures only
                .route("/council-report", web::get().to(council_report::page))
                .route("/council-report.csv", web::get().to(council_report::csv))
                .service(
                    web::resource("/certificates/revoke")
                        .route(web::get().to(certificates::revoke_form))
                        .route(web::post().to(certificates::revoke)),
                ),
        )
        // Administrators
        .service(
            web::scope("/admin")
                .route("", web::get().to(admin::index))
                .route("/keys", web::get().to(admin::keys))
                .route("/keys/{key}/revoke", web::post().to(admin::revoke_key))
                .route("/mail", web::get().to(admin::mail))
                .route("/mail/{mail}/retry", web::post().to(admin::retry_mail))
                .route("/integrations", web::get().to(integrations::page))
                .route(
                    "/integrations/{operation}/retry",
                    web::post().to(integrations::retry),
                )
                .service(
                    web::resource("/second-factor")
                        .route(web::get().to(second_factor::reset_form))
                        .route(web::post().to(second_factor::reset)),
                ),
        );
}
