//! Queries on password links (invitations and resets).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use crate::entities::password_link;

pub async fn insert(db: &impl ConnectionTrait, link: password_link::Model) -> Result<(), DbErr> {
    link.into_active_model().insert(db).await.map(|_| ())
}

/// A link that can still be used: the right purpose, not used, not expired.
pub async fn live(
    db: &impl ConnectionTrait,
    token_hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<Option<password_link::Model>, DbErr> {
    password_link::Entity::find_by_id(token_hash.to_owned())
        .filter(password_link::Column::Purpose.eq(purpose))
        .filter(password_link::Column::UsedAt.is_null())
        .filter(password_link::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Uses a live link up; true for the one request that did so, however many race.
pub async fn use_up(
    db: &impl ConnectionTrait,
    token_hash: &str,
    purpose: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = password_link::Entity::update_many()
        .col_expr(password_link::Column::UsedAt, Expr::value(now))
        .filter(password_link::Column::TokenHash.eq(token_hash))
        .filter(password_link::Column::Purpose.eq(purpose))
        .filter(password_link::Column::UsedAt.is_null())
        .filter(password_link::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Removes a person's links that were not used (of one purpose, or all).
pub async fn delete_unused(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    purpose: Option<&str>,
) -> Result<(), DbErr> {
    let mut delete = password_link::Entity::delete_many()
        .filter(password_link::Column::UserId.eq(user_id))
        .filter(password_link::Column::UsedAt.is_null());
    if let Some(purpose) = purpose {
        delete = delete.filter(password_link::Column::Purpose.eq(purpose));
    }
    delete.exec(db).await.map(|_| ())
}
