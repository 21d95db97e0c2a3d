//! Setting a password through a mailed link: the invitation, and the reset of a forgotten
//! password (asked for on a form that answers alike for every address).

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::{Email, NewPassword};
use crate::error::AppError;
use crate::handlers::identity::{self, CsrfForm, Visitor};
use crate::handlers::{render, render_with_status, see_other};
use crate::services::password_links::{self, LinkError, Purpose};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct ForgotQuery {
    sent: Option<String>,
}

#[derive(Serialize, Default)]
struct ForgotPage {
    email: String,
    sent: bool,
    errors: BTreeMap<&'static str, &'static str>,
}

/// `GET /password/forgot`: asks for the address to send a link to.
pub async fn forgot_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    query: web::Query<ForgotQuery>,
) -> Result<HttpResponse, AppError> {
    let page = ForgotPage {
        sent: query.sent.is_some(),
        ..Default::default()
    };
    render(&state, &visitor, "passwords/forgot.html", &page)
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `POST /password/forgot`: mails a link if the address belongs to an active person; the
/// answer is the same either way.
pub async fn forgot(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    CsrfForm(form): CsrfForm<ForgotForm>,
) -> Result<HttpResponse, AppError> {
    let (status, error) = match Email::parse(&form.email) {
        None => (StatusCode::UNPROCESSABLE_ENTITY, "error-email"),
        Some(email) => {
            let client = identity::client_address(&state, &req);
            match password_links::take_reset_turn(&state.db, &email, &client).await {
                Ok(()) => {
                    // The answer does not wait for the link, which is made only for known
                    // addresses: its time would tell them apart.
                    let state = state.clone();
                    tokio::spawn(async move {
                        if let Err(error) =
                            password_links::send_reset(&state.db, &state.mail, &email).await
                        {
                            tracing::error!(%error, "making a password reset link failed");
                        }
                    });
                    return Ok(see_other("/password/forgot?sent=1"));
                }
                Err(LinkError::Throttled) => (StatusCode::TOO_MANY_REQUESTS, "forgot-throttled"),
                Err(other) => return Err(other.into()),
            }
        }
    };
    let page = ForgotPage {
        email: form.email,
        sent: false,
        errors: BTreeMap::from([("email", error)]),
    };
    render_with_status(&state, &visitor, status, "passwords/forgot.html", &page)
}

#[derive(Serialize, Default)]
struct SetPasswordPage {
    /// "invitation" or "reset": the page's title and text.
    purpose: &'static str,
    action: String,
    name: String,
    email: String,
    errors: BTreeMap<&'static str, &'static str>,
}

#[derive(Deserialize)]
pub struct SetPasswordForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

/// `GET /invite/{token}`: the form that sets the first password.
pub async fn invitation_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show(&state, &visitor, Purpose::Invitation, &token).await
}

/// `POST /invite/{token}`: sets the first password; the link is used up.
pub async fn accept_invitation(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    save(&state, &visitor, Purpose::Invitation, &token, form).await
}

/// `GET /password/reset/{token}`: the form that sets a new password.
pub async fn reset_form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    show(&state, &visitor, Purpose::Reset, &token).await
}

/// `POST /password/reset/{token}`: sets the new password; the link is used up and every
/// session of the person ends.
pub async fn reset(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<SetPasswordForm>,
) -> Result<HttpResponse, AppError> {
    save(&state, &visitor, Purpose::Reset, &token, form).await
}

fn page_for(purpose: Purpose, token: &str) -> SetPasswordPage {
    let (purpose, action) = match purpose {
        Purpose::Invitation => ("invitation", format!("/invite/{token}")),
        Purpose::Reset => ("reset", format!("/password/reset/{token}")),
    };
    SetPasswordPage {
        purpose,
        action,
        ..Default::default()
    }
}

async fn show(
    state: &AppState,
    visitor: &Visitor,
    purpose: Purpose,
    token: &str,
) -> Result<HttpResponse, AppError> {
    let Some(person) = password_links::person_of(&state.db, purpose, token).await? else {
        return link_invalid(state, visitor);
    };
    let page = SetPasswordPage {
        name: person.name,
        email: person.email,
        ..page_for(purpose, token)
    };
    render(state, visitor, "passwords/set.html", &page)
}

async fn save(
    state: &AppState,
    visitor: &Visitor,
    purpose: Purpose,
    token: &str,
    form: SetPasswordForm,
) -> Result<HttpResponse, AppError> {
    let Some(person) = password_links::person_of(&state.db, purpose, token).await? else {
        return link_invalid(state, visitor);
    };
    let mut errors = BTreeMap::new();
    let password = NewPassword::parse(&form.password);
    if password.is_none() {
        errors.insert("password", "error-password-length");
    } else if form.password != form.password_repeat {
        errors.insert("password_repeat", "error-password-repeat");
    }
    let (Some(password), true) = (password, errors.is_empty()) else {
        let page = SetPasswordPage {
            name: person.name,
            email: person.email,
            errors,
            ..page_for(purpose, token)
        };
        return render_with_status(
            state,
            visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            "passwords/set.html",
            &page,
        );
    };
    match password_links::set_password(&state.db, purpose, token, password).await {
        Ok(_) => Ok(see_other("/login?password_set=1")),
        // Used by a request that raced this one, or expired meanwhile.
        Err(LinkError::Invalid) => link_invalid(state, visitor),
        Err(other) => Err(other.into()),
    }
}

/// A link that is unknown, used or expired: one page for all, with the way to a new one.
fn link_invalid(state: &AppState, visitor: &Visitor) -> Result<HttpResponse, AppError> {
    render_with_status(
        state,
        visitor,
        StatusCode::GONE,
        "passwords/invalid.html",
        &serde_json::json!({}),
    )
}
