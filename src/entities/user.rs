//! A person: an employee of the administration, with roles and a sign-in.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub personnel_number: String,
    pub name: String,
    pub email: String,
    pub email_normalized: String,
    pub org_unit_id: Uuid,
    pub language: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub is_manager: bool,
    pub is_hr: bool,
    pub is_admin: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub left_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const STATUS_ACTIVE: &str = "active";
pub const STATUS_LEFT: &str = "left";
