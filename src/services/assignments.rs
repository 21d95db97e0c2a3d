//! Assigning courses with a due date: HR to any unit or person, a department head to their
//! own unit and the units below it, and to the people in them.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sea_orm::{DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::courses::Catalog;
use crate::db;
use crate::domain::Email;
use crate::entities::{assignment, user};
use crate::services::mails::{Composer, MailError};
use crate::services::record_views::{self, Kind, Viewer};
use crate::services::reminders;
use crate::services::reports::{Audience, Visible};

/// Whom an assignment is for.
pub enum Target {
    /// A unit and every unit below it, including people who join later.
    Unit(Uuid),
    /// One person, by personnel number or email address.
    Person(String),
}

pub struct NewAssignment {
    pub course_id: String,
    pub target: Target,
    pub due_on: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum AssignError {
    #[error("unknown course")]
    UnknownCourse,
    #[error("the unit is not one the person may assign to")]
    UnitNotVisible,
    #[error("no active person with this personnel number or email in the visible units")]
    PersonNotFound,
    #[error("the due date lies in the past")]
    DueInPast,
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Mail(#[from] MailError),
}

/// Records an assignment made by `by`, who sees `visible`.
pub async fn assign(
    db: &DatabaseConnection,
    mail: &Composer,
    catalog: &Catalog,
    visible: &Visible,
    by: &user::Model,
    new: NewAssignment,
) -> Result<assignment::Model, AssignError> {
    if catalog.get(&new.course_id).is_none() {
        return Err(AssignError::UnknownCourse);
    }
    if new.due_on < mail.local().today() {
        return Err(AssignError::DueInPast);
    }
    let (org_unit_id, user_id) = match new.target {
        Target::Unit(id) => {
            if !visible.units.iter().any(|u| u.id == id) {
                return Err(AssignError::UnitNotVisible);
            }
            (Some(id), None)
        }
        Target::Person(key) => {
            let person = find_person(db, &key)
                .await?
                .filter(|p| p.status == user::STATUS_ACTIVE)
                .filter(|p| visible.units.iter().any(|u| u.id == p.org_unit_id))
                .ok_or(AssignError::PersonNotFound)?;
            (None, Some(person.id))
        }
    };
    let txn = db::begin_write(db).await?;
    let created = db::assignments::insert(
        &txn,
        assignment::ActiveModel {
            id: Set(Uuid::now_v7()),
            course_id: Set(new.course_id),
            org_unit_id: Set(org_unit_id),
            user_id: Set(user_id),
            due_on: Set(new.due_on),
            assigned_by: Set(by.id),
            assigned_at: Set(Utc::now()),
            withdrawn_at: Set(None),
            withdrawn_by: Set(None),
        },
    )
    .await?;
    db::audit::record(
        &txn,
        Some(by.id),
        "assignment.created",
        &format!(
            "{} {} due {}",
            created.id, created.course_id, created.due_on
        ),
    )
    .await?;
    // A person assigned a course by name sees who did it under "Meine Daten" (the
    // assignments of their unit are listed there as assignments).
    if let Some(person) = created.user_id {
        let audience = if by.is_hr {
            Audience::Hr
        } else {
            Audience::Manager
        };
        record_views::record_listed(
            &txn,
            Viewer::in_audience(by, audience),
            Kind::AssignmentCreated,
            &created.course_id,
            &[person],
            created.assigned_at,
        )
        .await?;
    }
    // The people it names learn of it by mail, queued with the assignment itself.
    reminders::queue_assignment_mails(&txn, mail, catalog, &created).await?;
    txn.commit().await?;
    Ok(created)
}

async fn find_person(db: &DatabaseConnection, key: &str) -> Result<Option<user::Model>, DbErr> {
    let key = key.trim();
    match Email::parse(key) {
        Some(email) => db::users::by_email(db, &email.normalized()).await,
        None => db::users::by_personnel_number(db, key).await,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WithdrawError {
    #[error("no such open assignment in the visible units")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Withdraws an open assignment whose target `visible` covers.
pub async fn withdraw(
    db: &DatabaseConnection,
    visible: &Visible,
    by: &user::Model,
    id: Uuid,
) -> Result<(), WithdrawError> {
    let assignment = db::assignments::by_id(db, id)
        .await?
        .ok_or(WithdrawError::NotFound)?;
    let people = people_named(db, std::slice::from_ref(&assignment)).await?;
    if !covers(visible, &assignment, &people) {
        return Err(WithdrawError::NotFound);
    }
    let txn = db::begin_write(db).await?;
    if !db::assignments::withdraw(&txn, id, by.id).await? {
        return Err(WithdrawError::NotFound);
    }
    db::audit::record(&txn, Some(by.id), "assignment.withdrawn", &id.to_string()).await?;
    txn.commit().await?;
    Ok(())
}

/// An open assignment with the person it names, if any.
pub struct Listed {
    pub assignment: assignment::Model,
    pub person: Option<user::Model>,
}

/// The open assignments whose target lies within `visible`.
pub async fn open_within(db: &DatabaseConnection, visible: &Visible) -> Result<Vec<Listed>, DbErr> {
    let open = db::assignments::open(db).await?;
    let people = people_named(db, &open).await?;
    Ok(open
        .into_iter()
        .filter(|a| covers(visible, a, &people))
        .map(|assignment| Listed {
            person: assignment.user_id.and_then(|id| people.get(&id).cloned()),
            assignment,
        })
        .collect())
}

/// The people that assignments name, by id.
async fn people_named(
    db: &DatabaseConnection,
    assignments: &[assignment::Model],
) -> Result<HashMap<Uuid, user::Model>, DbErr> {
    let ids: HashSet<Uuid> = assignments.iter().filter_map(|a| a.user_id).collect();
    Ok(db::users::by_ids(db, ids.into_iter().collect())
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

fn covers(
    visible: &Visible,
    assignment: &assignment::Model,
    people: &HashMap<Uuid, user::Model>,
) -> bool {
    let unit = match (assignment.org_unit_id, assignment.user_id) {
        (Some(unit), _) => Some(unit),
        (None, Some(person)) => people.get(&person).map(|p| p.org_unit_id),
        (None, None) => None,
    };
    unit.is_some_and(|unit| visible.units.iter().any(|u| u.id == unit))
}
