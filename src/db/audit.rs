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
