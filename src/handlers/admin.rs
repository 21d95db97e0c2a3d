//! The administration area: people and org units, API keys, the mail outbox.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::Role;
use crate::entities::outbox_mail;
use crate::error::AppError;
use crate::handlers::courses::Empty;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{format_date, render, see_other};
use crate::services::api_keys::{self, KeyError};
use crate::services::mails::MailKind;
use crate::services::outbox;
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
            created: format_date(&state, k.created_at, language),
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

/// How many unsent mails the mail page lists.
const MAILS_SHOWN: u64 = 200;

#[derive(Serialize)]
struct MailPage {
    counts: Vec<StatusCount>,
    mails: Vec<MailRow>,
    max_tries: u32,
    /// Where mails go without SMTP, if no SMTP server is configured.
    folder: Option<String>,
}

#[derive(Serialize)]
struct StatusCount {
    status: &'static str,
    count: i64,
}

#[derive(Serialize)]
struct MailRow {
    id: String,
    created: String,
    kind: &'static str,
    recipient: String,
    subject: String,
    status: &'static str,
    tries: i32,
    next_try: Option<String>,
    last_error: Option<String>,
    can_retry: bool,
}

/// The translation id of a mail status.
fn status_id(status: &str) -> &'static str {
    match status {
        outbox_mail::STATUS_QUEUED => "mail-status-queued",
        outbox_mail::STATUS_SENDING => "mail-status-sending",
        outbox_mail::STATUS_FAILED => "mail-status-failed",
        outbox_mail::STATUS_SENT => "mail-status-sent",
        _ => "mail-status-gave-up",
    }
}

fn kind_id(kind: &str) -> &'static str {
    match MailKind::parse(kind) {
        Some(MailKind::Invitation) => "mail-kind-invitation",
        Some(MailKind::PasswordReset) => "mail-kind-password-reset",
        Some(MailKind::Assignment) => "mail-kind-assignment",
        Some(MailKind::Reminder) => "mail-kind-reminder",
        Some(MailKind::Overdue) => "mail-kind-overdue",
        Some(MailKind::Digest) => "mail-kind-digest",
        Some(MailKind::CertificateIssued) => "mail-kind-certificate-issued",
        Some(MailKind::CertificateExpiring) => "mail-kind-certificate-expiring",
        Some(MailKind::AccessLost) | None => "mail-kind-access-lost",
    }
}

/// `GET /admin/mail`: the mails not sent yet, with their tries and last error (never their text).
pub async fn mail(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    let language = person.visitor.language;
    let local = state.settings.local_time();
    let mut counts: Vec<StatusCount> = db::outbox::count_by_status(&state.db)
        .await?
        .into_iter()
        .map(|(status, count)| StatusCount {
            status: status_id(&status),
            count,
        })
        .collect();
    counts.sort_by_key(|c| c.status);
    let mails = db::outbox::unsent(&state.db, MAILS_SHOWN)
        .await?
        .into_iter()
        .map(|m| MailRow {
            id: m.id.to_string(),
            created: local.date_time(m.created_at, language),
            kind: kind_id(&m.kind),
            status: status_id(&m.status),
            next_try: (m.status == outbox_mail::STATUS_FAILED)
                .then(|| local.date_time(m.next_try_at, language)),
            can_retry: m.status == outbox_mail::STATUS_FAILED
                || m.status == outbox_mail::STATUS_GAVE_UP,
            recipient: m.recipient,
            subject: m.subject,
            tries: m.tries,
            last_error: m.last_error,
        })
        .collect();
    let page = MailPage {
        counts,
        mails,
        max_tries: state.settings.mail_max_tries,
        folder: state
            .settings
            .smtp_url
            .is_none()
            .then(|| state.settings.mail_dir().display().to_string()),
    };
    render(&state, &person.visitor, "admin/mail.html", &page)
}

/// `POST /admin/mail/{id}/retry`: queues a failed or given-up mail again.
pub async fn retry_mail(
    state: web::Data<AppState>,
    person: CurrentUser,
    id: web::Path<uuid::Uuid>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    if !outbox::retry(&state.db, *id, person.user.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/admin/mail"))
}
