//! A session on a tool's own host name, tied to one kiwi session: first a one-time code,
//! then (once exchanged on the tool's host) the hash of kiwi's cookie there.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tool_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub session_id_hash: String,
    pub tool: String,
    pub code_hash: Option<String>,
    pub code_expires_at: DateTimeUtc,
    pub next_path: String,
    pub token_hash: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
