//! Copies of an SQLite database: taken online, checked before anything relies on them.

use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Value};

use crate::db;

/// Writes a consistent copy of the open SQLite database to `file` (`VACUUM INTO`): it reads
/// one snapshot, so writers go on while it runs and the copy has every transaction that
/// committed before it began.
pub async fn vacuum_into(db: &DatabaseConnection, file: &Path) -> Result<(), DbErr> {
    let target: Value = file.display().to_string().into();
    db.execute_raw(db::statement(
        DbBackend::Sqlite,
        "VACUUM INTO ?",
        vec![target],
    ))
    .await
    .map(|_| ())
}

/// SQLite's own verdict on a database file: `ok`, or the first problems it found.
pub async fn integrity(db: &DatabaseConnection) -> Result<String, DbErr> {
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await?;
    let found: Vec<String> = rows
        .iter()
        .filter_map(|row| row.try_get_by_index::<String>(0).ok())
        .collect();
    Ok(found.join("; "))
}
