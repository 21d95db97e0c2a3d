//! Quizzes: start an attempt, answer it, see the result.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use uuid::Uuid;

use crate::entities::quiz_attempt;
use crate::error::AppError;
use crate::handlers::courses::{Empty, find, next_step};
use crate::handlers::identity::{CsrfForm, CurrentUser, check_csrf};
use crate::handlers::{render_with_status, see_other};
use crate::services::grading::{self, QuizError};
use crate::services::learning;
use crate::state::AppState;

/// `POST /courses/{course}/modules/{module}/attempts`: draws the questions and opens the quiz.
pub async fn start(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let (course_id, module_id) = path.into_inner();
    let (course, module) = find(&state, &course_id, &module_id)?;
    let attempt = grading::start(&state.db, course, module, person.user.id).await?;
    Ok(see_other(&format!("/attempts/{}", attempt.id)))
}

/// `POST /courses/{course}/refresher`: a refresher to renew the course's certificate.
pub async fn start_refresher(
    state: web::Data<AppState>,
    person: CurrentUser,
    course: web::Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let course = state.catalog.get(&course).ok_or(AppError::NotFound)?;
    let attempt = grading::start_refresher(&state.db, course, person.user.id).await?;
    Ok(see_other(&format!("/attempts/{}", attempt.id)))
}

#[derive(Serialize)]
struct AttemptPage {
    attempt_id: Uuid,
    course_id: String,
    course_title: String,
    module_id: String,
    module_title: String,
    refresher: bool,
    content_lang: &'static str,
    submitted: bool,
    score: i32,
    passed: bool,
    pass_percent: u32,
    /// The chosen options are gone (past `KIWI_RETAIN_ANSWERS_DAYS`); the score stays.
    answers_removed: bool,
    next_step: String,
    /// After a failed attempt: the lesson sections to read again.
    reread: Vec<SectionLink>,
    questions: Vec<QuestionView>,
    /// Field id → translation id, for the error summary.
    errors: BTreeMap<String, &'static str>,
}

#[derive(Serialize)]
struct SectionLink {
    title: String,
    href: String,
}

#[derive(Serialize)]
struct QuestionView {
    number: usize,
    field: String,
    text_html: String,
    multiple: bool,
    options: Vec<OptionView>,
    /// Only after submission: whether it was answered right, and why.
    answered_correctly: Option<bool>,
    explanation_html: Option<String>,
    missing: bool,
}

#[derive(Serialize)]
struct OptionView {
    position: usize,
    html: String,
    chosen: bool,
    /// Only after submission.
    correct: Option<bool>,
}

/// `GET /attempts/{id}`: the questions, or once submitted, the result with explanations.
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let attempt = grading::attempt_of(&state.db, *id, person.user.id).await?;
    page(&state, &person, &attempt, &[], Vec::new(), StatusCode::OK).await
}

