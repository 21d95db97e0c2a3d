//! The learner's pages: the catalog, a course, a module and its files.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::courses::{Course, Module};
use crate::domain::Language;
use crate::error::AppError;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{format_date, render, render_shared, see_other};
use crate::services::certification;
use crate::services::learning;
use crate::services::progress::{CourseProgress, CourseStatus};
use crate::state::AppState;

/// A course as the catalog and the start page show it.
#[derive(Serialize)]
pub struct CourseCard {
    id: String,
    title: String,
    summary: String,
    lang: &'static str,
    minutes: u32,
    modules: usize,
    completed: usize,
    percent: usize,
    status: &'static str,
    next_module: Option<String>,
    /// Set on the start page for an assigned, unfinished course.
    pub due_on: Option<String>,
    pub overdue: bool,
}

pub fn card(course: &Course, progress: &CourseProgress, language: Language) -> CourseCard {
    let modules = course.modules.len();
    let completed = course
        .modules
        .iter()
        .filter(|m| progress.completed.contains(&m.id))
        .count();
    CourseCard {
        id: course.id.clone(),
        title: course.title(language).to_owned(),
        summary: course.summary(language).to_owned(),
        lang: course.language_for(language).code(),
        minutes: course.minutes(),
        modules,
        completed,
        percent: completed * 100 / modules.max(1),
        status: progress.status.as_str(),
        next_module: progress.next_module.clone(),
        due_on: None,
        overdue: false,
    }
}

#[derive(Serialize)]
struct CatalogPage {
    courses: Vec<CourseCard>,
}

/// `GET /courses`: every course with the person's status.
pub async fn catalog(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let language = person.visitor.language;
    let progress = state.access.progress(&state.db, person.user.id).await?;
    let courses = progress
        .overview(&state.catalog)
        .into_iter()
        .map(|(course, progress)| card(course, &progress, language))
        .collect();
    render(
        &state,
        &person.visitor,
        "courses/catalog.html",
        &CatalogPage { courses },
    )
}

#[derive(Serialize)]
struct ModuleRow {
    id: String,
    number: u32,
    title: String,
    minutes: u32,
    has_quiz: bool,
    completed: bool,
}

#[derive(Serialize)]
struct CoursePage {
    course: CourseCard,
    version: String,
    modules: Vec<ModuleRow>,
    /// The end of the person's certificate, when it can be renewed now.
    renewable_until: Option<String>,
    renewal_expired: bool,
    refresher_questions: usize,
}

/// `GET /courses/{course}`: the modules of a course and where to go on.
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let course = state.catalog.get(&path).ok_or(AppError::NotFound)?;
    let language = course.language_for(person.visitor.language);
    let progress = state
        .access
        .progress(&state.db, person.user.id)
        .await?
        .in_course(course);
    let modules = course
        .modules
        .iter()
        .map(|m| {
            let text = m.text(language);
            ModuleRow {
                id: m.id.clone(),
                number: m.number,
                title: text.title.clone(),
                minutes: text.minutes,
                has_quiz: m.has_quiz(),
                completed: progress.completed.contains(&m.id),
            }
        })
        .collect();
    let now = chrono::Utc::now();
    let certificates =
        crate::db::certificates::of_user_and_course(&state.db, person.user.id, &course.id).await?;
    let renewable = certification::renewable(&certificates, now);
    let questions: usize = course.modules.iter().map(|m| m.questions.len()).sum();
    let page = CoursePage {
        course: card(course, &progress, person.visitor.language),
        version: course.version.clone(),
        modules,
        renewable_until: renewable
            .map(|c| format_date(&state, c.valid_until, person.visitor.language)),
        renewal_expired: renewable.is_some_and(|c| c.valid_until <= now),
        refresher_questions: match course.questions_per_attempt {
            0 => questions,
            n => n.min(questions),
        },
    };
    render(&state, &person.visitor, "courses/course.html", &page)
}

