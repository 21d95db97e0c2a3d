//! The change feed in commit order on PostgreSQL: each change carries the id of the
//! transaction that wrote it, so a reader can tell which changes may still commit late.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // On SQLite one writer at a time means ids are handed out in commit order, and the
        // id alone is a gap-free cursor; nothing to add there.
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER TABLE access_changes \
             ADD COLUMN txid xid8 NOT NULL DEFAULT pg_current_xact_id()",
        )
        .await?;
        db.execute_unprepared("CREATE INDEX idx_access_changes_txid ON access_changes (txid)")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE access_changes DROP COLUMN txid")
            .await?;
        Ok(())
    }
}