/// `POST /attempts/{id}`: grades the attempt once; any later submission shows the stored result.
pub async fn submit(
    state: web::Data<AppState>,
    person: CurrentUser,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
        .map_err(|e| AppError::BadRequest(format!("form: {e}")))?;
    let token = fields
        .iter()
        .find(|(k, _)| k == "csrf_token")
        .map(|(_, v)| v.as_str())
        .unwrap_or_default();
    check_csrf(&person.visitor, token)?;
    let attempt = grading::attempt_of(&state.db, *id, person.user.id).await?;
    let course = state
        .catalog
        .get(&attempt.course_id)
        .ok_or(AppError::NotFound)?;
    let count = grading::drawn_questions(&attempt)?.len();
    let mut chosen: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (key, value) in &fields {
        let question = key.strip_prefix('q').and_then(|n| n.parse::<usize>().ok());
        if let (Some(question), Ok(position)) = (question, value.parse::<usize>())
            && let Some(answers) = chosen.get_mut(question)
        {
            answers.push(position);
        }
    }
    match grading::submit(
        &state.db,
        &state.mail,
        course,
        attempt.clone(),
        chosen.clone(),
    )
    .await
    {
        Ok(done) => Ok(see_other(&format!("/attempts/{}#result", done.id))),
        Err(QuizError::Unanswered(missing)) => {
            page(
                &state,
                &person,
                &attempt,
                &missing,
                chosen,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

async fn page(
    state: &AppState,
    person: &CurrentUser,
    attempt: &quiz_attempt::Model,
    missing: &[usize],
    chosen_positions: Vec<Vec<usize>>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let course = state
        .catalog
        .get(&attempt.course_id)
        .ok_or(AppError::NotFound)?;
    if attempt.submitted_at.is_none() && attempt.content_hash != course.content_hash {
        return Err(QuizError::Outdated.into());
    }
    let language = course.language_for(person.visitor.language);
    let refresher = attempt.module_id == grading::REFRESHER;
    let module_title = match course.module(&attempt.module_id) {
        Some(module) => module.text(language).title.clone(),
        None if refresher => state
            .translations
            .text(person.visitor.language, "refresher-title", &[])
            .map_err(|e| AppError::Internal(e.to_string()))?,
        None => return Err(AppError::NotFound),
    };
    let draw = grading::drawn_questions(attempt)?;
    let stored = grading::stored_answers(attempt)?;
    let submitted = attempt.submitted_at.is_some();
    let answers_removed = submitted && attempt.answers.is_none();
    let mut questions = Vec::new();
    for (n, drawn) in draw.iter().enumerate() {
        let key = grading::question_key(course, attempt, drawn).ok_or(QuizError::Outdated)?;
        let question = course
            .module(drawn.module.as_deref().unwrap_or(&attempt.module_id))
            .and_then(|m| m.text(language).questions.get(drawn.question))
            .ok_or(QuizError::Outdated)?;
        let chosen_original: Vec<usize> = if submitted {
            stored.get(n).cloned().unwrap_or_default()
        } else {
            chosen_positions
                .get(n)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| drawn.options.get(*p).copied())
                        .collect()
                })
                .unwrap_or_default()
        };
        let options = drawn
            .options
            .iter()
            .enumerate()
            .map(|(position, original)| OptionView {
                position,
                html: question
                    .options_html
                    .get(*original)
                    .cloned()
                    .unwrap_or_default(),
                chosen: chosen_original.contains(original),
                correct: submitted.then(|| key.correct.contains(original)),
            })
            .collect();
        let mut sorted = chosen_original.clone();
        sorted.sort_unstable();
        questions.push(QuestionView {
            number: n + 1,
            field: format!("q{n}"),
            text_html: question.text_html.clone(),
            multiple: key.is_multiple_choice(),
            options,
            answered_correctly: (submitted && !answers_removed).then(|| sorted == key.correct),
            explanation_html: submitted.then(|| question.explanation_html.clone()),
            missing: missing.contains(&n),
        });
    }
    let reread = grading::sections_to_reread(course, attempt, language)?
        .into_iter()
        .map(|s| SectionLink {
            href: format!("/courses/{}/modules/{}#{}", course.id, s.module, s.anchor),
            title: s.title,
        })
        .collect();
    let progress = learning::progress_in(&state.db, course, person.user.id).await?;
    let errors = missing
        .iter()
        .map(|n| (format!("q{n}-0"), "quiz-answer-missing"))
        .collect();
    let page = AttemptPage {
        attempt_id: attempt.id,
        course_id: course.id.clone(),
        course_title: course.title(language).to_owned(),
        module_id: attempt.module_id.clone(),
        module_title,
        refresher,
        content_lang: language.code(),
        submitted,
        score: attempt.score_percent.unwrap_or(0),
        passed: attempt.passed.unwrap_or(false),
        pass_percent: course.pass_percent,
        answers_removed,
        next_step: if refresher {
            "/certificates".to_owned()
        } else {
            next_step(course, &progress)
        },
        reread,
        questions,
        errors,
    };
    render_with_status(
        state,
        &person.visitor,
        status,
        "quizzes/attempt.html",
        &page,
    )
}
