//! The feed of access changes every kiwi instance follows.

use std::cell::Cell;
use std::future::Future;

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend,
    DbErr, EntityTrait, IsolationLevel, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
    TransactionTrait,
};
use uuid::Uuid;

use crate::entities::access_change;

tokio::task_local! {
    /// Set when the request running in this task recorded a change (see `watch`).
    static RECORDED_HERE: Cell<bool>;
}

/// Runs `work` (one request) and says whether it recorded a change, so that the instance
/// that made a change reads it before its next look-up. Scoped to the task of the request:
/// changes recorded by other requests, instances or tasks do not count.
pub async fn watch<F: Future>(work: F) -> (F::Output, bool) {
    RECORDED_HERE
        .scope(Cell::new(false), async move {
            let output = work.await;
            (output, RECORDED_HERE.with(Cell::get))
        })
        .await
}

/// What changed, as the feed carries it: every instance reads again what a change names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// Anything the rule or a session reads about a person: their account, unit, status,
    /// certificates, acknowledgements, sessions and tool sessions.
    Person(Uuid),
    /// A person's progress (a module completed, a first attempt on a course version): only
    /// their started courses are read again, and the progress pages show is forgotten.
    Progress(Uuid),
    /// The tools' API keys.
    Keys,
}

impl Change {
    fn row(self) -> (&'static str, Option<Uuid>) {
        match self {
            Change::Person(user) => (access_change::KIND_PERSON, Some(user)),
            Change::Progress(user) => (access_change::KIND_PROGRESS, Some(user)),
            Change::Keys => (access_change::KIND_KEYS, None),
        }
    }

    /// The change a row of the feed stands for; None for one this version does not know
    /// (written by a newer kiwi during a rolling update), which is skipped.
    pub fn of(row: &access_change::Model) -> Option<Change> {
        match (row.kind.as_str(), row.user_id) {
            (access_change::KIND_PERSON, Some(user)) => Some(Change::Person(user)),
            (access_change::KIND_PROGRESS, Some(user)) => Some(Change::Progress(user)),
            (access_change::KIND_KEYS, _) => Some(Change::Keys),
            _ => None,
        }
    }
}

/// Records a change on `db`, the transaction that makes it: it is in the feed exactly when
/// that transaction commits. On PostgreSQL the insert also wakes the instances that listen
/// (a trigger notifies them on commit).
pub async fn record(db: &impl ConnectionTrait, change: Change) -> Result<(), DbErr> {
    let _ = RECORDED_HERE.try_with(|recorded| recorded.set(true));
    let (kind, user) = change.row();
    access_change::ActiveModel {
        kind: Set(kind.to_owned()),
        user_id: Set(user),
        at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await
    .map(|_| ())
}

/// Locks a person's row until the transaction ends (PostgreSQL; SQLite has one writer at a
/// time anyway), so that changes of one person are judged in the order they commit.
pub async fn lock_person(db: &impl ConnectionTrait, user: Uuid) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT id FROM users WHERE id = $1 FOR UPDATE",
        [user.into()],
    ))
    .await
    .map(|_| ())
}

/// Changes after `after`, oldest first (at most `limit`).
pub async fn since(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<access_change::Model>, DbErr> {
    access_change::Entity::find()
        .filter(access_change::Column::Id.gt(after))
        .order_by_asc(access_change::Column::Id)
        .limit(limit)
        .all(db)
        .await
}

/// What a reader of the feed on PostgreSQL saw in one snapshot: the changes of every
/// transaction at or above the horizon it asked for (with the transaction of each), and the
/// new horizon: every transaction below it had ended when the snapshot was taken.
pub struct CommitOrderRead {
    pub changes: Vec<(access_change::Model, u64)>,
    pub horizon: u64,
}

/// The lowest transaction that may still be running (PostgreSQL): every change written by a
/// transaction below it is visible now or never will be.
pub async fn commit_horizon(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the commit horizon".into()))?;
    parse_xid(&row.try_get::<String>("", "horizon")?)
}

/// The changes written by transactions at or above `horizon`, oldest first, and the horizon
/// of the same snapshot (PostgreSQL). Read in one repeatable-read snapshot, so that the
/// changes and the new horizon agree.
pub async fn since_horizon(
    db: &DatabaseConnection,
    horizon: u64,
) -> Result<CommitOrderRead, DbErr> {
    let txn = db
        .begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?;
    let new_horizon = commit_horizon(&txn).await?;
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT id, kind, user_id, at, txid::text AS txid FROM access_changes \
             WHERE txid >= $1::text::xid8 ORDER BY id",
            [horizon.to_string().into()],
        ))
        .await?;
    txn.commit().await?;
    let mut changes = Vec::with_capacity(rows.len());
    for row in rows {
        let change = access_change::Model {
            id: row.try_get("", "id")?,
            kind: row.try_get("", "kind")?,
            user_id: row.try_get("", "user_id")?,
            at: row.try_get("", "at")?,
        };
        changes.push((change, parse_xid(&row.try_get::<String>("", "txid")?)?));
    }
    Ok(CommitOrderRead {
        changes,
        horizon: new_horizon,
    })
}

fn parse_xid(text: &str) -> Result<u64, DbErr> {
    text.parse()
        .map_err(|_| DbErr::Type(format!("not a transaction id: {text}")))
}

/// The id of the newest change, or 0.
pub async fn latest_id(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(access_change::Entity::find()
        .order_by_desc(access_change::Column::Id)
        .one(db)
        .await?
        .map(|c| c.id)
        .unwrap_or(0))
}

/// Drops changes older than `before`; every instance has long read them.
pub async fn purge(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<(), DbErr> {
    access_change::Entity::delete_many()
        .filter(access_change::Column::At.lt(before))
        .exec(db)
        .await
        .map(|_| ())
}
