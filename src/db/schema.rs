//! The schema as the database has it: every table and column after the migrations, for the
//! check that the data inventory (`services::inventory`) names each of them.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

/// The migrator's own bookkeeping: no data about anyone.
pub const MIGRATIONS_TABLE: &str = "seaql_migrations";

/// Every (table, column) of kiwi's tables, sorted.
pub async fn columns(db: &impl ConnectionTrait) -> Result<Vec<(String, String)>, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT table_name::text, column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '{MIGRATIONS_TABLE}' \
             ORDER BY 1, 2"
        ),
        _ => format!(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
               AND m.name <> '{MIGRATIONS_TABLE}' \
             ORDER BY 1, 2"
        ),
    };
    db.query_all_raw(Statement::from_string(backend, sql))
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}
