//! The HR area: importing people from the HR master data.

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;

use crate::db;
use crate::domain::Role;
use crate::error::AppError;
use crate::handlers::identity::{CurrentUser, check_csrf};
use crate::handlers::{render, render_with_status};
use crate::services::import::{self, ImportError, ImportOptions, ImportReport};
use crate::state::AppState;

/// The largest HR file accepted: 50,000 people fit in well under this.
const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

#[derive(Serialize, Default)]
struct HrPage {
    people: u64,
    units: u64,
    report: Option<ReportView>,
    file_error: Option<FileError>,
    row_errors: Vec<RowErrorView>,
}

/// A problem with the file as a whole: a translation id and the columns it names.
#[derive(Serialize)]
struct FileError {
    id: &'static str,
    columns: String,
}

#[derive(Serialize)]
struct ReportView {
    created: usize,
    updated: usize,
    unchanged: usize,
    marked_left: usize,
}

#[derive(Serialize)]
struct RowErrorView {
    row: u64,
    message: String,
}

/// `GET /hr`
pub async fn index(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Hr)?;
    let page = page(&state, HrPage::default()).await?;
    render(&state, &person.visitor, "hr/index.html", &page)
}

async fn page(state: &AppState, page: HrPage) -> Result<HrPage, AppError> {
    Ok(HrPage {
        people: db::users::count(&state.db).await?,
        units: db::org_units::count(&state.db).await?,
        ..page
    })
}

/// `POST /hr/import` (multipart: `csrf_token`, `file`, `mark_missing_as_left`): all rows or none.
pub async fn import(
    state: web::Data<AppState>,
    person: CurrentUser,
    mut form: Multipart,
) -> Result<HttpResponse, AppError> {
    person.require(Role::Hr)?;
    let mut csrf_token = String::new();
    let mut file = Vec::new();
    let mut options = ImportOptions::default();
    while let Some(field) = form.next().await {
        let mut field = field.map_err(|e| AppError::BadRequest(e.to_string()))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(e.to_string()))?;
            if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                return Err(AppError::BadRequest("upload too large".into()));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => csrf_token = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => file = bytes,
            "mark_missing_as_left" => options.mark_missing_as_left = true,
            _ => {}
        }
    }
    check_csrf(&person.visitor, &csrf_token)?;

    let language = person.visitor.language;
    let text = |id: &str, args: &[(&str, String)]| {
        state
            .translations
            .text(language, id, args)
            .map_err(|e| AppError::Internal(e.to_string()))
    };
    let mut result = HrPage::default();
    match import::import_csv(&state.db, &state.mail, &file, options, person.actor()).await {
        Ok(ImportReport {
            created,
            updated,
            unchanged,
            marked_left,
        }) => {
            result.report = Some(ReportView {
                created,
                updated,
                unchanged,
                marked_left,
            });
            let page = page(&state, result).await?;
            return render(&state, &person.visitor, "hr/index.html", &page);
        }
        Err(ImportError::InvalidRows(errors)) => {
            for error in errors {
                let (id, args) = error.problem.message();
                result.row_errors.push(RowErrorView {
                    row: error.row,
                    message: text(id, &args)?,
                });
            }
        }
        Err(ImportError::Empty) => {
            result.file_error = Some(FileError {
                id: "import-empty",
                columns: String::new(),
            })
        }
        Err(ImportError::MissingColumns(columns)) => {
            result.file_error = Some(FileError {
                id: "import-missing-columns",
                columns: columns.join(", "),
            })
        }
        Err(ImportError::UnknownColumns(columns)) => {
            result.file_error = Some(FileError {
                id: "import-unknown-columns",
                columns: columns.join(", "),
            })
        }
        Err(ImportError::NoAdministratorLeft) => {
            result.file_error = Some(FileError {
                id: "import-no-admin-left",
                columns: String::new(),
            })
        }
        Err(ImportError::Database(e)) => return Err(e.into()),
    }
    let page = page(&state, result).await?;
    render_with_status(
        &state,
        &person.visitor,
        StatusCode::UNPROCESSABLE_ENTITY,
        "hr/index.html",
        &page,
    )
}
