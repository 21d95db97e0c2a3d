//! The workers of the operations outbox: directory group changes and webhook deliveries.
//! Like mail, every instance runs them; an operation is claimed with a lease (never applied
//! by two workers at once), the operations of one person and tool are applied in the order
//! they were written, failed tries are retried after growing pauses, and what the other
//! system refuses for good (a person not in the directory, a group that does not exist) is
//! given up and shown to administrators.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use uuid::Uuid;

use crate::db;
use crate::directory::{Change, Directory, Lookup, MatchField, Session};
use crate::entities::outbox_operation::{self, ACTION_ADD, KIND_DIRECTORY, KIND_WEBHOOK};
use crate::services::integrations::DirectoryPayload;
use crate::tools::Tool;
use crate::webhook::{self, Webhook};

/// How often an idle worker looks for due operations.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How many operations a worker claims at once; with the directory's timeouts a batch ends
/// well within the lease.
const BATCH: u64 = 10;
/// How long a claim holds: a worker that dies mid-batch leaves its operations to others.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// The pause after the first failed try; it doubles with every further one…
const FIRST_PAUSE: chrono::Duration = chrono::Duration::minutes(1);
/// …up to this, so that a directory or receiver that is back is caught up with soon.
const LONGEST_PAUSE: chrono::Duration = chrono::Duration::minutes(15);
/// A webhook not accepted for this long is given up (the receiver is gone).
const WEBHOOK_GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(3);
/// The longest error text kept on an operation.
const MAX_ERROR_CHARS: usize = 1000;

/// The pause before the next try after `tries` failed ones: 1, 2, 4 … minutes, at most 15.
pub fn pause_after(tries: i32) -> chrono::Duration {
    let doublings = u32::try_from(tries.saturating_sub(1)).unwrap_or(0).min(16);
    (FIRST_PAUSE * 2_i32.pow(doublings)).min(LONGEST_PAUSE)
}

/// What one pass of a worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    pub done: usize,
    pub failed: usize,
    pub gave_up: usize,
}

impl Pass {
    pub fn handled(&self) -> usize {
        self.done + self.failed + self.gave_up
    }

    fn add(&mut self, other: Pass) {
        self.done += other.done;
        self.failed += other.failed;
        self.gave_up += other.gave_up;
    }
}

/// What applying one operation came to.
#[derive(Debug)]
enum Outcome {
    Done(String),
    /// Not now: tried again after a pause.
    Retry(String),
    /// Refused for good: reported.
    GiveUp(String),
    /// The person is not in the directory (or is there several times): reported like a
    /// refusal, and logged without the address or number it was looked for by.
    NotFound(String),
}

fn worker_id(kind: &str) -> String {
    format!("{kind}-{}", Uuid::now_v7().simple())
}

