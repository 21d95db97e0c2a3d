//! Queries on second factors, recovery codes and sign-ins waiting for their second step.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

use crate::entities::{recovery_code, second_factor, sign_in_challenge};

/// The confirmed factor of a person, if any.
pub async fn confirmed_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<second_factor::Model>, DbErr> {
    second_factor::Entity::find()
        .filter(second_factor::Column::UserId.eq(user_id))
        .filter(second_factor::Column::ConfirmedAt.is_not_null())
        .order_by_desc(second_factor::Column::ConfirmedAt)
        .one(db)
        .await
}

/// The newest factor a person began to set up and has not confirmed.
pub async fn pending_of(
    db: &impl ConnectionTrait,
    user_id: Uuid,
) -> Result<Option<second_factor::Model>, DbErr> {
    second_factor::Entity::find()
        .filter(second_factor::Column::UserId.eq(user_id))
        .filter(second_factor::Column::ConfirmedAt.is_null())
        .order_by_desc(second_factor::Column::CreatedAt)
        .one(db)
        .await
}

pub async fn insert(
    db: &impl ConnectionTrait,
    model: second_factor::ActiveModel,
) -> Result<(), DbErr> {
    model.insert(db).await.map(|_| ())
}

/// Marks the 30-second step of an accepted code as used, only if no later or equal step was
/// used before: in one statement, so a code works once however many requests race for it.
pub async fn use_step(db: &impl ConnectionTrait, id: Uuid, step: i64) -> Result<bool, DbErr> {
    let result = second_factor::Entity::update_many()
        .col_expr(second_factor::Column::LastStep, Expr::value(step))
        .filter(second_factor::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(second_factor::Column::LastStep.is_null())
                .add(second_factor::Column::LastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Confirms a pending factor (with the step of the confirming code) and removes every other
/// factor of the person: at most one is in use.
pub async fn confirm(
    db: &impl ConnectionTrait,
    factor: &second_factor::Model,
    step: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = second_factor::Entity::update_many()
        .col_expr(second_factor::Column::ConfirmedAt, Expr::value(now))
        .col_expr(second_factor::Column::LastStep, Expr::value(step))
        .filter(second_factor::Column::Id.eq(factor.id))
        .filter(second_factor::Column::ConfirmedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected != 1 {
        return Ok(false);
    }
    second_factor::Entity::delete_many()
        .filter(second_factor::Column::UserId.eq(factor.user_id))
        .filter(second_factor::Column::Id.ne(factor.id))
        .exec(db)
        .await?;
    Ok(true)
}

/// Removes a person's factors and recovery codes (an administrator's reset). True when
/// there was anything to remove.
pub async fn delete_all_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<bool, DbErr> {
    let factors = second_factor::Entity::delete_many()
        .filter(second_factor::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let codes = recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(factors.rows_affected + codes.rows_affected > 0)
}

/// Replaces a person's recovery codes by new ones (given as hashes).
pub async fn replace_recovery_codes(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    hashes: Vec<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let rows = hashes.into_iter().map(|hash| recovery_code::ActiveModel {
        id: sea_orm::Set(Uuid::now_v7()),
        user_id: sea_orm::Set(user_id),
        code_hash: sea_orm::Set(hash),
        used_at: sea_orm::Set(None),
        created_at: sea_orm::Set(now),
    });
    recovery_code::Entity::insert_many(rows)
        .exec(db)
        .await
        .map(|_| ())
}

/// Uses a person's unused recovery code, in one statement. True when it was there, unused.
pub async fn use_recovery_code(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    code_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.eq(code_hash))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// How many of a person's recovery codes are still unused.
pub async fn unused_recovery_codes(db: &impl ConnectionTrait, user_id: Uuid) -> Result<u64, DbErr> {
    recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await
}

pub async fn insert_challenge(
    db: &impl ConnectionTrait,
    model: sign_in_challenge::ActiveModel,
) -> Result<(), DbErr> {
    model.insert(db).await.map(|_| ())
}

/// A waiting sign-in that has not expired.
pub async fn challenge(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<sign_in_challenge::Model>, DbErr> {
    sign_in_challenge::Entity::find_by_id(token_hash.to_owned())
        .filter(sign_in_challenge::Column::ExpiresAt.gt(now))
        .one(db)
        .await
}

/// Ends a waiting sign-in, in one statement: true for the one request that ended it.
pub async fn take_challenge(
    db: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = sign_in_challenge::Entity::delete_many()
        .filter(sign_in_challenge::Column::TokenHash.eq(token_hash))
        .filter(sign_in_challenge::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Removes waiting sign-ins that have expired, and factors begun but never confirmed for a
/// day.
pub async fn purge(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let challenges = sign_in_challenge::Entity::delete_many()
        .filter(sign_in_challenge::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?;
    let pending = second_factor::Entity::delete_many()
        .filter(second_factor::Column::ConfirmedAt.is_null())
        .filter(second_factor::Column::CreatedAt.lt(now - chrono::Duration::days(1)))
        .exec(db)
        .await?;
    Ok(challenges.rows_affected + pending.rows_affected)
}
