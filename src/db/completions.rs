//! Queries on completed modules.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::entities::module_completion;

/// Records a completion unless the module is already completed on that course version.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    completion: module_completion::ActiveModel,
) -> Result<(), DbErr> {
    module_completion::Entity::insert(completion)
        .on_conflict_do_nothing_on([
            module_completion::Column::UserId,
            module_completion::Column::CourseId,
            module_completion::Column::CourseVersion,
            module_completion::Column::ModuleId,
        ])
        .exec(db)
        .await
        .map(|_| ())
}

pub async fn of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<module_completion::Model>, DbErr> {
    module_completion::Entity::find()
        .filter(module_completion::Column::UserId.eq(user))
        .all(db)
        .await
}

/// Whether a person completed one module on one course version: a single index look-up.
pub async fn exists(
    db: &impl ConnectionTrait,
    user: Uuid,
    course_id: &str,
    course_version: &str,
    module_id: &str,
) -> Result<bool, DbErr> {
    module_completion::Entity::find()
        .select_only()
        .column(module_completion::Column::Id)
        .filter(module_completion::Column::UserId.eq(user))
        .filter(module_completion::Column::CourseId.eq(course_id))
        .filter(module_completion::Column::CourseVersion.eq(course_version))
        .filter(module_completion::Column::ModuleId.eq(module_id))
        .into_tuple::<Uuid>()
        .one(db)
        .await
        .map(|found| found.is_some())
}
