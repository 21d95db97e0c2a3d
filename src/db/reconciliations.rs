//! Queries on the record of reconciliations of the directory groups.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set, TryInsert,
    TryInsertResult,
};
use uuid::Uuid;

use crate::entities::directory_reconciliation;

/// Starts the record of a reconciliation; false if one with the same dedupe key exists
/// already (another instance runs tonight's).
pub async fn start(
    db: &impl ConnectionTrait,
    id: Uuid,
    dedupe_key: Option<String>,
    trigger: &str,
    dry_run: bool,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let row = directory_reconciliation::ActiveModel {
        id: Set(id),
        dedupe_key: Set(dedupe_key),
        trigger: Set(trigger.to_owned()),
        dry_run: Set(dry_run),
        started_at: Set(at),
        finished_at: Set(None),
        added: Set(0),
        removed: Set(0),
        unmanaged: Set(0),
        not_found: Set(0),
        report: Set(String::new()),
        error: Set(None),
    };
    let result = TryInsert::one(row)
        .on_conflict_do_nothing_on([directory_reconciliation::Column::DedupeKey])
        .exec_without_returning(db)
        .await?;
    Ok(matches!(result, TryInsertResult::Inserted(1)))
}

/// What a finished reconciliation found and did.
pub struct Finished<'a> {
    pub at: DateTime<Utc>,
    pub added: i32,
    pub removed: i32,
    pub unmanaged: i32,
    pub not_found: i32,
    pub report: &'a str,
    pub error: Option<&'a str>,
}

pub async fn finish(db: &impl ConnectionTrait, id: Uuid, done: Finished<'_>) -> Result<(), DbErr> {
    directory_reconciliation::Entity::update_many()
        .col_expr(
            directory_reconciliation::Column::FinishedAt,
            Expr::value(done.at),
        )
        .col_expr(
            directory_reconciliation::Column::Added,
            Expr::value(done.added),
        )
        .col_expr(
            directory_reconciliation::Column::Removed,
            Expr::value(done.removed),
        )
        .col_expr(
            directory_reconciliation::Column::Unmanaged,
            Expr::value(done.unmanaged),
        )
        .col_expr(
            directory_reconciliation::Column::NotFound,
            Expr::value(done.not_found),
        )
        .col_expr(
            directory_reconciliation::Column::Report,
            Expr::value(done.report),
        )
        .col_expr(
            directory_reconciliation::Column::Error,
            Expr::value(done.error.map(str::to_owned)),
        )
        .filter(directory_reconciliation::Column::Id.eq(id))
        .exec(db)
        .await
        .map(|_| ())
}

/// The latest reconciliation that finished (or failed).
pub async fn latest_finished(
    db: &impl ConnectionTrait,
) -> Result<Option<directory_reconciliation::Model>, DbErr> {
    directory_reconciliation::Entity::find()
        .filter(directory_reconciliation::Column::FinishedAt.is_not_null())
        .order_by_desc(directory_reconciliation::Column::StartedAt)
        .one(db)
        .await
}

/// Whether a reconciliation with this dedupe key was started.
pub async fn exists(db: &impl ConnectionTrait, dedupe_key: &str) -> Result<bool, DbErr> {
    Ok(directory_reconciliation::Entity::find()
        .filter(directory_reconciliation::Column::DedupeKey.eq(dedupe_key))
        .one(db)
        .await?
        .is_some())
}
