//! Who is asking: the session cookie, the language, and the CSRF token of every request.

use std::net::IpAddr;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use chrono::Utc;
use futures_util::future::LocalBoxFuture;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::db;
use crate::domain::{Actor, Cidr, Language, Role};
use crate::entities::user;
use crate::error::AppError;
use crate::services::{people, secrets, sessions};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "kiwi_session";
/// Carries the CSRF token of visitors who are not signed in (sign-in and setup forms).
pub const CSRF_COOKIE: &str = "kiwi_csrf";
pub const LANGUAGE_COOKIE: &str = "kiwi_lang";

/// Anyone making a request, signed in or not.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub session: Option<sessions::ActiveSession>,
    pub language: Language,
    pub csrf_token: String,
    /// Path and query of this request, to come back to after signing in.
    pub path: String,
}

/// A CSRF cookie to set on the response, for a visitor who had none.
#[derive(Clone)]
struct PendingCsrfCookie(String);

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(visitor) = req.extensions().get::<Visitor>() {
                return Ok(visitor.clone());
            }
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| AppError::Internal("application state missing".into()))?;
            let now = Utc::now();
            // The session as the database confirmed it within the last minute; a sign-out
            // or a person leaving counts at once on this instance, within a second elsewhere.
            let session = match req.cookie(SESSION_COOKIE) {
                Some(cookie) => state
                    .access
                    .session(&state.db, cookie.value(), now)
                    .await?
                    .map(|session| (*session).clone()),
                None => None,
            };
            let language = match &session {
                Some(s) => Language::parse(&s.user.language).unwrap_or_default(),
                None => language_of(&req),
            };
            let csrf_token = match &session {
                Some(s) => s.csrf_token.clone(),
                None => match req.cookie(CSRF_COOKIE) {
                    Some(cookie) if secrets::is_token(cookie.value()) => cookie.value().to_owned(),
                    _ => {
                        let token = secrets::new_token();
                        req.extensions_mut()
                            .insert(PendingCsrfCookie(token.clone()));
                        token
                    }
                },
            };
            let path = match req.query_string() {
                "" => req.path().to_owned(),
                query => format!("{}?{query}", req.path()),
            };
            let visitor = Visitor {
                session,
                language,
                csrf_token,
                path,
            };
            req.extensions_mut().insert(visitor.clone());
            Ok(visitor)
        })
    }
}

/// The language for a visitor who is not signed in: their choice, else their browser's.
pub fn language_of(req: &HttpRequest) -> Language {
    if let Some(language) = req
        .cookie(LANGUAGE_COOKIE)
        .and_then(|c| Language::parse(c.value()))
    {
        return language;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    accept
        .split(',')
        .filter_map(|part| part.split(';').next())
        .filter_map(|tag| Language::parse(tag.trim().split('-').next().unwrap_or_default()))
        .next()
        .unwrap_or_default()
}

/// A signed-in person. Extracting it from a request without a session sends the browser
/// to the sign-in page.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub visitor: Visitor,
    pub user: user::Model,
    pub session_id_hash: String,
}

impl CurrentUser {
    /// This person as the author of a change, with the roles they hold.
    pub fn actor(&self) -> Actor {
        Actor::Person {
            id: self.user.id,
            roles: people::roles_of(&self.user),
        }
    }

    /// Refuses (403) anyone who does not hold `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if people::roles_of(&self.user).has(role) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.await?;
            match visitor.session.clone() {
                Some(session) => Ok(CurrentUser {
                    user: session.user,
                    session_id_hash: session.id_hash,
                    visitor,
                }),
                None => Err(AppError::SignInRequired {
                    next: visitor.path.clone(),
                }),
            }
        })
    }
}

/// A url-encoded form whose `csrf_token` field matched the visitor's token; a form
/// without it is refused with 403 before the handler runs.
pub struct CsrfForm<T>(pub T);

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf_token: String,
    #[serde(flatten)]
    form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let visitor = Visitor::from_request(req, payload);
        let form = web::Form::<WithCsrf<T>>::from_request(req, payload);
        Box::pin(async move {
            let visitor = visitor.await?;
            let form = form
                .await
                .map_err(|e| AppError::BadRequest(format!("form: {e}")))?
                .into_inner();
            check_csrf(&visitor, &form.csrf_token)?;
            Ok(CsrfForm(form.form))
        })
    }
}

