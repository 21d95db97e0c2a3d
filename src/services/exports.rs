//! Training-record exports for audits: CSV (RFC 4180, UTF-8 with BOM, `,` or `;`) and XLSX,
//! one row per person and course, streamed in chunks as the database returns rows.

use std::collections::HashMap;

use actix_web::web::Bytes;
use chrono::{DateTime, Duration, NaiveDate, SecondsFormat, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::courses::Catalog;
use crate::db;
use crate::db::records::{RecordQuery, RecordRow};
use crate::domain::{Language, LocalTime};
use crate::entities::org_unit;
use crate::i18n::{TranslationError, Translations};
use crate::services::access::AccessCache;
use crate::services::record_views::{self, Viewer};
use crate::services::records::{self, Dues, Status, StatusFilter};
use crate::services::reports::{self, Visible};
use crate::xlsx::{self, Cell, XlsxError, XlsxWriter};

/// The CSV header, exactly: auditors' scripts rely on these names.
pub const COLUMNS: [&str; 12] = [
    "personnel_number",
    "name",
    "email",
    "org_unit",
    "course_id",
    "course_title",
    "course_version",
    "status",
    "completed_at",
    "certificate_serial",
    "valid_until",
    "assigned_due_at",
];

/// A piece of the file, or the error that ends it (so a client sees a broken download,
/// never a silently shortened file).
pub type Chunk = Result<Bytes, std::io::Error>;

/// Bytes gathered before a chunk is sent.
const CHUNK_BYTES: usize = 64 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `b','` or `b';'` (for spreadsheets set up for German).
    Csv {
        delimiter: u8,
    },
    Xlsx,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv { .. } => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv { .. } => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The words of an export in the requester's language.
pub struct Labels {
    /// XLSX header row, in the order of `COLUMNS`.
    pub headers: Vec<String>,
    /// XLSX status cells.
    pub statuses: HashMap<Status, String>,
    pub course_titles: HashMap<String, String>,
    pub sheet_name: String,
}

impl Labels {
    /// The words of `language`, and the course titles in it.
    pub fn new(
        translations: &Translations,
        catalog: &Catalog,
        language: Language,
    ) -> Result<Labels, TranslationError> {
        let text = |id: &str| translations.text(language, id, &[]);
        Ok(Labels {
            headers: COLUMNS
                .iter()
                .map(|column| text(&format!("export-column-{column}")))
                .collect::<Result<_, _>>()?,
            statuses: Status::ALL
                .iter()
                .map(|s| Ok((*s, text(&format!("record-status-{}", s.as_str()))?)))
                .collect::<Result<_, TranslationError>>()?,
            course_titles: catalog
                .courses()
                .iter()
                .map(|c| (c.id.clone(), c.title(language).to_owned()))
                .collect(),
            sheet_name: text("export-sheet-name")?,
        })
    }
}

/// What someone asked to export, already checked against what they may see.
pub struct Request<'a> {
    /// Who asks, in which role (recorded in the audit log and in the transparency log of
    /// everyone the export includes); the command line has no person.
    pub viewer: Viewer,
    pub visible: &'a Visible,
    pub unit: Option<&'a org_unit::Model>,
    pub course: Option<&'a str>,
    pub status: Option<StatusFilter>,
    /// Certificates issued on or after `from` and on or before `to`.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub format: Format,
    pub language: Language,
    /// Where the days of `from`, `to` and the dates in the file are counted.
    pub local: LocalTime,
    /// The server's access index, which names the people an export includes for the
    /// transparency log faster than the database; the command line has none.
    pub index: Option<&'a AccessCache>,
}

/// The records an export reads: ordered by personnel number, certificates issued in the
/// chosen days.
pub fn query(catalog: &Catalog, request: &Request<'_>) -> RecordQuery {
    let start_of = |day: NaiveDate| request.local.start_of(day);
    let mut query = reports::query(catalog, request.visible, request.unit, request.course);
    query.ordered = true;
    query.completed_from = request.from.map(start_of);
    query.completed_until = request.to.map(|day| start_of(day + Duration::days(1)));
    query
}

