//! "Meine Daten" (Art. 15 GDPR): the signed-in person's own data as a page, as a JSON file and
//! as a printable HTML file. Every route here reads the person from the session and takes no
//! parameter that could name anyone else.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use crate::domain::Language;
use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render;
use crate::services::my_data::{self, MyData};
use crate::services::record_views::Kind;
use crate::state::AppState;

#[derive(Serialize)]
struct MyDataPage {
    generated: String,
    account: AccountView,
    unit: String,
    roles: Vec<&'static str>,
    progress: Vec<CompletionView>,
    attempts: Vec<AttemptView>,
    certificates: Vec<CertificateView>,
    acknowledgements: Vec<AcknowledgementView>,
    assignments: Vec<AssignmentView>,
    mails: Vec<MailView>,
    audit: Vec<AuditView>,
    views: Vec<ViewView>,
}

#[derive(Serialize)]
struct AccountView {
    name: String,
    email: String,
    personnel_number: String,
    language: &'static str,
    /// A translation id.
    status: &'static str,
    created: String,
}

#[derive(Serialize)]
struct CourseName {
    title: String,
    lang: &'static str,
}

#[derive(Serialize)]
struct CompletionView {
    course: CourseName,
    module: String,
    version: String,
    /// A translation id.
    kind: &'static str,
    completed: String,
}

#[derive(Serialize)]
struct AttemptView {
    course: CourseName,
    module: String,
    version: String,
    started: String,
    submitted: Option<String>,
    score: Option<i32>,
    passed: Option<bool>,
}

#[derive(Serialize)]
struct CertificateView {
    serial: String,
    course: CourseName,
    version: String,
    issued: String,
    valid_until: String,
    /// Read by `certificates/status.html`.
    status: &'static str,
    revoked: Option<String>,
}

#[derive(Serialize)]
struct AcknowledgementView {
    version: String,
    at: String,
}

#[derive(Serialize)]
struct AssignmentView {
    course: CourseName,
    due: String,
    /// "person" or "unit".
    scope: &'static str,
    unit_path: Option<String>,
    assigned: String,
    assigned_by: Option<String>,
    withdrawn: Option<String>,
}

#[derive(Serialize)]
struct MailView {
    subject: String,
    kind: String,
    /// A translation id.
    status: String,
    created: String,
}

#[derive(Serialize)]
struct AuditView {
    at: String,
    action: String,
    detail: String,
    by_self: bool,
}

#[derive(Serialize)]
struct ViewView {
    at: String,
    /// Translation ids.
    role: String,
    kind: String,
    name: Option<String>,
    detail: String,
    people: i32,
}

/// `GET /profile/data`: "Meine Daten".
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let data = my_data::of(&state.db, &person.user, Utc::now()).await?;
    let page = page(&state, &data, person.visitor.language);
    render(&state, &person.visitor, "my_data/page.html", &page)
}

