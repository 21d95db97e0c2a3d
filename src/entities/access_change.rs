//! An entry in the feed that tells every kiwi instance what to reload into its access cache.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "access_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub user_id: Option<Uuid>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const KIND_PERSON: &str = "person";
pub const KIND_KEYS: &str = "keys";
/// A person's progress changed (a module completed, a first attempt on a course version):
/// only their started courses are read again, and the progress pages show is forgotten.
pub const KIND_PROGRESS: &str = "progress";
