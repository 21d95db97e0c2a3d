//! Appending to the audit log.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set,
    TryInsert, TryInsertResult,
};
use uuid::Uuid;

use crate::entities::audit_log;

pub async fn record(
    db: &impl ConnectionTrait,
    actor: Option<Uuid>,
    action: &str,
    detail: &str,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_id: Set(actor),
        action: Set(action.to_owned()),
        detail: Set(detail.to_owned()),
        dedupe_key: Set(None),
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Records an event that several instances may notice; only the first record of `key` stays.
pub async fn record_once(
    db: &impl ConnectionTrait,
    key: &str,
    action: &str,
    detail: &str,
) -> Result<(), DbErr> {
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_id: Set(None),
        action: Set(action.to_owned()),
        detail: Set(detail.to_owned()),
        dedupe_key: Set(Some(key.to_owned())),
    })
    .on_conflict_do_nothing_on([audit_log::Column::DedupeKey])
    .exec(db)
    .await
    .map(|_| ())
}

/// Records an event under `key` unless one was recorded under it: true for the one caller
/// that recorded it (of however many instances try at once).
pub async fn claim(
    db: &impl ConnectionTrait,
    key: &str,
    action: &str,
    detail: &str,
) -> Result<bool, DbErr> {
    let result = TryInsert::one(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_id: Set(None),
        action: Set(action.to_owned()),
        detail: Set(detail.to_owned()),
        dedupe_key: Set(Some(key.to_owned())),
    })
    .on_conflict_do_nothing_on([audit_log::Column::DedupeKey])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(result, TryInsertResult::Inserted(1)))
}

/// Whether an event was recorded under `key`.
pub async fn has_key(db: &impl ConnectionTrait, key: &str) -> Result<bool, DbErr> {
    Ok(audit_log::Entity::find()
        .filter(audit_log::Column::DedupeKey.eq(key))
        .one(db)
        .await?
        .is_some())
}

/// Entries that may be about one person: those they made of one of `own_actions`, and those
/// whose detail contains one of `needles` (their personnel number, email address, certificate
/// serials). The caller keeps the entries that name them as a whole word. The audit log has
/// no column for whom an entry concerns, so this reads every entry once: it serves a
/// person's request for their own data, not a page everyone opens.
pub async fn mentioning(
    db: &impl ConnectionTrait,
    actor: Uuid,
    own_actions: &[&str],
    needles: &[String],
) -> Result<Vec<audit_log::Model>, DbErr> {
    use sea_orm::{DatabaseBackend, Value};
    let backend = db.get_database_backend();
    let contains = match backend {
        DatabaseBackend::Postgres => "strpos(detail, ?) > 0",
        _ => "instr(detail, ?) > 0",
    };
    let mut values: Vec<Value> = vec![Value::from(actor)];
    let mut conditions = Vec::new();
    let actions = vec!["?"; own_actions.len().max(1)].join(", ");
    if own_actions.is_empty() {
        values.push(Value::from(""));
    }
    values.extend(own_actions.iter().map(|a| Value::from(a.to_string())));
    conditions.push(format!("(actor_id = ? AND action IN ({actions}))"));
    for needle in needles.iter().filter(|n| !n.is_empty()) {
        conditions.push(contains.to_owned());
        values.push(Value::from(needle.clone()));
    }
    let sql = format!(
        "SELECT * FROM audit_log WHERE {} ORDER BY at, id",
        conditions.join(" OR ")
    );
    audit_log::Entity::find()
        .from_raw_sql(crate::db::statement(backend, &sql, values))
        .all(db)
        .await
}