/// Prepares an export and records who exported what: in the audit log, and in the
/// transparency log of every person the export's query reads (one row, however many people).
/// One statement for the open assignments, one for each record; the rows are read by `run`.
pub async fn prepare(
    db: &DatabaseConnection,
    catalog: &Catalog,
    translations: &Translations,
    request: Request<'_>,
) -> Result<Export, ExportError> {
    let export = Export {
        query: query(catalog, &request),
        unit_paths: request
            .visible
            .units
            .iter()
            .map(|u| (u.id, u.path.clone()))
            .collect(),
        dues: reports::dues(db, &request.visible.units, request.local).await?,
        status: request.status,
        format: request.format,
        labels: Labels::new(translations, catalog, request.language)?,
        local: request.local,
    };
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let naming = std::time::Instant::now();
    let people = match request.index {
        Some(index) => index.numbers_of_records(db, &export.query).await,
        None => None,
    };
    if people.is_some() {
        tracing::debug!(
            elapsed_ms = naming.elapsed().as_secs_f64() * 1000.0,
            "the people of an export named from the access index"
        );
    }
    // The audit entry and the transparency log are written together, before the first row
    // is sent.
    let txn = db::begin_write(db).await?;
    db::audit::record(
        &*txn,
        request.viewer.id,
        "records.exported",
        &format!(
            "{} unit={} course={} status={} from={} to={}",
            request.format.extension(),
            request.unit.map(|u| u.id.to_string()).unwrap_or_default(),
            request.course.unwrap_or(""),
            request.status.map(|s| s.as_str()).unwrap_or(""),
            day(request.from),
            day(request.to),
        ),
    )
    .await?;
    record_views::record_export(
        &*txn,
        request.viewer,
        request.format.extension(),
        &export.query,
        people.as_deref(),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(export)
}

pub struct Export {
    pub query: RecordQuery,
    /// Unit paths by id, for the `org_unit` column.
    pub unit_paths: HashMap<Uuid, String>,
    pub dues: Dues,
    pub status: Option<StatusFilter>,
    pub format: Format,
    pub labels: Labels,
    /// Dates and times in the file are local; the CSV's completion instant is UTC (RFC 3339).
    pub local: LocalTime,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Xlsx(#[from] XlsxError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Translation(#[from] TranslationError),
}

/// Runs an export in a task of its own and hands out its chunks as they are written. A
/// failure, a panic included, is logged and ends the stream with an error, so a download
/// breaks off visibly instead of ending as a file that looks whole.
pub fn stream(db: DatabaseConnection, export: Export, now: DateTime<Utc>) -> mpsc::Receiver<Chunk> {
    let (sender, receiver) = mpsc::channel::<Chunk>(4);
    let failure = sender.clone();
    let writer = tokio::spawn(async move { run(&db, export, now, sender).await });
    tokio::spawn(async move {
        let error = match writer.await {
            Ok(Ok(())) => return,
            Ok(Err(error)) => error.to_string(),
            Err(join) => format!("the export task ended: {join}"),
        };
        tracing::error!(%error, "export failed");
        let _ = failure
            .send(Err(std::io::Error::other("export failed")))
            .await;
    });
    receiver
}

/// Writes the export into `chunks` until done or until the receiver goes away (a client
/// that aborts), which ends the query at once.
async fn run(
    db: &DatabaseConnection,
    export: Export,
    now: DateTime<Utc>,
    chunks: mpsc::Sender<Chunk>,
) -> Result<(), ExportError> {
    let mut writer = Writer::new(&export)?;
    // The header goes out at once: the download starts before the database answers.
    if chunks.send(Ok(writer.take())).await.is_err() {
        return Ok(());
    }
    db::records::for_each_batch(db, &export.query, |batch| {
        let chunk = writer
            .rows(&export, &batch, now)
            .map(|()| (writer.pending() >= CHUNK_BYTES).then(|| writer.take()));
        let chunks = chunks.clone();
        async move {
            Ok::<_, ExportError>(match chunk? {
                // A receiver that has gone away (a client that aborted) stops the query.
                Some(bytes) => chunks.send(Ok(bytes)).await.is_ok(),
                None => true,
            })
        }
    })
    .await?;
    let last = writer.finish()?;
    // A receiver that has gone away needs nothing more.
    let _ = chunks.send(Ok(last)).await;
    Ok(())
}

enum Writer {
    Csv { out: Vec<u8>, delimiter: u8 },
    Xlsx(Box<XlsxWriter>),
}

impl Writer {
    fn new(export: &Export) -> Result<Writer, ExportError> {
        match export.format {
            Format::Csv { delimiter } => {
                let mut out = Vec::with_capacity(CHUNK_BYTES * 2);
                // A byte order mark, so spreadsheets read the file as UTF-8.
                out.extend_from_slice("\u{feff}".as_bytes());
                csv_record(&mut out, delimiter, &COLUMNS);
                Ok(Writer::Csv { out, delimiter })
            }
            Format::Xlsx => {
                let headers: Vec<&str> = export.labels.headers.iter().map(String::as_str).collect();
                let sheet = XlsxWriter::new(&export.labels.sheet_name, &headers)?;
                Ok(Writer::Xlsx(Box::new(sheet)))
            }
        }
    }

    fn rows(
        &mut self,
        export: &Export,
        batch: &[RecordRow],
        now: DateTime<Utc>,
    ) -> Result<(), ExportError> {
        for row in batch {
            let due_on = export.dues.of(row);
            let status = records::status(row, due_on, now, export.local.day(now));
            let unit_path = export
                .unit_paths
                .get(&row.org_unit_id)
                .map(String::as_str)
                .unwrap_or("");
            if export.status.is_some_and(|filter| !filter.matches(status)) {
                continue;
            }
            let title = export
                .labels
                .course_titles
                .get(&row.course_id)
                .map(String::as_str)
                .unwrap_or(&row.course_id);
            match self {
                Writer::Csv { out, delimiter } => {
                    let completed = row
                        .issued_at
                        .map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true))
                        .unwrap_or_default();
                    let valid_until = row
                        .valid_until
                        .map(|at| export.local.day(at).to_string())
                        .unwrap_or_default();
                    let due = due_on.map(|d| d.to_string()).unwrap_or_default();
                    let fields = [
                        row.personnel_number.as_str(),
                        &row.name,
                        &row.email,
                        unit_path,
                        &row.course_id,
                        title,
                        row.certificate_version.as_deref().unwrap_or(""),
                        status.as_str(),
                        &completed,
                        row.certificate_serial.as_deref().unwrap_or(""),
                        &valid_until,
                        &due,
                    ];
                    csv_record(out, *delimiter, &fields);
                }
                Writer::Xlsx(sheet) => {
                    let status_label = export
                        .labels
                        .statuses
                        .get(&status)
                        .map(String::as_str)
                        .unwrap_or(status.as_str());
                    sheet.row(&[
                        Cell::Text(&row.personnel_number),
                        Cell::Text(&row.name),
                        Cell::Text(&row.email),
                        Cell::Text(unit_path),
                        Cell::Text(&row.course_id),
                        Cell::Text(title),
                        optional_text(row.certificate_version.as_deref()),
                        Cell::Text(status_label),
                        row.issued_at
                            .map(|at| Cell::DateTime(export.local.naive(at)))
                            .unwrap_or(Cell::Empty),
                        optional_text(row.certificate_serial.as_deref()),
                        row.valid_until
                            .map(|at| Cell::Date(export.local.day(at)))
                            .unwrap_or(Cell::Empty),
                        due_on.map(Cell::Date).unwrap_or(Cell::Empty),
                    ])?;
                }
            }
        }
        Ok(())
    }

    fn pending(&self) -> usize {
        match self {
            Writer::Csv { out, .. } => out.len(),
            Writer::Xlsx(sheet) => sheet.pending(),
        }
    }

    fn take(&mut self) -> Bytes {
        match self {
            Writer::Csv { out, .. } => Bytes::from(std::mem::take(out)),
            Writer::Xlsx(sheet) => Bytes::from(sheet.take_output()),
        }
    }

    fn finish(self) -> Result<Bytes, ExportError> {
        match self {
            Writer::Csv { out, .. } => Ok(Bytes::from(out)),
            Writer::Xlsx(sheet) => Ok(Bytes::from(sheet.finish()?)),
        }
    }
}

