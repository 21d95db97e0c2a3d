//! The team report ("Mein Team" for department heads, every unit for HR); its exports and
//! the evidence page are in `exports.rs` and `evidence.rs`.

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render_heavy;
use crate::services::record_views::{self, Kind, Viewer};
use crate::services::records::{Counts, Status, StatusFilter};
use crate::services::reports::{self, Audience, Filters, Visible};
use crate::state::AppState;

/// People listed per page of the report.
const PEOPLE_PER_PAGE: usize = 100;

/// The filters of a report or export, as sent in the query string.
#[derive(Deserialize, Default)]
pub struct ReportParams {
    pub unit: Option<String>,
    pub course: Option<String>,
    pub status: Option<String>,
    pub page: Option<usize>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub delimiter: Option<String>,
}

impl ReportParams {
    /// Resolves the filters; a unit the person may not see is answered like a missing one.
    pub fn resolve<'a>(
        &self,
        state: &AppState,
        visible: &'a Visible,
    ) -> Result<Filters<'a>, AppError> {
        let unit = match self.unit.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(id) => Some(Uuid::parse_str(id).map_err(|_| AppError::NotFound)?),
        };
        let unit = visible.resolve(unit).map_err(|_| AppError::NotFound)?;
        let course = match self.course.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(id) if state.catalog.get(id).is_some() => Some(id.to_owned()),
            Some(_) => return Err(AppError::BadRequest("unknown course".into())),
        };
        let status = match self.status.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(
                StatusFilter::parse(s)
                    .ok_or_else(|| AppError::BadRequest("unknown status".into()))?,
            ),
        };
        Ok(Filters {
            unit,
            course,
            status,
            local: state.settings.local_time(),
        })
    }

    /// A date filter, `YYYY-MM-DD`.
    pub fn date(value: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
        match value.filter(|s| !s.is_empty()) {
            None => Ok(None),
            Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| AppError::BadRequest("dates are written YYYY-MM-DD".into())),
        }
    }
}

/// The units a person may see in `audience`, or 403.
pub async fn visible(
    state: &AppState,
    person: &CurrentUser,
    audience: Audience,
) -> Result<Visible, AppError> {
    reports::visible_units(&state.db, &person.user, audience)
        .await?
        .ok_or(AppError::Forbidden)
}

#[derive(Serialize)]
struct ReportPage {
    /// "/team" or "/hr/report": where the links of this report point.
    base: &'static str,
    hr: bool,
    heading: String,
    unit_id: String,
    trail: Vec<Crumb>,
    courses: Vec<CourseSummaryView>,
    units: Vec<UnitView>,
    shown_courses: Vec<CourseName>,
    people: Vec<PersonView>,
    people_in_scope: usize,
    people_matching: usize,
    page: usize,
    pages: usize,
    previous_page: Option<String>,
    next_page: Option<String>,
    export_query: String,
    course_options: Vec<CourseName>,
    status_options: Vec<&'static str>,
    chosen_course: String,
    chosen_status: String,
}

#[derive(Serialize)]
struct Crumb {
    name: String,
    href: Option<String>,
}

#[derive(Serialize)]
pub(super) struct CourseName {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) lang: &'static str,
}

#[derive(Serialize)]
struct CourseSummaryView {
    id: String,
    title: String,
    lang: &'static str,
    counts: Counts,
    /// Every status with its icon and how many people stand there.
    statuses: Vec<StatusCount>,
    /// Stacked bar segments in status order: (status, start %, width %).
    bar: Vec<Segment>,
}

#[derive(Serialize)]
struct StatusCount {
    status: &'static str,
    icon: &'static str,
    count: usize,
}

#[derive(Serialize)]
struct Segment {
    status: &'static str,
    x: f64,
    width: f64,
}

#[derive(Serialize)]
struct UnitView {
    name: String,
    href: String,
    people: usize,
    courses: Vec<UnitCourseView>,
}

#[derive(Serialize)]
pub(super) struct UnitCourseView {
    pub(super) done: usize,
    pub(super) total: usize,
    pub(super) percent: usize,
}

#[derive(Serialize)]
struct PersonView {
    name: String,
    email: String,
    unit: String,
    cells: Vec<CellView>,
}

#[derive(Serialize)]
struct CellView {
    status: &'static str,
    icon: &'static str,
    valid_until: Option<String>,
    due_on: Option<String>,
}

/// `GET /team`: a department head's unit and the units below it.
pub async fn team(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    show(&state, &person, &params, Audience::Manager).await
}

/// `GET /hr/report`: every unit, for HR.
pub async fn hr(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    show(&state, &person, &params, Audience::Hr).await
}