/// `GET /profile/data.json`: the same data as a file, in the structure `services::my_data`
/// documents.
pub async fn json(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let data = my_data::of(&state.db, &person.user, Utc::now()).await?;
    let body = serde_json::to_vec_pretty(&data).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::CONTENT_DISPOSITION, attachment(&state, "json")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// `GET /profile/data.html`: the same data as a file that reads and prints on its own.
pub async fn html(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let data = my_data::of(&state.db, &person.user, Utc::now()).await?;
    let page = page(&state, &data, person.visitor.language);
    let mut response = render(&state, &person.visitor, "my_data/download.html", &page)?;
    if let Ok(value) = HeaderValue::from_str(&attachment(&state, "html")) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

fn attachment(state: &AppState, extension: &str) -> String {
    format!(
        "attachment; filename=\"kiwi-my-data-{}.{extension}\"",
        state.settings.local_time().today()
    )
}

fn page(state: &AppState, data: &MyData, language: Language) -> MyDataPage {
    let local = state.settings.local_time();
    let at = |t: chrono::DateTime<Utc>| local.date_time(t, language);
    let day = |t: chrono::DateTime<Utc>| language.format_date(local.day(t));
    let course = |id: &str| {
        let found = state.catalog.get(id);
        CourseName {
            title: found
                .map(|c| c.title(language).to_owned())
                .unwrap_or_else(|| id.to_owned()),
            lang: found
                .map(|c| c.language_for(language).code())
                .unwrap_or("de"),
        }
    };
    let module = |course_id: &str, module_id: &str| {
        state
            .catalog
            .get(course_id)
            .and_then(|c| {
                let language = c.language_for(language);
                c.module(module_id).map(|m| m.text(language).title.clone())
            })
            .unwrap_or_else(|| module_id.to_owned())
    };
    MyDataPage {
        generated: at(data.generated_at),
        account: AccountView {
            name: data.account.name.clone(),
            email: data.account.email.clone(),
            personnel_number: data.account.personnel_number.clone(),
            language: match Language::parse(&data.account.language) {
                Some(Language::En) => "English",
                _ => "Deutsch",
            },
            status: if data.account.status == crate::entities::user::STATUS_ACTIVE {
                "my-data-status-active"
            } else {
                "my-data-status-left"
            },
            created: at(data.account.created_at),
        },
        unit: data
            .unit
            .as_ref()
            .map(|u| u.path.clone())
            .unwrap_or_default(),
        roles: data
            .roles
            .iter()
            .map(|role| match *role {
                "manager" => "role-manager",
                "hr" => "role-hr",
                "admin" => "role-admin",
                _ => "role-employee",
            })
            .collect(),
        progress: data
            .progress
            .iter()
            .map(|c| CompletionView {
                course: course(&c.course_id),
                module: module(&c.course_id, &c.module_id),
                version: c.course_version.clone(),
                kind: if c.kind == crate::entities::module_completion::KIND_PASSED {
                    "my-data-completion-passed"
                } else {
                    "my-data-completion-read"
                },
                completed: at(c.completed_at),
            })
            .collect(),
        attempts: data
            .quiz_attempts
            .iter()
            .map(|a| AttemptView {
                course: course(&a.course_id),
                module: module(&a.course_id, &a.module_id),
                version: a.course_version.clone(),
                started: at(a.started_at),
                submitted: a.submitted_at.map(at),
                score: a.score_percent,
                passed: a.passed,
            })
            .collect(),
        certificates: data
            .certificates
            .iter()
            .map(|c| CertificateView {
                serial: c.serial.clone(),
                course: course(&c.course_id),
                version: c.course_version.clone(),
                issued: day(c.issued_at),
                valid_until: day(c.valid_until),
                status: c.status,
                revoked: c.revoked_at.map(day),
            })
            .collect(),
        acknowledgements: data
            .policy_acknowledgements
            .iter()
            .map(|a| AcknowledgementView {
                version: a.policy_version.clone(),
                at: at(a.acknowledged_at),
            })
            .collect(),
        assignments: data
            .assignments
            .iter()
            .map(|a| AssignmentView {
                course: course(&a.course_id),
                due: language.format_date(a.due_on),
                scope: a.scope,
                unit_path: a.unit_path.clone(),
                assigned: at(a.assigned_at),
                assigned_by: a.assigned_by.clone(),
                withdrawn: a.withdrawn_at.map(at),
            })
            .collect(),
        mails: data
            .mails
            .iter()
            .map(|m| MailView {
                subject: m.subject.clone(),
                kind: m.kind.clone(),
                status: match m.status.as_str() {
                    "queued" | "sending" | "failed" | "sent" => format!("mail-status-{}", m.status),
                    _ => "mail-status-gave-up".to_owned(),
                },
                created: at(m.created_at),
            })
            .collect(),
        audit: data
            .audit
            .iter()
            .map(|a| AuditView {
                at: at(a.at),
                action: a.action.clone(),
                detail: a.detail.clone(),
                by_self: a.by_self,
            })
            .collect(),
        views: data
            .views
            .iter()
            .map(|v| ViewView {
                at: at(v.at),
                role: match v.role.as_str() {
                    "manager" | "hr" | "admin" => format!("my-data-role-{}", v.role),
                    _ => "my-data-role-command-line".to_owned(),
                },
                kind: Kind::parse(&v.kind)
                    .map(|k| format!("my-data-kind-{}", k.as_str().replace('_', "-")))
                    .unwrap_or_else(|| "my-data-kind-other".to_owned()),
                name: v.name.clone(),
                detail: v.detail.clone(),
                people: v.people,
            })
            .collect(),
    }
}
