//! What the access index loads at start: every person and every fact the access rule needs,
//! one streamed statement per table, each row decoded by position. (Batches of 500 people,
//! four statements each, read into full models, took three times as long: at 50,000 people
//! the load was most of the time until the first access check could answer.)

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, DbErr, QueryResult, Statement, StreamTrait};
use uuid::Uuid;

use crate::entities::user;

/// A person as the access rule sees them.
pub struct PersonRow {
    pub id: Uuid,
    pub personnel_number: String,
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub org_unit_id: Uuid,
    pub active: bool,
    /// Their number in the transparency log (`db::record_views`).
    pub record_no: i64,
}

/// A certificate as the access rule sees it.
pub struct CertificateRow {
    pub user_id: Uuid,
    pub course_id: String,
    pub serial: String,
    pub course_version: String,
    pub sequence: i32,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub revoked: bool,
}

/// Hands each row of `sql` to `each`, decoded by `decode`, never holding more than one.
async fn each_row<T>(
    db: &DatabaseConnection,
    sql: &str,
    decode: impl Fn(&QueryResult) -> Result<T, DbErr>,
    mut each: impl FnMut(T),
) -> Result<(), DbErr> {
    let statement = Statement::from_string(db.get_database_backend(), sql);
    let mut rows = db.stream_raw(statement).await?;
    while let Some(row) = rows.next().await {
        each(decode(&row?)?);
    }
    Ok(())
}

/// Every person, in no particular order.
pub async fn people(db: &DatabaseConnection, each: impl FnMut(PersonRow)) -> Result<(), DbErr> {
    each_row(
        db,
        "SELECT id, personnel_number, name, email, email_normalized, org_unit_id, status, \
         record_no FROM users",
        |row| {
            let status: String = row.try_get_by_index(6)?;
            Ok(PersonRow {
                id: row.try_get_by_index(0)?,
                personnel_number: row.try_get_by_index(1)?,
                name: row.try_get_by_index(2)?,
                email: row.try_get_by_index(3)?,
                email_normalized: row.try_get_by_index(4)?,
                org_unit_id: row.try_get_by_index(5)?,
                active: status == user::STATUS_ACTIVE,
                record_no: row.try_get_by_index(7)?,
            })
        },
        each,
    )
    .await
}

/// Every certificate, revoked ones too (the rule tells a revoked one from a missing one).
pub async fn certificates(
    db: &DatabaseConnection,
    each: impl FnMut(CertificateRow),
) -> Result<(), DbErr> {
    each_row(
        db,
        "SELECT user_id, course_id, serial, course_version, sequence, issued_at, valid_from, \
         valid_until, CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END FROM certificates",
        |row| {
            let revoked: i32 = row.try_get_by_index(8)?;
            Ok(CertificateRow {
                user_id: row.try_get_by_index(0)?,
                course_id: row.try_get_by_index(1)?,
                serial: row.try_get_by_index(2)?,
                course_version: row.try_get_by_index(3)?,
                sequence: row.try_get_by_index(4)?,
                issued_at: row.try_get_by_index(5)?,
                valid_from: row.try_get_by_index(6)?,
                valid_until: row.try_get_by_index(7)?,
                revoked: revoked != 0,
            })
        },
        each,
    )
    .await
}

/// Every policy version each person acknowledged: (person, version).
pub async fn acknowledgements(
    db: &DatabaseConnection,
    each: impl FnMut((Uuid, String)),
) -> Result<(), DbErr> {
    each_row(
        db,
        "SELECT user_id, policy_version FROM policy_acknowledgements",
        |row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)),
        each,
    )
    .await
}

/// The courses each person started (an attempt or a completed module, on any version),
/// each pair once: (person, course).
pub async fn started_courses(
    db: &DatabaseConnection,
    each: impl FnMut((Uuid, String)),
) -> Result<(), DbErr> {
    each_row(
        db,
        "SELECT user_id, course_id FROM module_completions \
         UNION SELECT user_id, course_id FROM quiz_attempts",
        |row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)),
        each,
    )
    .await
}
