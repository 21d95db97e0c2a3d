//! The administration area: people and org units.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::Role;
use crate::error::AppError;
use crate::handlers::courses::Empty;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{format_date, render, see_other};
use crate::services::api_keys::{self, KeyError};
use crate::state::AppState;

const PER_PAGE: u64 = 50;

#[derive(Deserialize)]
pub struct AdminQuery {
    q: Option<String>,
    page: Option<u64>,
}

#[derive(Serialize)]
struct AdminPage {
    query: String,
    people: Vec<PersonRow>,
    total: u64,
    page: u64,
    pages: u64,
    units: Vec<UnitRow>,
}

#[derive(Serialize)]
struct PersonRow {
    personnel_number: String,
    name: String,
    email: String,
    org_unit: String,
    roles: Vec<&'static str>,
    left: bool,
}

#[derive(Serialize)]
struct UnitRow {
    path: String,
    members: i64,
}

/// `GET /admin`: everyone (searchable, 50 a page) and the unit tree.
pub async fn index(
    state: web::Data<AppState>,
    person: CurrentUser,
    query: web::Query<AdminQuery>,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    let search = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let page = query.page.unwrap_or(1).max(1);
    let (people, total) = db::users::page(&state.db, search, page - 1, PER_PAGE).await?;
    let units = db::org_units::all(&state.db).await?;
    let counts: HashMap<_, _> = db::org_units::member_counts(&state.db)
        .await?
        .into_iter()
        .collect();
    let unit_paths: HashMap<_, _> = units.iter().map(|u| (u.id, u.path.clone())).collect();
    let people = people
        .into_iter()
        .map(|p| PersonRow {
            org_unit: unit_paths.get(&p.org_unit_id).cloned().unwrap_or_default(),
            roles: [
                (p.is_manager, "role-manager"),
                (p.is_hr, "role-hr"),
                (p.is_admin, "role-admin"),
            ]
            .into_iter()
            .filter_map(|(held, name)| held.then_some(name))
            .collect(),
            left: p.status != crate::entities::user::STATUS_ACTIVE,
            personnel_number: p.personnel_number,
            name: p.name,
            email: p.email,
        })
        .collect();
    let units = units
        .into_iter()
        .map(|u| UnitRow {
            members: counts.get(&u.id).copied().unwrap_or(0),
            path: u.path,
        })
        .collect();
    let page = AdminPage {
        query: search.unwrap_or_default().to_owned(),
        people,
        total,
        page,
        pages: total.div_ceil(PER_PAGE).max(1),
        units,
    };
    render(&state, &person.visitor, "admin/index.html", &page)
}

#[derive(Serialize)]
struct KeysPage {
    keys: Vec<KeyRow>,
    tools: Vec<String>,
}

#[derive(Serialize)]
struct KeyRow {
    id: String,
    tool_id: String,
    prefix: String,
    created: String,
    revoked: bool,
}

/// `GET /admin/keys`: the tools' API keys (created with `kiwi tools key <tool>`).
pub async fn keys(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    let language = person.visitor.language;
    let keys = api_keys::list(&state.db)
        .await?
        .into_iter()
        .map(|k| KeyRow {
            id: k.id.to_string(),
            tool_id: k.tool_id,
            prefix: k.prefix,
            created: format_date(k.created_at, language),
            revoked: k.revoked_at.is_some(),
        })
        .collect();
    let tools = state.tools.iter().map(|t| t.id.clone()).collect();
    render(
        &state,
        &person.visitor,
        "admin/keys.html",
        &KeysPage { keys, tools },
    )
}

/// `POST /admin/keys/{key}/revoke`
pub async fn revoke_key(
    state: web::Data<AppState>,
    person: CurrentUser,
    key: web::Path<uuid::Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    match api_keys::revoke(&state.db, *key, Some(person.user.id)).await {
        Ok(()) => {}
        Err(KeyError::NotFound) => return Err(AppError::NotFound),
        Err(other) => return Err(AppError::Internal(other.to_string())),
    }
    state.access.sync(&state.db).await?;
    Ok(see_other("/admin/keys"))
}
