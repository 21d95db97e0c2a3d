//! The transparency log's blocks grow from 64 to 512 people numbers: a row holds eight 64-bit
//! words (`bits0` … `bits7`; word `j` of block `b` covers the numbers `512 b + 64 j` to
//! `512 b + 64 j + 63`). An export of 166,000 people writes 326 rows instead of 2,605, and
//! the insert into the primary key `(block, view_id)`, which lands on a different page for
//! every block, was most of its time. A person's entries are still read through the primary
//! key (`block = record_no >> 9`) and one bit test of one word.
//!
//! Existing blocks are converted: each old block becomes one word of its new block.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The old block `b` (64 numbers) is word `b & 7` of the new block `b >> 3`.
fn word(j: u8) -> String {
    format!("COALESCE(MAX(CASE WHEN block & 7 = {j} THEN bits END), 0)")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too: one connection sees the table it drops gone before it renames the new
    /// one (another connection of the pool would still know the old name), and a failure
    /// leaves the old table as it was.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let (view_id, number) = if postgres {
            ("uuid", "bigint")
        } else {
            ("blob", "integer")
        };
        let words: Vec<String> = (0..8)
            .map(|j| format!("bits{j} {number} NOT NULL"))
            .collect();
        let converted: Vec<String> = (0..8).map(word).collect();
        let columns: Vec<String> = (0..8).map(|j| format!("bits{j}")).collect();
        let mut statements = vec![
            format!(
                "CREATE TABLE record_view_words (\
                     view_id {view_id} NOT NULL, \
                     block {number} NOT NULL, \
                     {}, \
                     PRIMARY KEY (block, view_id))",
                words.join(", ")
            ),
            // Each (view, old block) is one row, so the maximum of a word is its only value.
            format!(
                "INSERT INTO record_view_words (view_id, block, {}) \
                 SELECT view_id, block >> 3, {} FROM record_view_people \
                 GROUP BY view_id, block >> 3",
                columns.join(", "),
                converted.join(", ")
            ),
            "DROP TABLE record_view_people".to_owned(),
            "ALTER TABLE record_view_words RENAME TO record_view_people".to_owned(),
            "CREATE INDEX idx_record_view_people_view ON record_view_people (view_id)".to_owned(),
        ];
        if postgres {
            statements.push(
                "ALTER TABLE record_view_people \
                 RENAME CONSTRAINT record_view_words_pkey TO record_view_people_pkey"
                    .to_owned(),
            );
        }
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the transparency log's blocks of 512 are not split back into blocks of 64".to_owned(),
        ))
    }
}
