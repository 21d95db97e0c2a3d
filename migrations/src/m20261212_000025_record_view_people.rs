//! The transparency log keeps whom a view included as bitmaps instead of a list of ids.
//!
//! Every person gets a `record_no`, a small number of their own that is never reused. A view
//! stores one row per block of 64 numbers that it touches, with a 64-bit mask of who in the
//! block it included: an export of 166,000 people writes about 2,600 rows of three numbers
//! (the list of ids was 5.5 MB of JSON and its GIN index took most of a third of a second to
//! update), and a person's entries are read through the primary key, `block = record_no >> 6`,
//! with `bits & (1 << (record_no & 63)) <> 0`. Both databases compute the masks themselves.
//!
//! The blocks have no foreign key: its check per row cost an export's entry a third of its
//! time, and retention removes a view's blocks with the view (`db::retention`).
//!
//! Existing entries are converted, then the `people` column and its index are dropped.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let statements: &[&str] = match manager.get_database_backend() {
            DbBackend::Postgres => &[
                // A sequence numbers the existing people and every new one.
                "ALTER TABLE users ADD COLUMN record_no BIGSERIAL",
                "CREATE UNIQUE INDEX idx_users_record_no ON users (record_no)",
                "CREATE TABLE record_view_people (\
                     view_id uuid NOT NULL, \
                     block bigint NOT NULL, \
                     bits bigint NOT NULL, \
                     PRIMARY KEY (block, view_id))",
                "CREATE INDEX idx_record_view_people_view ON record_view_people (view_id)",
                "INSERT INTO record_view_people (view_id, block, bits) \
                 SELECT v.id, u.record_no >> 6, bit_or(CAST(1 AS BIGINT) << CAST(u.record_no & 63 AS INTEGER)) \
                 FROM record_views v \
                 CROSS JOIN LATERAL jsonb_array_elements_text(v.people) AS e (k) \
                 JOIN users u ON replace(u.id::text, '-', '') = e.k \
                 GROUP BY v.id, u.record_no >> 6",
                "DROP INDEX idx_record_views_people",
                "ALTER TABLE record_views DROP COLUMN people",
            ],
            _ => &[
                "ALTER TABLE users ADD COLUMN record_no INTEGER",
                "UPDATE users SET record_no = rowid",
                "CREATE UNIQUE INDEX idx_users_record_no ON users (record_no)",
                // People are never deleted (erasure pseudonymises them), and SQLite writes
                // one transaction at a time, so the next number is one past the largest.
                "CREATE TRIGGER users_record_no AFTER INSERT ON users \
                 FOR EACH ROW WHEN NEW.record_no IS NULL BEGIN \
                     UPDATE users SET record_no = \
                         (SELECT COALESCE(MAX(record_no), 0) + 1 FROM users) \
                     WHERE rowid = NEW.rowid; \
                 END",
                "CREATE TABLE record_view_people (\
                     view_id blob NOT NULL, \
                     block integer NOT NULL, \
                     bits integer NOT NULL, \
                     PRIMARY KEY (block, view_id))",
                "CREATE INDEX idx_record_view_people_view ON record_view_people (view_id)",
                // The bits of one block are distinct powers of two, so their sum is their
                // bitwise or (SQLite has no bit_or), and it never overflows.
                "INSERT INTO record_view_people (view_id, block, bits) \
                 SELECT view_id, n >> 6, sum(1 << (n & 63)) FROM (\
                     SELECT DISTINCT v.id AS view_id, u.record_no AS n \
                     FROM record_views v, json_each(v.people) e \
                     JOIN users u ON lower(hex(u.id)) = e.value) \
                 GROUP BY view_id, n >> 6",
                "ALTER TABLE record_views DROP COLUMN people",
            ],
        };
        for statement in statements {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the transparency log's bitmaps cannot be turned back into lists of ids".to_owned(),
        ))
    }
}
