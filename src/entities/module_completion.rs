//! A module a person completed (quiz passed or reading confirmed), on a course version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "module_completions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    pub course_id: String,
    pub module_id: String,
    pub course_version: String,
    pub kind: String,
    pub attempt_id: Option<Uuid>,
    pub completed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const KIND_PASSED: &str = "passed";
pub const KIND_READ: &str = "read";
