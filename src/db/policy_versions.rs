//! Queries on the policy versions kiwi has served.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, Set, TryInsert};

use crate::entities::policy_version;

/// Every version served, the latest first.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<policy_version::Model>, DbErr> {
    policy_version::Entity::find()
        .order_by_desc(policy_version::Column::FirstServedAt)
        .all(db)
        .await
}

/// Notes that `version` is served from `at` on (once; later notes change nothing).
pub async fn note(
    db: &impl ConnectionTrait,
    version: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    TryInsert::one(policy_version::ActiveModel {
        version: Set(version.to_owned()),
        first_served_at: Set(at),
    })
    .on_conflict_do_nothing_on([policy_version::Column::Version])
    .exec_without_returning(db)
    .await
    .map(|_| ())
}
