//! Certificates: a person's own list and pages, the public verification page, revocation.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db;
use crate::domain::{Language, Role};
use crate::entities::certificate;
use crate::error::AppError;
use crate::handlers::identity::{self, CsrfForm, CurrentUser, Visitor};
use crate::handlers::{format_date, render, render_with_status};
use crate::services::certification::{self, RevokeError};
use crate::state::AppState;

#[derive(Serialize)]
struct CertificateView {
    serial: String,
    course_id: String,
    course_title: String,
    course_version: String,
    issued: String,
    valid_from: String,
    valid_until: String,
    status: &'static str,
    revoke_reason: Option<String>,
}

fn view(
    state: &AppState,
    certificate: &certificate::Model,
    language: Language,
    now: DateTime<Utc>,
) -> CertificateView {
    let course_title = state
        .catalog
        .get(&certificate.course_id)
        .map(|c| c.title(language).to_owned())
        .unwrap_or_else(|| certificate.course_id.clone());
    CertificateView {
        serial: certificate.serial.clone(),
        course_id: certificate.course_id.clone(),
        course_title,
        course_version: certificate.course_version.clone(),
        issued: format_date(state, certificate.issued_at, language),
        valid_from: format_date(state, certificate.valid_from, language),
        valid_until: format_date(state, certificate.valid_until, language),
        status: certification::status_of(certificate, now).as_str(),
        revoke_reason: certificate.revoke_reason.clone(),
    }
}

#[derive(Serialize)]
struct ListPage {
    certificates: Vec<CertificateView>,
}

/// `GET /certificates`: "Meine Zertifikate".
pub async fn list(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    let now = Utc::now();
    let language = person.visitor.language;
    let certificates = db::certificates::of_user(&state.db, person.user.id)
        .await?
        .iter()
        .map(|c| view(&state, c, language, now))
        .collect();
    render(
        &state,
        &person.visitor,
        "certificates/list.html",
        &ListPage { certificates },
    )
}

#[derive(Serialize)]
struct CertificatePage {
    certificate: CertificateView,
    holder: String,
    organisation: String,
    verify_url: String,
}

/// `GET /certificates/{serial}`: one of the person's own certificates.
pub async fn show(
    state: web::Data<AppState>,
    person: CurrentUser,
    serial: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let certificate = db::certificates::by_serial(&state.db, &serial)
        .await?
        .filter(|c| c.user_id == person.user.id)
        .ok_or(AppError::NotFound)?;
    let page = CertificatePage {
        certificate: view(&state, &certificate, person.visitor.language, Utc::now()),
        holder: person.user.name.clone(),
        organisation: state.settings.organisation.clone(),
        verify_url: format!(
            "{}/verify/{}",
            state.settings.base_url(),
            certificate.serial
        ),
    };
    render(&state, &person.visitor, "certificates/show.html", &page)
}

/// `GET /certificates/{serial}/pdf`: the certificate as an A4 PDF in the holder's language.
pub async fn pdf(
    state: web::Data<AppState>,
    person: CurrentUser,
    serial: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let certificate = db::certificates::by_serial(&state.db, &serial)
        .await?
        .filter(|c| c.user_id == person.user.id)
        .ok_or(AppError::NotFound)?;
    let language = Language::parse(&person.user.language).unwrap_or_default();
    let text = |id: &str, args: &[(&str, String)]| {
        state
            .translations
            .text(language, id, args)
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let view = view(&state, &certificate, language, Utc::now());
    let sheet = crate::pdf::CertificateSheet {
        organisation: state.settings.organisation.clone(),
        heading: text("certificate-title", &[])?,
        confirms: text("pdf-confirms", &[])?,
        holder: person.user.name.clone(),
        completed: text("pdf-completed", &[])?,
        course: view.course_title.clone(),
        version_line: text("pdf-version", &[("version", view.course_version.clone())])?,
        dates: vec![
            (text("certificate-issued", &[])?, view.issued.clone()),
            (
                text("certificate-valid-from", &[])?,
                view.valid_from.clone(),
            ),
            (
                text("certificate-valid-until", &[])?,
                view.valid_until.clone(),
            ),
        ],
        serial_label: text("certificate-serial", &[])?,
        serial: certificate.serial.clone(),
        verify_label: text("certificate-verify-hint", &[])?,
        verify_url: format!(
            "{}/verify/{}",
            state.settings.base_url(),
            certificate.serial
        ),
    };
    let bytes = web::block(move || crate::pdf::certificate(&sheet))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"kiwi-{}.pdf\"", certificate.serial),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .body(bytes))
}

