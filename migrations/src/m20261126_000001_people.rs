//! People, org units, sessions, sign-in throttling, the first-admin setup and the audit log.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrgUnits::Table)
                    .col(pk_uuid(OrgUnits::Id))
                    .col(uuid_null(OrgUnits::ParentId))
                    .col(string(OrgUnits::Name))
                    // The full path ("Dezernat I / Fachbereich 10"), unique: the HR key of a unit.
                    .col(string_uniq(OrgUnits::Path))
                    // "/<root id>/<child id>/…/": a subtree is a prefix match.
                    .col(string(OrgUnits::Lineage))
                    .col(timestamp_with_time_zone(OrgUnits::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OrgUnits::Table, OrgUnits::ParentId)
                            .to(OrgUnits::Table, OrgUnits::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_org_units_lineage")
                    .table(OrgUnits::Table)
                    .col(OrgUnits::Lineage)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_uniq(Users::PersonnelNumber))
                    .col(string(Users::Name))
                    .col(string(Users::Email))
                    // Lower-cased email: makes uniqueness and sign-in case-insensitive.
                    .col(string_uniq(Users::EmailNormalized))
                    .col(uuid(Users::OrgUnitId))
                    .col(string_len(Users::Language, 8))
                    .col(string_len(Users::Status, 16))
                    .col(string_null(Users::PasswordHash))
                    .col(boolean(Users::IsManager).default(false))
                    .col(boolean(Users::IsHr).default(false))
                    .col(boolean(Users::IsAdmin).default(false))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .col(timestamp_with_time_zone_null(Users::LeftAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Users::Table, Users::OrgUnitId)
                            .to(OrgUnits::Table, OrgUnits::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_org_unit")
                    .table(Users::Table)
                    .col(Users::OrgUnitId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    // SHA-256 of the cookie value: a leaked table does not hand out sessions.
                    .col(string_len(Sessions::IdHash, 64).primary_key())
                    .col(uuid(Sessions::UserId))
                    .col(string_len(Sessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SignInFailures::Table)
                    // "account:<email>" or "client:<address>".
                    .col(string(SignInFailures::Key).primary_key())
                    .col(integer(SignInFailures::Failures))
                    .col(timestamp_with_time_zone(SignInFailures::WindowStart))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(SetupTokens::Table)
                    .col(string_len(SetupTokens::TokenHash, 64).primary_key())
                    .col(timestamp_with_time_zone(SetupTokens::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string(AuditLog::Action))
                    .col(text(AuditLog::Detail))
                    // Set where several kiwi instances may record the same event: it is kept once.
                    .col(string_null(AuditLog::DedupeKey).unique_key())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            SetupTokens::Table.into_iden(),
            SignInFailures::Table.into_iden(),
            Sessions::Table.into_iden(),
            Users::Table.into_iden(),
            OrgUnits::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OrgUnits {
    Table,
    Id,
    ParentId,
    Name,
    Path,
    Lineage,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    PersonnelNumber,
    Name,
    Email,
    EmailNormalized,
    OrgUnitId,
    Language,
    Status,
    PasswordHash,
    IsManager,
    IsHr,
    IsAdmin,
    CreatedAt,
    UpdatedAt,
    LeftAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
    UserId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum SignInFailures {
    Table,
    Key,
    Failures,
    WindowStart,
}

#[derive(DeriveIden)]
enum SetupTokens {
    Table,
    TokenHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    Action,
    Detail,
    DedupeKey,
}
