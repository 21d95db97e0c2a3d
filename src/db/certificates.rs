//! Queries on certificates.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use crate::entities::certificate;

/// Inserts a certificate unless one with the same person, course and sequence exists;
/// returns whether it was inserted.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    model: certificate::ActiveModel,
) -> Result<bool, DbErr> {
    let result = certificate::Entity::insert(model)
        .on_conflict_do_nothing_on([
            certificate::Column::UserId,
            certificate::Column::CourseId,
            certificate::Column::Sequence,
        ])
        .exec(db)
        .await?;
    Ok(matches!(result, sea_orm::TryInsertResult::Inserted(_)))
}

pub async fn of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<certificate::Model>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user))
        .order_by_desc(certificate::Column::IssuedAt)
        .all(db)
        .await
}

pub async fn of_user_and_course(
    db: &impl ConnectionTrait,
    user: Uuid,
    course: &str,
) -> Result<Vec<certificate::Model>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user))
        .filter(certificate::Column::CourseId.eq(course))
        .order_by_asc(certificate::Column::Sequence)
        .all(db)
        .await
}

pub async fn count_of_user_and_course(
    db: &impl ConnectionTrait,
    user: Uuid,
    course: &str,
) -> Result<u64, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user))
        .filter(certificate::Column::CourseId.eq(course))
        .count(db)
        .await
}

pub async fn by_serial(
    db: &impl ConnectionTrait,
    serial: &str,
) -> Result<Option<certificate::Model>, DbErr> {
    certificate::Entity::find()
        .filter(certificate::Column::Serial.eq(serial))
        .one(db)
        .await
}

/// Every certificate: the access cache tells "expired" from "never had one".
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<certificate::Model>, DbErr> {
    certificate::Entity::find().all(db).await
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    id: Uuid,
    by: Uuid,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    certificate::ActiveModel {
        id: Set(id),
        revoked_at: Set(Some(at)),
        revoked_by: Set(Some(by)),
        revoke_reason: Set(Some(reason.to_owned())),
        ..Default::default()
    }
    .update(db)
    .await
    .map(|_| ())
}

/// When the next unrevoked certificate ends after `after` (None: none ends later).
pub async fn next_end_after(
    db: &impl ConnectionTrait,
    after: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DbErr> {
    use sea_orm::QuerySelect;
    certificate::Entity::find()
        .select_only()
        .column(certificate::Column::ValidUntil)
        .filter(certificate::Column::RevokedAt.is_null())
        .filter(certificate::Column::ValidUntil.gt(after))
        .order_by_asc(certificate::Column::ValidUntil)
        .into_tuple()
        .one(db)
        .await
}