#[derive(Serialize)]
struct VerifyPage {
    serial: String,
    found: bool,
    holder: String,
    certificate: Option<CertificateView>,
}

/// `GET /verify/{serial}`: public; shows only what a verifier needs. Rate limited per
/// client address, and serials carry 40 random bits, so they cannot be enumerated.
pub async fn verify(
    state: web::Data<AppState>,
    req: HttpRequest,
    visitor: Visitor,
    serial: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    if !state
        .verify_limit
        .allow(&identity::client_address(&state, &req))
    {
        return Err(AppError::TooManyRequests {
            retry_after_secs: 60,
        });
    }
    let serial = serial.trim().to_uppercase();
    let (found, holder) = match certification::verify(&state.db, &serial).await? {
        Some((certificate, holder)) => (Some(certificate), holder),
        None => (None, String::new()),
    };
    let page = VerifyPage {
        found: found.is_some(),
        certificate: found
            .as_ref()
            .map(|c| view(&state, c, visitor.language, Utc::now())),
        holder,
        serial,
    };
    let status = if page.found {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::NOT_FOUND
    };
    render_with_status(&state, &visitor, status, "certificates/verify.html", &page)
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    serial: String,
    #[serde(default)]
    reason: String,
}

#[derive(Serialize)]
struct RevokePage {
    serial: String,
    reason: String,
    errors: std::collections::BTreeMap<&'static str, &'static str>,
    revoked: Option<CertificateView>,
}

/// `GET /hr/certificates/revoke`: the revocation form (HR and administrators).
pub async fn revoke_form(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    require_hr_or_admin(&person)?;
    let page = RevokePage {
        serial: String::new(),
        reason: String::new(),
        errors: Default::default(),
        revoked: None,
    };
    render(&state, &person.visitor, "certificates/revoke.html", &page)
}

/// `POST /hr/certificates/revoke`: revokes with a reason; access depending on it ends at once.
pub async fn revoke(
    state: web::Data<AppState>,
    person: CurrentUser,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Result<HttpResponse, AppError> {
    require_hr_or_admin(&person)?;
    let serial = form.serial.trim().to_uppercase();
    let mut errors = std::collections::BTreeMap::new();
    match certification::revoke(&state.db, &state.mail, &serial, &person.user, &form.reason).await {
        Ok(revoked) => {
            let page = RevokePage {
                serial: String::new(),
                reason: String::new(),
                errors,
                revoked: Some(view(&state, &revoked, person.visitor.language, Utc::now())),
            };
            return render(&state, &person.visitor, "certificates/revoke.html", &page);
        }
        Err(RevokeError::NotFound) => {
            errors.insert("serial", "revoke-unknown-serial");
        }
        Err(RevokeError::AlreadyRevoked) => {
            errors.insert("serial", "revoke-already-revoked");
        }
        Err(RevokeError::NoReason) => {
            errors.insert("reason", "error-required");
        }
        Err(RevokeError::Database(e)) => return Err(e.into()),
    }
    let page = RevokePage {
        serial,
        reason: form.reason,
        errors,
        revoked: None,
    };
    render_with_status(
        &state,
        &person.visitor,
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        "certificates/revoke.html",
        &page,
    )
}

fn require_hr_or_admin(person: &CurrentUser) -> Result<(), AppError> {
    person
        .require(Role::Hr)
        .or_else(|_| person.require(Role::Admin))
}
