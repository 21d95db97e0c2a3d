//! The feed of access changes every kiwi instance follows.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::entities::access_change;

/// How many changes this process has recorded: a request that raised it made a change
/// that this instance's cache should read before its next look-up.
static RECORDED: AtomicU64 = AtomicU64::new(0);

pub fn recorded_count() -> u64 {
    RECORDED.load(Ordering::Acquire)
}

pub async fn record(
    db: &impl ConnectionTrait,
    kind: &str,
    user: Option<Uuid>,
) -> Result<(), DbErr> {
    RECORDED.fetch_add(1, Ordering::AcqRel);
    access_change::ActiveModel {
        kind: Set(kind.to_owned()),
        user_id: Set(user),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Changes after `after`, oldest first (at most `limit`).
pub async fn since(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<access_change::Model>, DbErr> {
    access_change::Entity::find()
        .filter(access_change::Column::Id.gt(after))
        .order_by_asc(access_change::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The id of the newest change, or 0.
pub async fn latest_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(access_change::Entity::find()
        .order_by_desc(access_change::Column::Id)
        .one(db)
        .await?
        .map(|c| c.id)
        .unwrap_or(0))
}

/// Drops changes older than `before`; every instance has long read them.
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbErr> {
    access_change::Entity::delete_many()
        .filter(access_change::Column::At.lt(before))
        .exec(db)
        .await
        .map(|_| ())
}
