//! The access check for tools: a JSON API with per-tool keys, and forward auth for reverse
//! proxies. Both answer from memory and fail closed.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::access::rule::{self, Decision, Entitlements, Missing, MissingKind};
use crate::domain::ReturnPath;
use crate::handlers::tool_host;
use crate::metrics::AccessOutcome;
use crate::services::access::{AccessError, PersonRef};
use crate::state::AppState;
use crate::tools::Tool;

#[derive(Deserialize)]
pub struct AccessQuery {
    tool: String,
    user: String,
}

#[derive(Serialize)]
struct AccessAnswer<'a> {
    tool: &'a str,
    user: &'a str,
    allowed: bool,
    valid_until: Option<String>,
    missing: Vec<MissingAnswer<'a>>,
}

/// What is missing, as the API tells a tool: with the kiwi page that fixes it.
#[derive(Serialize)]
struct MissingAnswer<'a> {
    kind: MissingKind,
    id: &'a str,
    url: String,
}

/// The kiwi page that fixes what is missing (a course, the policy, signing in).
pub fn missing_path(missing: &Missing) -> String {
    match missing.kind {
        MissingKind::Course | MissingKind::CertificateExpired => {
            format!("/courses/{}", missing.id)
        }
        MissingKind::Policy => "/policy".to_owned(),
        MissingKind::Account => "/login".to_owned(),
    }
}

/// `GET /api/v1/access?tool=…&user=…` with `Authorization: Bearer <key>`.
pub async fn api(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<AccessQuery>,
) -> HttpResponse {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    let count = |outcome| state.metrics.access_check(&query.tool, outcome);
    let key_tool = match state.access.tool_of_key(key) {
        Ok(Some(tool)) => tool,
        Ok(None) => {
            count(AccessOutcome::Refused);
            return json_error(StatusCode::UNAUTHORIZED, "invalid or revoked API key");
        }
        Err(error) => {
            count(AccessOutcome::Unconfirmed);
            return json_unavailable(error);
        }
    };
    let Some(tool) = state.tools.iter().find(|t| t.id == query.tool) else {
        count(AccessOutcome::Refused);
        return json_error(StatusCode::NOT_FOUND, "unknown tool");
    };
    if tool.id != key_tool {
        count(AccessOutcome::Refused);
        return json_error(StatusCode::FORBIDDEN, "this key belongs to another tool");
    }
    let who = if query.user.contains('@') {
        PersonRef::Email(&query.user)
    } else {
        PersonRef::PersonnelNumber(&query.user)
    };
    let policy = state.policy.as_ref().map(|p| p.version.as_str());
    let base = state.settings.base_url();
    match state.access.decide_for(tool, who, policy, Utc::now()) {
        Ok(decision) => {
            count(if decision.allowed {
                AccessOutcome::Allowed
            } else {
                AccessOutcome::Denied
            });
            answer(StatusCode::OK).json(AccessAnswer {
                tool: &tool.id,
                user: &query.user,
                allowed: decision.allowed,
                valid_until: decision.valid_until.map(|d| d.to_rfc3339()),
                missing: decision
                    .missing
                    .iter()
                    .map(|m| MissingAnswer {
                        kind: m.kind,
                        id: &m.id,
                        url: format!("{base}{}", missing_path(m)),
                    })
                    .collect(),
            })
        }
        Err(error) => {
            count(AccessOutcome::Unconfirmed);
            json_unavailable(error)
        }
    }
}

#[derive(Deserialize)]
pub struct VerifyQuery {
    tool: String,
    /// Answer "not signed in" and "not entitled" with a redirect (302) instead of 401 and
    /// 403, for proxies that hand the answer to the browser (Caddy, Traefik).
    #[serde(default)]
    redirect: bool,
}

