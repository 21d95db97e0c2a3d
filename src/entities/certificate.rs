//! A certificate: proof that a person completed a course version, valid for a period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub serial: String,
    pub user_id: Uuid,
    pub course_id: String,
    pub course_version: String,
    pub sequence: i32,
    pub issued_at: DateTimeUtc,
    pub valid_from: DateTimeUtc,
    pub valid_until: DateTimeUtc,
    pub renewal_of: Option<Uuid>,
    pub revoked_at: Option<DateTimeUtc>,
    pub revoked_by: Option<Uuid>,
    pub revoke_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
