//! "Meine KI-Werkzeuge" and the AI usage policy a person acknowledges.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::access::rule::{self, Missing, MissingKind};
use crate::domain::ReturnPath;
use crate::error::AppError;
use crate::handlers::access::missing_path;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{format_date, render, see_other};
use crate::services::access;
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
    /// kiwi cannot confirm entitlements right now (the change feed is not read within the
    /// bound): the tools are listed without saying whether they are open.
    unconfirmed: bool,
}

/// `GET /tools`: every AI tool, whether the person may use it, and if not, what is missing.
pub async fn list(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let language = person.visitor.language;
    let now = Utc::now();
    if state.access.confirmed().is_err() {
        let tools = state
            .tools
            .iter()
            .map(|tool| ToolView {
                id: tool.id.clone(),
                name: tool.name.clone(),
                description: tool.description(language).to_owned(),
                url: tool.url.clone(),
                allowed: false,
                valid_until: None,
                missing: Vec::new(),
            })
            .collect();
        let page = ToolsPage {
            tools,
            unconfirmed: true,
        };
        return render(&state, &person.visitor, "tools/list.html", &page);
    }
    // Read straight from the database: this page must show the state after the person's
    // latest step, even before the cache has caught up.
    let entitlements = access::entitlements_of(&state.db, &person.user).await?;
    let policy = state.policy.as_ref().map(|p| p.version.as_str());
    let tools = state
        .tools
        .iter()
        .map(|tool| {
            let decision = rule::decide(tool, Some(&entitlements), policy, now);
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
        &ToolsPage {
            tools,
            unconfirmed: false,
        },
    )
}

fn missing_view(
    state: &AppState,
    missing: &Missing,
    language: crate::domain::Language,
) -> MissingView {
    let title = match missing.kind {
        MissingKind::Course | MissingKind::CertificateExpired => state
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
        url: missing_path(missing),
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
    /// "Wen frage ich?": the central contacts.
    contacts: Vec<ContactView>,
}

#[derive(Serialize)]
struct ContactView {
    title: String,
    name: String,
    email: String,
    phone: Option<String>,
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
        contacts: state
            .catalog
            .contacts()
            .all()
            .iter()
            .map(|c| ContactView {
                title: c.title(person.visitor.language).to_owned(),
                name: c.name(person.visitor.language).to_owned(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect(),
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
    let rules = rule::Rules {
        tools: &state.tools,
        policy: Some(&policy.version),
    };
    acknowledgements::acknowledge(&state.db, rules, person.user.id, &policy.version).await?;
    Ok(see_other(
        ReturnPath::or_home(form.next.as_deref()).as_str(),
    ))
}
