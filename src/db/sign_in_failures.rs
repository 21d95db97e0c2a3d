//! Events counted per key ("account:…", "client:…", "reset:…") for throttling; the counting
//! statements themselves are in `services::throttle`, which needs them atomic.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::entities::sign_in_failure;

pub async fn decrement(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    sign_in_failure::Entity::update_many()
        .col_expr(
            sign_in_failure::Column::Failures,
            Expr::col(sign_in_failure::Column::Failures).sub(1),
        )
        .filter(sign_in_failure::Column::Key.eq(key))
        .filter(sign_in_failure::Column::Failures.gt(0))
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn clear(db: &impl ConnectionTrait, key: &str) -> Result<(), DbErr> {
    sign_in_failure::Entity::delete_by_id(key.to_owned())
        .exec(db)
        .await
        .map(|_| ())
}

/// Removes every count whose last window started before `before`.
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::WindowStart.lt(before))
        .exec(db)
        .await
        .map(|result| result.rows_affected)
}
