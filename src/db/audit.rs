//! Appending to the audit log.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set};
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
