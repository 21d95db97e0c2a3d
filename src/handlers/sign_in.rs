//! Signing in and out, and choosing the language.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::{Language, ReturnPath};
use crate::error::AppError;
use crate::handlers::identity::{
    self, CsrfForm, CurrentUser, LANGUAGE_COOKIE, SESSION_COOKIE, Visitor,
};
use crate::handlers::second_factor;
use crate::handlers::{render, render_with_status, see_other};
use crate::metrics::SignInOutcome;
use crate::services::sign_in::{self, PasswordSignIn, SignInError, SignedIn};
use crate::services::{people, sessions, single_sign_on};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
    signed_out: Option<String>,
    password_set: Option<String>,
    step_expired: Option<String>,
}

#[derive(Serialize, Default)]
struct SignInPage {
    next: String,
    email: String,
    /// Translation id of the error shown above the form, if any.
    error: Option<&'static str>,
    signed_out: bool,
    /// Back from a password link: the new password works now.
    password_set: bool,
    /// The second step took too long (or was finished elsewhere): sign in again.
    step_expired: bool,
    /// Whether the password form is shown at all, and whether it is for administrators only.
    password_form: bool,
    administrators_only: bool,
    /// The way in through the OpenID provider, with the same `next`, if configured.
    oidc_href: Option<String>,
    /// The button's configured text (else kiwi's own words).
    oidc_label: Option<String>,
}

impl SignInPage {
    fn new(state: &AppState, next: String) -> SignInPage {
        let passwords = state.settings.password_sign_in;
        let oidc_href = state
            .sso
            .as_ref()
            .map(|_| format!("/login/oidc?next={}", crate::error::percent_encode(&next)));
        SignInPage {
            next,
            password_form: passwords != PasswordSignIn::Nobody,
            administrators_only: passwords == PasswordSignIn::Admins,
            oidc_href,
            oidc_label: state.settings.oidc_label.clone(),
            ..Default::default()
        }
    }
}

/// `GET /login`: the sign-in form (a signed-in person goes straight on).
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<SignInQuery>,
) -> Result<HttpResponse, AppError> {
    let next = ReturnPath::or_home(query.next.as_deref()).into_string();
    if visitor.session.is_some() {
        return Ok(see_other(&next));
    }
    let page = SignInPage {
        signed_out: query.signed_out.is_some(),
        password_set: query.password_set.is_some(),
        step_expired: query.step_expired.is_some(),
        ..SignInPage::new(&state, next)
    };
    render(&state, &visitor, "sign_in.html", &page)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /login`: checks the credentials and opens a new session.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<SignInForm>,
) -> Result<HttpResponse, AppError> {
    let return_path = ReturnPath::or_home(form.next.as_deref());
    let client = identity::client_address(&state, &req);
    let outcome = sign_in::sign_in(
        &state.db,
        &form.email,
        form.password,
        &client,
        state.settings.password_sign_in,
        &state.second_factors,
        &return_path,
    )
    .await;
    let next = return_path.into_string();
    state.metrics.sign_in(match &outcome {
        Ok(SignedIn::SecondFactor { .. }) => SignInOutcome::SecondStep,
        Ok(_) => SignInOutcome::SignedIn,
        Err(
            SignInError::InvalidCredentials
            | SignInError::PasswordsOff
            | SignInError::AdministratorsOnly,
        ) => SignInOutcome::Refused,
        Err(SignInError::Throttled) => SignInOutcome::Throttled,
        Err(_) => SignInOutcome::Busy,
    });
    let (status, error) = match outcome {
        Ok(SignedIn::SecondFactor { challenge }) => {
            return second_factor::to_second_step(&state, challenge);
        }
        Ok(SignedIn::Session(session)) => {
            if let Some(old) = &visitor.session {
                sessions::end(&state.db, &old.id_hash).await?;
            }
            let mut response = see_other(&next);
            response.add_cookie(&identity::cookie(&state, SESSION_COOKIE, session.token))?;
            return Ok(response);
        }
        Err(SignInError::InvalidCredentials) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "sign-in-failed")
        }
        Err(SignInError::Throttled) => (StatusCode::TOO_MANY_REQUESTS, "sign-in-throttled"),
        Err(SignInError::PasswordsOff) => (StatusCode::FORBIDDEN, "sign-in-passwords-off"),
        Err(SignInError::AdministratorsOnly) => {
            (StatusCode::FORBIDDEN, "sign-in-administrators-only")
        }
        Err(other) => return Err(other.into()),
    };
    let page = SignInPage {
        email: form.email,
        error: Some(error),
        ..SignInPage::new(&state, next)
    };
    render_with_status(&state, &visitor, status, "sign_in.html", &page)
}

#[derive(Deserialize, Serialize)]
pub struct Empty {}

/// `GET /logout`: asks before signing out (a tool's "sign out" link comes here); someone
/// not signed in goes to the sign-in page.
pub async fn sign_out_form(
    state: web::Data<AppState>,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    if visitor.session.is_none() {
        return Ok(see_other("/login?signed_out=1"));
    }
    render(&state, &visitor, "sign_out.html", &Empty {})
}

/// `POST /logout`: ends this session; its cookie is worthless from now on.
pub async fn sign_out(
    state: web::Data<AppState>,
    person: CurrentUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    let at_provider = match &state.sso {
        Some(sso) => {
            single_sign_on::provider_sign_out(&state.db, sso, &person.session_id_hash).await?
        }
        None => None,
    };
    sessions::end(&state.db, &person.session_id_hash).await?;
    let mut response = see_other(at_provider.as_deref().unwrap_or("/login?signed_out=1"));
    let mut expired = identity::cookie(&state, SESSION_COOKIE, String::new());
    expired.make_removal();
    response.add_cookie(&expired)?;
    Ok(response)
}

#[derive(Deserialize)]
pub struct LanguageForm {
    language: String,
    next: Option<String>,
}

/// `POST /language`: switches the language; stored for a signed-in person, in a cookie
/// for everyone.
pub async fn choose_language(
    state: web::Data<AppState>,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let language = Language::parse(&form.language)
        .ok_or_else(|| AppError::BadRequest("unknown language".into()))?;
    if let Some(session) = &visitor.session {
        people::set_language(&state.db, &session.user, language).await?;
    }
    let mut response = see_other(ReturnPath::or_home(form.next.as_deref()).as_str());
    let mut cookie = identity::cookie(&state, LANGUAGE_COOKIE, language.code().to_owned());
    cookie.set_max_age(actix_web::cookie::time::Duration::days(365));
    response.add_cookie(&cookie)?;
    Ok(response)
}
