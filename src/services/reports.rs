//! Who may see which units' training records, and the reports built for them.
//!
//! A department head sees their own unit and every unit below it; HR sees every unit.
//! Every report and export asks `visible_units` first, so nobody reads records of a unit
//! outside what they may see, whatever link or parameter they send.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

use crate::courses::Catalog;
use crate::db;
use crate::db::records::{RecordQuery, RecordRow};
use crate::domain::LocalTime;
use crate::entities::{org_unit, user};
use crate::services::access::AccessCache;
use crate::services::heavy_work;
use crate::services::records::{self, Dues, Report, StatusFilter};

/// Which area asks: "Mein Team" (a department head's subtree) or HR (everything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Manager,
    Hr,
}

/// The units a person may see in an area, and the unit their view starts at.
pub struct Visible {
    /// `None`: the whole administration (HR).
    pub top: Option<org_unit::Model>,
    /// Every unit the person may see, ordered by path.
    pub units: Vec<org_unit::Model>,
}

impl Visible {
    /// The unit asked for, if the person may see it; no unit means the top of their view.
    pub fn resolve(&self, requested: Option<Uuid>) -> Result<Option<&org_unit::Model>, NotVisible> {
        match requested {
            None => Ok(self.top.as_ref()),
            Some(id) => self
                .units
                .iter()
                .find(|unit| unit.id == id)
                .map(Some)
                .ok_or(NotVisible),
        }
    }

    /// `unit` (`None`: the top of the view) and every unit below it that the person may see;
    /// everything for HR without a unit.
    pub fn subtree<'a>(
        &'a self,
        unit: Option<&'a org_unit::Model>,
    ) -> impl Iterator<Item = &'a org_unit::Model> {
        let top = unit.or(self.top.as_ref());
        self.units
            .iter()
            .filter(move |u| top.is_none_or(|top| u.lineage.starts_with(&top.lineage)))
    }

    /// The units from the top of the view down to `unit`, for breadcrumbs.
    pub fn trail(&self, unit: Option<&org_unit::Model>) -> Vec<&org_unit::Model> {
        let Some(unit) = unit else {
            return Vec::new();
        };
        let top_depth = self.top.as_ref().map(|t| depth(&t.lineage)).unwrap_or(0);
        let mut trail: Vec<&org_unit::Model> = self
            .units
            .iter()
            .filter(|u| unit.lineage.starts_with(&u.lineage) && depth(&u.lineage) >= top_depth)
            .collect();
        trail.sort_by_key(|u| depth(&u.lineage));
        trail
    }
}

fn depth(lineage: &str) -> usize {
    lineage.matches('/').count()
}

/// A unit outside what the person may see (answered with 404, so it does not leak).
#[derive(Debug)]
pub struct NotVisible;

/// The units `person` may see in `audience`; `None` if they have no such role.
pub async fn visible_units(
    db: &impl ConnectionTrait,
    person: &user::Model,
    audience: Audience,
) -> Result<Option<Visible>, DbErr> {
    match audience {
        Audience::Hr if person.is_hr => Ok(Some(Visible {
            top: None,
            units: db::org_units::all(db).await?,
        })),
        Audience::Manager if person.is_manager => {
            let units = db::org_units::subtree_of(db, person.org_unit_id).await?;
            let top = units.iter().find(|u| u.id == person.org_unit_id).cloned();
            Ok(top.map(|top| Visible {
                top: Some(top),
                units,
            }))
        }
        _ => Ok(None),
    }
}

/// Where `person` may assign courses: HR everywhere, a department head within their own
/// unit and below; `None` for everyone else.
pub async fn assignable_units(
    db: &impl ConnectionTrait,
    person: &user::Model,
) -> Result<Option<Visible>, DbErr> {
    let audience = if person.is_hr {
        Audience::Hr
    } else {
        Audience::Manager
    };
    visible_units(db, person, audience).await
}

/// The records query for `unit` and every unit below it (`None`: the top of what `visible`
/// holds) and the chosen course (or all courses).
pub fn query(
    catalog: &Catalog,
    visible: &Visible,
    unit: Option<&org_unit::Model>,
    course: Option<&str>,
) -> RecordQuery {
    // No unit and no top: the whole administration, no filter at all.
    let units = unit
        .or(visible.top.as_ref())
        .map(|_| visible.subtree(unit).map(|u| u.id).collect());
    RecordQuery {
        units,
        courses: catalog
            .courses()
            .iter()
            .map(|c| c.id.clone())
            .filter(|id| course.is_none_or(|wanted| wanted == id))
            .collect(),
        ..RecordQuery::default()
    }
}

/// What a report is narrowed to, within what the person may see.
pub struct Filters<'a> {
    pub unit: Option<&'a org_unit::Model>,
    pub course: Option<String>,
    pub status: Option<StatusFilter>,
    /// Where due dates are days (overdue is counted in it).
    pub local: LocalTime,
}

/// The report within `visible`, with the people of one page (`page`, from 1, `per_page`
/// each): one statement for the open assignments (the units are in `visible` already), the
/// records from memory.
pub async fn report(
    db: &impl ConnectionTrait,
    access: &Arc<AccessCache>,
    catalog: &Catalog,
    visible: &Visible,
    filters: &Filters<'_>,
    (page, per_page): (usize, usize),
    now: DateTime<Utc>,
) -> Result<Report, DbErr> {
    let query = query(catalog, visible, filters.unit, filters.course.as_deref());
    let dues = dues(db, &visible.units, filters.local).await?;
    let courses = query.courses.clone();
    let viewed = filters.unit.cloned();
    let units = visible.units.clone();
    let status = filters.status;
    with_records(db, access, query, move |rows| {
        records::report(rows, &courses, viewed.as_ref(), &units, &dues, status, now)
            .keep_page(page, per_page)
    })
    .await
}

/// Reads the records of `query` and computes `work` from them, both as heavy work off the
/// event loop (`heavy_work`): from the access index, which holds every person with their
/// certificates and started courses and follows every change; from the database while the
/// index is not loaded. (Exports stream from the database.)
pub async fn with_records<R: Send + 'static>(
    db: &impl ConnectionTrait,
    access: &Arc<AccessCache>,
    query: RecordQuery,
    work: impl FnOnce(Vec<RecordRow>) -> R + Send + 'static,
) -> Result<R, DbErr> {
    let index = access.clone();
    let from_memory = heavy_work::run(move || match index.records(&query) {
        Some(rows) => Ok(work(rows)),
        None => Err((query, work)),
    })
    .await?;
    let (query, work) = match from_memory {
        Ok(result) => return Ok(result),
        Err(not_loaded) => not_loaded,
    };
    let rows = db::records::all(db, &query).await?;
    Ok(heavy_work::run(move || work(rows)).await?)
}

/// The open due dates for the people of `units`.
pub async fn dues(
    db: &impl ConnectionTrait,
    units: &[org_unit::Model],
    local: LocalTime,
) -> Result<Dues, DbErr> {
    let assignments = db::assignments::open_with_lineage(db).await?;
    Ok(Dues::new(&assignments, units, local))
}
