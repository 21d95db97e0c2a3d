//! Every query kiwi runs: free functions taking any connection (pool or transaction).

pub mod access_changes;
pub mod api_keys;
pub mod assignments;
pub mod attempts;
pub mod audit;
pub mod certificates;
pub mod completions;
pub mod org_units;
pub mod outbox;
pub mod password_links;
pub mod policy_acknowledgements;
pub mod records;
pub mod reminders;
pub mod sessions;
pub mod setup_tokens;
pub mod sign_in_failures;
pub mod users;

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// Opens the pool. SQLite is set up so that nothing acknowledged is lost (WAL with
/// `synchronous=FULL`) and concurrent writers wait for each other instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        // Every statement is logged (target `sqlx::query`, level debug) only when the log
        // filter asks for it, e.g. KIWI_LOG=info,sqlx::query=debug.
        .sqlx_logging(tracing::enabled!(target: "sqlx::query", tracing::Level::DEBUG))
        .sqlx_logging_level(tracing::log::LevelFilter::Debug)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(30));
    if url.starts_with("sqlite:") {
        options.max_connections(8).map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Reports read many rows: let SQLite's worker thread run ahead of the reader
                // instead of handing rows over one by one, and read pages through mmap.
                .row_buffer_size(1024)
                .pragma("mmap_size", "268435456")
        });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Brings the schema up to date; safe to run on every start.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`), so it waits for other writers (busy timeout) rather than failing
/// with SQLITE_BUSY when it upgrades from reading to writing.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Answers whether the database responds.
pub async fn ping(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("SELECT 1").await.map(|_| ())
}

/// A statement from SQL written with `?` placeholders, numbered `$1, $2 …` for PostgreSQL:
/// for the few set-based queries that read better as SQL than as a builder chain.
pub fn statement(
    backend: sea_orm::DbBackend,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    numbered.push_str(&format!("${n}"));
                } else {
                    numbered.push(c);
                }
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}
