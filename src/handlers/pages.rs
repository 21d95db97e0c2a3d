//! The start page: "Mein Lernstand".

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::db;
use crate::error::AppError;
use crate::handlers::courses::{CourseCard, card};
use crate::handlers::identity::{CurrentUser, Visitor};
use crate::handlers::render;
use crate::services::learning;
use crate::services::progress::CourseStatus;
use crate::state::AppState;

#[derive(Serialize)]
struct HomePage {
    org_unit: String,
    courses: Vec<CourseCard>,
}

/// `GET /`: the signed-in person's courses, unfinished ones first.
pub async fn home(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let org_unit = db::org_units::by_id(&state.db, person.user.org_unit_id)
        .await?
        .map(|unit| unit.path)
        .unwrap_or_default();
    let language = person.visitor.language;
    let mut overview = learning::overview(&state.db, &state.catalog, person.user.id).await?;
    overview.sort_by_key(|(_, progress)| progress.status == CourseStatus::Completed);
    let courses = overview
        .into_iter()
        .map(|(course, progress)| card(course, &progress, language))
        .collect();
    render(
        &state,
        &person.visitor,
        "home.html",
        &HomePage { org_unit, courses },
    )
}

#[derive(Serialize)]
struct AccessibilityPage {
    contact: String,
    organisation: String,
}

/// `GET /accessibility`: the accessibility statement (Erklärung zur Barrierefreiheit) that
/// BITV 2.0 requires, with the feedback contact from configuration.
pub async fn accessibility(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let page = AccessibilityPage {
        contact: state.settings.accessibility_contact.clone(),
        organisation: state.settings.organisation.clone(),
    };
    render(&state, &visitor, "accessibility.html", &page)
}
