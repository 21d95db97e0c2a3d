//! "Meine KI-Werkzeuge" and the AI usage policy a person acknowledges.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::domain::ReturnPath;
use crate::error::AppError;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{format_date, render, see_other};
use crate::services::access::{self, Missing};
use crate::services::acknowledgements;
use crate::state::AppState;

#[derive(Serialize)]
struct ToolView {
    id: String,
    name: String,
    description: String,
    url: String,
    allowed: bool,
    valid_until: Option<String>,
    missing: Vec<MissingView>,
}

#[derive(Serialize)]
struct MissingView {
    kind: &'static str,
    id: String,
    title: String,
    url: String,
}

#[derive(Serialize)]
struct ToolsPage {
    tools: Vec<ToolView>,
}

/// `GET /tools`: every AI tool, whether the person may use it, and if not, what is missing.
pub async fn list(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let language = person.visitor.language;
    let now = Utc::now();
    // Read straight from the database: this page must show the state after the person's
    // latest step, even before the cache has caught up.
    let entitlements = access::entitlements_of(&state.db, &person.user).await?;
    let policy = state.policy.as_ref().map(|p| p.version.as_str());
    let tools = state
        .tools
        .iter()
        .map(|tool| {
            let decision = access::decide(tool, Some(&entitlements), policy, "", now);
            ToolView {
                id: tool.id.clone(),
                name: tool.name.clone(),
                description: tool.description(language).to_owned(),
                url: tool.url.clone(),
                allowed: decision.allowed,
                valid_until: decision
                    .valid_until
                    .map(|d| format_date(&state, d, language)),
                missing: decision
                    .missing
                    .iter()
                    .map(|m| missing_view(&state, m, language))
                    .collect(),
            }
        })
        .collect();
    render(
        &state,
        &person.visitor,
        "tools/list.html",
        &ToolsPage { tools },
    )
}

fn missing_view(
    state: &AppState,
    missing: &Missing,
    language: crate::domain::Language,
) -> MissingView {
    let title = match missing.kind {
        access::MissingKind::Course | access::MissingKind::CertificateExpired => state
            .catalog
            .get(&missing.id)
            .map(|c| c.title(language).to_owned())
            .unwrap_or_else(|| missing.id.clone()),
        _ => missing.id.clone(),
    };
    MissingView {
        kind: missing.kind.as_str(),
        id: missing.id.clone(),
        title,
        url: missing.url.clone(),
    }
}

#[derive(Serialize)]
struct PolicyPage {
    version: String,
    effective: String,
    title: String,
    html: String,
    acknowledged: bool,
    next: String,
}

#[derive(Deserialize)]
pub struct PolicyQuery {
    next: Option<String>,
}

/// `GET /policy`: the current AI usage policy, and the button to acknowledge it.
pub async fn policy(
    state: web::Data<AppState>,
    person: CurrentUser,
    query: web::Query<PolicyQuery>,
) -> Result<HttpResponse, AppError> {
    let policy = state.policy.as_ref().ok_or(AppError::NotFound)?;
    let text = policy
        .text(person.visitor.language)
        .ok_or(AppError::NotFound)?;
    let page = PolicyPage {
        version: policy.version.clone(),
        effective: policy.effective.clone(),
        title: text.title.clone(),
        html: text.html.clone(),
        acknowledged: acknowledgements::has_acknowledged(
            &state.db,
            person.user.id,
            &policy.version,
        )
        .await?,
        next: ReturnPath::or_home(query.next.as_deref().or(Some("/tools"))).into_string(),
    };
    render(&state, &person.visitor, "tools/policy.html", &page)
}

#[derive(Deserialize)]
pub struct AcknowledgeForm {
    version: String,
    next: Option<String>,
}

/// `POST /policy/acknowledge`: records the acknowledgement of the version the person saw.
pub async fn acknowledge(
    state: web::Data<AppState>,
    person: CurrentUser,
    CsrfForm(form): CsrfForm<AcknowledgeForm>,
) -> Result<HttpResponse, AppError> {
    let policy = state.policy.as_ref().ok_or(AppError::NotFound)?;
    if form.version != policy.version {
        // The policy changed while the page was open: show the new one.
        return Ok(see_other("/policy"));
    }
    acknowledgements::acknowledge(&state.db, person.user.id, &policy.version).await?;
    state.access.sync(&state.db).await?;
    Ok(see_other(
        ReturnPath::or_home(form.next.as_deref()).as_str(),
    ))
}
