//! An operation in the outbox of the other systems kiwi tells: a directory group change or
//! a webhook delivery, written with the change that causes it, applied by a worker.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_operations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub message_id: Uuid,
    pub kind: String,
    pub dedupe_key: Option<String>,
    pub sequence_key: String,
    pub target: String,
    pub action: String,
    pub tool_id: Option<String>,
    pub user_id: Option<Uuid>,
    pub reason: Option<String>,
    pub payload: String,
    pub status: String,
    pub tries: i32,
    pub next_try_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub outcome: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A change of a directory group.
pub const KIND_DIRECTORY: &str = "directory";
/// A webhook delivery.
pub const KIND_WEBHOOK: &str = "webhook";

pub const ACTION_ADD: &str = "add";
pub const ACTION_REMOVE: &str = "remove";

/// Waiting for its first try.
pub const STATUS_QUEUED: &str = "queued";
/// Claimed by a worker until `claimed_until`.
pub const STATUS_APPLYING: &str = "applying";
/// A try failed; the next one is due at `next_try_at`.
pub const STATUS_FAILED: &str = "failed";
pub const STATUS_DONE: &str = "done";
/// Refused for good (a person not in the directory, no such group), or tried too long; an
/// administrator may queue it again.
pub const STATUS_GAVE_UP: &str = "gave_up";
/// The statuses of an operation not finished yet: later ones of its key wait for it.
pub const UNFINISHED: [&str; 3] = [STATUS_QUEUED, STATUS_APPLYING, STATUS_FAILED];
