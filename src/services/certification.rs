//! Certificates: issued once per validity period when a course is completed, verified in
//! public, revoked by HR.

use chrono::{DateTime, Datelike, Months, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::access::rule;
use crate::courses::Course;
use crate::db;
use crate::db::access_changes::Change;
use crate::entities::{certificate, user};
use crate::services::access;
use crate::services::integrations::{self, CertificateEvent};
use crate::services::mails::{ClosedBecause, Composer, Recipient};
use crate::services::outbox;
use crate::services::progress::{self, CourseStatus};
use crate::services::record_views::{self, Kind, Viewer};

/// How long before its end a certificate can be renewed.
pub const RENEWAL_WINDOW: chrono::Duration = chrono::Duration::days(60);

/// The certificate a person may renew now: their latest one that is not revoked and ends
/// within the renewal window or has ended. None while it is further off (or already renewed).
pub fn renewable(
    certificates: &[certificate::Model],
    now: DateTime<Utc>,
) -> Option<&certificate::Model> {
    certificates
        .iter()
        .filter(|c| c.revoked_at.is_none())
        .max_by_key(|c| c.valid_until)
        .filter(|latest| latest.valid_until - RENEWAL_WINDOW <= now)
}

/// A passed refresher issues the next certificate, starting when the renewed one ends (or
/// now, if it has ended). Earlier certificates stay as they are.
pub async fn renew(
    txn: &impl ConnectionTrait,
    mail: &Composer,
    course: &Course,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<certificate::Model>, DbErr> {
    let existing = db::certificates::of_user_and_course(txn, user, &course.id).await?;
    let Some(latest) = renewable(&existing, now) else {
        return Ok(None);
    };
    let sequence = i32::try_from(existing.len() + 1).unwrap_or(i32::MAX);
    let valid_from = latest.valid_until.max(now);
    let issued = issue(
        txn,
        mail,
        course,
        user,
        sequence,
        valid_from,
        Some(latest.id),
    )
    .await?;
    announce(txn, mail, course, issued.as_ref()).await?;
    Ok(issued)
}

/// Mails the holder their new certificate, in the transaction that issued it.
async fn announce(
    txn: &impl ConnectionTrait,
    mail: &Composer,
    course: &Course,
    issued: Option<&certificate::Model>,
) -> Result<(), DbErr> {
    let Some(certificate) = issued else {
        return Ok(());
    };
    let Some(holder) = db::users::by_id(txn, certificate.user_id).await? else {
        return Ok(());
    };
    let mut new = mail.certificate_issued(&Recipient::from(&holder), course, certificate)?;
    new.dedupe_key = Some(format!("certificate-issued:{}", certificate.id));
    outbox::queue(txn, vec![new]).await?;
    Ok(())
}

/// Letters without look-alikes (no I, L, O, U): serials are read aloud and typed.
const SERIAL_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A course yields exactly one certificate per validity period, however often its last
/// module is passed and however many submissions race: the database's unique
/// (person, course, sequence) decides the race. Runs inside the transaction that records
/// the completion, and mails the certificate in it.
pub async fn certify_if_complete(
    txn: &impl ConnectionTrait,
    mail: &Composer,
    course: &Course,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<certificate::Model>, DbErr> {
    let completions = db::completions::of_user(txn, user).await?;
    let progress = progress::progress_of(course, &completions, true);
    if progress.status != CourseStatus::Completed {
        return Ok(None);
    }
    let existing = db::certificates::of_user_and_course(txn, user, &course.id).await?;
    if existing
        .iter()
        .any(|c| c.revoked_at.is_none() && c.valid_until > now)
    {
        return Ok(None);
    }
    let sequence = i32::try_from(existing.len() + 1).unwrap_or(i32::MAX);
    let issued = issue(txn, mail, course, user, sequence, now, None).await?;
    announce(txn, mail, course, issued.as_ref()).await?;
    Ok(issued)
}

/// Records a certificate earned at `issued_at` (the demo's history, training records
/// brought over from elsewhere), with the same rules as one earned in kiwi.
pub async fn record_earlier(
    txn: &impl ConnectionTrait,
    course: &Course,
    user: Uuid,
    issued_at: DateTime<Utc>,
) -> Result<Option<certificate::Model>, DbErr> {
    let sequence =
        i32::try_from(db::certificates::count_of_user_and_course(txn, user, &course.id).await? + 1)
            .unwrap_or(i32::MAX);
    issue_at(txn, course, user, sequence, issued_at, issued_at, None).await
}

/// Issues a certificate earned now; the tools it opens are audited in the same transaction.
async fn issue(
    txn: &impl ConnectionTrait,
    mail: &Composer,
    course: &Course,
    user: Uuid,
    sequence: i32,
    valid_from: DateTime<Utc>,
    renewal_of: Option<Uuid>,
) -> Result<Option<certificate::Model>, DbErr> {
    let before = access::before_change(txn, user).await?;
    let issued = issue_at(
        txn,
        course,
        user,
        sequence,
        Utc::now(),
        valid_from,
        renewal_of,
    )
    .await?;
    if let Some(certificate) = &issued {
        // The certificate is told before the tools it opens.
        if let Some(webhook) = mail.webhook()
            && let Some(holder) = db::users::by_id(txn, user).await?
        {
            let event = CertificateEvent::Issued;
            let now = Utc::now();
            integrations::queue_certificate(txn, Some(webhook), &holder, certificate, event, now)
                .await?;
        }
        access::audit_change(txn, rules_of(mail), user, before.as_ref()).await?;
    }
    Ok(issued)
}

fn rules_of(mail: &Composer) -> rule::Rules<'_> {
    rule::Rules {
        tools: mail.tools(),
        policy: mail.policy_version(),
    }
}

async fn issue_at(
    txn: &impl ConnectionTrait,
    course: &Course,
    user: Uuid,
    sequence: i32,
    now: DateTime<Utc>,
    valid_from: DateTime<Utc>,
    renewal_of: Option<Uuid>,
) -> Result<Option<certificate::Model>, DbErr> {
    let model = certificate::ActiveModel {
        id: Set(Uuid::now_v7()),
        serial: Set(new_serial(now)),
        user_id: Set(user),
        course_id: Set(course.id.clone()),
        course_version: Set(course.version.clone()),
        sequence: Set(sequence),
        issued_at: Set(now),
        valid_from: Set(valid_from),
        valid_until: Set(valid_from + Months::new(course.validity_months)),
        renewal_of: Set(renewal_of),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoke_reason: Set(None),
    };
    if !db::certificates::insert_once(txn, model.clone()).await? {
        return Ok(None);
    }
    db::access_changes::record(txn, Change::Person(user)).await?;
    let serial = model.serial.clone().unwrap();
    db::audit::record(
        txn,
        Some(user),
        "certificate.issued",
        &format!("{serial} {} {}", course.id, course.version),
    )
    .await?;
    db::certificates::by_serial(txn, &serial).await
}

/// A certificate as the public verification page shows it, with its holder's name. The
/// certificates of erased people are not found: their name is gone, and a serial must not
/// lead back to the person.
pub async fn verify(
    db: &impl ConnectionTrait,
    serial: &str,
) -> Result<Option<(certificate::Model, String)>, DbErr> {
    let Some(found) = db::certificates::by_serial(db, serial).await? else {
        return Ok(None);
    };
    Ok(db::users::by_id(db, found.user_id)
        .await?
        .filter(|holder| holder.erased_at.is_none())
        .map(|holder| (found, holder.name)))
}

/// `KIWI-2026-7K3M-9QXD`: the year and 40 random bits, so serials cannot be guessed in order.
pub fn new_serial(now: DateTime<Utc>) -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random generator is unavailable");
    let chars: String = bytes
        .iter()
        .map(|b| SERIAL_ALPHABET[usize::from(*b) % 32] as char)
        .collect();
    format!("KIWI-{}-{}-{}", now.year(), &chars[..4], &chars[4..])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Valid,
    /// Starts when the previous certificate ends (a renewal).
    Upcoming,
    Expired,
    Revoked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Upcoming => "upcoming",
            Status::Expired => "expired",
            Status::Revoked => "revoked",
        }
    }
}

