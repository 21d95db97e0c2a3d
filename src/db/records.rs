//! The training-records query: one row per active person and course, with the person's
//! latest certificate and whether they have started. (Due dates come from the few open
//! assignments, applied in memory: see `services::records::Dues`.)
//!
//! Every report, export and the evidence report read this one statement, so what managers
//! and HR can see is decided here: it selects no quiz score, answer, attempt count or time
//! spent (see the README's privacy section).

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr, FromQueryResult, Statement,
    StreamTrait, TransactionTrait, Value,
};
use uuid::Uuid;

use crate::entities::user;

/// Which records to read.
#[derive(Clone, Debug, Default)]
pub struct RecordQuery {
    /// The units whose people are read; `None` reads the whole administration.
    pub units: Option<Vec<Uuid>>,
    /// Course ids, in the order their rows appear per person.
    pub courses: Vec<String>,
    /// Only records whose certificate was issued in `[from, until)`.
    pub completed_from: Option<DateTime<Utc>>,
    pub completed_until: Option<DateTime<Utc>>,
    /// Ordered by personnel number (exports); reports aggregate and need no order.
    pub ordered: bool,
}

/// One person and one course.
#[derive(Clone, Debug, PartialEq, FromQueryResult)]
pub struct RecordRow {
    pub user_id: Uuid,
    pub personnel_number: String,
    pub name: String,
    pub email: String,
    pub org_unit_id: Uuid,
    pub course_id: String,
    pub certificate_serial: Option<String>,
    pub certificate_version: Option<String>,
    pub issued_at: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
    /// Whether they started the course. Only asked (and only true) for someone without a
    /// certificate of it: with one, starting no longer tells anything.
    pub started: bool,
}

/// The statement, with placeholders for the backend. Exports are ordered by personnel
/// number, so a PostgreSQL cursor can return rows from the index before it has them all.
pub fn statement(backend: DatabaseBackend, query: &RecordQuery) -> Statement {
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |value: Value| {
        values.push(value);
        match backend {
            DatabaseBackend::Postgres => format!("${}", values.len()),
            _ => "?".to_owned(),
        }
    };
    let courses: Vec<String> = query
        .courses
        .iter()
        .enumerate()
        .map(|(position, id)| format!("({}, {position})", bind(Value::from(id.clone())),))
        .collect();
    // An empty catalog still needs a well-formed VALUES list; it matches no row.
    let courses = if courses.is_empty() {
        "(NULL, 0)".to_owned()
    } else {
        courses.join(", ")
    };
    let mut conditions = vec![format!(
        "u.status = {}",
        bind(Value::from(user::STATUS_ACTIVE))
    )];
    if let Some(units) = &query.units {
        let units: Vec<String> = units.iter().map(|id| bind(Value::from(*id))).collect();
        if units.is_empty() {
            conditions.push("1 = 0".to_owned());
        } else {
            conditions.push(format!("u.org_unit_id IN ({})", units.join(", ")));
        }
    }
    if let Some(from) = query.completed_from {
        conditions.push(format!("c.issued_at >= {}", bind(Value::from(from))));
    }
    if let Some(until) = query.completed_until {
        conditions.push(format!("c.issued_at < {}", bind(Value::from(until))));
    }
    // Per person and course: the latest certificate not revoked, and (only without one)
    // whether they started. Both are index look-ups per row. PostgreSQL is told so with
    // LATERAL joins (otherwise it may hash whole tables for a report of a few hundred people);
    // SQLite, which has no LATERAL, plans the correlated subqueries as look-ups by itself.
    let (started, joins) = if backend == DatabaseBackend::Postgres {
        (
            "(sm.one IS NOT NULL OR sq.one IS NOT NULL) AS started",
            "LEFT JOIN LATERAL ( \
                 SELECT c2.serial, c2.course_version, c2.issued_at, c2.valid_until \
                 FROM certificates c2 \
                 WHERE c2.user_id = u.id AND c2.course_id = k.course_id \
                   AND c2.revoked_at IS NULL \
                 ORDER BY c2.sequence DESC LIMIT 1) c ON TRUE \
             LEFT JOIN LATERAL ( \
                 SELECT 1 AS one FROM module_completions m \
                 WHERE c.serial IS NULL \
                   AND m.user_id = u.id AND m.course_id = k.course_id LIMIT 1) sm ON TRUE \
             LEFT JOIN LATERAL ( \
                 SELECT 1 AS one FROM quiz_attempts q \
                 WHERE c.serial IS NULL AND sm.one IS NULL \
                   AND q.user_id = u.id AND q.course_id = k.course_id LIMIT 1) sq ON TRUE",
        )
    } else {
        (
            // CASE evaluates lazily: the two look-ups run only for rows without a certificate.
            "CASE WHEN c.id IS NOT NULL THEN 0 \
                  ELSE EXISTS (SELECT 1 FROM module_completions m \
                               WHERE m.user_id = u.id AND m.course_id = k.course_id) \
                    OR EXISTS (SELECT 1 FROM quiz_attempts q \
                               WHERE q.user_id = u.id AND q.course_id = k.course_id) \
             END AS started",
            "LEFT JOIN certificates c ON c.id = ( \
                 SELECT c2.id FROM certificates c2 \
                 WHERE c2.user_id = u.id AND c2.course_id = k.course_id \
                   AND c2.revoked_at IS NULL \
                 ORDER BY c2.sequence DESC LIMIT 1)",
        )
    };
    let sql = format!(
        "WITH courses (course_id, course_position) AS (VALUES {courses}) \
         SELECT u.id AS user_id, u.personnel_number, u.name, u.email, u.org_unit_id, \
                k.course_id, c.serial AS certificate_serial, \
                c.course_version AS certificate_version, c.issued_at, c.valid_until, {started} \
         FROM users u \
         CROSS JOIN courses k \
         {joins} \
         WHERE {}{}",
        conditions.join(" AND "),
        if query.ordered {
            " ORDER BY u.personnel_number, k.course_position"
        } else {
            ""
        }
    );
    Statement::from_sql_and_values(backend, sql, values)
}

