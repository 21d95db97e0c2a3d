//! Queries on the outbox of directory operations and webhook deliveries.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryInsert, TryInsertResult,
};
use uuid::Uuid;

use crate::db::statement;
use crate::entities::outbox_operation::{
    self, STATUS_APPLYING, STATUS_DONE, STATUS_FAILED, STATUS_GAVE_UP, STATUS_QUEUED, UNFINISHED,
};

/// Inserts operations; one whose dedupe key is already in the outbox is left out. Returns
/// how many were inserted.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    operations: Vec<outbox_operation::ActiveModel>,
) -> Result<u64, DbErr> {
    let mut inserted = 0;
    let mut operations = operations.into_iter().peekable();
    while operations.peek().is_some() {
        let chunk: Vec<_> = operations.by_ref().take(100).collect();
        let result = TryInsert::many(chunk)
            .on_conflict_do_nothing_on([outbox_operation::Column::DedupeKey])
            .exec_without_returning(db)
            .await?;
        if let TryInsertResult::Inserted(n) = result {
            inserted += n;
        }
    }
    Ok(inserted)
}

/// Which of `keys` are already in the outbox (whatever became of those operations).
pub async fn existing_keys(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<HashSet<String>, DbErr> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<Option<String>> = outbox_operation::Entity::find()
            .select_only()
            .column(outbox_operation::Column::DedupeKey)
            .filter(outbox_operation::Column::DedupeKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

/// The sequence keys of `kind` with an operation not finished yet.
pub async fn unfinished_keys(
    db: &impl ConnectionTrait,
    kind: &str,
) -> Result<HashSet<String>, DbErr> {
    let rows: Vec<String> = outbox_operation::Entity::find()
        .select_only()
        .column(outbox_operation::Column::SequenceKey)
        .distinct()
        .filter(outbox_operation::Column::Kind.eq(kind))
        .filter(outbox_operation::Column::Status.is_in(UNFINISHED))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Operations a worker may take now: waiting and due, or claimed by a worker whose claim
/// ran out; and only the first unfinished one of its sequence key, so that the operations
/// of one person and tool are applied in the order they were written.
const DUE: &str = "
FROM outbox_operations o
WHERE o.kind = ?
  AND ((o.status IN ('queued', 'failed') AND o.next_try_at <= ?)
       OR (o.status = 'applying' AND o.claimed_until < ?))
  AND NOT EXISTS (
    SELECT 1 FROM outbox_operations e
    WHERE e.sequence_key = o.sequence_key AND e.id < o.id
      AND e.status IN ('queued', 'applying', 'failed'))";

/// Answers whether any operation of `kind` is due, without taking a lock.
pub async fn any_due(
    db: &impl ConnectionTrait,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT o.id {DUE} LIMIT 1");
    let found = db
        .query_one_raw(statement(
            backend,
            &sql,
            vec![kind.into(), now.into(), now.into()],
        ))
        .await?;
    Ok(found.is_some())
}

/// The statement that selects (and on PostgreSQL locks) the due operations a worker takes.
fn due_for_claiming(
    backend: DbBackend,
    kind: &str,
    now: DateTime<Utc>,
    limit: u64,
) -> sea_orm::Statement {
    let lock = match backend {
        DbBackend::Postgres => " FOR UPDATE OF o SKIP LOCKED",
        _ => "",
    };
    let sql = format!("SELECT o.* {DUE} ORDER BY o.id LIMIT {limit}{lock}");
    statement(backend, &sql, vec![kind.into(), now.into(), now.into()])
}

/// Claims up to `limit` due operations of `kind` for `worker` until `until`, counting the
/// try. Run inside a write transaction: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets
/// concurrent workers take different operations; on SQLite the write lock (`BEGIN
/// IMMEDIATE`) serialises the claims.
pub async fn claim(
    txn: &impl ConnectionTrait,
    kind: &str,
    worker: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<outbox_operation::Model>, DbErr> {
    let backend = txn.get_database_backend();
    let operations = outbox_operation::Entity::find()
        .from_raw_sql(due_for_claiming(backend, kind, now, limit))
        .all(txn)
        .await?;
    if operations.is_empty() {
        return Ok(operations);
    }
    outbox_operation::Entity::update_many()
        .col_expr(
            outbox_operation::Column::Status,
            Expr::value(STATUS_APPLYING),
        )
        .col_expr(outbox_operation::Column::ClaimedBy, Expr::value(worker))
        .col_expr(outbox_operation::Column::ClaimedUntil, Expr::value(until))
        .col_expr(
            outbox_operation::Column::Tries,
            Expr::col(outbox_operation::Column::Tries).add(1),
        )
        .filter(outbox_operation::Column::Id.is_in(operations.iter().map(|o| o.id)))
        .exec(txn)
        .await?;
    Ok(operations
        .into_iter()
        .map(|operation| outbox_operation::Model {
            status: STATUS_APPLYING.to_owned(),
            claimed_by: Some(worker.to_owned()),
            claimed_until: Some(until),
            tries: operation.tries + 1,
            ..operation
        })
        .collect())
}

/// An update of one claimed operation that hands the claim back; it changes nothing unless
/// `worker` still holds the claim.
fn release_claim(id: i64, worker: &str) -> sea_orm::UpdateMany<outbox_operation::Entity> {
    outbox_operation::Entity::update_many()
        .col_expr(
            outbox_operation::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox_operation::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox_operation::Column::Id.eq(id))
        .filter(outbox_operation::Column::ClaimedBy.eq(worker))
}

/// Records a finished operation and what it came to, if `worker` still holds it.
pub async fn mark_done(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    at: DateTime<Utc>,
    outcome: &str,
) -> Result<(), DbErr> {
    release_claim(id, worker)
        .col_expr(outbox_operation::Column::Status, Expr::value(STATUS_DONE))
        .col_expr(outbox_operation::Column::DoneAt, Expr::value(at))
        .col_expr(
            outbox_operation::Column::Outcome,
            Expr::value(Some(outcome.to_owned())),
        )
        .col_expr(
            outbox_operation::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .exec(db)
        .await
        .map(|_| ())
}

/// Records a failed try: the next one at `next_try_at`, or none (given up).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: i64,
    worker: &str,
    error: &str,
    next_try_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let update = release_claim(id, worker).col_expr(
        outbox_operation::Column::LastError,
        Expr::value(Some(error.to_owned())),
    );
    let update = match next_try_at {
        Some(at) => update
            .col_expr(outbox_operation::Column::Status, Expr::value(STATUS_FAILED))
            .col_expr(outbox_operation::Column::NextTryAt, Expr::value(at)),
        None => update.col_expr(
            outbox_operation::Column::Status,
            Expr::value(STATUS_GAVE_UP),
        ),
    };
    update.exec(db).await.map(|_| ())
}

/// Queues a failed or given-up operation again with a fresh count of tries; false if there
/// is no such operation waiting.
pub async fn requeue(
    db: &impl ConnectionTrait,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = outbox_operation::Entity::update_many()
        .col_expr(outbox_operation::Column::Status, Expr::value(STATUS_QUEUED))
        .col_expr(outbox_operation::Column::Tries, Expr::value(0))
        .col_expr(outbox_operation::Column::NextTryAt, Expr::value(now))
        .filter(outbox_operation::Column::Id.eq(id))
        .filter(outbox_operation::Column::Status.is_in([STATUS_FAILED, STATUS_GAVE_UP]))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Operations not done (waiting, failing or given up), newest first.
pub async fn unfinished(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<outbox_operation::Model>, DbErr> {
    outbox_operation::Entity::find()
        .filter(outbox_operation::Column::Status.ne(STATUS_DONE))
        .order_by_desc(outbox_operation::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// The operations with these ids.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<Vec<outbox_operation::Model>, DbErr> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        found.extend(
            outbox_operation::Entity::find()
                .filter(outbox_operation::Column::Id.is_in(chunk.iter().copied()))
                .order_by_asc(outbox_operation::Column::Id)
                .all(db)
                .await?,
        );
    }
    Ok(found)
}

/// Every operation of one person, oldest first (for tests and support).
pub async fn of_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<outbox_operation::Model>, DbErr> {
    outbox_operation::Entity::find()
        .filter(outbox_operation::Column::UserId.eq(user))
        .order_by_asc(outbox_operation::Column::Id)
        .all(db)
        .await
}

/// How many operations of each kind are in each status.
pub async fn count_by_kind_and_status(
    db: &impl ConnectionTrait,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    outbox_operation::Entity::find()
        .select_only()
        .column(outbox_operation::Column::Kind)
        .column(outbox_operation::Column::Status)
        .column_as(outbox_operation::Column::Id.count(), "operations")
        .group_by(outbox_operation::Column::Kind)
        .group_by(outbox_operation::Column::Status)
        .into_tuple()
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workers_on_postgresql_skip_the_operations_others_have_locked() {
        let sql = due_for_claiming(DbBackend::Postgres, "directory", Utc::now(), 10).to_string();
        assert!(sql.ends_with("FOR UPDATE OF o SKIP LOCKED"), "{sql}");
        assert!(
            sql.contains("e.id < o.id"),
            "one person and tool in order: {sql}"
        );
        let sql = due_for_claiming(DbBackend::Sqlite, "directory", Utc::now(), 10).to_string();
        assert!(!sql.contains("FOR UPDATE"), "{sql}");
    }
}
