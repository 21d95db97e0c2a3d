//! Queries on the mail outbox.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, TryInsert, TryInsertResult,
};
use uuid::Uuid;

use crate::entities::outbox_mail::{
    self, STATUS_FAILED, STATUS_GAVE_UP, STATUS_QUEUED, STATUS_SENDING, STATUS_SENT,
};

/// Inserts mails; one whose dedupe key is already in the outbox is left out. Returns how
/// many were inserted.
pub async fn insert_once(
    db: &impl ConnectionTrait,
    mails: Vec<outbox_mail::ActiveModel>,
) -> Result<u64, DbErr> {
    let mut inserted = 0;
    // Chunks keep every statement well below the bound-parameter limits of both databases.
    let mut mails = mails.into_iter().peekable();
    while mails.peek().is_some() {
        let chunk: Vec<_> = mails.by_ref().take(200).collect();
        let result = TryInsert::many(chunk)
            .on_conflict_do_nothing_on([outbox_mail::Column::DedupeKey])
            .exec_without_returning(db)
            .await?;
        if let TryInsertResult::Inserted(n) = result {
            inserted += n;
        }
    }
    Ok(inserted)
}

/// Which of `keys` are already in the outbox (whatever became of those mails).
pub async fn existing_keys(
    db: &impl ConnectionTrait,
    keys: &[String],
) -> Result<HashSet<String>, DbErr> {
    let mut found = HashSet::new();
    for chunk in keys.chunks(500) {
        let rows: Vec<Option<String>> = outbox_mail::Entity::find()
            .select_only()
            .column(outbox_mail::Column::DedupeKey)
            .filter(outbox_mail::Column::DedupeKey.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(rows.into_iter().flatten());
    }
    Ok(found)
}

/// Mail a worker may take now: waiting and due, or claimed by a worker whose claim ran out.
fn due(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(outbox_mail::Column::Status.is_in([STATUS_QUEUED, STATUS_FAILED]))
                .add(outbox_mail::Column::NextTryAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(outbox_mail::Column::Status.eq(STATUS_SENDING))
                .add(outbox_mail::Column::ClaimedUntil.lt(now)),
        )
}

/// Answers whether any mail is due, without taking a lock (workers ask this every second).
pub async fn any_due(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<bool, DbErr> {
    Ok(outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::Id)
        .filter(due(now))
        .into_tuple::<Uuid>()
        .one(db)
        .await?
        .is_some())
}

/// The due mails a worker takes, locked; rows another worker has locked are skipped.
fn due_for_claiming(now: DateTime<Utc>, limit: u64) -> Select<outbox_mail::Entity> {
    outbox_mail::Entity::find()
        .filter(due(now))
        .order_by_asc(outbox_mail::Column::NextTryAt)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
}

/// Claims up to `limit` due mails for `worker` until `until`, counting the try. Run inside
/// a write transaction: on PostgreSQL `FOR UPDATE SKIP LOCKED` lets concurrent workers take
/// different mails; SQLite has no row locks, and its write lock (`BEGIN IMMEDIATE`)
/// serialises the claims instead.
pub async fn claim(
    txn: &impl ConnectionTrait,
    worker: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<outbox_mail::Model>, DbErr> {
    let mails = due_for_claiming(now, limit).all(txn).await?;
    if mails.is_empty() {
        return Ok(mails);
    }
    outbox_mail::Entity::update_many()
        .col_expr(outbox_mail::Column::Status, Expr::value(STATUS_SENDING))
        .col_expr(outbox_mail::Column::ClaimedBy, Expr::value(worker))
        .col_expr(outbox_mail::Column::ClaimedUntil, Expr::value(until))
        .col_expr(
            outbox_mail::Column::Tries,
            Expr::col(outbox_mail::Column::Tries).add(1),
        )
        .filter(outbox_mail::Column::Id.is_in(mails.iter().map(|m| m.id)))
        .exec(txn)
        .await?;
    Ok(mails
        .into_iter()
        .map(|mail| outbox_mail::Model {
            status: STATUS_SENDING.to_owned(),
            claimed_by: Some(worker.to_owned()),
            claimed_until: Some(until),
            tries: mail.tries + 1,
            ..mail
        })
        .collect())
}

/// Records a sent mail, if `worker` still holds it. A mail that carried a password link
/// loses its text: the outbox keeps no usable link.
pub async fn mark_sent(
    db: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    at: DateTime<Utc>,
    erase_text: bool,
) -> Result<(), DbErr> {
    let mut update = release_claim(id, worker)
        .col_expr(outbox_mail::Column::Status, Expr::value(STATUS_SENT))
        .col_expr(outbox_mail::Column::SentAt, Expr::value(at))
        .col_expr(
            outbox_mail::Column::LastError,
            Expr::value(Option::<String>::None),
        );
    if erase_text {
        update = update
            .col_expr(outbox_mail::Column::TextBody, Expr::value(""))
            .col_expr(outbox_mail::Column::HtmlBody, Expr::value(""));
    }
    update.exec(db).await.map(|_| ())
}

/// Records a failed try: the next one at `next_try_at`, or none (given up).
pub async fn mark_failed(
    db: &impl ConnectionTrait,
    id: Uuid,
    worker: &str,
    error: &str,
    next_try_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    let mut update = release_claim(id, worker).col_expr(
        outbox_mail::Column::LastError,
        Expr::value(Some(error.to_owned())),
    );
    update = match next_try_at {
        Some(at) => update
            .col_expr(outbox_mail::Column::Status, Expr::value(STATUS_FAILED))
            .col_expr(outbox_mail::Column::NextTryAt, Expr::value(at)),
        None => update.col_expr(outbox_mail::Column::Status, Expr::value(STATUS_GAVE_UP)),
    };
    update.exec(db).await.map(|_| ())
}

/// An update of one claimed mail that hands the claim back; it changes nothing unless
/// `worker` still holds the claim.
fn release_claim(id: Uuid, worker: &str) -> sea_orm::UpdateMany<outbox_mail::Entity> {
    outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox_mail::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(outbox_mail::Column::Id.eq(id))
        .filter(outbox_mail::Column::ClaimedBy.eq(worker))
}

/// Queues a failed or given-up mail again with a fresh count of tries; false if there is
/// no such mail waiting.
pub async fn requeue(
    db: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let result = outbox_mail::Entity::update_many()
        .col_expr(outbox_mail::Column::Status, Expr::value(STATUS_QUEUED))
        .col_expr(outbox_mail::Column::Tries, Expr::value(0))
        .col_expr(outbox_mail::Column::NextTryAt, Expr::value(now))
        .filter(outbox_mail::Column::Id.eq(id))
        .filter(outbox_mail::Column::Status.is_in([STATUS_FAILED, STATUS_GAVE_UP]))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Mails not sent yet (waiting, failing or given up), newest first.
pub async fn unsent(
    db: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<outbox_mail::Model>, DbErr> {
    outbox_mail::Entity::find()
        .filter(outbox_mail::Column::Status.ne(STATUS_SENT))
        .order_by_desc(outbox_mail::Column::CreatedAt)
        .limit(limit)
        .all(db)
        .await
}

/// How many mails are in each status.
pub async fn count_by_status(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>, DbErr> {
    outbox_mail::Entity::find()
        .select_only()
        .column(outbox_mail::Column::Status)
        .column_as(outbox_mail::Column::Id.count(), "mails")
        .group_by(outbox_mail::Column::Status)
        .into_tuple()
        .all(db)
        .await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<outbox_mail::Model>, DbErr> {
    outbox_mail::Entity::find_by_id(id).one(db).await
}

/// The mails addressed to a person, newest first (for their own data only).
pub async fn to_user(
    db: &impl ConnectionTrait,
    user: Uuid,
) -> Result<Vec<outbox_mail::Model>, DbErr> {
    outbox_mail::Entity::find()
        .filter(outbox_mail::Column::UserId.eq(user))
        .order_by_desc(outbox_mail::Column::CreatedAt)
        .all(db)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    #[test]
    fn workers_on_postgresql_skip_the_mails_others_have_locked() {
        let sql = due_for_claiming(Utc::now(), 20)
            .build(DbBackend::Postgres)
            .to_string();
        assert!(sql.ends_with("FOR UPDATE SKIP LOCKED"), "{sql}");
    }
}
