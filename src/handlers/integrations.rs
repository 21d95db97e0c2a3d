//! Verwaltung → Verzeichnisgruppen und Webhooks: the directory and webhook settings, the
//! operations outbox (waiting, failing, given up, with their last error) and the last
//! reconciliation of the groups. Administrators only.

use actix_web::{HttpResponse, web};
use serde::Serialize;

use crate::db;
use crate::domain::Role;
use crate::entities::outbox_operation::{
    self, KIND_DIRECTORY, STATUS_APPLYING, STATUS_FAILED, STATUS_GAVE_UP, STATUS_QUEUED,
};
use crate::error::AppError;
use crate::handlers::courses::Empty;
use crate::handlers::identity::{CsrfForm, CurrentUser};
use crate::handlers::{render, see_other};
use crate::services::operations;
use crate::services::reconciliation::Report;
use crate::state::AppState;

/// How many unfinished operations the page lists.
const SHOWN: u64 = 200;
/// How many members the page lists per group and kind before it says how many more.
const LISTED: usize = 50;

#[derive(Serialize)]
struct Page {
    directory: Option<DirectoryView>,
    groups: Vec<GroupSetting>,
    webhooks: Vec<WebhookView>,
    counts: Vec<CountRow>,
    operations: Vec<OperationRow>,
    last: Option<ReconciliationView>,
}

#[derive(Serialize)]
struct DirectoryView {
    url: String,
    bind_dn: String,
    people_base: String,
    match_attribute: String,
    member_attribute: &'static str,
}

#[derive(Serialize)]
struct GroupSetting {
    tool: String,
    group: String,
}

#[derive(Serialize)]
struct WebhookView {
    name: String,
    url: String,
    /// The tools whose events it receives ("" for the global one: everything).
    tools: String,
}

#[derive(Serialize)]
struct CountRow {
    kind: &'static str,
    status: &'static str,
    count: i64,
}

#[derive(Serialize)]
struct OperationRow {
    id: i64,
    created: String,
    kind: &'static str,
    action: String,
    tool: String,
    target: String,
    person: String,
    reason: String,
    status: &'static str,
    tries: i32,
    next_try: Option<String>,
    last_error: Option<String>,
    can_retry: bool,
}

#[derive(Serialize)]
struct ReconciliationView {
    started: String,
    finished: String,
    nightly: bool,
    dry_run: bool,
    added: i32,
    removed: i32,
    unmanaged: i32,
    not_found: i32,
    error: Option<String>,
    groups: Vec<GroupView>,
}

#[derive(Serialize)]
struct GroupView {
    tool: String,
    group: String,
    members: usize,
    entitled: usize,
    pending: usize,
    error: Option<String>,
    added: Vec<String>,
    removed: Vec<String>,
    unmanaged: Vec<String>,
    not_found: Vec<String>,
    more: usize,
}

fn kind_id(kind: &str) -> &'static str {
    match kind {
        KIND_DIRECTORY => "integrations-kind-directory",
        _ => "integrations-kind-webhook",
    }
}

fn status_id(status: &str) -> &'static str {
    match status {
        STATUS_QUEUED => "integrations-status-queued",
        STATUS_APPLYING => "integrations-status-applying",
        STATUS_FAILED => "integrations-status-failed",
        STATUS_GAVE_UP => "integrations-status-gave-up",
        _ => "integrations-status-done",
    }
}

/// The person an operation concerns, from its payload (a directory operation's, or the
/// `data` of a webhook's body).
fn person_of(operation: &outbox_operation::Model) -> String {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&operation.payload) else {
        return String::new();
    };
    let fields = value.get("data").unwrap_or(&value);
    fields
        .get("email")
        .and_then(|e| e.as_str())
        .unwrap_or_default()
        .to_owned()
}

/// Up to `LISTED` entries of a list, and how many were left out.
fn first(list: &[String], more: &mut usize) -> Vec<String> {
    *more += list.len().saturating_sub(LISTED);
    list.iter().take(LISTED).cloned().collect()
}

