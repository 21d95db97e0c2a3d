//! Signing in through the administration's OpenID provider, and the provider's
//! back-channel logout. The paths are fixed, for registering kiwi at the provider:
//! `/login/oidc` (start, with the sign-in form's `next`), `/login/oidc/callback` (redirect
//! URI) and `/login/oidc/backchannel-logout`.

use actix_web::cookie::time::Duration;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::ReturnPath;
use crate::error::AppError;
use crate::handlers::identity::{self, SESSION_COOKIE, Visitor};
use crate::handlers::{render_with_status, see_other};
use crate::metrics::SignInOutcome;
use crate::oidc::SingleSignOn;
use crate::services::sessions;
use crate::services::single_sign_on::{self, Callback, SsoError};
use crate::state::AppState;

/// Binds the provider's answer to the browser that started the sign-in.
const BROWSER_COOKIE: &str = "kiwi_oidc";
const COOKIE_PATH: &str = "/login/oidc";

fn configured(state: &AppState) -> Result<&SingleSignOn, AppError> {
    state.sso.as_ref().ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
}

/// `GET /login/oidc`: off to the provider (someone signed in goes straight on).
pub async fn start(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let sso = configured(&state)?;
    let next = ReturnPath::or_home(query.next.as_deref());
    if visitor.session.is_some() {
        return Ok(see_other(next.as_str()));
    }
    let client = identity::client_address(&state, &req);
    match single_sign_on::begin(&state.db, sso, &next, &client).await {
        Ok(begun) => {
            let mut response = see_other(&begun.url);
            let mut cookie = identity::cookie(&state, BROWSER_COOKIE, begun.browser_token);
            cookie.set_path(COOKIE_PATH);
            cookie.set_max_age(Duration::minutes(10));
            response.add_cookie(&cookie)?;
            Ok(response)
        }
        Err(error) => failed(&state, &visitor, error),
    }
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    state: String,
    code: Option<String>,
    error: Option<String>,
    iss: Option<String>,
}

/// `GET /login/oidc/callback`: back from the provider; signs in the matched person.
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let sso = configured(&state)?;
    let browser = req.cookie(BROWSER_COOKIE);
    let outcome = single_sign_on::finish(
        &state.db,
        sso,
        Callback {
            state: &query.state,
            code: query.code.as_deref(),
            error: query.error.as_deref(),
            iss: query.iss.as_deref(),
            browser_token: browser.as_ref().map(|c| c.value()),
        },
    )
    .await;
    state.metrics.sign_in(match &outcome {
        Ok(_) => SignInOutcome::SignedIn,
        Err(SsoError::Unavailable(_) | SsoError::Database(_)) => SignInOutcome::Busy,
        Err(_) => SignInOutcome::Refused,
    });
    match outcome {
        Ok(finished) => {
            if let Some(old) = &visitor.session {
                sessions::end(&state.db, &old.id_hash).await?;
            }
            let mut response = see_other(finished.next.as_str());
            response.add_cookie(&identity::cookie(
                &state,
                SESSION_COOKIE,
                finished.session.token,
            ))?;
            let mut spent = identity::cookie(&state, BROWSER_COOKIE, String::new());
            spent.set_path(COOKIE_PATH);
            spent.make_removal();
            response.add_cookie(&spent)?;
            Ok(response)
        }
        Err(error) => failed(&state, &visitor, error),
    }
}

/// The page of a sign-in that did not work, in plain words; the log names the reason (never
/// a token or code).
#[derive(Serialize)]
struct FailedPage {
    /// Translation id of the explanation.
    reason: &'static str,
    /// For a person not in kiwi yet: whom to ask.
    contact: Option<ContactView>,
}

#[derive(Serialize)]
struct ContactView {
    title: String,
    name: String,
    email: String,
    phone: Option<String>,
}

/// The events have no parent span: the request's span names its URL, and the callback's
/// URL carries the authorization code.
fn failed(state: &AppState, visitor: &Visitor, error: SsoError) -> Result<HttpResponse, AppError> {
    let (status, reason) = match &error {
        SsoError::Database(e) => return Err(AppError::Internal(format!("database: {e}"))),
        SsoError::Throttled => {
            return Err(AppError::TooManyRequests {
                retry_after_secs: crate::error::THROTTLED_RETRY_SECS,
            });
        }
        SsoError::Unavailable(why) => {
            tracing::warn!(parent: None, reason = %why, "single sign-on: the provider is unavailable");
            (StatusCode::SERVICE_UNAVAILABLE, "sso-unavailable")
        }
        SsoError::Rejected(why) => {
            tracing::warn!(parent: None, reason = %why, "single sign-on refused");
            (StatusCode::BAD_REQUEST, "sso-failed")
        }
        SsoError::Replayed => {
            tracing::warn!(parent: None, "single sign-on refused: unknown, used or expired state");
            (StatusCode::BAD_REQUEST, "sso-expired")
        }
        SsoError::Denied(code) => {
            tracing::info!(parent: None, error = %code, "single sign-on: the provider answered with an error");
            (StatusCode::FORBIDDEN, "sso-denied")
        }
        SsoError::UnknownPerson => {
            tracing::info!(parent: None, "single sign-on: no active person matches");
            (StatusCode::FORBIDDEN, "sso-unknown-person")
        }
    };
    let language = visitor.language;
    let contact = (reason == "sso-unknown-person")
        .then(|| {
            let id = state.settings.oidc_hr_contact.as_str();
            state.catalog.contacts().get(id)
        })
        .flatten()
        .map(|c| ContactView {
            title: c.title(language).to_owned(),
            name: c.name(language).to_owned(),
            email: c.email.clone(),
            phone: c.phone.clone(),
        });
    render_with_status(
        state,
        visitor,
        status,
        "single_sign_on/failed.html",
        &FailedPage { reason, contact },
    )
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    logout_token: String,
}

/// `POST /login/oidc/backchannel-logout`: the provider says a person signed out there; a
/// valid logout token ends their kiwi sessions (and so their tools' sessions) everywhere.
/// Server to server, so no CSRF token: the signed token is the proof.
pub async fn back_channel_logout(
    state: web::Data<AppState>,
    form: web::Form<LogoutForm>,
) -> Result<HttpResponse, AppError> {
    let sso = configured(&state)?;
    let answer = |status: StatusCode, body: &'static str| {
        HttpResponse::build(status)
            .content_type("application/json")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(body)
    };
    match single_sign_on::back_channel_logout(&state.db, sso, &form.logout_token).await {
        Ok(ended) => {
            tracing::info!(sessions = ended, "back-channel logout");
            Ok(answer(StatusCode::OK, ""))
        }
        Err(SsoError::Database(e)) => Err(e.into()),
        Err(SsoError::Unavailable(why)) => {
            tracing::warn!(reason = %why, "back-channel logout: the provider is unavailable");
            Ok(answer(
                StatusCode::SERVICE_UNAVAILABLE,
                r#"{"error":"temporarily_unavailable"}"#,
            ))
        }
        Err(error) => {
            tracing::warn!(%error, "back-channel logout refused");
            Ok(answer(
                StatusCode::BAD_REQUEST,
                r#"{"error":"invalid_request"}"#,
            ))
        }
    }
}
