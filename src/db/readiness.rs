//! The readiness probe's write: one row per instance, touched on every check.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, Value};

use crate::db;

pub async fn touch(
    db: &impl ConnectionTrait,
    instance: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let sql = "INSERT INTO readiness_probes (instance, checked_at) VALUES (?, ?) \
               ON CONFLICT (instance) DO UPDATE SET checked_at = excluded.checked_at";
    let values: Vec<Value> = vec![instance.into(), now.into()];
    db.execute_raw(db::statement(db.get_database_backend(), sql, values))
        .await
        .map(|_| ())
}

/// How many migrations the database has not run yet.
pub async fn pending_migrations(db: &sea_orm::DatabaseConnection) -> Result<usize, DbErr> {
    use migration::MigratorTrait;
    Ok(migration::Migrator::get_pending_migrations(db).await?.len())
}
