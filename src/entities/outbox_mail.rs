//! A mail in the outbox: rendered when queued, sent by a worker, retried until it gives up.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_mails")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub dedupe_key: Option<String>,
    pub user_id: Option<Uuid>,
    pub recipient_name: String,
    pub recipient: String,
    pub language: String,
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: String,
    pub tries: i32,
    pub next_try_at: DateTimeUtc,
    pub last_error: Option<String>,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Waiting for its first try.
pub const STATUS_QUEUED: &str = "queued";
/// Claimed by a worker until `claimed_until`.
pub const STATUS_SENDING: &str = "sending";
/// A try failed; the next one is due at `next_try_at`.
pub const STATUS_FAILED: &str = "failed";
pub const STATUS_SENT: &str = "sent";
/// Every try failed; an administrator may queue it again.
pub const STATUS_GAVE_UP: &str = "gave_up";
