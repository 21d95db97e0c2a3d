//! A second factor (TOTP, RFC 6238) for password sign-ins: the secret of each person's
//! authenticator app (encrypted), their single-use recovery codes (hashed), and the sign-ins
//! whose password was right and that wait for the second step.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SecondFactors::Table)
                    .col(pk_uuid(SecondFactors::Id))
                    .col(uuid(SecondFactors::UserId))
                    // The TOTP secret, encrypted with kiwi's second-factor key.
                    .col(text(SecondFactors::Secret))
                    // Null while the person has not yet confirmed it with a code.
                    .col(timestamp_with_time_zone_null(SecondFactors::ConfirmedAt))
                    // The last 30-second step whose code was accepted: no code works twice.
                    .col(big_integer_null(SecondFactors::LastStep))
                    .col(timestamp_with_time_zone(SecondFactors::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SecondFactors::Table, SecondFactors::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_second_factors_user")
                    .table(SecondFactors::Table)
                    .col(SecondFactors::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RecoveryCodes::Table)
                    .col(pk_uuid(RecoveryCodes::Id))
                    .col(uuid(RecoveryCodes::UserId))
                    // SHA-256 of the person's id and the code.
                    .col(string_len_uniq(RecoveryCodes::CodeHash, 64))
                    .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                    .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecoveryCodes::Table, RecoveryCodes::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_recovery_codes_user")
                    .table(RecoveryCodes::Table)
                    .col(RecoveryCodes::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SignInChallenges::Table)
                    // SHA-256 of the token in the browser's cookie.
                    .col(string_len(SignInChallenges::TokenHash, 64).primary_key())
                    .col(uuid(SignInChallenges::UserId))
                    .col(text(SignInChallenges::NextPath))
                    .col(timestamp_with_time_zone(SignInChallenges::CreatedAt))
                    .col(timestamp_with_time_zone(SignInChallenges::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(SignInChallenges::Table, SignInChallenges::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SignInChallenges::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            SecondFactors::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SecondFactors {
    Table,
    Id,
    UserId,
    Secret,
    ConfirmedAt,
    LastStep,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    UserId,
    CodeHash,
    UsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SignInChallenges {
    Table,
    TokenHash,
    UserId,
    NextPath,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
