//! Queries on sessions of tool hosts.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

use crate::entities::tool_session;

pub async fn insert(
    db: &impl ConnectionTrait,
    model: tool_session::ActiveModel,
) -> Result<(), DbErr> {
    model.insert(db).await.map(|_| ())
}

/// Exchanges an unexpired, unused code of this tool for a cookie token, in one statement,
/// so a code works once however many requests race for it. True when it did.
pub async fn exchange(
    db: &impl ConnectionTrait,
    tool: &str,
    code_hash: &str,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = tool_session::Entity::update_many()
        .col_expr(tool_session::Column::TokenHash, Expr::value(token_hash))
        .col_expr(
            tool_session::Column::CodeHash,
            Expr::value(Option::<String>::None),
        )
        .filter(tool_session::Column::CodeHash.eq(code_hash))
        .filter(tool_session::Column::Tool.eq(tool))
        .filter(tool_session::Column::CodeExpiresAt.gt(now))
        .filter(tool_session::Column::TokenHash.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

pub async fn by_token_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<Option<tool_session::Model>, DbErr> {
    tool_session::Entity::find()
        .filter(tool_session::Column::TokenHash.eq(token_hash))
        .one(db)
        .await
}

pub async fn delete_by_token_hash(
    db: &impl ConnectionTrait,
    token_hash: &str,
) -> Result<(), DbErr> {
    tool_session::Entity::delete_many()
        .filter(tool_session::Column::TokenHash.eq(token_hash))
        .exec(db)
        .await
        .map(|_| ())
}

/// Removes codes that were never exchanged and have expired.
pub async fn delete_unused_codes(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    tool_session::Entity::delete_many()
        .filter(
            Condition::all()
                .add(tool_session::Column::TokenHash.is_null())
                .add(tool_session::Column::CodeExpiresAt.lte(now)),
        )
        .exec(db)
        .await
        .map(|r| r.rows_affected)
}
