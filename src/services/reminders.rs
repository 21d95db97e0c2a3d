//! The mail scheduler inside the server: reminders before a due date, the overdue notice,
//! the department heads' weekly digest, certificates that end soon and tools closed by an
//! expiry; and the mail for a new assignment. Every scheduled mail has a dedupe key, so
//! running the scheduler twice, or on several instances at once, queues each mail once.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use uuid::Uuid;

use crate::access::rule::{self, CertificateFact, Entitlements};
use crate::config::Settings;
use crate::courses::Catalog;
use crate::db;
use crate::db::reminders::Assignee;
use crate::entities::assignment;
use crate::services::mails::{ClosedBecause, Composer, MailError, NewMail, OverdueRow, Recipient};
use crate::services::outbox;

/// How often the scheduler looks for due mail.
pub const INTERVAL: Duration = Duration::from_secs(15 * 60);
/// A notice missed on its day (the server was down) is still sent this many days later.
const GRACE_DAYS: i64 = 7;

/// When the scheduler writes, from the settings.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Days before a due date with a reminder (default 14 and 3).
    pub reminder_days: Vec<u32>,
    /// Days before a certificate ends with a notice (default 60 and 14).
    pub expiry_days: Vec<u32>,
    /// Whether department heads get a weekly digest of their overdue people.
    pub manager_digest: bool,
}

impl Schedule {
    pub fn from_settings(settings: &Settings) -> Schedule {
        Schedule {
            reminder_days: settings.reminder_days.clone(),
            expiry_days: settings.expiry_reminder_days.clone(),
            manager_digest: settings.manager_digest,
        }
    }
}

/// How many mails of each kind one run queued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    pub reminders: u64,
    pub overdue: u64,
    pub digests: u64,
    pub expiring: u64,
    pub access_lost: u64,
}

/// Runs the scheduler every few minutes for as long as the server runs.
pub async fn run(db: &DatabaseConnection, mail: &Composer, catalog: &Catalog, schedule: &Schedule) {
    let mut interval = tokio::time::interval(INTERVAL);
    loop {
        interval.tick().await;
        if let Err(error) = run_once(db, mail, catalog, schedule, Utc::now()).await {
            tracing::warn!(%error, "mail scheduler: a run failed");
        }
        // A run reads everyone's assignments and certificates; what it freed goes back.
        crate::allocator::release_freed_memory();
    }
}