async fn show(
    state: &web::Data<AppState>,
    person: &CurrentUser,
    params: &ReportParams,
    audience: Audience,
) -> Result<HttpResponse, AppError> {
    let visible = visible(state, person, audience).await?;
    let filters = params.resolve(state, &visible)?;
    let report = reports::report(
        &state.db,
        &state.access,
        &state.catalog,
        &visible,
        &filters,
        (params.page.unwrap_or(1), PEOPLE_PER_PAGE),
        Utc::now(),
    )
    .await?;
    let language = person.visitor.language;
    let base = match audience {
        Audience::Manager => "/team",
        Audience::Hr => "/hr/report",
    };
    let course_name = |id: &str| {
        let course = state.catalog.get(id);
        CourseName {
            id: id.to_owned(),
            title: course
                .map(|c| c.title(language).to_owned())
                .unwrap_or_default(),
            lang: course
                .map(|c| c.language_for(language).code())
                .unwrap_or("de"),
        }
    };
    let filter_query = |unit: Option<&str>| {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(unit) = unit {
            pairs.push(("unit", unit.to_owned()));
        }
        if let Some(course) = &filters.course {
            pairs.push(("course", course.clone()));
        }
        if let Some(status) = filters.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    };
    let unit_id = filters.unit.map(|u| u.id.to_string());
    let page_link = |page: usize| {
        let query = filter_query(unit_id.as_deref());
        let separator = if query.is_empty() { "" } else { "&" };
        format!("{base}?{query}{separator}page={page}")
    };
    let (page, pages) = (report.page, report.pages);
    let people_matching = report.people_matching;
    // Everyone this page names learns of it under "Meine Daten": one row for the page.
    let listed: Vec<Uuid> = report.people.iter().map(|p| p.user_id).collect();
    record_views::record_report_page(
        &state.db,
        Viewer::in_audience(&person.user, audience),
        Kind::report(audience),
        &listed,
        Utc::now(),
    )
    .await?;
    let people = report
        .people
        .into_iter()
        .map(|p| PersonView {
            name: p.name,
            email: p.email,
            unit: relative_path(&p.org_unit_path, filters.unit.map(|u| u.path.as_str())),
            cells: p
                .courses
                .into_iter()
                .map(|c| CellView {
                    status: c.status.as_str(),
                    icon: icon(c.status),
                    valid_until: c.valid_until.map(|d| language.format_date(d)),
                    due_on: c.due_on.map(|d| language.format_date(d)),
                })
                .collect(),
        })
        .collect();
    let trail = visible
        .trail(filters.unit)
        .into_iter()
        .map(|u| Crumb {
            name: u.name.clone(),
            href: (Some(u.id) != filters.unit.map(|v| v.id))
                .then(|| format!("{base}?{}", filter_query(Some(&u.id.to_string())))),
        })
        .collect();
    let page = ReportPage {
        base,
        hr: audience == Audience::Hr,
        heading: filters
            .unit
            .map(|u| u.name.clone())
            .unwrap_or_else(|| state.settings.organisation.clone()),
        unit_id: unit_id.clone().unwrap_or_default(),
        trail,
        shown_courses: report
            .courses
            .iter()
            .map(|(id, _)| course_name(id))
            .collect(),
        courses: report
            .courses
            .into_iter()
            .map(|(id, counts)| {
                let name = course_name(&id);
                CourseSummaryView {
                    id,
                    title: name.title,
                    lang: name.lang,
                    bar: bar(&counts),
                    statuses: Status::ALL
                        .iter()
                        .map(|s| StatusCount {
                            status: s.as_str(),
                            icon: icon(*s),
                            count: counts.of(*s),
                        })
                        .collect(),
                    counts,
                }
            })
            .collect(),
        units: report
            .units
            .into_iter()
            .map(|u| UnitView {
                href: format!("{base}?{}", filter_query(Some(&u.unit.id.to_string()))),
                name: u.unit.name,
                people: u.people,
                courses: u
                    .courses
                    .into_iter()
                    .map(|(_, c)| UnitCourseView {
                        done: c.done,
                        total: c.total,
                        percent: c.done_percent,
                    })
                    .collect(),
            })
            .collect(),
        people,
        people_in_scope: report.people_in_scope,
        people_matching,
        previous_page: (page > 1).then(|| page_link(page - 1)),
        next_page: (page < pages).then(|| page_link(page + 1)),
        page,
        pages,
        export_query: filter_query(unit_id.as_deref()),
        course_options: state
            .catalog
            .courses()
            .iter()
            .map(|c| course_name(&c.id))
            .collect(),
        status_options: std::iter::once("done")
            .chain(Status::ALL.iter().map(|s| s.as_str()))
            .collect(),
        chosen_course: filters.course.clone().unwrap_or_default(),
        chosen_status: filters.status.map(|s| s.as_str()).unwrap_or("").to_owned(),
    };
    render_heavy(state, &person.visitor, "reports/report.html", page).await
}

/// A unit's path below the viewed unit ("Abteilung 2 / Sachgebiet 1"), or its own name if
/// it is the viewed unit: the rows stay short, the heading says where they are.
fn relative_path(path: &str, viewed: Option<&str>) -> String {
    match viewed {
        Some(viewed) if path == viewed => path
            .rsplit(crate::services::org_units::PATH_SEPARATOR)
            .next()
            .unwrap_or(path)
            .to_owned(),
        Some(viewed) => path
            .strip_prefix(viewed)
            .and_then(|rest| rest.strip_prefix(crate::services::org_units::PATH_SEPARATOR))
            .unwrap_or(path)
            .to_owned(),
        None => path.to_owned(),
    }
}

/// The sign shown (to sighted people only) beside a status, which is always written too.
fn icon(status: Status) -> &'static str {
    match status {
        Status::Valid => "✔",
        Status::Expiring => "↻",
        Status::Overdue => "⚠",
        Status::Expired => "✖",
        Status::InProgress => "◐",
        Status::NotStarted => "○",
    }
}

/// The stacked bar of a course: one segment per status with people in it.
fn bar(counts: &Counts) -> Vec<Segment> {
    let total = counts.total.max(1) as f64;
    let mut x = 0.0;
    Status::ALL
        .iter()
        .filter(|s| counts.of(**s) > 0)
        .map(|s| {
            let width = counts.of(*s) as f64 * 100.0 / total;
            let segment = Segment {
                status: s.as_str(),
                x,
                width,
            };
            x += width;
            segment
        })
        .collect()
}
