//! The transparency log: one row per report view, export or change that included people,
//! with the ids of everyone it included (see `db::record_views`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "record_views")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_id: Option<Uuid>,
    pub actor_role: String,
    pub kind: String,
    pub detail: String,
    /// A JSON array of user ids, 32 lowercase hex digits each.
    #[sea_orm(column_type = "JsonBinary")]
    pub people: Json,
    pub people_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
