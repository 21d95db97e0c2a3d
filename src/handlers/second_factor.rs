//! The second factor: the second step of a password sign-in, setting up an authenticator
//! app on the profile, and an administrator's reset.

use std::collections::BTreeMap;

use actix_web::cookie::SameSite;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::{Email, Role};
use crate::error::AppError;
use crate::handlers::identity::{self, CsrfForm, CurrentUser, SESSION_COOKIE, Visitor};
use crate::handlers::{format_date, render, render_with_status, see_other};
use crate::metrics::SignInOutcome;
use crate::services::passwords;
use crate::services::second_factor::{self, Enrolment, SecondFactorError};
use crate::services::sessions;
use crate::state::AppState;

/// Carries the token of a sign-in that waits for its second step.
pub const STEP_COOKIE: &str = "kiwi_second_step";
const STEP_PATH: &str = "/login/second-factor";

/// After the right password: the cookie of the waiting sign-in, and on to the second step.
pub fn to_second_step(state: &AppState, challenge: String) -> Result<HttpResponse, AppError> {
    let mut response = see_other(STEP_PATH);
    response.add_cookie(&step_cookie(state, challenge))?;
    Ok(response)
}

fn step_cookie(state: &AppState, value: String) -> actix_web::cookie::Cookie<'static> {
    let mut cookie = identity::cookie(state, STEP_COOKIE, value);
    cookie.set_path(STEP_PATH);
    cookie.set_same_site(SameSite::Strict);
    cookie
}

fn without_step_cookie(state: &AppState, response: &mut HttpResponse) -> Result<(), AppError> {
    let mut expired = step_cookie(state, String::new());
    expired.make_removal();
    response.add_cookie(&expired)?;
    Ok(())
}

/// The page of the second step: a code, or (without a factor yet) setting one up.
#[derive(Serialize, Default)]
struct StepPage {
    /// Setting up a factor, with its QR code and secret.
    enrolment: Option<EnrolmentView>,
    /// Field name → translation id of its error.
    errors: BTreeMap<&'static str, &'static str>,
    /// Where the form goes.
    action: &'static str,
    /// On the profile, the current password is asked too.
    ask_password: bool,
}

#[derive(Serialize)]
struct EnrolmentView {
    secret_text: String,
    qr_svg: String,
}

impl From<Enrolment> for EnrolmentView {
    fn from(enrolment: Enrolment) -> Self {
        EnrolmentView {
            secret_text: enrolment.secret_text,
            qr_svg: enrolment.qr_svg,
        }
    }
}

/// `GET /login/second-factor`: asks for a code, or sets up the factor first.
pub async fn step_form(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
) -> Result<HttpResponse, AppError> {
    let Some(page) = step_page(&state, &req, BTreeMap::new()).await? else {
        return expired(&state);
    };
    render(&state, &visitor, step_template(&page), &page)
}

async fn step_page(
    state: &AppState,
    req: &HttpRequest,
    errors: BTreeMap<&'static str, &'static str>,
) -> Result<Option<StepPage>, AppError> {
    let Some(cookie) = req.cookie(STEP_COOKIE) else {
        return Ok(None);
    };
    let Some(challenge) = second_factor::challenge(&state.db, cookie.value()).await? else {
        return Ok(None);
    };
    let enrolment = if challenge.enrolled {
        None
    } else {
        Some(
            second_factor::enrolment(&state.db, &state.second_factors, &challenge.person)
                .await
                .map_err(step_error)?
                .into(),
        )
    };
    Ok(Some(StepPage {
        enrolment,
        errors,
        action: STEP_PATH,
        ask_password: false,
    }))
}

fn step_template(page: &StepPage) -> &'static str {
    if page.enrolment.is_some() {
        "second_factor/enrol.html"
    } else {
        "second_factor/code.html"
    }
}

/// The waiting sign-in is gone: back to the password, with a word why.
fn expired(state: &AppState) -> Result<HttpResponse, AppError> {
    let mut response = see_other("/login?step_expired=1");
    without_step_cookie(state, &mut response)?;
    Ok(response)
}