/// Every record at once: for reports while the access cache is not loaded (reports read
/// the same rows from memory otherwise).
pub async fn all(db: &impl ConnectionTrait, query: &RecordQuery) -> Result<Vec<RecordRow>, DbErr> {
    let rows = db
        .query_all_raw(statement(db.get_database_backend(), query))
        .await?;
    rows.iter()
        .map(|row| RecordRow::from_query_result(row, ""))
        .collect()
}

/// The courses people started (an attempt or a completed module, on any version), each
/// pair once: of the people given, or of everyone.
pub async fn started_courses(
    db: &impl ConnectionTrait,
    users: Option<&[Uuid]>,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    let backend = db.get_database_backend();
    let mut values = Vec::new();
    let filter = match users {
        Some([]) => return Ok(Vec::new()),
        Some(users) => {
            let marks = vec!["?"; users.len()].join(", ");
            // Once for each half of the UNION.
            for _ in 0..2 {
                values.extend(users.iter().map(|u| Value::from(*u)));
            }
            format!(" WHERE user_id IN ({marks})")
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT user_id, course_id FROM module_completions{filter} \
         UNION SELECT user_id, course_id FROM quiz_attempts{filter}"
    );
    db.query_all_raw(crate::db::statement(backend, &sql, values))
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// How many rows a cursor fetch returns: small enough to keep memory flat.
const BATCH: usize = 1000;

/// Hands the records to `sink` batch by batch, never holding the whole result. `sink`
/// returns `Ok(false)` to stop early (a client went away); the query is then ended at once:
/// on PostgreSQL by closing the cursor's transaction, on SQLite by dropping the statement.
pub async fn for_each_batch<F, Fut, E>(
    db: &DatabaseConnection,
    query: &RecordQuery,
    mut sink: F,
) -> Result<(), E>
where
    F: FnMut(Vec<RecordRow>) -> Fut,
    Fut: Future<Output = Result<bool, E>>,
    E: From<DbErr>,
{
    let backend = db.get_database_backend();
    let statement = statement(backend, query);
    if backend == DatabaseBackend::Postgres {
        let txn = db.begin().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            format!("DECLARE records NO SCROLL CURSOR FOR {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        ))
        .await?;
        loop {
            let rows = txn
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("FETCH {BATCH} FROM records"),
                ))
                .await?;
            if rows.is_empty() {
                break;
            }
            let batch = rows
                .iter()
                .map(|row| RecordRow::from_query_result(row, ""))
                .collect::<Result<Vec<_>, _>>()?;
            if !sink(batch).await? {
                break;
            }
        }
        // Read-only: rolling back ends the cursor and the query behind it (dropping the
        // transaction on an error does the same).
        Ok(txn.rollback().await?)
    } else {
        let mut stream = db.stream_raw(statement).await?;
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(row) = stream.next().await {
            batch.push(RecordRow::from_query_result(&row?, "")?);
            if batch.len() == BATCH && !sink(std::mem::take(&mut batch)).await? {
                return Ok(());
            }
        }
        if !batch.is_empty() {
            sink(batch).await?;
        }
        Ok(())
    }
}
