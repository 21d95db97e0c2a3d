//! Queries on sign-in sessions.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::entities::session;

pub async fn insert(db: &impl ConnectionTrait, model: session::ActiveModel) -> Result<(), DbErr> {
    model.insert(db).await.map(|_| ())
}

pub async fn by_id_hash(
    db: &impl ConnectionTrait,
    id_hash: &str,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find_by_id(id_hash.to_owned())
        .one(db)
        .await
}

pub async fn touch(
    db: &impl ConnectionTrait,
    id_hash: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, at.into())
        .filter(session::Column::IdHash.eq(id_hash))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn delete(db: &impl ConnectionTrait, id_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(id_hash.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn delete_all_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .exec(db)
        .await
        .map(|_| ())
}

/// Removes sessions past their absolute end or idle for longer than `idle_before`.
pub async fn delete_stale(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    idle_before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lt(idle_before)),
        )
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
