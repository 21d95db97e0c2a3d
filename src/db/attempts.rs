//! Queries on quiz attempts.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::entities::quiz_attempt;

pub async fn insert(
    db: &impl ConnectionTrait,
    attempt: quiz_attempt::ActiveModel,
) -> Result<quiz_attempt::Model, DbErr> {
    attempt.insert(db).await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<quiz_attempt::Model>, DbErr> {
    quiz_attempt::Entity::find_by_id(id).one(db).await
}

/// A person's attempts at one module on one course version, newest first.
pub async fn of_module(
    db: &impl ConnectionTrait,
    user: Uuid,
    course: &str,
    version: &str,
    module: &str,
) -> Result<Vec<quiz_attempt::Model>, DbErr> {
    quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(user))
        .filter(quiz_attempt::Column::CourseId.eq(course))
        .filter(quiz_attempt::Column::CourseVersion.eq(version))
        .filter(quiz_attempt::Column::ModuleId.eq(module))
        .order_by_desc(quiz_attempt::Column::StartedAt)
        .all(db)
        .await
}

/// The courses (id and version) a person started an attempt in, each once.
pub async fn courses_of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<(String, String)>, DbErr> {
    quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::CourseId)
        .column(quiz_attempt::Column::CourseVersion)
        .distinct()
        .filter(quiz_attempt::Column::UserId.eq(user))
        .into_tuple()
        .all(db)
        .await
}

/// Whether a person has an attempt on one course version.
pub async fn exists_on_version(
    db: &impl ConnectionTrait,
    user: Uuid,
    course_id: &str,
    course_version: &str,
) -> Result<bool, DbErr> {
    quiz_attempt::Entity::find()
        .select_only()
        .column(quiz_attempt::Column::Id)
        .filter(quiz_attempt::Column::UserId.eq(user))
        .filter(quiz_attempt::Column::CourseId.eq(course_id))
        .filter(quiz_attempt::Column::CourseVersion.eq(course_version))
        .into_tuple::<Uuid>()
        .one(db)
        .await
        .map(|found| found.is_some())
}

pub async fn count_of_user(db: &impl ConnectionTrait, user: Uuid) -> Result<u64, DbErr> {
    quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(user))
        .count(db)
        .await
}

/// Records the result, but only if the attempt is still open; returns whether it was.
/// Two submissions racing each other: exactly one finds it open.
pub async fn submit_if_open(
    db: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
    answers: String,
    score_percent: i32,
    passed: bool,
) -> Result<bool, DbErr> {
    let result = quiz_attempt::Entity::update_many()
        .col_expr(quiz_attempt::Column::SubmittedAt, Some(at).into())
        .col_expr(quiz_attempt::Column::Answers, Some(answers).into())
        .col_expr(
            quiz_attempt::Column::ScorePercent,
            Some(score_percent).into(),
        )
        .col_expr(quiz_attempt::Column::Passed, Some(passed).into())
        .filter(quiz_attempt::Column::Id.eq(id))
        .filter(quiz_attempt::Column::SubmittedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Deletes an attempt that was never submitted (drawn from content that has since changed).
pub async fn delete_open(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DbErr> {
    quiz_attempt::Entity::delete_many()
        .filter(quiz_attempt::Column::Id.eq(id))
        .filter(quiz_attempt::Column::SubmittedAt.is_null())
        .exec(db)
        .await
        .map(|_| ())
}

/// Every quiz attempt of a person, the oldest first (for their own data only).
pub async fn of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<quiz_attempt::Model>, DbErr> {
    quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(user))
        .order_by_asc(quiz_attempt::Column::StartedAt)
        .all(db)
        .await
}
