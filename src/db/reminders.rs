//! The set-based queries of the mail scheduler: whom open assignments concern, which
//! certificates end soon or just ended, and who heads which unit. A few queries for
//! everyone, never one per person.

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Value,
};
use uuid::Uuid;

use crate::db::statement;
use crate::entities::{certificate, policy_acknowledgement};

/// A person an open assignment concerns, who holds no valid certificate of its course.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Assignee {
    pub assignment_id: Uuid,
    pub course_id: String,
    pub due_on: NaiveDate,
    pub assigned_at: DateTime<Utc>,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub language: String,
    /// The lineage of the person's unit (`/<root>/…/<unit>/`).
    pub lineage: String,
}

/// Active people an assignment names directly, and active people in the unit it names or
/// any unit below (their unit's lineage starts with the named unit's), without a
/// certificate of the course valid at the given time. `{filter}` picks the assignments.
const ASSIGNEES: &str = "
SELECT a.id AS assignment_id, a.course_id, a.due_on, a.assigned_at,
       u.id AS user_id, u.name, u.email, u.language, ou.lineage
FROM assignments a
JOIN users u ON u.id = a.user_id
JOIN org_units ou ON ou.id = u.org_unit_id
WHERE {filter} AND {open}
UNION ALL
SELECT a.id AS assignment_id, a.course_id, a.due_on, a.assigned_at,
       u.id AS user_id, u.name, u.email, u.language, ou.lineage
FROM assignments a
JOIN org_units target ON target.id = a.org_unit_id
JOIN org_units ou ON ou.lineage LIKE (target.lineage || '%')
JOIN users u ON u.org_unit_id = ou.id
WHERE {filter} AND {open}";

const OPEN: &str = "a.withdrawn_at IS NULL AND u.status = 'active'
  AND NOT EXISTS (
    SELECT 1 FROM certificates c
    WHERE c.user_id = u.id AND c.course_id = a.course_id AND c.revoked_at IS NULL
      AND c.valid_from <= ? AND c.valid_until > ?)";

async fn assignees(
    db: &impl ConnectionTrait,
    filter: &str,
    filter_values: Vec<Value>,
    now: DateTime<Utc>,
) -> Result<Vec<Assignee>, DbErr> {
    let sql = ASSIGNEES
        .replace("{filter}", filter)
        .replace("{open}", OPEN);
    let mut values = Vec::new();
    for _ in 0..2 {
        values.extend(filter_values.iter().cloned());
        values.push(now.into());
        values.push(now.into());
    }
    let backend = db.get_database_backend();
    Assignee::find_by_statement(statement(backend, &sql, values))
        .all(db)
        .await
}

/// The people one assignment concerns now.
pub async fn assignees_of(
    db: &impl ConnectionTrait,
    assignment: Uuid,
    now: DateTime<Utc>,
) -> Result<Vec<Assignee>, DbErr> {
    assignees(db, "a.id = ?", vec![assignment.into()], now).await
}

/// The people open assignments due between `from` and `to` (inclusive) concern now.
pub async fn assignees_due_between(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<Assignee>, DbErr> {
    assignees(
        db,
        "a.due_on >= ? AND a.due_on <= ?",
        vec![from.into(), to.into()],
        now,
    )
    .await
}

/// A person's latest certificate of a course (not renewed by a later one, not revoked).
#[derive(Debug, Clone, FromQueryResult)]
pub struct LatestCertificate {
    pub certificate_id: Uuid,
    pub serial: String,
    pub course_id: String,
    pub valid_until: DateTime<Utc>,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub language: String,
}

/// The latest certificates of active people that end after `after` and no later than
/// `until`: those ending soon, or those that just ended.
pub async fn latest_certificates_ending(
    db: &impl ConnectionTrait,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<LatestCertificate>, DbErr> {
    let sql = "
SELECT c.id AS certificate_id, c.serial, c.course_id, c.valid_until,
       u.id AS user_id, u.name, u.email, u.language
FROM certificates c
JOIN users u ON u.id = c.user_id
WHERE c.revoked_at IS NULL AND u.status = 'active'
  AND c.valid_until > ? AND c.valid_until <= ?
  AND NOT EXISTS (
    SELECT 1 FROM certificates later
    WHERE later.user_id = c.user_id AND later.course_id = c.course_id
      AND later.revoked_at IS NULL AND later.valid_until > c.valid_until)";
    let backend = db.get_database_backend();
    LatestCertificate::find_by_statement(statement(backend, sql, vec![after.into(), until.into()]))
        .all(db)
        .await
}

/// Every certificate of these people.
pub async fn certificates_of(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> Result<Vec<certificate::Model>, DbErr> {
    let mut found = Vec::new();
    for chunk in people.chunks(500) {
        found.extend(
            certificate::Entity::find()
                .filter(certificate::Column::UserId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// Every policy acknowledgement of these people.
pub async fn acknowledgements_of(
    db: &impl ConnectionTrait,
    people: &[Uuid],
) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    let mut found = Vec::new();
    for chunk in people.chunks(500) {
        found.extend(
            policy_acknowledgement::Entity::find()
                .filter(policy_acknowledgement::Column::UserId.is_in(chunk.iter().copied()))
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// An active department head and the unit they head.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Head {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub language: String,
    pub unit_id: Uuid,
    pub unit_path: String,
}

pub async fn heads(db: &impl ConnectionTrait) -> Result<Vec<Head>, DbErr> {
    let sql = "
SELECT u.id AS user_id, u.name, u.email, u.language, ou.id AS unit_id, ou.path AS unit_path
FROM users u
JOIN org_units ou ON ou.id = u.org_unit_id
WHERE u.is_manager = ? AND u.status = 'active'";
    let backend = db.get_database_backend();
    Head::find_by_statement(statement(backend, sql, vec![true.into()]))
        .all(db)
        .await
}
