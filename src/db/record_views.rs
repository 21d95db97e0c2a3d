//! The transparency log: one row per view or change that included people, and whom it
//! included as bitmaps over the people's `record_no`: one row per block of 512 numbers it
//! touches (`block = record_no >> 9`), holding eight 64-bit words (`bits0` … `bits7`; word
//! `j` has the bit `n & 63` of each number `n` with `(n >> 6) & 7 = j`). An export of 166,000
//! people writes 326 small rows; a person's entries are read through the primary key
//! `(block, view_id)` and one bit test.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, Set, Value,
};
use uuid::Uuid;

use crate::db::records::{self, RecordQuery};
use crate::entities::{record_view, user};

/// Who looked or changed, in which role, and what.
pub struct NewView<'a> {
    pub actor_id: Option<Uuid>,
    pub actor_role: &'a str,
    pub kind: &'a str,
    pub detail: &'a str,
    pub at: DateTime<Utc>,
}

/// How many words of 64 numbers a block holds.
const WORDS: usize = 8;

/// Whom a view included: per block, its words, and how many people they are.
#[derive(Default)]
struct Included {
    blocks: BTreeMap<i64, [i64; WORDS]>,
    people: i64,
}

/// A block as the database computed it from the people it picked.
#[derive(FromQueryResult)]
struct BlockRow {
    block: i64,
    bits0: i64,
    bits1: i64,
    bits2: i64,
    bits3: i64,
    bits4: i64,
    bits5: i64,
    bits6: i64,
    bits7: i64,
    people: i64,
}

impl Included {
    /// The people of these numbers (each once).
    fn of_numbers(numbers: &[i64]) -> Included {
        let mut included = Included::default();
        for &n in numbers {
            let words = included.blocks.entry(n >> 9).or_default();
            words[((n >> 6) & 7) as usize] |= 1i64 << (n & 63);
        }
        included.people = i64::try_from(numbers.len()).unwrap_or(i64::MAX);
        included
    }

    /// Adds blocks of people not counted yet (the pickings are disjoint).
    fn add(&mut self, rows: Vec<BlockRow>) {
        for row in rows {
            let words = self.blocks.entry(row.block).or_default();
            let new = [
                row.bits0, row.bits1, row.bits2, row.bits3, row.bits4, row.bits5, row.bits6,
                row.bits7,
            ];
            for (word, bits) in words.iter_mut().zip(new) {
                *word |= bits;
            }
            self.people += row.people;
        }
    }
}

/// The bit of person number `n` (an SQL expression) within its word.
fn bit_of(backend: DatabaseBackend, n: &str) -> String {
    match backend {
        DatabaseBackend::Postgres => {
            format!("(CAST(1 AS BIGINT) << CAST({n} & 63 AS INTEGER))")
        }
        _ => format!("(1 << ({n} & 63))"),
    }
}

/// Per block of the people numbers that `picked` (a query of one column `n`, each number
/// once) yields: the block, its words and how many people. The bits of a word are distinct
/// powers of two, so on SQLite, which has no `bit_or`, their sum is the same, and it never
/// overflows.
fn blocks_sql(backend: DatabaseBackend, picked: &str) -> String {
    let bit = bit_of(backend, "p.n");
    let words: Vec<String> = (0..WORDS)
        .map(|j| {
            let word = format!("CASE WHEN (p.n >> 6) & 7 = {j} THEN {bit} ELSE 0 END");
            match backend {
                DatabaseBackend::Postgres => format!("bit_or({word}) AS bits{j}"),
                _ => format!("sum({word}) AS bits{j}"),
            }
        })
        .collect();
    format!(
        "SELECT p.n >> 9 AS block, {}, CAST(count(*) AS BIGINT) AS people \
         FROM ({picked}) p GROUP BY p.n >> 9",
        words.join(", ")
    )
}

