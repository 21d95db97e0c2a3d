//! Every query kiwi runs: free functions taking any connection (pool or transaction).

pub mod access_changes;
pub mod api_keys;
pub mod assignments;
pub mod attempts;
pub mod audit;
pub mod backup;
pub mod certificates;
pub mod completions;
pub mod entitlements;
pub mod history;
pub mod oidc;
pub mod operations;
pub mod org_units;
pub mod outbox;
pub mod password_links;
pub mod policy_acknowledgements;
pub mod policy_versions;
pub mod readiness;
pub mod reconciliations;
pub mod record_views;
pub mod records;
pub mod reminders;
pub mod retention;
pub mod schema;
pub mod second_factors;
pub mod sessions;
pub mod setup_tokens;
pub mod sign_in_failures;
pub mod tool_sessions;
pub mod users;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement, TransactionOptions,
    TransactionTrait,
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
/// (`BEGIN IMMEDIATE`), so it never fails with SQLITE_BUSY when it upgrades from reading to
/// writing, and it first waits for its turn among kiwi's own writers to the same file: SQLite
/// allows one writer, and a writer queued here is woken the moment the previous one commits,
/// where SQLite's busy handler would poll with sleeps of up to 100 ms.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTransaction, DbErr> {
    let turn = match db.get_database_backend() {
        DbBackend::Sqlite => Some(sqlite_write_gate(db).lock_owned().await),
        _ => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        })
        .await?;
    Ok(WriteTransaction { txn, _turn: turn })
}

/// One gate per SQLite file, shared by every pool of this process that opens it.
fn sqlite_write_gate(db: &DatabaseConnection) -> Arc<tokio::sync::Mutex<()>> {
    static GATES: OnceLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let file = db
        .get_sqlite_connection_pool()
        .connect_options()
        .get_filename()
        .to_path_buf();
    let mut gates = GATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    gates.entry(file).or_default().clone()
}

/// A write transaction together with its turn to write (SQLite); the turn passes on when the
/// transaction commits or is dropped (rolled back).
pub struct WriteTransaction {
    // Declared first, so it is dropped (rolled back) before the turn is released.
    txn: DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTransaction {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl std::ops::Deref for WriteTransaction {
    type Target = DatabaseTransaction;
    fn deref(&self) -> &DatabaseTransaction {
        &self.txn
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTransaction {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

/// The pool's open and idle connections, for the metrics.
pub fn pool_use(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
    }
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
