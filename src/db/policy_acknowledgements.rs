//! Queries on acknowledgements of the AI usage policy.

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::entities::policy_acknowledgement;

/// Records that a person acknowledged a version; doing it twice changes nothing.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    user: Uuid,
    version: &str,
) -> Result<(), DbErr> {
    policy_acknowledgement::Entity::insert(policy_acknowledgement::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user),
        policy_version: Set(version.to_owned()),
        acknowledged_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([
        policy_acknowledgement::Column::UserId,
        policy_acknowledgement::Column::PolicyVersion,
    ])
    .exec(db)
    .await
    .map(|_| ())
}

pub async fn of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    policy_acknowledgement::Entity::find()
        .filter(policy_acknowledgement::Column::UserId.eq(user))
        .all(db)
        .await
}

/// Everyone who acknowledged `version`.
pub async fn of_version(
    db: &impl ConnectionTrait,
    version: &str,
) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    policy_acknowledgement::Entity::find()
        .filter(policy_acknowledgement::Column::PolicyVersion.eq(version))
        .all(db)
        .await
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<policy_acknowledgement::Model>, DbErr> {
    policy_acknowledgement::Entity::find().all(db).await
}
