//! Assignments: HR and department heads ask units or people to complete a course by a date.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::handlers::identity::CsrfForm;
use crate::handlers::identity::CurrentUser;
use crate::handlers::{render_with_status, see_other};
use crate::services::assignments::{self, AssignError, NewAssignment, Target, WithdrawError};
use crate::services::reports::{self, Visible};
use crate::state::AppState;

#[derive(Serialize, Default)]
struct AssignmentsPage {
    assignments: Vec<AssignmentView>,
    courses: Vec<Choice>,
    units: Vec<Choice>,
    form: AssignForm,
    errors: BTreeMap<&'static str, &'static str>,
    created: bool,
    withdrawn: bool,
}

#[derive(Serialize)]
struct AssignmentView {
    id: String,
    course: String,
    course_lang: &'static str,
    target: String,
    is_unit: bool,
    due_on: String,
}

/// An entry of a select list.
#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    lang: &'static str,
}

#[derive(Deserialize, Serialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    course: String,
    /// "unit" or "person".
    #[serde(default)]
    target: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    due_on: String,
}

#[derive(Deserialize)]
pub struct Done {
    created: Option<String>,
    withdrawn: Option<String>,
}

/// The units `person` may assign to, or 403.
async fn scope(state: &AppState, person: &CurrentUser) -> Result<Visible, AppError> {
    reports::assignable_units(&state.db, &person.user)
        .await?
        .ok_or(AppError::Forbidden)
}

/// `GET /assignments`
pub async fn list(
    state: web::Data<AppState>,
    person: CurrentUser,
    done: web::Query<Done>,
) -> Result<HttpResponse, AppError> {
    let visible = scope(&state, &person).await?;
    let page = AssignmentsPage {
        created: done.created.is_some(),
        withdrawn: done.withdrawn.is_some(),
        form: AssignForm {
            target: "unit".into(),
            ..AssignForm::default()
        },
        ..AssignmentsPage::default()
    };
    show(&state, &person, &visible, page, StatusCode::OK).await
}

async fn show(
    state: &AppState,
    person: &CurrentUser,
    visible: &Visible,
    page: AssignmentsPage,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let language = person.visitor.language;
    let course = |id: &str| {
        state
            .catalog
            .get(id)
            .map(|c| {
                (
                    c.title(language).to_owned(),
                    c.language_for(language).code(),
                )
            })
            .unwrap_or_else(|| (id.to_owned(), language.code()))
    };
    let assignments = assignments::open_within(&state.db, visible)
        .await?
        .into_iter()
        .map(|listed| {
            let a = listed.assignment;
            let (title, lang) = course(&a.course_id);
            let target = match (a.org_unit_id, listed.person) {
                (Some(unit), _) => visible
                    .units
                    .iter()
                    .find(|u| u.id == unit)
                    .map(|u| u.path.clone())
                    .unwrap_or_default(),
                (None, Some(p)) => format!("{} ({})", p.name, p.personnel_number),
                (None, None) => String::new(),
            };
            AssignmentView {
                id: a.id.to_string(),
                course: title,
                course_lang: lang,
                is_unit: a.org_unit_id.is_some(),
                target,
                due_on: language.format_date(a.due_on),
            }
        })
        .collect();
    let page = AssignmentsPage {
        assignments,
        courses: state
            .catalog
            .courses()
            .iter()
            .map(|c| Choice {
                value: c.id.clone(),
                label: c.title(language).to_owned(),
                lang: c.language_for(language).code(),
            })
            .collect(),
        units: visible
            .units
            .iter()
            .map(|u| Choice {
                value: u.id.to_string(),
                label: u.path.clone(),
                lang: "de",
            })
            .collect(),
        ..page
    };
    render_with_status(
        state,
        &person.visitor,
        status,
        "assignments/list.html",
        &page,
    )
}

/// `POST /assignments`
pub async fn create(
    state: web::Data<AppState>,
    person: CurrentUser,
    CsrfForm(form): CsrfForm<AssignForm>,
) -> Result<HttpResponse, AppError> {
    let visible = scope(&state, &person).await?;
    let mut errors = BTreeMap::new();
    let due_on = NaiveDate::parse_from_str(form.due_on.trim(), "%Y-%m-%d").ok();
    if due_on.is_none() {
        errors.insert("due_on", "assignment-error-date");
    }
    let target = match form.target.as_str() {
        "person" if form.person.trim().is_empty() => {
            errors.insert("person", "error-required");
            None
        }
        "person" => Some(Target::Person(form.person.clone())),
        _ => match Uuid::parse_str(&form.unit) {
            Ok(id) => Some(Target::Unit(id)),
            Err(_) => {
                errors.insert("unit", "error-required");
                None
            }
        },
    };
    if let (Some(due_on), Some(target)) = (due_on, target) {
        let new = NewAssignment {
            course_id: form.course.clone(),
            target,
            due_on,
        };
        match assignments::assign(
            &state.db,
            &state.mail,
            &state.catalog,
            &visible,
            &person.user,
            new,
        )
        .await
        {
            Ok(_) => return Ok(see_other("/assignments?created=1")),
            Err(AssignError::UnknownCourse) => {
                errors.insert("course", "error-required");
            }
            Err(AssignError::UnitNotVisible) => {
                errors.insert("unit", "assignment-error-unit");
            }
            Err(AssignError::PersonNotFound) => {
                errors.insert("person", "assignment-error-person");
            }
            Err(AssignError::DueInPast) => {
                errors.insert("due_on", "assignment-error-past");
            }
            Err(AssignError::Database(e)) => return Err(e.into()),
            Err(AssignError::Mail(e)) => return Err(AppError::Internal(e.to_string())),
        }
    }
    let page = AssignmentsPage {
        form,
        errors,
        ..AssignmentsPage::default()
    };
    show(
        &state,
        &person,
        &visible,
        page,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /assignments/{id}/withdraw`
pub async fn withdraw(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<String>,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Result<HttpResponse, AppError> {
    let visible = scope(&state, &person).await?;
    let id = Uuid::parse_str(&path.into_inner()).map_err(|_| AppError::NotFound)?;
    match assignments::withdraw(&state.db, &visible, &person.user, id).await {
        Ok(()) => Ok(see_other("/assignments?withdrawn=1")),
        Err(WithdrawError::NotFound) => Err(AppError::NotFound),
        Err(WithdrawError::Database(e)) => Err(e.into()),
    }
}
