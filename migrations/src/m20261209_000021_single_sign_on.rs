//! Single sign-on through an OpenID provider: sign-ins on their way through the provider
//! (state, nonce and PKCE verifier, each used once), and which kiwi sessions came from which
//! provider session, so that the provider's back-channel logout can end them.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OidcSignIns::Table)
                    // SHA-256 of the `state` sent to the provider.
                    .col(string_len(OidcSignIns::StateHash, 64).primary_key())
                    // SHA-256 of the token in the browser's cookie: the callback must come
                    // back to the browser that started the sign-in.
                    .col(string_len(OidcSignIns::BrowserHash, 64))
                    .col(text(OidcSignIns::Nonce))
                    .col(text(OidcSignIns::CodeVerifier))
                    .col(text(OidcSignIns::NextPath))
                    .col(timestamp_with_time_zone(OidcSignIns::CreatedAt))
                    .col(timestamp_with_time_zone(OidcSignIns::ExpiresAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OidcSessions::Table)
                    .col(string_len(OidcSessions::SessionIdHash, 64).primary_key())
                    .col(uuid(OidcSessions::UserId))
                    // The provider's `sub` and `sid` of the sign-in.
                    .col(string(OidcSessions::Subject))
                    .col(string_null(OidcSessions::Sid))
                    .col(timestamp_with_time_zone(OidcSessions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(OidcSessions::Table, OidcSessions::SessionIdHash)
                            .to(Sessions::Table, Sessions::IdHash)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(OidcSessions::Table, OidcSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_oidc_sessions_subject")
                    .table(OidcSessions::Table)
                    .col(OidcSessions::Subject)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_oidc_sessions_sid")
                    .table(OidcSessions::Table)
                    .col(OidcSessions::Sid)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            OidcSessions::Table.into_iden(),
            OidcSignIns::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum OidcSignIns {
    Table,
    StateHash,
    BrowserHash,
    Nonce,
    CodeVerifier,
    NextPath,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum OidcSessions {
    Table,
    SessionIdHash,
    UserId,
    Subject,
    Sid,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    IdHash,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
