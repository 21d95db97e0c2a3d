//! The start page: "Mein Lernstand".

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::Serialize;

use crate::db;
use crate::error::AppError;
use crate::handlers::courses::{CourseCard, card};
use crate::handlers::identity::{CurrentUser, Visitor};
use crate::handlers::render;
use crate::services::progress::CourseStatus;
use crate::services::reports;
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
    let unit = db::org_units::by_id(&state.db, person.user.org_unit_id).await?;
    let local = state.settings.local_time();
    let dues = reports::dues(&state.db, unit.as_slice(), local).await?;
    let due: HashMap<String, NaiveDate> = state
        .catalog
        .courses()
        .iter()
        .filter_map(|course| {
            let due = dues.for_person(person.user.id, person.user.org_unit_id, &course.id)?;
            Some((course.id.clone(), due))
        })
        .collect();
    let org_unit = unit.map(|unit| unit.path).unwrap_or_default();
    let language = person.visitor.language;
    let today = local.today();
    let progress = state.access.progress(&state.db, person.user.id).await?;
    let mut overview = progress.overview(&state.catalog);
    // Assigned and unfinished first, the earliest due date on top; finished courses last.
    overview.sort_by_key(|(course, progress)| {
        let done = progress.status == CourseStatus::Completed;
        (
            done,
            done || !due.contains_key(&course.id),
            due.get(&course.id).copied(),
        )
    });
    let courses = overview
        .into_iter()
        .map(|(course, progress)| {
            let mut card = card(course, &progress, language);
            if progress.status != CourseStatus::Completed
                && let Some(due_on) = due.get(&course.id)
            {
                card.due_on = Some(language.format_date(*due_on));
                card.overdue = *due_on < today;
            }
            card
        })
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