async fn claim(
    db: &DatabaseConnection,
    kind: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<Vec<outbox_operation::Model>, DbErr> {
    if !db::operations::any_due(db, kind, now).await? {
        return Ok(Vec::new());
    }
    let txn = db::begin_write(db).await?;
    let claimed = db::operations::claim(&txn, kind, worker, now, now + LEASE, BATCH).await?;
    txn.commit().await?;
    Ok(claimed)
}

/// Records what an operation came to, and logs it (never a payload: no addresses).
async fn record(
    db: &DatabaseConnection,
    worker: &str,
    operation: &outbox_operation::Model,
    outcome: Outcome,
    now: DateTime<Utc>,
    pass: &mut Pass,
) -> Result<(), DbErr> {
    let cut = |text: String| -> String {
        text.chars()
            .filter(|c| !c.is_control())
            .take(MAX_ERROR_CHARS)
            .collect()
    };
    let (kind, id, tool, user) = (
        &operation.kind,
        operation.id,
        operation.tool_id.as_deref().unwrap_or("-"),
        operation.user_id,
    );
    match outcome {
        Outcome::Done(outcome) => {
            db::operations::mark_done(db, id, worker, Utc::now(), &outcome).await?;
            tracing::info!(%kind, operation = id, action = %operation.action, tool, person = ?user, %outcome, "operation applied");
            pass.done += 1;
        }
        Outcome::Retry(error) => {
            let error = cut(error);
            let too_old = operation.kind == KIND_WEBHOOK
                && now - operation.created_at > WEBHOOK_GIVE_UP_AFTER;
            if too_old {
                db::operations::mark_failed(db, id, worker, &error, None).await?;
                tracing::error!(%kind, operation = id, tool, person = ?user, tries = operation.tries, %error, "an operation failed for too long; kiwi gave up");
                pass.gave_up += 1;
            } else {
                let next = now + pause_after(operation.tries);
                db::operations::mark_failed(db, id, worker, &error, Some(next)).await?;
                tracing::warn!(%kind, operation = id, tool, person = ?user, tries = operation.tries, %error, "an operation failed; it will be tried again");
                pass.failed += 1;
            }
        }
        Outcome::GiveUp(error) => {
            let error = cut(error);
            db::operations::mark_failed(db, id, worker, &error, None).await?;
            tracing::error!(%kind, operation = id, tool, person = ?user, %error, "an operation was refused; it is reported under Verwaltung and not tried again");
            pass.gave_up += 1;
        }
        Outcome::NotFound(error) => {
            db::operations::mark_failed(db, id, worker, &cut(error), None).await?;
            tracing::error!(%kind, operation = id, tool, person = ?user, "the person is not in the directory; reported under Verwaltung and not tried again");
            pass.gave_up += 1;
        }
    }
    Ok(())
}

/// Applies the directory operations from one kiwi instance.
pub struct DirectoryWorker {
    id: String,
    directory: Arc<Directory>,
}

impl DirectoryWorker {
    pub fn new(directory: Arc<Directory>) -> DirectoryWorker {
        DirectoryWorker {
            id: worker_id(KIND_DIRECTORY),
            directory,
        }
    }

    /// One pass: claims up to a batch of operations due at `now`, connects once and
    /// applies them in order, outside any transaction.
    pub async fn apply_due(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Pass, DbErr> {
        let mut pass = Pass::default();
        let claimed = claim(db, KIND_DIRECTORY, &self.id, now).await?;
        if claimed.is_empty() {
            return Ok(pass);
        }
        let mut session = match self.directory.connect().await {
            Ok(session) => Some(session),
            Err(error) => {
                for operation in &claimed {
                    let outcome = Outcome::Retry(error.to_string());
                    record(db, &self.id, operation, outcome, now, &mut pass).await?;
                }
                return Ok(pass);
            }
        };
        for operation in &claimed {
            let outcome = match session.as_mut() {
                Some(open) => self.apply(open, operation).await,
                None => Outcome::Retry("the directory connection was lost".into()),
            };
            // A connection the directory dropped is not used for the rest of the batch.
            if matches!(&outcome, Outcome::Retry(_))
                && let Some(open) = session.take()
            {
                open.close().await;
            }
            record(db, &self.id, operation, outcome, now, &mut pass).await?;
        }
        if let Some(open) = session {
            open.close().await;
        }
        Ok(pass)
    }

    async fn apply(&self, session: &mut Session, operation: &outbox_operation::Model) -> Outcome {
        let Ok(payload) = serde_json::from_str::<DirectoryPayload>(&operation.payload) else {
            return Outcome::GiveUp("the operation cannot be read".into());
        };
        let config = self.directory.config();
        let value = match config.match_field {
            MatchField::Email => payload.email,
            MatchField::PersonnelNumber => payload.personnel_number,
        };
        let entry = match session.find_person(&value).await {
            Ok(Lookup::Found(entry)) => entry,
            Ok(Lookup::NotFound) => {
                return Outcome::NotFound(format!(
                    "the person is not in the directory: no entry with {}={value} under {}",
                    config.match_attribute, config.people_base
                ));
            }
            Ok(Lookup::Ambiguous(count)) => {
                return Outcome::NotFound(format!(
                    "{count} entries have {}={value} under {}; kiwi changes none",
                    config.match_attribute, config.people_base
                ));
            }
            Err(error) if error.is_permanent() => return Outcome::GiveUp(error.to_string()),
            Err(error) => return Outcome::Retry(error.to_string()),
        };
        let Some(member) = entry.member_value(config.member_attribute) else {
            return Outcome::GiveUp(format!("{} has no uid for memberUid", entry.dn));
        };
        let add = operation.action == ACTION_ADD;
        match session.set_member(&operation.target, member, add).await {
            Ok(Change::Made) if add => Outcome::Done("added".into()),
            Ok(Change::Made) => Outcome::Done("removed".into()),
            Ok(Change::AlreadySo) if add => Outcome::Done("already a member".into()),
            Ok(Change::AlreadySo) => Outcome::Done("not a member already".into()),
            Err(error) if error.is_permanent() => Outcome::GiveUp(error.to_string()),
            Err(error) => Outcome::Retry(error.to_string()),
        }
    }

    /// Passes until nothing is due at `now` any more (the command line applies what it
    /// queued).
    pub async fn apply_all_due(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Pass, DbErr> {
        let mut total = Pass::default();
        loop {
            let pass = self.apply_due(db, now).await?;
            total.add(pass);
            if pass.handled() == 0 {
                return Ok(total);
            }
        }
    }
}

/// Delivers the webhooks from one kiwi instance.
pub struct WebhookWorker {
    id: String,
    sender: webhook::Sender,
    webhooks: HashMap<String, Arc<Webhook>>,
}

impl WebhookWorker {
    /// A worker for the webhooks of these tools and the global one.
    pub fn new(tools: &[Tool], global: Option<&Arc<Webhook>>) -> Result<WebhookWorker, String> {
        let webhooks = tools
            .iter()
            .flat_map(|t| t.webhooks.iter())
            .chain(global)
            .map(|w| (w.name.clone(), w.clone()))
            .collect();
        Ok(WebhookWorker {
            id: worker_id(KIND_WEBHOOK),
            sender: webhook::Sender::new()?,
            webhooks,
        })
    }

    /// Whether any webhook is configured.
    pub fn is_needed(&self) -> bool {
        !self.webhooks.is_empty()
    }

    /// One pass: claims up to a batch of deliveries due at `now` and posts them, each signed
    /// for the instant it is sent, with the same `webhook-id` on every try.
    pub async fn deliver_due(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Pass, DbErr> {
        let mut pass = Pass::default();
        for operation in claim(db, KIND_WEBHOOK, &self.id, now).await? {
            let outcome = match self.webhooks.get(&operation.target) {
                None => Outcome::GiveUp(format!(
                    "the webhook \"{}\" is no longer configured",
                    operation.target
                )),
                Some(webhook) => {
                    let id = message_id(operation.message_id);
                    let timestamp = Utc::now().timestamp();
                    match self
                        .sender
                        .send(webhook, &id, &operation.payload, timestamp)
                        .await
                    {
                        webhook::Delivery::Accepted(status) => {
                            Outcome::Done(format!("accepted ({status})"))
                        }
                        webhook::Delivery::Failed(error) => Outcome::Retry(error),
                    }
                }
            };
            record(db, &self.id, &operation, outcome, now, &mut pass).await?;
        }
        Ok(pass)
    }

    /// Passes until nothing is due at `now` any more.
    pub async fn deliver_all_due(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Pass, DbErr> {
        let mut total = Pass::default();
        loop {
            let pass = self.deliver_due(db, now).await?;
            total.add(pass);
            if pass.handled() == 0 {
                return Ok(total);
            }
        }
    }
}

/// The `webhook-id` of an operation: the same on every try.
pub fn message_id(id: Uuid) -> String {
    format!("msg_{}", id.simple())
}

/// Applies due directory operations for as long as the server runs.
pub async fn run_directory(worker: &DirectoryWorker, db: &DatabaseConnection) {
    loop {
        match worker.apply_due(db, Utc::now()).await {
            Ok(pass) if pass.done >= usize::try_from(BATCH).unwrap_or(usize::MAX) => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "directory worker: reading the outbox failed"),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Delivers due webhooks for as long as the server runs.
pub async fn run_webhooks(worker: &WebhookWorker, db: &DatabaseConnection) {
    loop {
        match worker.deliver_due(db, Utc::now()).await {
            Ok(pass) if pass.done >= usize::try_from(BATCH).unwrap_or(usize::MAX) => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "webhook worker: reading the outbox failed"),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// An administrator queues a failed or given-up operation again, with a fresh count of tries.
pub async fn retry(db: &DatabaseConnection, id: i64, actor: Uuid) -> Result<bool, DbErr> {
    let txn = db::begin_write(db).await?;
    let requeued = db::operations::requeue(&txn, id, Utc::now()).await?;
    if requeued {
        db::audit::record(&txn, Some(actor), "operation.retried", &id.to_string()).await?;
    }
    txn.commit().await?;
    Ok(requeued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_a_quarter_of_an_hour() {
        assert_eq!(pause_after(1), chrono::Duration::minutes(1));
        assert_eq!(pause_after(3), chrono::Duration::minutes(4));
        assert_eq!(pause_after(5), chrono::Duration::minutes(15));
        assert_eq!(pause_after(1000), chrono::Duration::minutes(15));
    }
}
