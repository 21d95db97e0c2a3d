//! Retention: how long kiwi keeps what, and the daily job that removes the rest. The answers
//! of quiz attempts go after `KIWI_RETAIN_ANSWERS_DAYS` (scores stay); people who left are
//! erased after `KIWI_RETAIN_LEFT_DAYS` (their personal data replaced by a pseudonym, their
//! records kept, so the evidence counts stay right); sent mail, finished operations of other
//! systems, ended password links and throttle counts after their fixed periods; audit entries
//! after `KIWI_RETAIN_AUDIT_DAYS`. One instance a day runs it; `kiwi retention run` at any time.

use std::time::Duration;

use chrono::{DateTime, Timelike, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::config::Settings;
use crate::db;
use crate::db::access_changes::Change;
use crate::db::retention::Erasure;
use crate::domain::LocalTime;
use crate::services::throttle;

/// Sent and given-up mails are deleted after this; no dedupe key is needed that long.
pub const KEEP_MAIL_DAYS: i64 = 180;
/// Done and given-up directory operations and webhook deliveries are deleted after this.
pub const KEEP_OPERATIONS_DAYS: i64 = 180;
/// Ended password links are deleted after this.
pub const KEEP_LINKS_DAYS: i64 = 30;
/// The daily run starts at this local hour (or later that day, if no instance ran then),
/// after the nightly reconciliation of the directory groups.
const DAILY_HOUR: u32 = 3;
/// How often an instance looks whether today's run is due.
const DAILY_CHECK: Duration = Duration::from_secs(5 * 60);
/// People erased per transaction.
const ERASURE_BATCH: u64 = 100;
/// The action of the audit entry that claims a day's run for one instance.
const CLAIM_ACTION: &str = "retention.started";

/// The configurable periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub answers_days: u32,
    pub left_days: u32,
    pub audit_days: u32,
}

impl Periods {
    pub fn from_settings(settings: &Settings) -> Periods {
        Periods {
            answers_days: settings.retain_answers_days,
            left_days: settings.retain_left_days,
            audit_days: settings.retain_audit_days,
        }
    }
}

/// What one run removed (or, in a dry run, would remove).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Removed {
    /// Quiz attempts whose answers were removed.
    pub answers: u64,
    /// People who left and were erased.
    pub people: u64,
    pub mails: u64,
    pub operations: u64,
    pub password_links: u64,
    pub sign_in_failures: u64,
    pub audit_entries: u64,
    pub reconciliations: u64,
    /// Entries of the transparency log (who looked at whose records).
    pub record_views: u64,
}

impl Removed {
    /// The counts in one line, for the log and the audit entry.
    pub fn summary(&self) -> String {
        format!(
            "answers {}, people erased {}, mails {}, operations {}, password links {}, \
             sign-in failures {}, audit entries {}, reconciliations {}, record views {}",
            self.answers,
            self.people,
            self.mails,
            self.operations,
            self.password_links,
            self.sign_in_failures,
            self.audit_entries,
            self.reconciliations,
            self.record_views
        )
    }

    /// What was removed, a line per kind with its period, as `kiwi retention run` prints it.
    pub fn lines(&self, periods: &Periods, dry_run: bool) -> Vec<String> {
        let verb = if dry_run { "to remove" } else { "removed" };
        let erased = if dry_run { "to erase" } else { "erased" };
        vec![
            format!(
                "answers of quiz attempts submitted more than {} days ago: {} attempts {verb} (scores stay)",
                periods.answers_days, self.answers
            ),
            format!(
                "people who left more than {} days ago: {} {erased} (records kept under a pseudonym)",
                periods.left_days, self.people
            ),
            format!(
                "mails sent or given up more than {KEEP_MAIL_DAYS} days ago: {} {verb}",
                self.mails
            ),
            format!(
                "directory operations and webhook deliveries finished more than {KEEP_OPERATIONS_DAYS} days ago: {} {verb}",
                self.operations
            ),
            format!(
                "password links ended more than {KEEP_LINKS_DAYS} days ago: {} {verb}",
                self.password_links
            ),
            format!(
                "sign-in failure counts past the throttle window ({} minutes): {} {verb}",
                throttle::LONGEST_WINDOW.num_minutes(),
                self.sign_in_failures
            ),
            format!(
                "audit entries older than {} days: {} {verb}",
                periods.audit_days, self.audit_entries
            ),
            format!(
                "directory reconciliation records older than {} days: {} {verb}",
                periods.audit_days, self.reconciliations
            ),
            format!(
                "entries of who looked at whose records older than {} days: {} {verb}",
                periods.audit_days, self.record_views
            ),
        ]
    }
}

fn days(n: impl Into<i64>) -> chrono::Duration {
    chrono::Duration::days(n.into())
}