#[derive(Serialize)]
struct ModulePage {
    course_id: String,
    course_title: String,
    module_id: String,
    number: u32,
    count: usize,
    title: String,
    content_lang: &'static str,
    minutes: u32,
    objectives: Vec<String>,
    lesson_html: String,
    has_quiz: bool,
    questions_per_attempt: usize,
    completed: bool,
    previous: Option<String>,
    next: Option<String>,
}

/// `GET /courses/{course}/modules/{module}`: the lesson and the next step. The page is
/// the same for everyone who sees it in the same state, so it is rendered once.
pub async fn module(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course_id, module_id) = path.into_inner();
    let (course, module) = find(&state, &course_id, &module_id)?;
    let completed = state
        .access
        .progress(&state.db, person.user.id)
        .await?
        .module_completed(course, module);
    let key = if completed { "completed" } else { "open" };
    render_shared(&state, &person.visitor, "courses/module.html", key, || {
        module_page(course, module, person.visitor.language, completed)
    })
}

fn module_page(
    course: &Course,
    module: &Module,
    language: Language,
    completed: bool,
) -> ModulePage {
    let language = course.language_for(language);
    let position = course
        .modules
        .iter()
        .position(|m| m.id == module.id)
        .unwrap_or(0);
    let text = module.text(language);
    ModulePage {
        course_id: course.id.clone(),
        course_title: course.title(language).to_owned(),
        module_id: module.id.clone(),
        number: u32::try_from(position + 1).unwrap_or(0),
        count: course.modules.len(),
        title: text.title.clone(),
        content_lang: language.code(),
        minutes: text.minutes,
        objectives: text.objectives.clone(),
        lesson_html: text.lesson_html.clone(),
        has_quiz: module.has_quiz(),
        questions_per_attempt: match course.questions_per_attempt {
            0 => module.questions.len(),
            n => n.min(module.questions.len()),
        },
        completed,
        previous: position
            .checked_sub(1)
            .map(|i| course.modules[i].id.clone()),
        next: course.modules.get(position + 1).map(|m| m.id.clone()),
    }
}

pub fn find<'a>(
    state: &'a AppState,
    course_id: &str,
    module_id: &str,
) -> Result<(&'a Course, &'a Module), AppError> {
    let course = state.catalog.get(course_id).ok_or(AppError::NotFound)?;
    let module = course.module(module_id).ok_or(AppError::NotFound)?;
    Ok((course, module))
}

#[derive(Deserialize)]
pub struct Empty {}

/// `POST /courses/{course}/modules/{module}/read`: confirms a module without quiz.
pub async fn confirm_read(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (course_id, module_id) = path.into_inner();
    let (course, module) = find(&state, &course_id, &module_id)?;
    learning::confirm_read(&state.db, &state.mail, course, &module.id, person.user.id).await?;
    let progress = learning::progress_in(&state.db, course, person.user.id).await?;
    Ok(see_other(&next_step(course, &progress)))
}

/// Where to go after finishing a module: the next open one, or the course page when done.
pub fn next_step(course: &Course, progress: &CourseProgress) -> String {
    match (&progress.next_module, progress.status) {
        (Some(next), status) if status != CourseStatus::Completed => {
            format!("/courses/{}/modules/{next}", course.id)
        }
        _ => format!("/courses/{}", course.id),
    }
}

/// `GET /courses/{course}/files/{path}`: a file a lesson links to; nothing else is served.
pub async fn file(
    state: web::Data<AppState>,
    _person: CurrentUser,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (course_id, file_path) = path.into_inner();
    let course = state.catalog.get(&course_id).ok_or(AppError::NotFound)?;
    let file = course.files.get(&file_path).ok_or(AppError::NotFound)?;
    let bytes = tokio::fs::read(file)
        .await
        .map_err(|_| AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(content_type(&file_path))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400"))
        .body(bytes))
}

fn content_type(path: &str) -> &'static str {
    match path
        .rsplit('.')
        .next()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("svg") => "image/svg+xml",
        Some("pdf") => "application/pdf",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
