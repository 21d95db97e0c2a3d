//! Readiness: each instance proves that it can write by touching its own row here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ReadinessProbes::Table)
                    .col(string_len(ReadinessProbes::Instance, 64).primary_key())
                    .col(timestamp_with_time_zone(ReadinessProbes::CheckedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ReadinessProbes::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum ReadinessProbes {
    Table,
    Instance,
    CheckedAt,
}