async fn blocks_of(
    db: &impl ConnectionTrait,
    picked: &str,
    values: Vec<Value>,
) -> Result<Vec<BlockRow>, DbErr> {
    let backend = db.get_database_backend();
    let sql = blocks_sql(backend, picked);
    let rows = db
        .query_all_raw(sea_orm::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await?;
    rows.iter()
        .map(|row| BlockRow::from_query_result(row, ""))
        .collect()
}

/// Writes the view and whom it included; nothing for nobody. Returns whether a view was
/// written. The caller's transaction keeps the two together.
async fn insert(
    db: &impl ConnectionTrait,
    view: &NewView<'_>,
    included: Included,
) -> Result<bool, DbErr> {
    if included.people == 0 {
        return Ok(false);
    }
    let id = Uuid::now_v7();
    record_view::ActiveModel {
        id: Set(id),
        at: Set(view.at),
        actor_id: Set(view.actor_id),
        actor_role: Set(view.actor_role.to_owned()),
        kind: Set(view.kind.to_owned()),
        detail: Set(view.detail.to_owned()),
        people_count: Set(i32::try_from(included.people).unwrap_or(i32::MAX)),
    }
    .insert(db)
    .await?;
    let backend = db.get_database_backend();
    let columns = (0..WORDS)
        .map(|j| format!("bits{j}"))
        .collect::<Vec<_>>()
        .join(", ");
    let blocks: Vec<(i64, [i64; WORDS])> = included.blocks.into_iter().collect();
    if backend == DatabaseBackend::Postgres {
        // One array per column, whatever the number of blocks: a statement of ten values
        // takes a few milliseconds where 326 rows of ten values each took 50 to 90.
        let array = |values: &mut dyn Iterator<Item = i64>| {
            let items: Vec<String> = values.map(|v| v.to_string()).collect();
            Value::from(format!("{{{}}}", items.join(",")))
        };
        let mut values = vec![Value::from(id)];
        values.push(array(&mut blocks.iter().map(|(block, _)| *block)));
        for j in 0..WORDS {
            values.push(array(&mut blocks.iter().map(|(_, words)| words[j])));
        }
        let arrays = ["CAST(? AS BIGINT[])"; WORDS + 1].join(", ");
        db.execute_raw(crate::db::statement(
            backend,
            &format!(
                "INSERT INTO record_view_people (view_id, block, {columns}) \
                 SELECT ?, t.* FROM unnest({arrays}) AS t"
            ),
            values,
        ))
        .await?;
        return Ok(true);
    }
    let row = format!("({})", ["?"; WORDS + 2].join(", "));
    // 500 rows of ten values stay far below SQLite's limit of parameters.
    for chunk in blocks.chunks(500) {
        let rows = vec![row.as_str(); chunk.len()].join(", ");
        let values = chunk
            .iter()
            .flat_map(|(block, words)| {
                [Value::from(id), Value::from(*block)]
                    .into_iter()
                    .chain(words.iter().map(|&w| Value::from(w)))
            })
            .collect();
        db.execute_raw(crate::db::statement(
            backend,
            &format!("INSERT INTO record_view_people (view_id, block, {columns}) VALUES {rows}"),
            values,
        ))
        .await?;
    }
    Ok(true)
}

/// Writes one view naming `people`, ids that are known already (a page of a report, the
/// holder of a certificate, the people of an import), inside the caller's write
/// transaction. Nothing is written for nobody.
pub async fn insert_listed(
    db: &impl ConnectionTrait,
    view: &NewView<'_>,
    people: &[Uuid],
) -> Result<(), DbErr> {
    let mut ids = people.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut included = Included::default();
    // Each chunk holds other people, so their blocks merge by or and their counts add.
    for chunk in ids.chunks(1000) {
        let picked = format!(
            "SELECT u.record_no AS n FROM users u WHERE u.id IN ({})",
            vec!["?"; chunk.len()].join(", ")
        );
        let statement = crate::db::statement(
            db.get_database_backend(),
            &picked,
            chunk.iter().map(|id| Value::from(*id)).collect(),
        );
        let values = statement.values.map(|v| v.0).unwrap_or_default();
        included.add(blocks_of(db, &statement.sql, values).await?);
    }
    insert(db, view, included).await.map(|_| ())
}

/// Writes one view naming the people of these transparency-log numbers (`users.record_no`,
/// each once), inside the caller's write transaction: for a caller that knows them already,
/// so the database picks nobody. Returns whether a view was written (not for nobody).
pub async fn insert_numbered(
    db: &impl ConnectionTrait,
    view: &NewView<'_>,
    numbers: &[i64],
) -> Result<bool, DbErr> {
    insert(db, view, Included::of_numbers(numbers)).await
}

/// Writes one view naming everyone whose records `query` reads, inside the caller's write
/// transaction: the database picks the people and computes their blocks, so no id travels
/// to kiwi. Returns whether a view was written (not when the query reads nobody).
pub async fn insert_selected(
    db: &impl ConnectionTrait,
    view: &NewView<'_>,
    query: &RecordQuery,
) -> Result<bool, DbErr> {
    let (picked, values) = people_of(db.get_database_backend(), query);
    let mut included = Included::default();
    included.add(blocks_of(db, &picked, values).await?);
    insert(db, view, included).await
}

/// The numbers of the people whose records `query` reads, each once (column `n`), and the
/// statement's values. Without a date filter that is every active person of the chosen units
/// (a records query reads every person with every course); with one, exactly the people of
/// the records statement.
fn people_of(backend: DatabaseBackend, query: &RecordQuery) -> (String, Vec<Value>) {
    if query.courses.is_empty() {
        return (
            "SELECT u.record_no AS n FROM users u WHERE 1 = 0".to_owned(),
            Vec::new(),
        );
    }
    if query.completed_from.is_some() || query.completed_until.is_some() {
        let unordered = RecordQuery {
            ordered: false,
            ..query.clone()
        };
        let statement = records::statement(backend, &unordered);
        let values = statement.values.map(|v| v.0).unwrap_or_default();
        return (
            format!(
                "SELECT DISTINCT u.record_no AS n FROM ({}) r JOIN users u ON u.id = r.user_id",
                statement.sql
            ),
            values,
        );
    }
    let mut values = vec![Value::from(user::STATUS_ACTIVE)];
    let mut sql = "SELECT u.record_no AS n FROM users u WHERE u.status = ?".to_owned();
    if let Some(units) = &query.units {
        if units.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(
                " AND u.org_unit_id IN ({})",
                vec!["?"; units.len()].join(", ")
            ));
            values.extend(units.iter().map(|id| Value::from(*id)));
        }
    }
    let statement = crate::db::statement(backend, &sql, values);
    let values = statement.values.map(|v| v.0).unwrap_or_default();
    (statement.sql, values)
}