/// Removes, as of `now`, everything past its period, each kind in one statement (people in
/// batches); a dry run only counts. Erasure keeps every training record of the person, so a
/// count of certificates, completions or acknowledgements is the same after it.
pub async fn run(
    db: &DatabaseConnection,
    periods: &Periods,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<Removed, DbErr> {
    let mut removed = Removed {
        answers: db::retention::clear_answers(db, now - days(periods.answers_days), dry_run)
            .await?,
        mails: db::retention::mails(db, now - days(KEEP_MAIL_DAYS), dry_run).await?,
        operations: db::retention::operations(db, now - days(KEEP_OPERATIONS_DAYS), dry_run)
            .await?,
        password_links: db::retention::password_links(db, now - days(KEEP_LINKS_DAYS), dry_run)
            .await?,
        sign_in_failures: db::retention::sign_in_failures(
            db,
            now - throttle::LONGEST_WINDOW,
            dry_run,
        )
        .await?,
        audit_entries: db::retention::audit_entries(db, now - days(periods.audit_days), dry_run)
            .await?,
        reconciliations: db::retention::reconciliations(
            db,
            now - days(periods.audit_days),
            dry_run,
        )
        .await?,
        record_views: db::retention::record_views(db, now - days(periods.audit_days), dry_run)
            .await?,
        people: 0,
    };
    let left_before = now - days(periods.left_days);
    removed.people = if dry_run {
        db::retention::count_left_before(db, left_before).await?
    } else {
        erase_left(db, left_before, now).await?
    };
    Ok(removed)
}

/// The pseudonym that stands for an erased person: unique, and derived from nothing but the
/// record's own id.
pub fn pseudonym(id: uuid::Uuid) -> String {
    format!("erased-{}", id.simple())
}

/// Erases everyone who left before `left_before`, a batch per transaction: their personal
/// data is replaced by a pseudonym, what exists only for them is removed, and each erasure is
/// audited under the pseudonym alone.
async fn erase_left(
    db: &DatabaseConnection,
    left_before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut erased = 0;
    loop {
        let people = db::retention::left_before(db, left_before, ERASURE_BATCH).await?;
        if people.is_empty() {
            return Ok(erased);
        }
        let batch: Vec<Erasure> = people
            .into_iter()
            .map(|person| {
                let pseudonym = pseudonym(person.id);
                Erasure {
                    id: person.id,
                    email: person.email,
                    email_normalized: person.email_normalized,
                    personnel_number: person.personnel_number,
                    pseudonym_email: format!("{pseudonym}@erased.invalid"),
                    pseudonym,
                }
            })
            .collect();
        let txn = db::begin_write(db).await?;
        db::retention::remove_belongings(&txn, &batch).await?;
        for person in &batch {
            db::retention::pseudonymise(&txn, person, now).await?;
            db::retention::scrub_mentions(&txn, person).await?;
            // Every instance forgets the name and address it holds in memory.
            db::access_changes::record(&txn, Change::Person(person.id)).await?;
            db::audit::record(&txn, None, "person.erased", &person.pseudonym).await?;
        }
        txn.commit().await?;
        erased += batch.len() as u64;
    }
}

/// Runs retention once a day on one instance (the first that finds it due after
/// `DAILY_HOUR` local time claims the day in the audit log), for as long as the server runs.
pub async fn run_daily(db: &DatabaseConnection, periods: Periods, local: LocalTime) {
    let mut interval = tokio::time::interval(DAILY_CHECK);
    loop {
        interval.tick().await;
        let now = Utc::now();
        if local.naive(now).hour() < DAILY_HOUR {
            continue;
        }
        let key = format!("retention:{}", local.day(now));
        match db::audit::has_key(db, &key).await {
            Ok(true) => continue,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "retention: reading whether today's run is done failed");
                continue;
            }
        }
        match db::audit::claim(db, &key, CLAIM_ACTION, "").await {
            Ok(true) => {}
            Ok(false) => continue,
            Err(error) => {
                tracing::warn!(%error, "retention: claiming today's run failed");
                continue;
            }
        }
        let result = run(db, &periods, now, false).await;
        crate::allocator::release_freed_memory();
        match result {
            Ok(removed) => {
                tracing::info!(
                    answers = removed.answers,
                    people = removed.people,
                    mails = removed.mails,
                    operations = removed.operations,
                    password_links = removed.password_links,
                    sign_in_failures = removed.sign_in_failures,
                    audit_entries = removed.audit_entries,
                    reconciliations = removed.reconciliations,
                    "retention done"
                );
                if let Err(error) =
                    db::audit::record(db, None, "retention.done", &removed.summary()).await
                {
                    tracing::warn!(%error, "retention: auditing the run failed");
                }
            }
            Err(error) => tracing::error!(%error, "retention failed"),
        }
    }
}

/// `kiwi retention run`: one run now, audited unless it is a dry run.
pub async fn run_command(
    db: &DatabaseConnection,
    periods: &Periods,
    dry_run: bool,
) -> Result<Removed, DbErr> {
    let removed = run(db, periods, Utc::now(), dry_run).await?;
    if !dry_run {
        let detail = format!("command: {}", removed.summary());
        db::audit::record(db, None, "retention.done", &detail).await?;
    }
    Ok(removed)
}
