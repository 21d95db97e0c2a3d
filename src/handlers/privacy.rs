//! The data inventory ("Verzeichnis der gespeicherten Daten") for every signed-in person.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render;
use crate::services::inventory::{self, TableView};
use crate::services::retention::{self, KEEP_MAIL_DAYS};
use crate::services::throttle;
use crate::state::AppState;

#[derive(Serialize)]
struct PrivacyPage {
    organisation: String,
    answers_days: u32,
    left_days: u32,
    audit_days: u32,
    mail_days: i64,
    throttle_minutes: i64,
    tables: Vec<TableView>,
}

/// `GET /privacy`: every stored table and column, what it is for, who sees it, where it goes
/// and how long it is kept, with the retention periods in force.
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let periods = retention::Periods::from_settings(&state.settings);
    let page = PrivacyPage {
        organisation: state.settings.organisation.clone(),
        answers_days: periods.answers_days,
        left_days: periods.left_days,
        audit_days: periods.audit_days,
        mail_days: KEEP_MAIL_DAYS,
        throttle_minutes: throttle::LONGEST_WINDOW.num_minutes(),
        tables: inventory::tables(person.visitor.language, &periods),
    };
    render(&state, &person.visitor, "privacy.html", &page)
}
