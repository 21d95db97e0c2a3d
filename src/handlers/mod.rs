//! Thin actix handlers, one file per area, and the one way they render a page.

pub mod access;
pub mod admin;
pub mod assignments;
pub mod certificates;
pub mod council_report;
pub mod courses;
pub mod evidence;
pub mod exports;
pub mod hr;
pub mod identity;
pub mod integrations;
pub mod my_data;
pub mod pages;
pub mod passwords;
pub mod privacy;
pub mod profile;
pub mod quizzes;
pub mod reports;
pub mod second_factor;
pub mod setup;
pub mod sign_in;
pub mod single_sign_on;
pub mod system;
pub mod tool_host;
pub mod tools;

use std::sync::Arc;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Serialize;
use tera::Context;

use crate::domain::{Language, SingleLineError};
use crate::entities::user;
use crate::error::{AppError, Detail};
use crate::services::{heavy_work, people};
use crate::state::AppState;
use crate::templates::{Hole, RenderError, Skeleton};
use identity::Visitor;

/// What every page knows about the person looking at it.
#[derive(Serialize)]
struct Me<'a> {
    name: &'a str,
    email: &'a str,
    is_manager: bool,
    is_hr: bool,
    is_admin: bool,
}

/// Renders `template` with `page` for `visitor`, with status 200.
pub fn render(
    state: &AppState,
    visitor: &Visitor,
    template: &str,
    page: &impl Serialize,
) -> Result<HttpResponse, AppError> {
    render_with_status(state, visitor, StatusCode::OK, template, page)
}

/// Renders a page with another status, e.g. 422 for a form shown again with its errors.
pub fn render_with_status(
    state: &AppState,
    visitor: &Visitor,
    status: StatusCode,
    template: &str,
    page: &impl Serialize,
) -> Result<HttpResponse, AppError> {
    let me = visitor.session.as_ref().map(|s| me(&s.user));
    let html = render_page(state, visitor, template, page, me, &visitor.csrf_token)?;
    Ok(html_response(status, html))
}

/// Renders like `render`, as heavy work on a thread of its own (`services::heavy_work`): for
/// pages so large (a report over an administration) that rendering them on the event loop
/// would hold up every request this worker serves meanwhile, tools' checks among them.
pub async fn render_heavy<P: Serialize + Send + 'static>(
    state: &web::Data<AppState>,
    visitor: &Visitor,
    template: &'static str,
    page: P,
) -> Result<HttpResponse, AppError> {
    let state = state.clone();
    let visitor = visitor.clone();
    let html = heavy_work::run(move || {
        let me = visitor.session.as_ref().map(|s| me(&s.user));
        render_page(&state, &visitor, template, &page, me, &visitor.csrf_token)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(html_response(StatusCode::OK, html))
}

/// Renders a page that everyone with the same roles and language sees alike at its path,
/// but for their name, email address and CSRF token; `key` names what else makes it differ.
/// The first request renders it with markers in those places, later ones fill in a copy of
/// that skeleton, so `page` is only built then. A path with a query is rendered each time.
pub fn render_shared<P: Serialize>(
    state: &AppState,
    visitor: &Visitor,
    template: &str,
    key: &str,
    page: impl FnOnce() -> P,
) -> Result<HttpResponse, AppError> {
    let Some(session) = visitor
        .session
        .as_ref()
        .filter(|_| !visitor.path.contains('?'))
    else {
        return render(state, visitor, template, &page());
    };
    let user = &session.user;
    let key = format!(
        "{template} {} {} {:?} {key}",
        visitor.path,
        visitor.language.code(),
        people::roles_of(user)
    );
    let skeleton = match state.pages.get(&key) {
        Some(skeleton) => skeleton,
        None => {
            let (name, email) = (Hole::Name.marker(), Hole::Email.marker());
            let me = Me {
                name: &name,
                email: &email,
                ..me(user)
            };
            let csrf_token = Hole::CsrfToken.marker();
            let html = render_page(state, visitor, template, &page(), Some(me), &csrf_token)?;
            let skeleton = Arc::new(Skeleton::from_rendered(&html));
            state.pages.put(key, skeleton.clone());
            skeleton
        }
    };
    let html = skeleton.fill(|hole| match hole {
        Hole::Name => &user.name,
        Hole::Email => &user.email,
        Hole::CsrfToken => &visitor.csrf_token,
    });
    Ok(html_response(StatusCode::OK, html))
}

/// `page` in `template`, with what the layout shows of the person and the visitor.
fn render_page(
    state: &AppState,
    visitor: &Visitor,
    template: &str,
    page: &impl Serialize,
    me: Option<Me>,
    csrf_token: &str,
) -> Result<String, AppError> {
    let mut context =
        Context::from_serialize(page).map_err(|e| AppError::Internal(e.to_string()))?;
    context.insert("me", &me);
    context.insert("csrf_token", csrf_token);
    context.insert("path", &visitor.path);
    insert_language(&mut context, visitor.language);
    Ok(state.templates.render(template, &context)?)
}

/// A page: never stored by a cache, as it shows a person's own data.
fn html_response(status: StatusCode, html: String) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::TOO_MANY_REQUESTS {
        // A throttled form: people (and scripts) learn when trying again makes sense.
        response.insert_header((
            header::RETRY_AFTER,
            crate::error::THROTTLED_RETRY_SECS.to_string(),
        ));
    }
    response.body(html)
}

fn me(user: &user::Model) -> Me<'_> {
    Me {
        name: &user.name,
        email: &user.email,
        is_manager: user.is_manager,
        is_hr: user.is_hr,
        is_admin: user.is_admin,
    }
}

