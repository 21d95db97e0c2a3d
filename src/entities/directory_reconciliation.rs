//! One comparison of the tools' directory groups with who may use the tools now.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "directory_reconciliations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dedupe_key: Option<String>,
    pub trigger: String,
    pub dry_run: bool,
    pub started_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub added: i32,
    pub removed: i32,
    pub unmanaged: i32,
    pub not_found: i32,
    /// The report as JSON (`services::reconciliation::Report`).
    pub report: String,
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub const TRIGGER_NIGHTLY: &str = "nightly";
pub const TRIGGER_COMMAND: &str = "command";
