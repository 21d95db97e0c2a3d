//! Sessions on a tool's own host name: a one-time code that kiwi hands to the tool's host
//! after sign-in, exchanged there for kiwi's cookie of that host. Each belongs to one kiwi
//! session and ends with it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ToolSessions::Table)
                    .col(pk_uuid(ToolSessions::Id))
                    .col(string_len(ToolSessions::SessionIdHash, 64))
                    .col(string_len(ToolSessions::Tool, 64))
                    // SHA-256 of the one-time code, until it is exchanged.
                    .col(string_len_null(ToolSessions::CodeHash, 64).unique_key())
                    .col(timestamp_with_time_zone(ToolSessions::CodeExpiresAt))
                    // Where on the tool's host the person goes after the exchange.
                    .col(text(ToolSessions::NextPath))
                    // SHA-256 of the cookie token, once the code is exchanged.
                    .col(string_len_null(ToolSessions::TokenHash, 64).unique_key())
                    .col(timestamp_with_time_zone(ToolSessions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ToolSessions::Table, ToolSessions::SessionIdHash)
                            .to(Sessions::Table, Sessions::IdHash)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tool_sessions_session")
                    .table(ToolSessions::Table)
                    .col(ToolSessions::SessionIdHash)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ToolSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ToolSessions {
    Table,
    Id,
    SessionIdHash,
    Tool,
    CodeHash,
    CodeExpiresAt,
    NextPath,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
}