pub fn status_of(certificate: &certificate::Model, now: DateTime<Utc>) -> Status {
    if certificate.revoked_at.is_some() {
        Status::Revoked
    } else if certificate.valid_until <= now {
        Status::Expired
    } else if certificate.valid_from > now {
        Status::Upcoming
    } else {
        Status::Valid
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    #[error("no certificate with this serial")]
    NotFound,
    #[error("the certificate is already revoked")]
    AlreadyRevoked,
    #[error("a reason is required")]
    NoReason,
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Revokes a certificate with a reason; access that depended on it ends at once, the holder
/// hears of every tool that closed because of it and sees who revoked it under "Meine Daten".
pub async fn revoke(
    db: &DatabaseConnection,
    mail: &Composer,
    serial: &str,
    by: &user::Model,
    reason: &str,
) -> Result<certificate::Model, RevokeError> {
    let actor = by.id;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(RevokeError::NoReason);
    }
    let txn = db::begin_write(db).await?;
    let found = db::certificates::by_serial(&txn, serial.trim())
        .await?
        .ok_or(RevokeError::NotFound)?;
    if found.revoked_at.is_some() {
        return Err(RevokeError::AlreadyRevoked);
    }
    let before = access::before_change(&txn, found.user_id).await?;
    let holder = db::users::by_id(&txn, found.user_id).await?;
    let now = Utc::now();
    db::certificates::revoke(&txn, found.id, actor, reason, now).await?;
    if let Some(person) = &holder {
        // The revocation is told before the tools it closes.
        let revoked = CertificateEvent::Revoked;
        integrations::queue_certificate(&txn, mail.webhook(), person, &found, revoked, now).await?;
    }
    let closed = access::audit_change(&txn, rules_of(mail), found.user_id, before.as_ref()).await?;
    if let Some(person) = &holder {
        tell_of_closed_tools(&txn, mail, person, &closed, &found).await?;
    }
    db::access_changes::record(&txn, Change::Person(found.user_id)).await?;
    db::audit::record(
        &txn,
        Some(actor),
        "certificate.revoked",
        &format!("{} {reason}", found.serial),
    )
    .await?;
    record_views::record_listed(
        &txn,
        Viewer::hr_or_admin(by),
        Kind::CertificateRevoked,
        &found.serial,
        &[found.user_id],
        now,
    )
    .await?;
    txn.commit().await?;
    db::certificates::by_serial(db, &found.serial)
        .await?
        .ok_or(RevokeError::NotFound)
}

/// Queues an "access lost" mail for each tool the revocation of `certificate` closed (the
/// transitions the rule found for it).
async fn tell_of_closed_tools(
    txn: &impl ConnectionTrait,
    mail: &Composer,
    person: &user::Model,
    transitions: &[rule::Transition<'_>],
    certificate: &certificate::Model,
) -> Result<(), DbErr> {
    if person.status != user::STATUS_ACTIVE {
        return Ok(());
    }
    let to = Recipient::from(person);
    let mut mails = Vec::new();
    for tool in transitions.iter().filter(|t| !t.allowed).map(|t| t.tool) {
        let mut new =
            mail.access_lost(&to, tool, &certificate.course_id, ClosedBecause::Revoked)?;
        new.dedupe_key = Some(format!(
            "access-lost:revoked:{}:{}",
            certificate.id, tool.id
        ));
        mails.push(new);
    }
    outbox::queue(txn, mails).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_have_the_year_and_random_groups() {
        let now = Utc::now();
        let a = new_serial(now);
        let b = new_serial(now);
        assert_ne!(a, b);
        assert_eq!(a.len(), "KIWI-2026-XXXX-XXXX".len());
        assert!(a.starts_with(&format!("KIWI-{}-", now.year())));
        assert!(!a[10..].contains(['I', 'L', 'O', 'U']));
    }
}