/// Refuses a token that is not the visitor's.
pub fn check_csrf(visitor: &Visitor, token: &str) -> Result<(), AppError> {
    if secrets::constant_time_eq(token, &visitor.csrf_token) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}

/// Builds a cookie with kiwi's flags: HttpOnly, SameSite=Lax, Secure on https.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.settings.secure_cookies())
        .finish()
}

/// The address a request comes from, for throttling. Without `KIWI_TRUST_PROXY`, the peer of
/// the connection. With it, and only when the peer is one of `KIWI_TRUSTED_PROXIES`, the
/// right-most address of the configured forwarding header that is not a trusted proxy: the
/// addresses left of it were written by the client and prove nothing. The other header
/// (`Forwarded` by default) is ignored, so rotating it cannot dodge a limit.
pub fn client_address(state: &AppState, req: &HttpRequest) -> String {
    let peer = req.peer_addr().map(|socket| socket.ip());
    let settings = &state.settings;
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !settings.trust_proxy || !is_trusted(&settings.trusted_proxies, peer) {
        return peer.to_string();
    }
    let forwarded: Vec<&str> = req
        .headers()
        .get_all(&settings.proxy_header)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    let hops = forwarded.iter().rev().map(|hop| {
        if settings.proxy_header == "forwarded" {
            forwarded_for(hop)
        } else {
            hop.trim().parse().ok()
        }
    });
    let mut client = peer;
    for hop in hops {
        match hop {
            Some(address) if is_trusted(&settings.trusted_proxies, address) => client = address,
            Some(address) => return address.to_string(),
            // Unreadable: the hop that wrote it is the last one known.
            None => break,
        }
    }
    client.to_string()
}

fn is_trusted(proxies: &[Cidr], address: IpAddr) -> bool {
    proxies.iter().any(|proxy| proxy.contains(address))
}

/// The `for=` address of one element of an RFC 7239 `Forwarded` header
/// (`for=192.0.2.60;proto=https`, `for="[2001:db8::1]:4711"`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    let value = element.split(';').find_map(|pair| {
        let (name, value) = pair.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then_some(value.trim())
    })?;
    let value = value.trim_matches('"');
    if let Some(bracketed) = value.strip_prefix('[') {
        return bracketed.split(']').next()?.parse().ok();
    }
    value
        .parse()
        .ok()
        .or_else(|| value.rsplit_once(':')?.0.parse().ok())
}

/// Middleware: refuses state-changing requests sent by a page of another origin, sets
/// the CSRF cookie for visitors who got a new token, and tells the cache after a request
/// that recorded a change (a sign-out, someone leaving), so it counts here at once.
pub async fn origin_and_cookies<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    if !req.method().is_safe() && !same_origin(&req) {
        return Ok(req.error_response(AppError::Csrf).map_into_right_body());
    }
    let (response, recorded) = db::access_changes::watch(next.call(req)).await;
    let mut response = response?.map_into_left_body();
    let request = response.request().clone();
    if recorded && let Some(state) = request.app_data::<web::Data<AppState>>() {
        state.access.publish_local_changes(&state.db).await;
    }
    let pending = request.extensions().get::<PendingCsrfCookie>().cloned();
    if let (Some(PendingCsrfCookie(token)), Some(state)) =
        (pending, request.app_data::<web::Data<AppState>>())
    {
        let mut csrf = cookie(state, CSRF_COOKIE, token);
        csrf.set_same_site(SameSite::Strict);
        response.response_mut().add_cookie(&csrf)?;
    }
    Ok(response)
}

/// A request without `Origin` (not from a browser page) passes; the CSRF token still
/// guards it. With `Origin`, its host must be kiwi's.
fn same_origin(req: &ServiceRequest) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let Some(origin_host) = origin
        .to_str()
        .ok()
        .and_then(|o| o.split_once("://"))
        .map(|(_, host)| host.to_owned())
    else {
        return false;
    };
    let host = req.connection_info().host().to_owned();
    let base_host = req
        .app_data::<web::Data<AppState>>()
        .and_then(|state| {
            state
                .settings
                .base_url()
                .split_once("://")
                .map(|(_, rest)| rest.split('/').next().unwrap_or_default().to_owned())
        })
        .unwrap_or_default();
    origin_host == host || origin_host == base_host
}
