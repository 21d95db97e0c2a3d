//! "Meine KI-Werkzeuge" and the AI usage policy a person acknowledges.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::access::rule::{self, Missing, MissingKind};
use crate::domain::ReturnPath;
use crate::error::AppError;
use crate::error::percent_encode;
use crate::handlers::access::missing_path;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{format_date, render, see_other};
use crate::services::acknowledgements;
use crate::services::{access, tool_sessions};
use crate::state::AppState;
use crate::tools::Tool;

#[derive(Serialize)]
struct ToolView {
    id: String,
    name: String,
    description: String,
    /// Where "open the tool" goes: through kiwi, which signs the person in on the tool's
    /// host and then sends them on (to `next` there, if they came from a tool's page).
    open_url: String,
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
    /// The way into a tool failed because its one-time code had expired or was used.
    expired: bool,
    /// The page of one tool, whose name is its heading.
    single: bool,
}

/// `GET /tools`: every AI tool, whether the person may use it, and if not, what is missing.
pub async fn list(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let page = ToolsPage::of(&state, &person, state.tools.iter(), None).await?;
    render(&state, &person.visitor, "tools/list.html", &page)
}

#[derive(Deserialize)]
pub struct OpenQuery {
    /// Where on the tool's host the person wanted to go.
    next: Option<String>,
    /// Back from the tool's host with a code that had expired or was used.
    expired: Option<String>,
}

/// `GET /tools/{tool}`: one tool, whether the person may use it, and what is missing. A
/// tool's proxy sends people here (through `/open`) when they may not use it yet.
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<String>,
    query: web::Query<OpenQuery>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, &path)?;
    let next = ReturnPath::or_home(query.next.as_deref());
    let mut page = ToolsPage::of(&state, &person, std::iter::once(tool), Some(&next)).await?;
    page.expired = query.expired.is_some();
    page.single = true;
    render(&state, &person.visitor, "tools/show.html", &page)
}

/// `GET /tools/{tool}/open?next=…`: the way into a tool. A person who may use it gets a
/// one-time code and goes to the tool's host, where kiwi exchanges it for its cookie there
/// and sends them on to `next`; anyone else sees the tool's page with what is missing.
/// Signing in first (the extractor) comes back here.
pub async fn open(
    state: web::Data<AppState>,
    person: CurrentUser,
    path: web::Path<String>,
    query: web::Query<OpenQuery>,
) -> Result<HttpResponse, AppError> {
    let tool = find_tool(&state, &path)?;
    let next = ReturnPath::or_home(query.next.as_deref());
    let page_of_tool = || {
        see_other(&format!(
            "/tools/{}?next={}",
            tool.id,
            percent_encode(next.as_str())
        ))
    };
    if state.access.confirmed().is_err() {
        return Ok(page_of_tool());
    }
    let entitlements = access::entitlements_of(&state.db, &person.user).await?;
    let policy = state.policy.as_ref().map(|p| p.version.as_str());
    if !rule::decide(tool, Some(&entitlements), policy, Utc::now()).allowed {
        return Ok(page_of_tool());
    }
    let code = tool_sessions::issue_code(
        &state.db,
        &tool.id,
        &person.session_id_hash,
        &next,
        Utc::now(),
    )
    .await?;
    Ok(see_other(&format!(
        "{}/.kiwi/callback?code={code}",
        tool.url
    )))
}

fn find_tool<'a>(state: &'a AppState, id: &str) -> Result<&'a Tool, AppError> {
    state
        .tools
        .iter()
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)
}

impl ToolsPage {
    async fn of<'a>(
        state: &AppState,
        person: &CurrentUser,
        tools: impl Iterator<Item = &'a Tool>,
        next: Option<&ReturnPath>,
    ) -> Result<ToolsPage, AppError> {
        let language = person.visitor.language;
        // Where the policy page returns to once acknowledged: this very page.
        let back = person.visitor.path.clone();
        let open_url = |tool: &Tool| match next {
            Some(next) => format!(
                "/tools/{}/open?next={}",
                tool.id,
                percent_encode(next.as_str())
            ),
            None => format!("/tools/{}/open", tool.id),
        };
        let view = |tool: &Tool| ToolView {
            id: tool.id.clone(),
            name: tool.name.clone(),
            description: tool.description(language).to_owned(),
            open_url: open_url(tool),
            allowed: false,
            valid_until: None,
            missing: Vec::new(),
        };
        if state.access.confirmed().is_err() {
            return Ok(ToolsPage {
                tools: tools.map(view).collect(),
                unconfirmed: true,
                expired: false,
                single: false,
            });
        }
        // Read straight from the database: this page must show the state after the
        // person's latest step, even before the cache has caught up.
        let entitlements = access::entitlements_of(&state.db, &person.user).await?;
        let policy = state.policy.as_ref().map(|p| p.version.as_str());
        let now = Utc::now();
        let tools = tools
            .map(|tool| {
                let decision = rule::decide(tool, Some(&entitlements), policy, now);
                ToolView {
                    allowed: decision.allowed,
                    valid_until: decision
                        .valid_until
                        .map(|d| format_date(state, d, language)),
                    missing: decision
                        .missing
                        .iter()
                        .map(|m| missing_view(state, m, language, &back))
                        .collect(),
                    ..view(tool)
                }
            })
            .collect();
        Ok(ToolsPage {
            tools,
            unconfirmed: false,
            expired: false,
            single: false,
        })
    }
}

fn missing_view(
    state: &AppState,
    missing: &Missing,
    language: crate::domain::Language,
    back: &str,
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
        url: match missing.kind {
            MissingKind::Policy => format!("/policy?next={}", percent_encode(back)),
            _ => missing_path(missing),
        },
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
