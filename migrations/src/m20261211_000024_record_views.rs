//! The transparency log ("who looked"): one row per report view, export or change by a
//! department head, HR or an administrator that included people, with the list of the people
//! it included. A 50,000-row export writes one row, not 50,000.
//!
//! `people` is a JSON array of user ids, each written as 32 lowercase hex digits (the
//! simple form, without hyphens, which both databases produce cheaply from a stored id). A
//! person's entries are found by containment: on PostgreSQL `people @> '["<id>"]'` through a
//! GIN index (`jsonb_path_ops`); on SQLite with `json_each`.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecordViews::Table)
                    .col(pk_uuid(RecordViews::Id))
                    .col(timestamp_with_time_zone(RecordViews::At))
                    // Who looked or changed; NULL at the command line.
                    .col(uuid_null(RecordViews::ActorId))
                    // The role they acted in: manager, hr, admin or command_line.
                    .col(string_len(RecordViews::ActorRole, 16))
                    // team_report, hr_report, team_export, hr_export, certificate_revoked …
                    .col(string_len(RecordViews::Kind, 32))
                    // What exactly: the file format, a certificate serial; never a score.
                    .col(text(RecordViews::Detail))
                    // jsonb on PostgreSQL, JSON text on SQLite.
                    .col(json_binary(RecordViews::People))
                    .col(integer(RecordViews::PeopleCount))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_record_views_at")
                    .table(RecordViews::Table)
                    .col(RecordViews::At)
                    .to_owned(),
            )
            .await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared(
                    "CREATE INDEX idx_record_views_people ON record_views \
                     USING GIN (people jsonb_path_ops)",
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecordViews::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RecordViews {
    Table,
    Id,
    At,
    ActorId,
    ActorRole,
    Kind,
    Detail,
    People,
    PeopleCount,
}
