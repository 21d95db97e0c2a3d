//! A person's own profile: language and password.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::NewPassword;
use crate::error::AppError;
use crate::handlers::identity::{self, CsrfForm, CurrentUser, SESSION_COOKIE};
use crate::handlers::{render, render_with_status, see_other};
use crate::services::people::{self, PeopleError};
use crate::state::AppState;

#[derive(Serialize, Default)]
struct ProfilePage {
    personnel_number: String,
    org_unit: String,
    roles: Vec<&'static str>,
    /// Field name → translation id of its error.
    errors: BTreeMap<&'static str, &'static str>,
    password_changed: bool,
    /// Whether this person signs in with a password here (else there is none to change).
    password_change: bool,
    /// The second factor, for people who may have one.
    second_factor: Option<crate::handlers::second_factor::ProfileView>,
}

#[derive(Deserialize)]
pub struct ProfileQuery {
    password_changed: Option<String>,
}

/// `GET /profile`
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
    query: web::Query<ProfileQuery>,
) -> Result<HttpResponse, AppError> {
    let page = ProfilePage {
        password_changed: query.password_changed.is_some(),
        ..page_for(&state, &person).await?
    };
    render(&state, &person.visitor, "profile.html", &page)
}

async fn page_for(state: &AppState, person: &CurrentUser) -> Result<ProfilePage, AppError> {
    let user = &person.user;
    let org_unit = db::org_units::by_id(&state.db, user.org_unit_id)
        .await?
        .map(|unit| unit.path)
        .unwrap_or_default();
    let roles = people::roles_of(user);
    let mut names = vec!["role-employee"];
    for (held, name) in [
        (roles.manager, "role-manager"),
        (roles.hr, "role-hr"),
        (roles.admin, "role-admin"),
    ] {
        if held {
            names.push(name);
        }
    }
    Ok(ProfilePage {
        personnel_number: user.personnel_number.clone(),
        org_unit,
        roles: names,
        password_change: state.settings.password_sign_in.allows(user),
        second_factor: crate::handlers::second_factor::profile_view(state, person).await?,
        ..Default::default()
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_repeat: String,
}

/// `POST /profile/password`: changes the password; every other session ends.
pub async fn change_password(
    state: web::Data<AppState>,
    person: CurrentUser,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let mut errors = BTreeMap::new();
    if form.current_password.is_empty() {
        errors.insert("current_password", "error-required");
    }
    let new = NewPassword::parse(&form.new_password);
    if new.is_none() {
        errors.insert("new_password", "error-password-length");
    } else if form.new_password != form.new_password_repeat {
        errors.insert("new_password_repeat", "error-password-repeat");
    }
    if let (true, Some(new)) = (errors.is_empty(), new) {
        match people::change_password(&state.db, &person.user, form.current_password, new).await {
            Ok(session) => {
                let mut response = see_other("/profile?password_changed=1");
                response.add_cookie(&identity::cookie(&state, SESSION_COOKIE, session.token))?;
                return Ok(response);
            }
            Err(PeopleError::WrongPassword) => {
                errors.insert("current_password", "error-current-password");
            }
            Err(other) => return Err(other.into()),
        }
    }
    let page = ProfilePage {
        errors,
        ..page_for(&state, &person).await?
    };
    render_with_status(
        &state,
        &person.visitor,
        StatusCode::UNPROCESSABLE_ENTITY,
        "profile.html",
        &page,
    )
}
