//! The start page.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::app::AppState;
use crate::db;
use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render;

#[derive(Serialize)]
struct HomePage {
    org_unit: String,
}

/// `GET /`: "Mein Lernstand", the signed-in person's start page.
pub async fn home(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let org_unit = db::org_units::by_id(&state.db, person.user.org_unit_id)
        .await?
        .map(|unit| unit.path)
        .unwrap_or_default();
    render(&state, &person.visitor, "home.html", &HomePage { org_unit })
}
