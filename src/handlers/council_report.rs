//! The council report ("Sachstandsbericht KI-Kompetenz") for HR and administrators: the
//! figures of `services::council_report` as a printable page and as CSV.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::domain::Language;
use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render;
use crate::handlers::reports::CourseName;
use crate::i18n::{TranslationError, Translations};
use crate::services::council_report::{self, CouncilReport, Figure, Names, Sources};
use crate::state::AppState;

#[derive(Serialize)]
struct CouncilPage {
    organisation: String,
    as_of: String,
    min_group_size: usize,
    courses: Vec<CourseName>,
    /// Per course: the whole administration.
    administration: Vec<CourseCell>,
    administration_people: String,
    first_level: Vec<RowView>,
    second_level: Vec<RowView>,
    trend: Vec<QuarterView>,
    overdue: Vec<CourseCell>,
    tools: Vec<ToolView>,
    policy: Option<PolicyView>,
    contacts: Vec<ContactView>,
}

/// The words of the figures in the person's language.
struct Texts<'a> {
    translations: &'a Translations,
    language: Language,
    min_group_size: usize,
}

impl Texts<'_> {
    fn text(&self, id: &str, args: &[(&str, String)]) -> Result<String, AppError> {
        self.translations
            .text(self.language, id, args)
            .map_err(translation)
    }

    /// A share ("80 % (4 von 5)"), or why there is none.
    fn share(&self, figure: &Figure, subject: usize) -> Result<String, AppError> {
        match figure {
            Figure::Shown(tally) => {
                let count = tally.counts.get(subject).copied().unwrap_or(0);
                self.text(
                    "council-share",
                    &[
                        (
                            "percent",
                            council_report::percent(count, tally.people).to_string(),
                        ),
                        ("count", count.to_string()),
                        ("people", tally.people.to_string()),
                    ],
                )
            }
            other => self.people(other),
        }
    }

    /// How many people a figure describes, or "fewer than 5".
    fn people(&self, figure: &Figure) -> Result<String, AppError> {
        match figure {
            Figure::Shown(tally) => Ok(tally.people.to_string()),
            Figure::Suppressed => self.text(
                "council-suppressed",
                &[("min", self.min_group_size.to_string())],
            ),
            Figure::Empty => self.text("council-empty", &[]),
        }
    }

    fn shares(&self, figure: &Figure, courses: usize) -> Result<Vec<String>, AppError> {
        (0..courses).map(|i| self.share(figure, i)).collect()
    }
}

#[derive(Serialize)]
struct CourseCell {
    title: String,
    lang: &'static str,
    share: String,
}

#[derive(Serialize)]
struct RowView {
    parent: String,
    name: String,
    people: String,
    shares: Vec<String>,
}

#[derive(Serialize)]
struct QuarterView {
    name: String,
    day: String,
    current: bool,
    people: String,
    shares: Vec<String>,
}

#[derive(Serialize)]
struct ToolView {
    name: String,
    courses: Vec<CourseName>,
    requires_policy: bool,
}

#[derive(Serialize)]
struct PolicyView {
    version: String,
    effective: String,
    acknowledged: String,
}

#[derive(Serialize)]
struct ContactView {
    title: String,
    name: String,
    email: String,
    phone: Option<String>,
}

/// The query of the CSV download.
#[derive(Deserialize)]
pub struct CsvParams {
    delimiter: Option<String>,
}

/// HR and administrators; everyone else gets 403, like the other HR pages.
fn allowed(person: &CurrentUser) -> Result<(), AppError> {
    if person.user.is_hr || person.user.is_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

async fn figures(state: &AppState) -> Result<CouncilReport, AppError> {
    let sources = Sources {
        catalog: &state.catalog,
        policy: state.policy.as_ref(),
        local: state.settings.local_time(),
        min_group_size: usize::try_from(state.settings.min_group_size).unwrap_or(usize::MAX),
        now: Utc::now(),
    };
    Ok(council_report::build(&state.db, &state.access, &sources).await?)
}

fn names<'a>(state: &'a AppState, person: &CurrentUser) -> Names<'a> {
    Names {
        translations: &state.translations,
        catalog: &state.catalog,
        language: person.visitor.language,
        organisation: &state.settings.organisation,
    }
}

