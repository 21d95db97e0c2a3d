//! The one-time setup page that creates the first administrator.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::domain::{Email, NewPassword, SingleLine};
use crate::error::AppError;
use crate::handlers::identity::{self, CsrfForm, SESSION_COOKIE, Visitor};
use crate::handlers::{render, render_with_status, see_other, single_line_error};
use crate::services::{sessions, setup};
use crate::state::AppState;

#[derive(Serialize, Default)]
struct SetupPage {
    token: String,
    name: String,
    email: String,
    errors: BTreeMap<&'static str, &'static str>,
}

/// `GET /setup/{token}`: only while no administrator exists and for the link printed last.
pub async fn form(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    if !setup::link_is_valid(&state.db, &token).await? {
        return Err(AppError::NotFound);
    }
    render(
        &state,
        &visitor,
        "setup.html",
        &SetupPage {
            token,
            ..Default::default()
        },
    )
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_repeat: String,
}

/// `POST /setup/{token}`: creates the first administrator and signs them in.
pub async fn submit(
    state: web::Data<AppState>,
    visitor: Visitor,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<SetupForm>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    if !setup::link_is_valid(&state.db, &token).await? {
        return Err(AppError::NotFound);
    }
    let mut errors = BTreeMap::new();
    let name = SingleLine::parse(&form.name);
    if let Err(error) = &name {
        errors.insert("name", single_line_error(*error));
    }
    let email = Email::parse(&form.email);
    if email.is_none() {
        errors.insert("email", "error-email");
    }
    let password = NewPassword::parse(&form.password);
    if password.is_none() {
        errors.insert("password", "error-password-length");
    } else if form.password != form.password_repeat {
        errors.insert("password_repeat", "error-password-repeat");
    }
    let (Ok(name), Some(email), Some(password), true) = (name, email, password, errors.is_empty())
    else {
        let page = SetupPage {
            token,
            name: form.name,
            email: form.email,
            errors,
        };
        return render_with_status(
            &state,
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            "setup.html",
            &page,
        );
    };
    let admin = setup::FirstAdmin {
        name,
        email,
        password,
        language: visitor.language,
    };
    let created = setup::create_first_admin(&state.db, &token, admin).await?;
    let session = sessions::create(&state.db, created.id).await?;
    let mut response = see_other("/admin");
    response.add_cookie(&identity::cookie(&state, SESSION_COOKIE, session.token))?;
    Ok(response)
}