/// One run of the scheduler as of `now`: queues every mail that is due and not queued before.
pub async fn run_once(
    db: &DatabaseConnection,
    mail: &Composer,
    catalog: &Catalog,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<Queued, MailError> {
    let (reminders, overdue) = queue_due_date_mails(db, mail, catalog, schedule, now).await?;
    let expiring = queue_expiry_notices(db, mail, catalog, schedule, now).await?;
    let access_lost = queue_tools_closed_by_expiry(db, mail, now).await?;
    let digests = if schedule.manager_digest {
        queue_digests(db, mail, catalog, now).await?
    } else {
        0
    };
    Ok(Queued {
        reminders,
        overdue,
        digests,
        expiring,
        access_lost,
    })
}

/// A new assignment is announced to every active person it concerns who holds no valid
/// certificate of its course; run in the transaction that creates the assignment.
pub async fn queue_assignment_mails(
    db: &impl ConnectionTrait,
    mail: &Composer,
    catalog: &Catalog,
    assignment: &assignment::Model,
) -> Result<u64, MailError> {
    let Some(course) = catalog.get(&assignment.course_id) else {
        return Ok(0);
    };
    if assignment.withdrawn_at.is_some() {
        return Ok(0);
    }
    let mut mails = Vec::new();
    for person in db::reminders::assignees_of(db, assignment.id, Utc::now()).await? {
        let mut new = mail.assignment(&recipient(&person), course, assignment.due_on)?;
        new.dedupe_key = Some(format!("assignment:{}:{}", assignment.id, person.user_id));
        mails.push(new);
    }
    Ok(outbox::queue(db, mails).await?)
}

/// The reminder due for an assignment `days_left` days before its due date, announced
/// `lead_days` before it: the nearest configured threshold it has reached, unless the
/// assignment came within that threshold (its own mail said the date then).
pub fn reminder_threshold(thresholds: &[u32], days_left: i64, lead_days: i64) -> Option<u32> {
    thresholds
        .iter()
        .copied()
        .filter(|t| days_left <= i64::from(*t))
        .min()
        .filter(|t| lead_days > i64::from(*t))
}

/// Per person and course, the assignment due first (a person in an assigned unit may also
/// be assigned the same course by name).
fn first_due(assignees: Vec<Assignee>) -> Vec<Assignee> {
    let mut first: HashMap<(Uuid, String), Assignee> = HashMap::new();
    for row in assignees {
        let key = (row.user_id, row.course_id.clone());
        match first.get(&key) {
            Some(kept) if (kept.due_on, kept.assigned_at) <= (row.due_on, row.assigned_at) => {}
            _ => {
                first.insert(key, row);
            }
        }
    }
    let mut rows: Vec<Assignee> = first.into_values().collect();
    rows.sort_by(|a, b| (a.due_on, &a.name).cmp(&(b.due_on, &b.name)));
    rows
}

/// Reminders before due dates and the notice the day after; a person with a valid
/// certificate of the course gets neither.
async fn queue_due_date_mails(
    db: &DatabaseConnection,
    mail: &Composer,
    catalog: &Catalog,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<(u64, u64), MailError> {
    // Due dates are local days.
    let today = mail.local().day(now);
    let ahead = i64::from(schedule.reminder_days.iter().copied().max().unwrap_or(0));
    let rows = db::reminders::assignees_due_between(
        db,
        today - chrono::Duration::days(GRACE_DAYS),
        today + chrono::Duration::days(ahead),
        now,
    )
    .await?;
    let mut candidates = Vec::new();
    for row in first_due(rows) {
        let days_left = (row.due_on - today).num_days();
        if days_left < 0 {
            let key = format!("overdue:{}:{}", row.assignment_id, row.user_id);
            candidates.push((key, row, None));
        } else {
            let lead_days = (row.due_on - mail.local().day(row.assigned_at)).num_days();
            if let Some(t) = reminder_threshold(&schedule.reminder_days, days_left, lead_days) {
                let key = format!("reminder:{}:{}:{t}", row.assignment_id, row.user_id);
                candidates.push((key, row, Some(days_left)));
            }
        }
    }
    let keys: Vec<String> = candidates.iter().map(|(k, _, _)| k.clone()).collect();
    let existing = db::outbox::existing_keys(db, &keys).await?;
    let (mut reminders, mut overdue) = (Vec::new(), Vec::new());
    for (key, row, days_left) in candidates {
        let Some(course) = catalog.get(&row.course_id) else {
            continue;
        };
        if existing.contains(&key) {
            continue;
        }
        let to = recipient(&row);
        let mut new = match days_left {
            Some(days) => mail.reminder(&to, course, row.due_on, days)?,
            None => mail.overdue(&to, course, row.due_on)?,
        };
        new.dedupe_key = Some(key);
        match days_left {
            Some(_) => reminders.push(new),
            None => overdue.push(new),
        }
    }
    Ok((
        outbox::queue(db, reminders).await?,
        outbox::queue(db, overdue).await?,
    ))
}

/// The holder of a certificate that ends within a configured number of days hears of it
/// once per threshold, unless it has been renewed.
async fn queue_expiry_notices(
    db: &DatabaseConnection,
    mail: &Composer,
    catalog: &Catalog,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<u64, MailError> {
    let Some(ahead) = schedule.expiry_days.iter().copied().max() else {
        return Ok(0);
    };
    let ending = db::reminders::latest_certificates_ending(
        db,
        now,
        now + chrono::Duration::days(i64::from(ahead)),
    )
    .await?;
    let candidates: Vec<(String, _)> = ending
        .into_iter()
        .filter_map(|c| {
            let threshold = schedule
                .expiry_days
                .iter()
                .copied()
                .filter(|t| c.valid_until - now <= chrono::Duration::days(i64::from(*t)))
                .min()?;
            Some((
                format!("certificate-expiring:{}:{threshold}", c.certificate_id),
                c,
            ))
        })
        .collect();
    let keys: Vec<String> = candidates.iter().map(|(k, _)| k.clone()).collect();
    let existing = db::outbox::existing_keys(db, &keys).await?;
    let mut mails = Vec::new();
    for (key, c) in candidates {
        let Some(course) = catalog.get(&c.course_id) else {
            continue;
        };
        if existing.contains(&key) {
            continue;
        }
        let to = Recipient::new(c.user_id, &c.name, &c.email, &c.language);
        let mut new = mail.certificate_expiring(&to, course, &c.serial, c.valid_until)?;
        new.dedupe_key = Some(key);
        mails.push(new);
    }
    Ok(outbox::queue(db, mails).await?)
}

/// A certificate that ended (and was not renewed) closes the tools that require its course:
/// a person who could use such a tool just before hears that it closed, once.
async fn queue_tools_closed_by_expiry(
    db: &DatabaseConnection,
    mail: &Composer,
    now: DateTime<Utc>,
) -> Result<u64, MailError> {
    if mail.tools().is_empty() {
        return Ok(0);
    }
    let ended = db::reminders::latest_certificates_ending(
        db,
        now - chrono::Duration::days(GRACE_DAYS),
        now,
    )
    .await?;
    if ended.is_empty() {
        return Ok(0);
    }
    let people: Vec<Uuid> = ended
        .iter()
        .map(|c| c.user_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut entitlements: HashMap<Uuid, Entitlements> = people
        .iter()
        .map(|id| {
            (
                *id,
                Entitlements {
                    user_id: *id,
                    active: true,
                    ..Default::default()
                },
            )
        })
        .collect();
    for certificate in db::reminders::certificates_of(db, &people).await? {
        if let Some(person) = entitlements.get_mut(&certificate.user_id) {
            person
                .certificates
                .push(CertificateFact::from(&certificate));
        }
    }
    for acknowledgement in db::reminders::acknowledgements_of(db, &people).await? {
        if let Some(person) = entitlements.get_mut(&acknowledgement.user_id) {
            person
                .acknowledged
                .insert(acknowledgement.policy_version.into());
        }
    }
    let policy = mail.policy_version();
    let mut candidates = Vec::new();
    for c in &ended {
        let Some(person) = entitlements.get(&c.user_id) else {
            continue;
        };
        let just_before = c.valid_until - chrono::Duration::seconds(1);
        for tool in mail
            .tools()
            .iter()
            .filter(|t| t.requires_courses.contains(&c.course_id))
        {
            let was = rule::decide(tool, Some(person), policy, just_before).allowed;
            let is = rule::decide(tool, Some(person), policy, now).allowed;
            if was && !is {
                let key = format!("access-lost:expired:{}:{}", c.certificate_id, tool.id);
                candidates.push((key, c, tool));
            }
        }
    }
    let keys: Vec<String> = candidates.iter().map(|(k, _, _)| k.clone()).collect();
    let existing = db::outbox::existing_keys(db, &keys).await?;
    let mut mails = Vec::new();
    for (key, c, tool) in candidates {
        if existing.contains(&key) {
            continue;
        }
        let to = Recipient::new(c.user_id, &c.name, &c.email, &c.language);
        let mut new = mail.access_lost(&to, tool, &c.course_id, ClosedBecause::Expired)?;
        new.dedupe_key = Some(key);
        mails.push(new);
    }
    Ok(outbox::queue(db, mails).await?)
}

/// Each department head with overdue people in their unit or below gets one list a week.
async fn queue_digests(
    db: &DatabaseConnection,
    mail: &Composer,
    catalog: &Catalog,
    now: DateTime<Utc>,
) -> Result<u64, MailError> {
    let today = mail.local().day(now);
    let week = today.iso_week();
    let overdue = first_due(
        db::reminders::assignees_due_between(
            db,
            // Assignments older than ten years are history, not a list for this week.
            today - chrono::Duration::days(3650),
            today - chrono::Duration::days(1),
            now,
        )
        .await?,
    );
    if overdue.is_empty() {
        return Ok(0);
    }
    let heads = db::reminders::heads(db).await?;
    let mut heads_of_unit: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (index, head) in heads.iter().enumerate() {
        heads_of_unit.entry(head.unit_id).or_default().push(index);
    }
    let mut lists: HashMap<usize, Vec<&Assignee>> = HashMap::new();
    for row in &overdue {
        // A person's lineage names every unit above theirs: each of those units' heads sees them.
        for unit in row
            .lineage
            .split('/')
            .filter_map(|id| Uuid::parse_str(id).ok())
        {
            for index in heads_of_unit.get(&unit).into_iter().flatten() {
                if heads[*index].user_id != row.user_id {
                    lists.entry(*index).or_default().push(row);
                }
            }
        }
    }
    let keys: HashMap<usize, String> = lists
        .keys()
        .map(|index| {
            (
                *index,
                format!(
                    "digest:{}:{}-W{:02}",
                    heads[*index].user_id,
                    week.year(),
                    week.week()
                ),
            )
        })
        .collect();
    let all_keys: Vec<String> = keys.values().cloned().collect();
    let existing = db::outbox::existing_keys(db, &all_keys).await?;
    let mut mails: Vec<NewMail> = Vec::new();
    for (index, rows) in lists {
        let key = &keys[&index];
        if existing.contains(key) {
            continue;
        }
        let head = &heads[index];
        let to = Recipient::new(head.user_id, &head.name, &head.email, &head.language);
        let rows: Vec<OverdueRow> = rows
            .into_iter()
            .map(|row| OverdueRow {
                name: row.name.clone(),
                course: catalog
                    .get(&row.course_id)
                    .map(|c| c.title(to.language).to_owned())
                    .unwrap_or_else(|| row.course_id.clone()),
                due_on: row.due_on,
            })
            .collect();
        let mut new = mail.digest(&to, &head.unit_path, &rows)?;
        new.dedupe_key = Some(key.clone());
        mails.push(new);
    }
    Ok(outbox::queue(db, mails).await?)
}

fn recipient(row: &Assignee) -> Recipient {
    Recipient::new(row.user_id, &row.name, &row.email, &row.language)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_reached_threshold_is_due() {
        let thresholds = [14, 3];
        assert_eq!(reminder_threshold(&thresholds, 20, 30), None);
        assert_eq!(reminder_threshold(&thresholds, 14, 30), Some(14));
        assert_eq!(reminder_threshold(&thresholds, 10, 30), Some(14));
        assert_eq!(reminder_threshold(&thresholds, 3, 30), Some(3));
        assert_eq!(reminder_threshold(&thresholds, 0, 30), Some(3));
    }

    #[test]
    fn an_assignment_made_within_a_threshold_skips_its_reminder() {
        // Assigned ten days ahead: the assignment mail told the date; the 3-day reminder follows.
        assert_eq!(reminder_threshold(&[14, 3], 10, 10), None);
        assert_eq!(reminder_threshold(&[14, 3], 3, 10), Some(3));
    }
}
