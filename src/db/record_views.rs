//! The transparency log: one row per view or change that included people, with the ids of
//! everyone it included as a JSON array, and a person's own entries read back by containment
//! (PostgreSQL: `jsonb @>` through a GIN index; SQLite: `json_each`).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, Set, Value,
};
use uuid::Uuid;

use crate::db::records::{self, RecordQuery};
use crate::entities::{record_view, user};

/// Who looked or changed, in which role, and what.
pub struct NewView<'a> {
    pub actor_id: Option<Uuid>,
    pub actor_role: &'a str,
    pub kind: &'a str,
    pub detail: &'a str,
    pub at: DateTime<Utc>,
}

/// How a person's id is written in the `people` array: 32 lowercase hex digits.
pub fn person_key(id: Uuid) -> String {
    id.simple().to_string()
}

/// Writes one row naming `people`, ids that are known already (a page of a report, the
/// holder of a certificate). Nothing is written for nobody.
pub async fn insert_listed(
    db: &impl ConnectionTrait,
    view: &NewView<'_>,
    people: &[Uuid],
) -> Result<(), DbErr> {
    if people.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<String> = people.iter().map(|id| person_key(*id)).collect();
    keys.sort_unstable();
    keys.dedup();
    record_view::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(view.at),
        actor_id: Set(view.actor_id),
        actor_role: Set(view.actor_role.to_owned()),
        kind: Set(view.kind.to_owned()),
        detail: Set(view.detail.to_owned()),
        people_count: Set(i32::try_from(keys.len()).unwrap_or(i32::MAX)),
        people: Set(serde_json::Value::from(keys)),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Writes one row naming everyone whose records `query` reads, in one statement: the ids
/// are gathered and aggregated by the database and never travel to kiwi. Returns how many
/// rows were written (0 when the query reads nobody).
pub async fn insert_selected(
    db: &impl ConnectionTrait,
    view: &NewView<'_>,
    query: &RecordQuery,
) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let (people_sql, mut values) = people_of(backend, query);
    let (key, aggregate) = match backend {
        DatabaseBackend::Postgres => (
            "replace(p.id::text, '-', '')",
            "COALESCE(jsonb_agg(p.k), '[]'::jsonb)",
        ),
        _ => ("lower(hex(p.id))", "json_group_array(p.k)"),
    };
    // Placeholders for PostgreSQL are numbered after those of the people query.
    let first = values.len();
    let marks: Vec<String> = (1..=6)
        .map(|n| match backend {
            DatabaseBackend::Postgres => format!("${}", first + n),
            _ => "?".to_owned(),
        })
        .collect();
    values.extend([
        Value::from(Uuid::now_v7()),
        Value::from(view.at),
        Value::from(view.actor_id),
        Value::from(view.actor_role.to_owned()),
        Value::from(view.kind.to_owned()),
        Value::from(view.detail.to_owned()),
    ]);
    let sql = format!(
        "WITH picked (id) AS ({people_sql}), \
              keyed (k) AS (SELECT {key} FROM picked p), \
              gathered (people, n) AS (SELECT {aggregate}, CAST(count(*) AS INTEGER) FROM keyed p) \
         INSERT INTO record_views (id, at, actor_id, actor_role, kind, detail, people, people_count) \
         SELECT {}, {}, {}, {}, {}, {}, people, n FROM gathered WHERE n > 0",
        marks[0], marks[1], marks[2], marks[3], marks[4], marks[5],
    );
    let result = db
        .execute_raw(sea_orm::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await?;
    Ok(result.rows_affected())
}

/// The people whose records `query` reads, each once, and the statement's values. Without a
/// date filter that is every active person of the chosen units (a records query reads every
/// person with every course); with one, exactly the people of the records statement.
fn people_of(backend: DatabaseBackend, query: &RecordQuery) -> (String, Vec<Value>) {
    if query.courses.is_empty() {
        return (
            "SELECT u.id FROM users u WHERE 1 = 0".to_owned(),
            Vec::new(),
        );
    }
    if query.completed_from.is_some() || query.completed_until.is_some() {
        let unordered = RecordQuery {
            ordered: false,
            ..query.clone()
        };
        let statement = records::statement(backend, &unordered);
        let values = statement.values.map(|v| v.0).unwrap_or_default();
        return (
            format!("SELECT DISTINCT r.user_id FROM ({}) r", statement.sql),
            values,
        );
    }
    let mut values = vec![Value::from(user::STATUS_ACTIVE)];
    let mut sql = "SELECT u.id FROM users u WHERE u.status = ?".to_owned();
    if let Some(units) = &query.units {
        if units.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(
                " AND u.org_unit_id IN ({})",
                vec!["?"; units.len()].join(", ")
            ));
            values.extend(units.iter().map(|id| Value::from(*id)));
        }
    }
    let statement = crate::db::statement(backend, &sql, values);
    let values = statement.values.map(|v| v.0).unwrap_or_default();
    (statement.sql, values)
}

/// One entry of a person's transparency log, with the name of who acted (if they are still
/// a person in kiwi).
#[derive(Clone, Debug, FromQueryResult)]
pub struct ViewRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_role: String,
    pub actor_name: Option<String>,
    pub kind: String,
    pub detail: String,
    pub people_count: i32,
}

/// Every entry that included `person`, newest first.
pub async fn of_person(db: &impl ConnectionTrait, person: Uuid) -> Result<Vec<ViewRow>, DbErr> {
    let backend = db.get_database_backend();
    let key = person_key(person);
    let (condition, value) = match backend {
        DatabaseBackend::Postgres => (
            "v.people @> ?",
            Value::from(serde_json::Value::from(vec![key])),
        ),
        // A key is a quoted string of fixed form, so finding it in the text is exact; the
        // text search skips most rows before json_each reads the array.
        _ => (
            "instr(v.people, ?) > 0 \
             AND EXISTS (SELECT 1 FROM json_each(v.people) e WHERE e.value = ?)",
            Value::from(format!("\"{key}\"")),
        ),
    };
    let sql = format!(
        "SELECT v.id, v.at, v.actor_role, a.name AS actor_name, v.kind, v.detail, v.people_count \
         FROM record_views v LEFT JOIN users a ON a.id = v.actor_id \
         WHERE {condition} ORDER BY v.at DESC, v.id DESC"
    );
    let values = match backend {
        DatabaseBackend::Postgres => vec![value],
        _ => vec![value, Value::from(person_key(person))],
    };
    let rows = db
        .query_all_raw(crate::db::statement(backend, &sql, values))
        .await?;
    rows.iter()
        .map(|row| ViewRow::from_query_result(row, ""))
        .collect()
}
