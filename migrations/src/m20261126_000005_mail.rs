//! Email: the outbox every mail is written to before a worker sends it, and the links that
//! let a person set a password (invitations and resets).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutboxMails::Table)
                    .col(pk_uuid(OutboxMails::Id))
                    // Set for mails that must never be queued twice (reminders, notices);
                    // several NULLs are allowed on SQLite and PostgreSQL alike.
                    .col(string_null(OutboxMails::DedupeKey).unique_key())
                    .col(uuid_null(OutboxMails::UserId))
                    .col(string(OutboxMails::RecipientName))
                    .col(string(OutboxMails::Recipient))
                    .col(string_len(OutboxMails::Language, 8))
                    .col(string_len(OutboxMails::Kind, 32))
                    // Rendered when queued: what the row shows is what is sent.
                    .col(text(OutboxMails::Subject))
                    .col(text(OutboxMails::TextBody))
                    .col(text(OutboxMails::HtmlBody))
                    // queued, sending, failed (tried, waits for the next try), sent, gave_up.
                    .col(string_len(OutboxMails::Status, 16))
                    .col(integer(OutboxMails::Tries).default(0))
                    .col(timestamp_with_time_zone(OutboxMails::NextTryAt))
                    .col(text_null(OutboxMails::LastError))
                    // The worker that is sending it, until when: a crashed worker's claim ends.
                    .col(string_null(OutboxMails::ClaimedBy))
                    .col(timestamp_with_time_zone_null(OutboxMails::ClaimedUntil))
                    .col(timestamp_with_time_zone(OutboxMails::CreatedAt))
                    .col(timestamp_with_time_zone_null(OutboxMails::SentAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OutboxMails::Table, OutboxMails::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Workers look for due mail by status and time.
        manager
            .create_index(
                Index::create()
                    .name("idx_outbox_mails_due")
                    .table(OutboxMails::Table)
                    .col(OutboxMails::Status)
                    .col(OutboxMails::NextTryAt)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PasswordLinks::Table)
                    // SHA-256 of the token in the link: the database never holds a usable link.
                    .col(string_len(PasswordLinks::TokenHash, 64).primary_key())
                    .col(uuid(PasswordLinks::UserId))
                    // "invitation" or "reset".
                    .col(string_len(PasswordLinks::Purpose, 16))
                    .col(timestamp_with_time_zone(PasswordLinks::CreatedAt))
                    .col(timestamp_with_time_zone(PasswordLinks::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordLinks::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PasswordLinks::Table, PasswordLinks::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_password_links_user")
                    .table(PasswordLinks::Table)
                    .col(PasswordLinks::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PasswordLinks::Table.into_iden(),
            OutboxMails::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutboxMails {
    Table,
    Id,
    DedupeKey,
    UserId,
    RecipientName,
    Recipient,
    Language,
    Kind,
    Subject,
    TextBody,
    HtmlBody,
    Status,
    Tries,
    NextTryAt,
    LastError,
    ClaimedBy,
    ClaimedUntil,
    CreatedAt,
    SentAt,
}

#[derive(DeriveIden)]
enum PasswordLinks {
    Table,
    TokenHash,
    UserId,
    Purpose,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}
