//! "Mein Team": the people of a department head's own unit and the units below it.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::domain::Role;
use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render;
use crate::services::org_units;
use crate::state::AppState;

#[derive(Serialize)]
struct TeamPage {
    units: Vec<UnitRow>,
}

#[derive(Serialize)]
struct UnitRow {
    path: String,
    depth: usize,
    members: Vec<MemberRow>,
}

#[derive(Serialize)]
struct MemberRow {
    name: String,
    email: String,
}

/// `GET /team`
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Manager)?;
    let team = org_units::team_of(&state.db, &person.user)
        .await?
        .ok_or(AppError::Forbidden)?;
    let mut by_unit: HashMap<_, Vec<MemberRow>> = HashMap::new();
    for member in team.members {
        by_unit
            .entry(member.org_unit_id)
            .or_default()
            .push(MemberRow {
                name: member.name,
                email: member.email,
            });
    }
    let base_depth = team
        .units
        .first()
        .map(|u| u.lineage.matches('/').count())
        .unwrap_or(0);
    let units = team
        .units
        .into_iter()
        .map(|unit| UnitRow {
            depth: unit.lineage.matches('/').count().saturating_sub(base_depth),
            members: by_unit.remove(&unit.id).unwrap_or_default(),
            path: unit.path,
        })
        .collect();
    render(&state, &person.visitor, "team.html", &TeamPage { units })
}
