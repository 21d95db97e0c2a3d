//! Training-record downloads (CSV, XLSX) for department heads and HR: the report's filters,
//! streamed as the database returns rows.

use actix_web::{HttpResponse, web};
use chrono::Utc;

use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::reports::{ReportParams, visible};
use crate::services::exports::{self, Format, Request};
use crate::services::record_views::Viewer;
use crate::services::reports::Audience;
use crate::state::AppState;

/// `GET /team/export.csv`: the team report's records as CSV.
pub async fn team_export(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    let format = csv_format(&params);
    export(state, person, params, Audience::Manager, format).await
}

/// `GET /hr/export.csv`
pub async fn hr_export_csv(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    let format = csv_format(&params);
    export(state, person, params, Audience::Hr, format).await
}

/// `GET /hr/export.xlsx`
pub async fn hr_export_xlsx(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    export(state, person, params, Audience::Hr, Format::Xlsx).await
}

/// `delimiter=semicolon` gives the variant German spreadsheet settings expect.
fn csv_format(params: &ReportParams) -> Format {
    let delimiter = match params.delimiter.as_deref() {
        Some("semicolon") => b';',
        _ => b',',
    };
    Format::Csv { delimiter }
}

async fn export(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
    audience: Audience,
    format: Format,
) -> Result<HttpResponse, AppError> {
    let visible = visible(&state, &person, audience).await?;
    let filters = params.resolve(&state, &visible)?;
    let request = Request {
        viewer: Viewer::in_audience(&person.user, audience),
        visible: &visible,
        unit: filters.unit,
        course: filters.course.as_deref(),
        status: filters.status,
        from: ReportParams::date(params.from.as_deref())?,
        to: ReportParams::date(params.to.as_deref())?,
        format,
        language: person.visitor.language,
        local: state.settings.local_time(),
        index: Some(&state.access),
    };
    let export = exports::prepare(&state.db, &state.catalog, &state.translations, request)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let chunks = exports::stream(state.db.clone(), export, Utc::now());
    let body = futures_util::stream::unfold(chunks, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let filename = format!(
        "kiwi-training-records-{}.{}",
        state.settings.local_time().today(),
        format.extension()
    );
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .streaming(body))
}
