//! The outbox: every mail is written to it in the transaction of the change that causes it;
//! workers on any instance claim due mail, send it, retry with growing pauses and give up
//! after a configured number of tries. Nothing queued is lost by a restart.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::db;
use crate::entities::outbox_mail;
use crate::mailer::Mailer;
use crate::services::mails::{MailKind, NewMail};

/// How often an idle worker looks for due mail.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// How many mails a worker claims at once.
const BATCH: u64 = 20;
/// How long a claim holds: a worker that dies mid-send leaves its mails to others after this.
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// The pause after the first failed try; it doubles with every further one…
const FIRST_PAUSE: chrono::Duration = chrono::Duration::minutes(1);
/// …up to this.
const LONGEST_PAUSE: chrono::Duration = chrono::Duration::hours(4);
/// The longest error text kept on a mail.
const MAX_ERROR_CHARS: usize = 1000;

/// Writes mails to the outbox; a mail whose dedupe key is already there is not queued again.
/// Returns how many were queued.
pub async fn queue(db: &impl ConnectionTrait, mails: Vec<NewMail>) -> Result<u64, DbErr> {
    let now = Utc::now();
    let rows = mails
        .into_iter()
        .map(|mail| outbox_mail::ActiveModel {
            id: Set(Uuid::now_v7()),
            dedupe_key: Set(mail.dedupe_key),
            user_id: Set(mail.user_id),
            recipient_name: Set(mail.recipient_name),
            recipient: Set(mail.recipient),
            language: Set(mail.language.code().to_owned()),
            kind: Set(mail.kind.as_str().to_owned()),
            subject: Set(mail.subject),
            text_body: Set(mail.text),
            html_body: Set(mail.html),
            status: Set(outbox_mail::STATUS_QUEUED.to_owned()),
            tries: Set(0),
            next_try_at: Set(now),
            last_error: Set(None),
            claimed_by: Set(None),
            claimed_until: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
        })
        .collect();
    db::outbox::insert_once(db, rows).await
}

/// The pause before the next try after `tries` failed ones: 1, 2, 4 … minutes, at most 4 hours.
pub fn pause_after(tries: i32) -> chrono::Duration {
    let doublings = u32::try_from(tries.saturating_sub(1)).unwrap_or(0).min(16);
    (FIRST_PAUSE * 2_i32.pow(doublings)).min(LONGEST_PAUSE)
}

/// What one pass of a worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
    pub gave_up: usize,
}

impl Delivery {
    pub fn handled(&self) -> usize {
        self.sent + self.failed + self.gave_up
    }
}

/// Sends the outbox's mail from one kiwi instance.
pub struct Worker {
    /// Names this worker on the mails it claims.
    id: String,
    mailer: Arc<Mailer>,
    max_tries: u32,
}

impl Worker {
    pub fn new(mailer: Arc<Mailer>, max_tries: u32) -> Worker {
        Worker {
            id: format!("worker-{}", Uuid::now_v7().simple()),
            mailer,
            max_tries: max_tries.max(1),
        }
    }

    /// One pass: claims up to a batch of mail due at `now` and sends it, outside any
    /// transaction. A failed try is recorded with its error and retried after a pause that
    /// grows with every try; after the last allowed try the mail is given up.
    pub async fn deliver_due(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Delivery, DbErr> {
        let mut delivery = Delivery::default();
        if !db::outbox::any_due(db, now).await? {
            return Ok(delivery);
        }
        let txn = db::begin_write(db).await?;
        let claimed = db::outbox::claim(&txn, &self.id, now, now + LEASE, BATCH).await?;
        txn.commit().await?;
        for mail in claimed {
            let kind = MailKind::parse(&mail.kind);
            match self.mailer.send(&mail).await {
                Ok(()) => {
                    let erase = kind.is_some_and(MailKind::carries_secret);
                    db::outbox::mark_sent(db, mail.id, &self.id, Utc::now(), erase).await?;
                    tracing::info!(kind = %mail.kind, recipient = ?mail.user_id, mail = %mail.id, "mail sent");
                    delivery.sent += 1;
                }
                Err(error) => {
                    let permanent = error.is_permanent();
                    let error: String = error.to_string().chars().take(MAX_ERROR_CHARS).collect();
                    let tries_left = u32::try_from(mail.tries).unwrap_or(u32::MAX) < self.max_tries;
                    let next = (tries_left && !permanent).then(|| now + pause_after(mail.tries));
                    db::outbox::mark_failed(db, mail.id, &self.id, &error, next).await?;
                    if next.is_some() {
                        tracing::warn!(kind = %mail.kind, recipient = ?mail.user_id, mail = %mail.id, tries = mail.tries, %error, "sending a mail failed; it will be tried again");
                        delivery.failed += 1;
                    } else {
                        tracing::error!(kind = %mail.kind, recipient = ?mail.user_id, mail = %mail.id, tries = mail.tries, %error, "sending a mail failed for the last time; kiwi gave up");
                        delivery.gave_up += 1;
                    }
                }
            }
        }
        Ok(delivery)
    }

    /// Passes until nothing is due at `now` any more (the command line sends what it queued).
    pub async fn deliver_all_due(
        &self,
        db: &DatabaseConnection,
        now: DateTime<Utc>,
    ) -> Result<Delivery, DbErr> {
        let mut total = Delivery::default();
        loop {
            let pass = self.deliver_due(db, now).await?;
            total.sent += pass.sent;
            total.failed += pass.failed;
            total.gave_up += pass.gave_up;
            if pass.handled() == 0 {
                return Ok(total);
            }
        }
    }
}

/// Sends due mail for as long as the server runs; a full batch is followed at once by the next.
pub async fn run(worker: &Worker, db: &DatabaseConnection) {
    loop {
        match worker.deliver_due(db, Utc::now()).await {
            Ok(delivery) if delivery.handled() >= usize::try_from(BATCH).unwrap_or(usize::MAX) => {
                continue;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "mail worker: reading the outbox failed"),
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// An administrator queues a failed or given-up mail again, with a fresh count of tries.
pub async fn retry(db: &DatabaseConnection, id: Uuid, actor: Uuid) -> Result<bool, DbErr> {
    let txn = db::begin_write(db).await?;
    let requeued = db::outbox::requeue(&txn, id, Utc::now()).await?;
    if requeued {
        db::audit::record(&txn, Some(actor), "mail.retried", &id.to_string()).await?;
    }
    txn.commit().await?;
    Ok(requeued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_four_hours() {
        assert_eq!(pause_after(1), chrono::Duration::minutes(1));
        assert_eq!(pause_after(2), chrono::Duration::minutes(2));
        assert_eq!(pause_after(4), chrono::Duration::minutes(8));
        assert_eq!(pause_after(9), chrono::Duration::hours(4));
        assert_eq!(pause_after(100), chrono::Duration::hours(4));
    }
}
