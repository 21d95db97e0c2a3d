//! Certificates, acknowledgements of the AI usage policy, API keys of the tools, and the
//! feed of changes that tells every kiwi instance to refresh its access cache.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Certificates::Table)
                    .col(pk_uuid(Certificates::Id))
                    .col(string_uniq(Certificates::Serial))
                    .col(uuid(Certificates::UserId))
                    .col(string(Certificates::CourseId))
                    .col(string(Certificates::CourseVersion))
                    // 1 for a person's first certificate of a course, 2 for the next …
                    .col(integer(Certificates::Sequence))
                    .col(timestamp_with_time_zone(Certificates::IssuedAt))
                    .col(timestamp_with_time_zone(Certificates::ValidFrom))
                    .col(timestamp_with_time_zone(Certificates::ValidUntil))
                    .col(uuid_null(Certificates::RenewalOf))
                    .col(timestamp_with_time_zone_null(Certificates::RevokedAt))
                    .col(uuid_null(Certificates::RevokedBy))
                    .col(text_null(Certificates::RevokeReason))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Certificates::Table, Certificates::UserId)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // Exactly one certificate per person, course and period, however many requests race.
        manager
            .create_index(
                Index::create()
                    .name("uq_certificates_period")
                    .table(Certificates::Table)
                    .col(Certificates::UserId)
                    .col(Certificates::CourseId)
                    .col(Certificates::Sequence)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(PolicyAcknowledgements::Table)
                    .col(pk_uuid(PolicyAcknowledgements::Id))
                    .col(uuid(PolicyAcknowledgements::UserId))
                    .col(string(PolicyAcknowledgements::PolicyVersion))
                    .col(timestamp_with_time_zone(
                        PolicyAcknowledgements::AcknowledgedAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PolicyAcknowledgements::Table,
                                PolicyAcknowledgements::UserId,
                            )
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_policy_acknowledgements")
                    .table(PolicyAcknowledgements::Table)
                    .col(PolicyAcknowledgements::UserId)
                    .col(PolicyAcknowledgements::PolicyVersion)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(pk_uuid(ApiKeys::Id))
                    .col(string(ApiKeys::ToolId))
                    .col(string_len_uniq(ApiKeys::KeyHash, 64))
                    // The first characters of the key, so people can tell keys apart.
                    .col(string(ApiKeys::Prefix))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AccessChanges::Table)
                    .col(big_pk_auto(AccessChanges::Id))
                    // "person" (with user_id), "keys" or "all".
                    .col(string_len(AccessChanges::Kind, 16))
                    .col(uuid_null(AccessChanges::UserId))
                    .col(timestamp_with_time_zone(AccessChanges::At))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AccessChanges::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            PolicyAcknowledgements::Table.into_iden(),
            Certificates::Table.into_iden(),
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
enum Certificates {
    Table,
    Id,
    Serial,
    UserId,
    CourseId,
    CourseVersion,
    Sequence,
    IssuedAt,
    ValidFrom,
    ValidUntil,
    RenewalOf,
    RevokedAt,
    RevokedBy,
    RevokeReason,
}

#[derive(DeriveIden)]
enum PolicyAcknowledgements {
    Table,
    Id,
    UserId,
    PolicyVersion,
    AcknowledgedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    ToolId,
    KeyHash,
    Prefix,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AccessChanges {
    Table,
    Id,
    Kind,
    UserId,
    At,
}