fn translation(error: TranslationError) -> AppError {
    AppError::Internal(error.to_string())
}

/// `GET /hr/council-report`: the status report on AI literacy for the council, in figures
/// only, made to be printed or saved as PDF from the browser.
pub async fn page(
    state: web::Data<AppState>,
    person: CurrentUser,
) -> Result<HttpResponse, AppError> {
    allowed(&person)?;
    let report = figures(&state).await?;
    let names = names(&state, &person);
    let language = person.visitor.language;
    let course_name = |id: &str| {
        let course = state.catalog.get(id);
        CourseName {
            id: id.to_owned(),
            title: names.course(id),
            lang: course
                .map(|c| c.language_for(language).code())
                .unwrap_or("de"),
        }
    };
    let texts = Texts {
        translations: &state.translations,
        language,
        min_group_size: report.min_group_size,
    };
    let n = report.courses.len();
    let per_course = |figure: &Figure| -> Result<Vec<CourseCell>, AppError> {
        report
            .courses
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let name = course_name(id);
                Ok(CourseCell {
                    title: name.title,
                    lang: name.lang,
                    share: texts.share(figure, i)?,
                })
            })
            .collect()
    };
    let rows = |rows: &[council_report::Row]| -> Result<Vec<RowView>, AppError> {
        rows.iter()
            .map(|row| {
                Ok(RowView {
                    parent: match &row.parent {
                        Some(parent) => names.label(parent).map_err(translation)?,
                        None => String::new(),
                    },
                    name: names.label(&row.label).map_err(translation)?,
                    people: texts.people(&row.figure)?,
                    shares: texts.shares(&row.figure, n)?,
                })
            })
            .collect()
    };
    let trend = report
        .trend
        .iter()
        .map(|(quarter, figure)| {
            let day = language.format_date(quarter.day);
            Ok(QuarterView {
                name: names.quarter(quarter).map_err(translation)?,
                day: match quarter.current {
                    true => texts.text("council-quarter-so-far", &[("day", day)])?,
                    false => day,
                },
                current: quarter.current,
                people: texts.people(figure)?,
                shares: texts.shares(figure, n)?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let policy = match &report.policy {
        Some(policy) => Some(PolicyView {
            version: policy.version.clone(),
            effective: policy.effective.clone(),
            acknowledged: texts.share(&policy.acknowledged, 0)?,
        }),
        None => None,
    };
    let page = CouncilPage {
        organisation: state.settings.organisation.clone(),
        as_of: state
            .settings
            .local_time()
            .date_time(report.as_of, language),
        min_group_size: report.min_group_size,
        courses: report.courses.iter().map(|id| course_name(id)).collect(),
        administration: per_course(&report.administration)?,
        administration_people: texts.people(&report.administration)?,
        first_level: rows(&report.first_level)?,
        second_level: rows(&report.second_level)?,
        trend,
        overdue: per_course(&report.overdue)?,
        tools: state
            .tools
            .iter()
            .map(|tool| ToolView {
                name: tool.name.clone(),
                courses: tool
                    .requires_courses
                    .iter()
                    .map(|c| course_name(c))
                    .collect(),
                requires_policy: tool.requires_policy,
            })
            .collect(),
        policy,
        contacts: state
            .catalog
            .contacts()
            .all()
            .iter()
            .map(|c| ContactView {
                title: c.title(language).to_owned(),
                name: c.name(language).to_owned(),
                email: c.email.clone(),
                phone: c.phone.clone(),
            })
            .collect(),
    };
    render(
        &state,
        &person.visitor,
        "reports/council_report.html",
        &page,
    )
}

/// `GET /hr/council-report.csv`: the same figures as open data; `delimiter=semicolon` for
/// spreadsheets set up for German.
pub async fn csv(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<CsvParams>,
) -> Result<HttpResponse, AppError> {
    allowed(&person)?;
    let delimiter = match params.delimiter.as_deref() {
        None | Some("") | Some("comma") => b',',
        Some("semicolon") => b';',
        Some(_) => {
            return Err(AppError::BadRequest(
                "delimiter is comma or semicolon".into(),
            ));
        }
    };
    let report = figures(&state).await?;
    let body =
        council_report::csv(&report, &names(&state, &person), delimiter).map_err(translation)?;
    let filename = format!("kiwi-council-report-{}.csv", report.day);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