/// `GET /auth/verify?tool=…` for nginx `auth_request`, Caddy `forward_auth` and Traefik
/// ForwardAuth: decides from kiwi's cookie on the tool's host alone, which the handshake
/// set for this tool (kiwi's own session cookie never reaches a tool's host). Identity
/// headers sent by the client are never read. Any failure answers 5xx or 401/403 (or a
/// redirect), never 200.
///
/// A refusal names where the browser goes next in `X-Kiwi-Location` (and `Location` with
/// `redirect=true`): kiwi's way into this tool, which signs in, hands over a new session
/// and comes back to the URL asked for (`X-Forwarded-Uri`, set by the proxy), or shows
/// what is missing.
pub async fn forward(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<VerifyQuery>,
) -> HttpResponse {
    let count = |outcome| state.metrics.access_check(&query.tool, outcome);
    let Some(tool) = state.tools.iter().find(|t| t.id == query.tool) else {
        count(AccessOutcome::Refused);
        return plain(StatusCode::NOT_FOUND).body("unknown tool\n");
    };
    let refuse = |status: StatusCode, body: String| {
        let next = req
            .headers()
            .get("x-forwarded-uri")
            .and_then(|v| v.to_str().ok());
        let location = format!(
            "{}/tools/{}/open?next={}",
            state.settings.base_url(),
            tool.id,
            crate::error::percent_encode(ReturnPath::or_home(next).as_str())
        );
        let status = if query.redirect {
            StatusCode::FOUND
        } else {
            status
        };
        let mut answer = plain(status);
        if query.redirect {
            answer.insert_header((header::LOCATION, location.as_str()));
        }
        answer
            .insert_header(("X-Kiwi-Location", location))
            .body(body)
    };
    let Some(cookie) = req.cookie(tool_host::cookie_name(tool)) else {
        count(AccessOutcome::Refused);
        return refuse(StatusCode::UNAUTHORIZED, "sign in to kiwi first\n".into());
    };
    let now = Utc::now();
    let person = match state
        .access
        .tool_session_person(&state.db, &tool.id, cookie.value(), now)
        .await
    {
        Ok(Some(person)) => person,
        Ok(None) => {
            count(AccessOutcome::Refused);
            return refuse(StatusCode::UNAUTHORIZED, "sign in to kiwi first\n".into());
        }
        Err(error) => {
            count(AccessOutcome::Unconfirmed);
            return plain_unavailable(error);
        }
    };
    let policy = state.policy.as_ref().map(|p| p.version.as_str());
    let Decision {
        allowed, missing, ..
    } = state.access.decide_person(tool, &person, policy, now);
    count(if allowed {
        AccessOutcome::Allowed
    } else {
        AccessOutcome::Denied
    });
    if allowed {
        return answer(StatusCode::OK)
            .insert_header(("X-Kiwi-User", person.email.as_str()))
            .insert_header(("X-Kiwi-Name", header_safe(&person.name)))
            .insert_header(("X-Kiwi-Groups", groups(tool, &person, now)))
            .finish();
    }
    let reasons: Vec<String> = missing
        .iter()
        .map(|m| format!("{}:{}", m.kind.as_str(), m.id))
        .collect();
    let mut answer = refuse(
        StatusCode::FORBIDDEN,
        format!("Access to {} needs: {}\n", tool.name, reasons.join(", ")),
    );
    if let Ok(value) = header::HeaderValue::from_str(&reasons.join(",")) {
        answer
            .headers_mut()
            .insert(header::HeaderName::from_static("x-kiwi-missing"), value);
    }
    answer
}

/// What the person holds, for tools that map groups (Open WebUI's trusted groups header):
/// the tool itself, then each course with a valid certificate. Never empty, since Open WebUI
/// ignores an empty header and keeps the groups it had.
fn groups(tool: &Tool, person: &Entitlements, now: DateTime<Utc>) -> String {
    let mut groups = tool.id.clone();
    for course in rule::valid_courses(person, now) {
        groups.push(',');
        groups.push_str(course);
    }
    groups
}

/// Every answer of the access check: never cached, never sniffed. (These routes run
/// without the pages' middleware, which adds such headers elsewhere.)
fn answer(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    builder
}

fn plain(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut builder = answer(status);
    builder.content_type("text/plain; charset=utf-8");
    builder
}

fn json_error(status: StatusCode, error: &str) -> HttpResponse {
    answer(status).json(serde_json::json!({ "error": error }))
}

/// Why the check cannot answer, for machines: the cache is not loaded or not confirmed
/// within the bound (the follower logs that once), or the database failed (logged here).
fn unavailable_reason(error: &AccessError) -> &'static str {
    match error {
        AccessError::NotReady | AccessError::Unconfirmed(_) => "entitlements_unconfirmed",
        AccessError::Database(error) => {
            tracing::error!(%error, "access check unavailable");
            "access_check_unavailable"
        }
    }
}

fn json_unavailable(error: AccessError) -> HttpResponse {
    let reason = unavailable_reason(&error);
    answer(StatusCode::SERVICE_UNAVAILABLE)
        .insert_header((header::RETRY_AFTER, "1"))
        .json(serde_json::json!({
            "error": reason,
            "message": "kiwi cannot confirm access right now",
        }))
}

fn plain_unavailable(error: AccessError) -> HttpResponse {
    let reason = unavailable_reason(&error);
    plain(StatusCode::SERVICE_UNAVAILABLE)
        .insert_header((header::RETRY_AFTER, "1"))
        .insert_header(("X-Kiwi-Reason", reason))
        .body(format!("{reason}: kiwi cannot confirm access right now\n"))
}

/// Names with umlauts go into a header as UTF-8 percent-encoded, so every proxy passes them.
fn header_safe(name: &str) -> String {
    crate::error::percent_encode(name)
}
