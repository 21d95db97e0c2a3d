//! Telling other systems who may use a tool: the outbox of directory operations and webhook
//! deliveries (each written in the transaction of the change that causes it), the record of
//! every reconciliation of the directory groups, the policy versions kiwi has served (a new
//! one ends the entitlements of those who have not acknowledged it), and an index that lets
//! kiwi notice certificates ending at their second.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxOperations::Table)
                    // In the order the database took them: the operations of one person
                    // and tool are applied in this order.
                    .col(big_pk_auto(OutboxOperations::Id))
                    // The same on every try: a webhook's `webhook-id`.
                    .col(uuid_uniq(OutboxOperations::MessageId))
                    // directory or webhook.
                    .col(string_len(OutboxOperations::Kind, 16))
                    // Set for operations that must never be queued twice (an expiry noticed
                    // by several instances); several NULLs are allowed.
                    .col(string_null(OutboxOperations::DedupeKey).unique_key())
                    // The operations of one key are applied one after the other.
                    .col(string(OutboxOperations::SequenceKey))
                    // The group's DN, or the webhook's name.
                    .col(text(OutboxOperations::Target))
                    // add or remove, or the event type.
                    .col(string_len(OutboxOperations::Action, 32))
                    .col(string_null(OutboxOperations::ToolId))
                    .col(uuid_null(OutboxOperations::UserId))
                    // Why an entitlement ended (expired, revoked, left, policy), or
                    // reconciliation.
                    .col(string_len_null(OutboxOperations::Reason, 16))
                    // What the operation needs: the person's email and personnel number, or
                    // the webhook's exact body.
                    .col(text(OutboxOperations::Payload))
                    // queued, applying, failed (waits for the next try), done, gave_up.
                    .col(string_len(OutboxOperations::Status, 16))
                    .col(integer(OutboxOperations::Tries).default(0))
                    .col(timestamp_with_time_zone(OutboxOperations::NextTryAt))
                    .col(text_null(OutboxOperations::LastError))
                    // What it came to: added, already a member, delivered 200 …
                    .col(text_null(OutboxOperations::Outcome))
                    .col(string_null(OutboxOperations::ClaimedBy))
                    .col(timestamp_with_time_zone_null(
                        OutboxOperations::ClaimedUntil,
                    ))
                    .col(timestamp_with_time_zone(OutboxOperations::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxOperations::DoneAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_operations_due")
                    .table(OutboxOperations::Table)
                    .col(OutboxOperations::Kind)
                    .col(OutboxOperations::Status)
                    .col(OutboxOperations::NextTryAt)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_operations_sequence")
                    .table(OutboxOperations::Table)
                    .col(OutboxOperations::SequenceKey)
                    .col(OutboxOperations::Status)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(DirectoryReconciliations::Table)
                    .col(pk_uuid(DirectoryReconciliations::Id))
                    // nightly:<local day> for the nightly run, so one instance runs it.
                    .col(string_null(DirectoryReconciliations::DedupeKey).unique_key())
                    // nightly or command.
                    .col(string_len(DirectoryReconciliations::Trigger, 16))
                    .col(boolean(DirectoryReconciliations::DryRun))
                    .col(timestamp_with_time_zone(
                        DirectoryReconciliations::StartedAt,
                    ))
                    .col(timestamp_with_time_zone_null(
                        DirectoryReconciliations::FinishedAt,
                    ))
                    .col(integer(DirectoryReconciliations::Added).default(0))
                    .col(integer(DirectoryReconciliations::Removed).default(0))
                    .col(integer(DirectoryReconciliations::Unmanaged).default(0))
                    .col(integer(DirectoryReconciliations::NotFound).default(0))
                    // Per group what was changed, left alone and not found (JSON).
                    .col(text(DirectoryReconciliations::Report))
                    .col(text_null(DirectoryReconciliations::Error))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_directory_reconciliations_started")
                    .table(DirectoryReconciliations::Table)
                    .col(DirectoryReconciliations::StartedAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PolicyVersions::Table)
                    .col(string(PolicyVersions::Version).primary_key())
                    .col(timestamp_with_time_zone(PolicyVersions::FirstServedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_index(
                Index::create()
                    .name("idx_certificates_valid_until")
                    .table(Certificates::Table)
                    .col(Certificates::ValidUntil)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_certificates_valid_until")
                    .table(Certificates::Table)
                    .to_owned(),
            )
            .await?;
        for table in [
            PolicyVersions::Table.into_iden(),
            DirectoryReconciliations::Table.into_iden(),
            OutboxOperations::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OutboxOperations {
    Table,
    Id,
    MessageId,
    Kind,
    DedupeKey,
    SequenceKey,
    Target,
    Action,
    ToolId,
    UserId,
    Reason,
    Payload,
    Status,
    Tries,
    NextTryAt,
    LastError,
    Outcome,
    ClaimedBy,
    ClaimedUntil,
    CreatedAt,
    DoneAt,
}

#[derive(DeriveIden)]
enum DirectoryReconciliations {
    Table,
    Id,
    DedupeKey,
    Trigger,
    DryRun,
    StartedAt,
    FinishedAt,
    Added,
    Removed,
    Unmanaged,
    NotFound,
    Report,
    Error,
}

#[derive(DeriveIden)]
enum PolicyVersions {
    Table,
    Version,
    FirstServedAt,
}

#[derive(DeriveIden)]
enum Certificates {
    Table,
    ValidUntil,
}
