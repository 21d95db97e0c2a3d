//! Who looked: every report, export or change by a department head, HR or an administrator
//! that includes people is recorded once, with the list of everyone it included, so that each
//! of them can see it under "Meine Daten". Technical access to the database by its
//! administrators is outside kiwi and not recorded here.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::db;
use crate::db::record_views::{NewView, ViewRow};
use crate::db::records::RecordQuery;
use crate::domain::Actor;
use crate::entities::user;
use crate::services::reports::Audience;

/// The role someone looked or acted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerRole {
    Manager,
    Hr,
    Admin,
    /// `kiwi export` or `kiwi users import`, by whoever runs the server.
    CommandLine,
}

impl ViewerRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ViewerRole::Manager => "manager",
            ViewerRole::Hr => "hr",
            ViewerRole::Admin => "admin",
            ViewerRole::CommandLine => "command_line",
        }
    }
}

/// Who looked or acted: a person in a role, or the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub id: Option<Uuid>,
    pub role: ViewerRole,
}

impl Viewer {
    pub fn command_line() -> Viewer {
        Viewer {
            id: None,
            role: ViewerRole::CommandLine,
        }
    }

    /// A person looking at a report or an export of `audience`.
    pub fn in_audience(person: &user::Model, audience: Audience) -> Viewer {
        Viewer {
            id: Some(person.id),
            role: match audience {
                Audience::Manager => ViewerRole::Manager,
                Audience::Hr => ViewerRole::Hr,
            },
        }
    }

    /// HR or an administrator changing something about people (HR when they hold both).
    pub fn hr_or_admin(person: &user::Model) -> Viewer {
        Viewer {
            id: Some(person.id),
            role: if person.is_hr {
                ViewerRole::Hr
            } else {
                ViewerRole::Admin
            },
        }
    }

    /// Whoever makes a change: a person (HR, else administrator) or the command line.
    pub fn of_actor(actor: Actor) -> Viewer {
        match actor {
            Actor::Operator => Viewer::command_line(),
            Actor::Person { id, roles } => Viewer {
                id: Some(id),
                role: if roles.hr {
                    ViewerRole::Hr
                } else {
                    ViewerRole::Admin
                },
            },
        }
    }
}

/// What was looked at or done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    TeamReport,
    HrReport,
    TeamExport,
    HrExport,
    CommandLineExport,
    CertificateRevoked,
    PeopleImported,
    SecondFactorReset,
    /// A course assigned to the person by name.
    AssignmentCreated,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::TeamReport,
        Kind::HrReport,
        Kind::TeamExport,
        Kind::HrExport,
        Kind::CommandLineExport,
        Kind::CertificateRevoked,
        Kind::PeopleImported,
        Kind::SecondFactorReset,
        Kind::AssignmentCreated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::TeamReport => "team_report",
            Kind::HrReport => "hr_report",
            Kind::TeamExport => "team_export",
            Kind::HrExport => "hr_export",
            Kind::CommandLineExport => "command_line_export",
            Kind::CertificateRevoked => "certificate_revoked",
            Kind::PeopleImported => "people_imported",
            Kind::SecondFactorReset => "second_factor_reset",
            Kind::AssignmentCreated => "assignment_created",
        }
    }

    pub fn parse(input: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == input)
    }

    pub fn report(audience: Audience) -> Kind {
        match audience {
            Audience::Manager => Kind::TeamReport,
            Audience::Hr => Kind::HrReport,
        }
    }

    /// The export a viewer made: the team's, HR's, or at the command line.
    pub fn export(viewer: Viewer) -> Kind {
        match viewer.role {
            ViewerRole::Manager => Kind::TeamExport,
            ViewerRole::CommandLine => Kind::CommandLineExport,
            ViewerRole::Hr | ViewerRole::Admin => Kind::HrExport,
        }
    }
}

/// Records that `viewer` saw or changed the records of `people` (known already: a page of
/// a report, the holder of a certificate): one row, however many people; none for nobody.
pub async fn record_listed(
    db: &impl ConnectionTrait,
    viewer: Viewer,
    kind: Kind,
    detail: &str,
    people: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let view = new_view(viewer, kind, detail, at);
    db::record_views::insert_listed(db, &view, people).await
}

/// Records that `viewer` saw the people of a page of a report, in a write transaction of its
/// own.
pub async fn record_report_page(
    db: &DatabaseConnection,
    viewer: Viewer,
    kind: Kind,
    people: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    if people.is_empty() {
        return Ok(());
    }
    let txn = db::begin_write(db).await?;
    record_listed(&*txn, viewer, kind, "", people, at).await?;
    txn.commit().await
}

/// Records that `viewer` exported the records `query` reads, however many people they are.
/// Written before the first row is sent, so no file leaves kiwi without its entry.
///
/// `people` are the transparency-log numbers of everyone the export includes when the access
/// index could say (`AccessCache::numbers_of_records`), which is faster than the database
/// scanning every person; otherwise the database picks them.
pub async fn record_export(
    db: &impl ConnectionTrait,
    viewer: Viewer,
    detail: &str,
    query: &RecordQuery,
    people: Option<&[i64]>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    let view = new_view(viewer, Kind::export(viewer), detail, at);
    let started = std::time::Instant::now();
    let picked_by = match people {
        Some(numbers) => {
            db::record_views::insert_numbered(db, &view, numbers).await?;
            "the access index"
        }
        None => {
            db::record_views::insert_selected(db, &view, query).await?;
            "the database"
        }
    };
    tracing::debug!(
        elapsed_ms = started.elapsed().as_secs_f64() * 1000.0,
        picked_by,
        "transparency log written for an export"
    );
    Ok(())
}

fn new_view(viewer: Viewer, kind: Kind, detail: &str, at: DateTime<Utc>) -> NewView<'_> {
    NewView {
        actor_id: viewer.id,
        actor_role: viewer.role.as_str(),
        kind: kind.as_str(),
        detail,
        at,
    }
}

/// A person's own transparency log, newest first: only the entries that included them.
pub async fn of_person(db: &impl ConnectionTrait, person: Uuid) -> Result<Vec<ViewRow>, DbErr> {
    db::record_views::of_person(db, person).await
}
