//! Requests that arrive on a tool's own host name, which the tool's proxy routes to kiwi
//! under `/.kiwi/`: the end of the sign-in handshake, and the tool's own sign-out link.
//! kiwi knows the tool by the `Host` the browser asked for; a host that is no configured
//! tool's gets nothing.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::Deserialize;

use crate::error::AppError;
use crate::handlers::see_other;
use crate::services::tool_sessions;
use crate::state::AppState;
use crate::tools::Tool;

/// kiwi's cookie on a tool's host served over https: `__Host-` makes the browser refuse it
/// unless it is `Secure`, for the whole host and for no other.
const SECURE_COOKIE: &str = "__Host-kiwi_tool";
/// The same on a tool served over plain http (a local demo or test).
const PLAIN_COOKIE: &str = "kiwi_tool";

/// The name of kiwi's cookie on this tool's host.
pub fn cookie_name(tool: &Tool) -> &'static str {
    if tool.is_secure() {
        SECURE_COOKIE
    } else {
        PLAIN_COOKIE
    }
}

fn tool_cookie(tool: &Tool, value: String) -> Cookie<'static> {
    Cookie::build(cookie_name(tool), value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(tool.is_secure())
        .finish()
}

/// The configured tool whose host the browser asked for.
fn tool_of_host<'a>(state: &'a AppState, req: &HttpRequest) -> Option<&'a Tool> {
    let host = req.headers().get(header::HOST)?.to_str().ok()?;
    state.tools.iter().find(|tool| tool.serves_host(host))
}

fn unknown_host() -> HttpResponse {
    HttpResponse::build(StatusCode::NOT_FOUND)
        .content_type("text/plain; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body("This host is not a tool configured in kiwi (tools.toml, url).\n")
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: String,
}

/// `GET /.kiwi/callback?code=…` on the tool's host: exchanges the one-time code for kiwi's
/// cookie of this host and sends the person on to where they wanted to go there. A code
/// that is expired, used, or issued for another tool leads back to kiwi's page of this
/// tool, whose button starts afresh (never a redirect loop).
pub async fn callback(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<CallbackQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(tool) = tool_of_host(&state, &req) else {
        return Ok(unknown_host());
    };
    let Some(exchanged) =
        tool_sessions::exchange(&state.db, &tool.id, &query.code, Utc::now()).await?
    else {
        let base = state.settings.base_url();
        return Ok(see_other(&format!("{base}/tools/{}?expired=1", tool.id)));
    };
    let mut response = see_other(exchanged.next.as_str());
    response.add_cookie(&tool_cookie(tool, exchanged.token))?;
    Ok(response)
}

/// `GET /.kiwi/sign-out` on the tool's host, for the tool's own "sign out" link: ends this
/// host's session and asks on kiwi's host whether to sign out of kiwi altogether (which
/// closes every tool).
pub async fn sign_out(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let Some(tool) = tool_of_host(&state, &req) else {
        return Ok(unknown_host());
    };
    if let Some(cookie) = req.cookie(cookie_name(tool)) {
        tool_sessions::end(&state.db, cookie.value()).await?;
    }
    let base = state.settings.base_url();
    let mut response = see_other(&format!("{base}/logout"));
    let mut expired = tool_cookie(tool, String::new());
    expired.make_removal();
    response.add_cookie(&expired)?;
    Ok(response)
}