/// One entry of a person's transparency log, with the name of who acted (if they are still
/// a person in kiwi).
#[derive(Clone, Debug, FromQueryResult)]
pub struct ViewRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_role: String,
    pub actor_name: Option<String>,
    pub kind: String,
    pub detail: String,
    pub people_count: i32,
}

/// Every entry that included `person`, newest first: the rows of their block whose word
/// holds their bit.
pub async fn of_person(db: &impl ConnectionTrait, person: Uuid) -> Result<Vec<ViewRow>, DbErr> {
    let backend = db.get_database_backend();
    let word: Vec<String> = (0..WORDS)
        .map(|j| format!("WHEN {j} THEN s.bits{j}"))
        .collect();
    let sql = format!(
        "SELECT v.id, v.at, v.actor_role, a.name AS actor_name, v.kind, v.detail, v.people_count \
         FROM users p \
         JOIN record_view_people s ON s.block = p.record_no >> 9 \
             AND (CASE (p.record_no >> 6) & 7 {} END & {}) <> 0 \
         JOIN record_views v ON v.id = s.view_id \
         LEFT JOIN users a ON a.id = v.actor_id \
         WHERE p.id = ? ORDER BY v.at DESC, v.id DESC",
        word.join(" "),
        bit_of(backend, "p.record_no")
    );
    let rows = db
        .query_all_raw(crate::db::statement(
            backend,
            &sql,
            vec![Value::from(person)],
        ))
        .await?;
    rows.iter()
        .map(|row| ViewRow::from_query_result(row, ""))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fall_in_blocks_of_512_as_eight_words_of_64() {
        let included = Included::of_numbers(&[0, 63, 64, 511, 512, 1000]);
        assert_eq!(included.people, 6);
        let blocks: Vec<(i64, [i64; WORDS])> = included.blocks.into_iter().collect();
        let first = [1 | (1 << 63), 1, 0, 0, 0, 0, 0, 1 << 63];
        // 1000 is number 488 of the second block: word 7, bit 40.
        let second = [1, 0, 0, 0, 0, 0, 0, 1 << 40];
        assert_eq!(blocks, [(0, first), (1, second)]);
    }
}