fn insert_language(context: &mut Context, language: Language) {
    let other = match language {
        Language::De => Language::En,
        Language::En => Language::De,
    };
    context.insert("lang", language.code());
    context.insert("other_lang", other.code());
}

/// The local day of a moment as people in `language` write it.
pub fn format_date(
    state: &AppState,
    at: chrono::DateTime<chrono::Utc>,
    language: Language,
) -> String {
    language.format_date(state.settings.local_time().day(at))
}

/// A redirect after a successful POST, so reloading does not send the form again.
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// The translation id of the message for a one-line field that was refused.
pub fn single_line_error(error: SingleLineError) -> &'static str {
    match error {
        SingleLineError::Empty => "error-required",
        SingleLineError::TooLong => "error-too-long",
        SingleLineError::ControlCharacter => "error-control-characters",
    }
}

/// The page shown for an error status, in the visitor's language.
pub fn error_page(
    state: &AppState,
    req: &HttpRequest,
    status: StatusCode,
    explanation: Option<(&'static str, Detail)>,
) -> Result<String, RenderError> {
    let visitor = actix_web::HttpMessage::extensions(req)
        .get::<Visitor>()
        .cloned();
    let language = visitor
        .as_ref()
        .map(|v| v.language)
        .unwrap_or_else(|| identity::language_of(req));
    let mut context = Context::new();
    context.insert("status", &status.as_u16());
    context.insert("explanation", &explanation.as_ref().map(|(id, _)| *id));
    context.insert(
        "explanation_value",
        &explanation
            .map(|(_, detail)| match detail {
                Detail::Text(text) => text,
                Detail::Time(at) => state.settings.local_time().clock(at),
            })
            .unwrap_or_default(),
    );
    context.insert(
        "me",
        &visitor
            .as_ref()
            .and_then(|v| v.session.as_ref())
            .map(|s| me(&s.user)),
    );
    context.insert(
        "csrf_token",
        &visitor
            .as_ref()
            .map(|v| v.csrf_token.clone())
            .unwrap_or_default(),
    );
    context.insert("path", "/");
    insert_language(&mut context, language);
    state.templates.render("error.html", &context)
}

/// Any URL kiwi does not know (the visitor is resolved so the page shows their navigation).
pub async fn not_found(_visitor: Visitor) -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
