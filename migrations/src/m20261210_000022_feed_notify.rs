//! The change feed wakes the other instances on PostgreSQL: every statement that records a
//! change notifies the channel `kiwi_access_changes`, which PostgreSQL delivers when the
//! transaction commits (and never for one that rolls back). Instances that listen read the
//! feed at once; polling stays as the safety net.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite has no notifications; instances there poll.
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "CREATE FUNCTION kiwi_access_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN PERFORM pg_notify('kiwi_access_changes', ''); RETURN NULL; END $$",
        )
        .await?;
        db.execute_unprepared(
            "CREATE TRIGGER access_changes_notify AFTER INSERT ON access_changes \
             FOR EACH STATEMENT EXECUTE FUNCTION kiwi_access_changes_notify()",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared("DROP TRIGGER access_changes_notify ON access_changes")
            .await?;
        db.execute_unprepared("DROP FUNCTION kiwi_access_changes_notify()")
            .await?;
        Ok(())
    }
}
