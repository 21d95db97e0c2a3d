//! Figures at past moments, for the council report's trend: how many people were staff then,
//! and how many of them held a valid certificate of each course.
//!
//! A person counts as staff from when they were added to kiwi until they were marked as
//! having left (`left_at`); someone marked as left without a date never counts. A certificate
//! counts from when it was issued until it ended, or until it was revoked.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::entities::user;

/// `WITH moments (slot, moment_at) AS (VALUES …)`: each moment with its index.
fn moments_cte(moments: &[DateTime<Utc>], values: &mut Vec<Value>) -> String {
    let rows: Vec<&str> = moments
        .iter()
        .enumerate()
        .map(|(position, at)| {
            values.push(Value::from(i32::try_from(position).unwrap_or(i32::MAX)));
            values.push(Value::from(*at));
            "(?, ?)"
        })
        .collect();
    format!(
        "WITH moments (slot, moment_at) AS (VALUES {})",
        rows.join(", ")
    )
}

/// Whether person `u` was staff at moment `m`.
const STAFF_AT: &str = "u.created_at <= m.moment_at \
     AND ((u.left_at IS NULL AND u.status = ?) OR u.left_at > m.moment_at)";

/// How many people were staff at each moment, in the order of `moments`.
pub async fn staff_at(
    db: &impl ConnectionTrait,
    moments: &[DateTime<Utc>],
) -> Result<Vec<usize>, DbErr> {
    if moments.is_empty() {
        return Ok(Vec::new());
    }
    let mut values = Vec::new();
    let cte = moments_cte(moments, &mut values);
    values.push(Value::from(user::STATUS_ACTIVE));
    let sql = format!(
        "{cte} SELECT m.slot, COUNT(u.id) AS people FROM moments m \
         LEFT JOIN users u ON {STAFF_AT} GROUP BY m.slot"
    );
    let rows = db
        .query_all_raw(crate::db::statement(
            db.get_database_backend(),
            &sql,
            values,
        ))
        .await?;
    let mut people = vec![0; moments.len()];
    for row in rows {
        let position: i32 = row.try_get_by_index(0)?;
        let count: i64 = row.try_get_by_index(1)?;
        if let Some(slot) = usize::try_from(position)
            .ok()
            .and_then(|p| people.get_mut(p))
        {
            *slot = usize::try_from(count).unwrap_or(0);
        }
    }
    Ok(people)
}

/// How many people who were staff at each moment held a valid certificate of each course
/// then: `(index into moments, course id, people)`, only for counts above zero.
pub async fn certified_at(
    db: &impl ConnectionTrait,
    moments: &[DateTime<Utc>],
    courses: &[String],
) -> Result<Vec<(usize, String, usize)>, DbErr> {
    if moments.is_empty() || courses.is_empty() {
        return Ok(Vec::new());
    }
    let mut values = Vec::new();
    let cte = moments_cte(moments, &mut values);
    values.push(Value::from(user::STATUS_ACTIVE));
    let marks = vec!["?"; courses.len()].join(", ");
    values.extend(courses.iter().map(|c| Value::from(c.clone())));
    let sql = format!(
        "{cte} SELECT m.slot, c.course_id, COUNT(DISTINCT c.user_id) AS certified \
         FROM moments m \
         JOIN certificates c ON c.issued_at <= m.moment_at AND c.valid_until > m.moment_at \
              AND (c.revoked_at IS NULL OR c.revoked_at > m.moment_at) \
         JOIN users u ON u.id = c.user_id AND {STAFF_AT} \
         WHERE c.course_id IN ({marks}) \
         GROUP BY m.slot, c.course_id"
    );
    let rows = db
        .query_all_raw(crate::db::statement(
            db.get_database_backend(),
            &sql,
            values,
        ))
        .await?;
    rows.iter()
        .map(|row| {
            let position: i32 = row.try_get_by_index(0)?;
            let course: String = row.try_get_by_index(1)?;
            let count: i64 = row.try_get_by_index(2)?;
            Ok((
                usize::try_from(position).unwrap_or(usize::MAX),
                course,
                usize::try_from(count).unwrap_or(0),
            ))
        })
        .collect()
}
