//! The evidence page for the council and auditors: per course and unit, how many are
//! trained, in figures only.

use actix_web::{HttpResponse, web};
use chrono::Utc;
use serde::Serialize;

use crate::entities::org_unit;
use crate::error::AppError;
use crate::handlers::identity::CurrentUser;
use crate::handlers::render;
use crate::handlers::reports::{CourseName, ReportParams, UnitCourseView, visible};
use crate::services::records::Counts;
use crate::services::reports::{self, Audience};
use crate::state::AppState;

#[derive(Serialize)]
struct EvidencePage {
    organisation: String,
    scope: String,
    generated_at: String,
    generated_by: String,
    people: usize,
    courses: Vec<EvidenceCourse>,
    units: Vec<EvidenceUnit>,
    shown_courses: Vec<CourseName>,
    tools: Vec<EvidenceTool>,
    policy: Option<EvidencePolicy>,
}

#[derive(Serialize)]
struct EvidenceCourse {
    id: String,
    title: String,
    lang: &'static str,
    version: String,
    content_hash: String,
    validity_months: u32,
    objectives: Vec<String>,
    counts: Counts,
    versions: Vec<VersionCount>,
}

#[derive(Serialize)]
struct VersionCount {
    version: String,
    count: usize,
}

#[derive(Serialize)]
struct EvidenceUnit {
    path: String,
    people: usize,
    courses: Vec<UnitCourseView>,
}

#[derive(Serialize)]
struct EvidenceTool {
    name: String,
    courses: Vec<String>,
    requires_policy: bool,
}

#[derive(Serialize)]
struct EvidencePolicy {
    version: String,
    effective: String,
    acknowledged: i64,
}

/// `GET /hr/evidence`: the evidence of AI literacy measures (AI Act Art. 4) for the whole
/// administration or one unit, made to be printed or saved as PDF from the browser.
pub async fn evidence(
    state: web::Data<AppState>,
    person: CurrentUser,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, AppError> {
    let visible = visible(&state, &person, Audience::Hr).await?;
    let filters = params.resolve(&state, &visible)?;
    let language = person.visitor.language;
    let now = Utc::now();
    let query = reports::query(&state.catalog, &visible, filters.unit, None);
    let dues = reports::dues(&state.db, &visible.units, filters.local).await?;
    let in_scope: Vec<org_unit::Model> = visible.subtree(filters.unit).cloned().collect();
    let courses = query.courses.clone();
    let evidence = reports::with_records(&state.db, &state.access, query, move |rows| {
        crate::services::records::evidence(&rows, &courses, &in_scope, &dues, now)
    })
    .await?;
    let policy = match &state.policy {
        Some(policy) => Some(EvidencePolicy {
            acknowledged: crate::db::policy_acknowledgements::count_in_scope(
                &state.db,
                &policy.version,
                filters.unit.map(|u| u.lineage.as_str()),
            )
            .await?,
            version: policy.version.clone(),
            effective: policy.effective.clone(),
        }),
        None => None,
    };
    let title = |id: &str| {
        state
            .catalog
            .get(id)
            .map(|c| c.title(language).to_owned())
            .unwrap_or_else(|| id.to_owned())
    };
    let courses = evidence
        .courses
        .into_iter()
        .filter_map(|(id, counts)| {
            let course = state.catalog.get(&id)?;
            let shown = course.language_for(language);
            Some(EvidenceCourse {
                title: course.title(language).to_owned(),
                lang: shown.code(),
                version: course.version.clone(),
                content_hash: course.content_hash.clone(),
                validity_months: course.validity_months,
                objectives: course
                    .modules
                    .iter()
                    .flat_map(|m| m.text(shown).objectives.iter().cloned())
                    .collect(),
                versions: evidence
                    .versions
                    .iter()
                    .filter(|(c, _, _)| *c == id)
                    .map(|(_, version, n)| VersionCount {
                        version: version.clone(),
                        count: *n,
                    })
                    .collect(),
                counts,
                id,
            })
        })
        .collect();
    let page = EvidencePage {
        organisation: state.settings.organisation.clone(),
        scope: filters
            .unit
            .map(|u| u.path.clone())
            .unwrap_or_else(|| state.settings.organisation.clone()),
        generated_at: state.settings.local_time().date_time(now, language),
        generated_by: person.user.name.clone(),
        people: evidence.people,
        courses,
        units: evidence
            .units
            .into_iter()
            .map(|(unit, people, counts)| EvidenceUnit {
                path: unit.path,
                people,
                courses: counts
                    .into_iter()
                    .map(|c| UnitCourseView {
                        done: c.done,
                        total: c.total,
                        percent: c.done_percent,
                    })
                    .collect(),
            })
            .collect(),
        shown_courses: state
            .catalog
            .courses()
            .iter()
            .map(|c| CourseName {
                id: c.id.clone(),
                title: c.title(language).to_owned(),
                lang: c.language_for(language).code(),
            })
            .collect(),
        tools: state
            .tools
            .iter()
            .map(|tool| EvidenceTool {
                name: tool.name.clone(),
                courses: tool.requires_courses.iter().map(|c| title(c)).collect(),
                requires_policy: tool.requires_policy,
            })
            .collect(),
        policy,
    };
    render(&state, &person.visitor, "reports/evidence.html", &page)
}