fn step_error(error: SecondFactorError) -> AppError {
    match error {
        SecondFactorError::Database(e) => e.into(),
        // Names the key's fingerprint at most, never a secret.
        other => AppError::Internal(other.to_string()),
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/second-factor`: checks the code (or confirms the new factor) and opens the
/// session.
pub async fn step_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let Some(cookie) = req.cookie(STEP_COOKIE) else {
        return expired(&state);
    };
    let client = identity::client_address(&state, &req);
    let outcome = second_factor::answer(
        &state.db,
        &state.second_factors,
        cookie.value(),
        &form.code,
        &client,
    )
    .await;
    state.metrics.sign_in(match &outcome {
        Ok(_) => SignInOutcome::SignedIn,
        Err(SecondFactorError::WrongCode) => SignInOutcome::Refused,
        Err(SecondFactorError::Throttled) => SignInOutcome::Throttled,
        Err(_) => SignInOutcome::Busy,
    });
    let (status, error) = match outcome {
        Ok(answered) => {
            if let Some(old) = &visitor.session {
                sessions::end(&state.db, &old.id_hash).await?;
            }
            let next = answered.next.into_string();
            let mut response = match answered.recovery_codes {
                Some(codes) => render(
                    &state,
                    &visitor,
                    "second_factor/recovery_codes.html",
                    &CodesPage {
                        codes: codes.0,
                        next,
                    },
                )?,
                None => see_other(&next),
            };
            response.add_cookie(&identity::cookie(
                &state,
                SESSION_COOKIE,
                answered.session.token,
            ))?;
            without_step_cookie(&state, &mut response)?;
            return Ok(response);
        }
        Err(SecondFactorError::WrongCode) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "second-factor-wrong-code")
        }
        Err(SecondFactorError::Throttled) => {
            (StatusCode::TOO_MANY_REQUESTS, "second-factor-throttled")
        }
        Err(SecondFactorError::Expired) => return expired(&state),
        Err(other) => return Err(step_error(other)),
    };
    let Some(page) = step_page(&state, &req, BTreeMap::from([("code", error)])).await? else {
        return expired(&state);
    };
    render_with_status(&state, &visitor, status, step_template(&page), &page)
}

/// The recovery codes, shown once after a factor was set up.
#[derive(Serialize)]
struct CodesPage {
    codes: Vec<String>,
    next: String,
}

/// `GET /profile/second-factor`: sets up (or replaces) the authenticator app.
pub async fn enrol_form(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let page = enrol_page(&state, &person, BTreeMap::new()).await?;
    render(&state, &person.visitor, "second_factor/enrol.html", &page)
}

async fn enrol_page(
    state: &AppState,
    person: &CurrentUser,
    errors: BTreeMap<&'static str, &'static str>,
) -> Result<StepPage, AppError> {
    if !may_have_one(state, person).await? {
        return Err(AppError::NotFound);
    }
    let enrolment = second_factor::enrolment(&state.db, &state.second_factors, &person.user)
        .await
        .map_err(step_error)?;
    Ok(StepPage {
        enrolment: Some(enrolment.into()),
        errors,
        action: "/profile/second-factor",
        ask_password: true,
    })
}

#[derive(Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    code: String,
}

/// `POST /profile/second-factor`: with the current password and a code from the app, the
/// new factor replaces any earlier one; the recovery codes are shown once.
pub async fn enrol_submit(
    state: web::Data<AppState>,
    person: CurrentUser,
    CsrfForm(form): CsrfForm<EnrolForm>,
) -> Result<HttpResponse, AppError> {
    if !may_have_one(&state, &person).await? {
        return Err(AppError::NotFound);
    }
    let mut errors = BTreeMap::new();
    // The stored hash, read now: a session holds the person without it.
    let stored = db::users::by_id(&state.db, person.user.id)
        .await?
        .and_then(|p| p.password_hash);
    if form.current_password.is_empty() {
        errors.insert("current_password", "error-required");
    } else if !passwords::verify(form.current_password, stored).await? {
        errors.insert("current_password", "error-current-password");
    }
    if errors.is_empty() {
        match second_factor::confirm(&state.db, &state.second_factors, &person.user, &form.code)
            .await
        {
            Ok(codes) => {
                let page = CodesPage {
                    codes: codes.0,
                    next: "/profile".into(),
                };
                return render(
                    &state,
                    &person.visitor,
                    "second_factor/recovery_codes.html",
                    &page,
                );
            }
            Err(SecondFactorError::WrongCode) => {
                errors.insert("code", "second-factor-wrong-code");
            }
            Err(other) => return Err(step_error(other)),
        }
    }
    let page = enrol_page(&state, &person, errors).await?;
    render_with_status(
        &state,
        &person.visitor,
        StatusCode::UNPROCESSABLE_ENTITY,
        "second_factor/enrol.html",
        &page,
    )
}

/// Whether this person may set up a second factor: they sign in with a password of their own.
async fn may_have_one(state: &AppState, person: &CurrentUser) -> Result<bool, AppError> {
    Ok(state.settings.password_sign_in.allows(&person.user)
        && second_factor::available_to(&state.db, &state.second_factors, &person.user).await?)
}

/// What the profile shows of the second factor.
#[derive(Serialize)]
pub struct ProfileView {
    /// The day it was set up, if it is.
    confirmed: Option<String>,
    unused_recovery_codes: u64,
    required: bool,
}

/// The profile's section on the second factor, if this person may have one.
pub async fn profile_view(
    state: &AppState,
    person: &CurrentUser,
) -> Result<Option<ProfileView>, AppError> {
    if !may_have_one(state, person).await? {
        return Ok(None);
    }
    let status = second_factor::status(&state.db, &person.user).await?;
    Ok(Some(ProfileView {
        confirmed: status
            .confirmed_at
            .map(|at| format_date(state, at, person.visitor.language)),
        unused_recovery_codes: status.unused_recovery_codes,
        required: state.second_factors.required_for(&person.user),
    }))
}

#[derive(Serialize, Default)]
struct ResetPage {
    person: String,
    errors: BTreeMap<&'static str, &'static str>,
    /// The name of the person whose factor was just reset.
    reset: Option<String>,
}

/// `GET /admin/second-factor`: the form to reset someone's second factor.
pub async fn reset_form(
    state: web::Data<AppState>,
    admin: CurrentUser,
) -> Result<HttpResponse, AppError> {
    admin.require(Role::Admin)?;
    render(
        &state,
        &admin.visitor,
        "admin/second_factor.html",
        &ResetPage::default(),
    )
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    person: String,
}

/// `POST /admin/second-factor`: removes a person's factor and recovery codes (found by email
/// address or personnel number) and ends their sessions; audited.
pub async fn reset(
    state: web::Data<AppState>,
    admin: CurrentUser,
    CsrfForm(form): CsrfForm<ResetForm>,
) -> Result<HttpResponse, AppError> {
    admin.require(Role::Admin)?;
    let typed = form.person.trim();
    let found = if typed.is_empty() || typed.len() > 254 {
        None
    } else if let Some(email) = Email::parse(typed) {
        db::users::by_email(&state.db, &email.normalized()).await?
    } else {
        db::users::by_personnel_number(&state.db, typed).await?
    };
    let error = match found {
        None if typed.is_empty() => Some("error-required"),
        None => Some("second-factor-reset-unknown"),
        Some(person) => {
            if second_factor::reset(&state.db, &admin.user, &person).await? {
                let page = ResetPage {
                    reset: Some(person.name),
                    ..Default::default()
                };
                return render(&state, &admin.visitor, "admin/second_factor.html", &page);
            }
            Some("second-factor-reset-none")
        }
    };
    let page = ResetPage {
        person: typed.chars().take(254).collect(),
        errors: error.map(|e| ("person", e)).into_iter().collect(),
        reset: None,
    };
    render_with_status(
        &state,
        &admin.visitor,
        StatusCode::UNPROCESSABLE_ENTITY,
        "admin/second_factor.html",
        &page,
    )
}