/// `GET /admin/integrations`
pub async fn page(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    let language = person.visitor.language;
    let local = state.settings.local_time();
    let directory = state.directory.as_ref().map(|d| {
        let config = d.config();
        DirectoryView {
            url: config.url.clone(),
            bind_dn: config.bind_dn.clone(),
            people_base: config.people_base.clone(),
            match_attribute: config.match_attribute.clone(),
            member_attribute: config.member_attribute.as_str(),
        }
    });
    let groups = state
        .tools
        .iter()
        .filter_map(|t| {
            t.directory_group.as_ref().map(|g| GroupSetting {
                tool: t.name.clone(),
                group: g.clone(),
            })
        })
        .collect();
    let mut webhooks: Vec<WebhookView> = Vec::new();
    if let Some(global) = state.mail.webhook() {
        webhooks.push(WebhookView {
            name: global.name.clone(),
            url: global.url.clone(),
            tools: String::new(),
        });
    }
    for tool in &state.tools {
        for webhook in &tool.webhooks {
            match webhooks.iter_mut().find(|w| w.name == webhook.name) {
                // The global webhook receives everything anyway.
                Some(view) if view.tools.is_empty() => {}
                Some(view) => view.tools = format!("{}, {}", view.tools, tool.name),
                None => webhooks.push(WebhookView {
                    name: webhook.name.clone(),
                    url: webhook.url.clone(),
                    tools: tool.name.clone(),
                }),
            }
        }
    }
    let mut counts: Vec<CountRow> = db::operations::count_by_kind_and_status(&state.db)
        .await?
        .into_iter()
        .map(|(kind, status, count)| CountRow {
            kind: kind_id(&kind),
            status: status_id(&status),
            count,
        })
        .collect();
    counts.sort_by_key(|c| (c.kind, c.status));
    let operations = db::operations::unfinished(&state.db, SHOWN)
        .await?
        .into_iter()
        .map(|o| OperationRow {
            id: o.id,
            created: local.date_time(o.created_at, language),
            kind: kind_id(&o.kind),
            person: person_of(&o),
            tool: o.tool_id.clone().unwrap_or_default(),
            reason: o.reason.clone().unwrap_or_default(),
            status: status_id(&o.status),
            next_try: (o.status == STATUS_FAILED).then(|| local.date_time(o.next_try_at, language)),
            can_retry: o.status == STATUS_FAILED || o.status == STATUS_GAVE_UP,
            action: o.action,
            target: o.target,
            tries: o.tries,
            last_error: o.last_error,
        })
        .collect();
    let last = db::reconciliations::latest_finished(&state.db)
        .await?
        .map(|r| {
            let report: Report = serde_json::from_str(&r.report).unwrap_or_default();
            ReconciliationView {
                started: local.date_time(r.started_at, language),
                finished: r
                    .finished_at
                    .map(|at| local.date_time(at, language))
                    .unwrap_or_default(),
                nightly: r.trigger == crate::entities::directory_reconciliation::TRIGGER_NIGHTLY,
                dry_run: r.dry_run,
                added: r.added,
                removed: r.removed,
                unmanaged: r.unmanaged,
                not_found: r.not_found,
                error: r.error,
                groups: report
                    .groups
                    .into_iter()
                    .map(|g| {
                        let mut more = 0;
                        GroupView {
                            added: first(&g.added, &mut more),
                            removed: first(&g.removed, &mut more),
                            unmanaged: first(&g.unmanaged, &mut more),
                            not_found: first(&g.not_found, &mut more),
                            more,
                            tool: g.tool,
                            group: g.group,
                            members: g.members,
                            entitled: g.entitled,
                            pending: g.pending,
                            error: g.error,
                        }
                    })
                    .collect(),
            }
        });
    let page = Page {
        directory,
        groups,
        webhooks,
        counts,
        operations,
        last,
    };
    render(&state, &person.visitor, "admin/integrations.html", &page)
}

/// `POST /admin/integrations/{id}/retry`: queues a failed or given-up operation again.
pub async fn retry(
    state: web::Data<AppState>,
    person: CurrentUser,
    id: web::Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Admin)?;
    if !operations::retry(&state.db, *id, person.user.id).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other("/admin/integrations"))
}
