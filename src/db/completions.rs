//! Queries on completed modules.

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TryInsertResult};
use uuid::Uuid;

use crate::entities::module_completion;

/// Records a completion unless the module is already completed on that course version;
/// true when it was new.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    completion: module_completion::ActiveModel,
) -> Result<bool, DbErr> {
    module_completion::Entity::insert(completion)
        .on_conflict_do_nothing_on([
            module_completion::Column::UserId,
            module_completion::Column::CourseId,
            module_completion::Column::CourseVersion,
            module_completion::Column::ModuleId,
        ])
        .exec_without_returning(db)
        .await
        .map(|inserted| matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
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