fn optional_text(value: Option<&str>) -> Cell<'_> {
    value.map(Cell::Text).unwrap_or(Cell::Empty)
}

/// Appends one RFC 4180 record (CRLF-terminated) with the `csv` crate, as the import reads
/// them: a field with the delimiter, a quote or a line break is quoted, quotes doubled;
/// every field is neutralised first.
pub fn csv_record(out: &mut Vec<u8>, delimiter: u8, fields: &[&str]) {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    // Writing into memory cannot fail.
    let _ = writer.write_record(fields.iter().map(|field| neutralise(field).into_owned()));
    let _ = writer.flush();
}

/// A cell a spreadsheet would execute as a formula gets a leading apostrophe, so it is
/// shown as the text it is (the OWASP advice against CSV injection).
pub fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    if xlsx::looks_like_formula(value) {
        std::borrow::Cow::Owned(format!("'{value}"))
    } else {
        std::borrow::Cow::Borrowed(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_plain_text_is_left_alone() {
        for risky in ["=SUM(A1)", "+49 30", "-1", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralise(risky), format!("'{risky}"));
        }
        assert_eq!(neutralise("Jürgen Größe"), "Jürgen Größe");
        assert_eq!(neutralise("a=b"), "a=b");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_they_must_be() {
        let mut out = Vec::new();
        csv_record(
            &mut out,
            b';',
            &["a;b", "say \"hi\"", "plain", "=1+1", "two\nlines"],
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a;b\";\"say \"\"hi\"\"\";plain;'=1+1;\"two\nlines\"\r\n"
        );
    }
}
