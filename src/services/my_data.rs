//! "Meine Daten" (Art. 15 GDPR): everything kiwi stores about one person, gathered for that
//! person only. The one entry point takes the signed-in person; nothing here takes the id of
//! someone else, so no parameter can name another person.
//!
//! The JSON download is this structure as it is (`format` "kiwi-my-data", `version` 1): field
//! names and meanings stay; a later version only adds fields. Times are UTC (RFC 3339), due
//! dates are days (`YYYY-MM-DD`).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DbErr};
use serde::Serialize;
use uuid::Uuid;

use crate::db;
use crate::entities::{audit_log, user};
use crate::services::certification;
use crate::services::people;
use crate::services::record_views;

pub const FORMAT: &str = "kiwi-my-data";
pub const VERSION: u32 = 1;

/// Actions a person takes about themselves whose audit detail does not name them.
const OWN_ACTIONS: [&str; 3] = [
    "policy.acknowledged",
    "person.password_changed",
    "person.reset_requested",
];

#[derive(Debug, Serialize)]
pub struct MyData {
    pub format: &'static str,
    pub version: u32,
    pub generated_at: DateTime<Utc>,
    pub account: Account,
    /// `None` only if the unit has gone (units are never deleted).
    pub unit: Option<Unit>,
    /// `employee`, and any of `manager`, `hr`, `admin`.
    pub roles: Vec<&'static str>,
    /// Modules completed: read, or passed with a quiz.
    pub progress: Vec<Completion>,
    pub quiz_attempts: Vec<Attempt>,
    pub certificates: Vec<Certificate>,
    pub policy_acknowledgements: Vec<Acknowledgement>,
    pub assignments: Vec<Assignment>,
    pub mails: Vec<Mail>,
    pub audit: Vec<AuditEntry>,
    /// Who looked: reports, exports and changes by others that included this person.
    pub views: Vec<View>,
}

#[derive(Debug, Serialize)]
pub struct Account {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub personnel_number: String,
    /// `de` or `en`.
    pub language: String,
    /// `active` or `left`.
    pub status: String,
    /// Whether a password is set (never the password or its hash).
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct Unit {
    pub id: Uuid,
    pub name: String,
    /// Every level from the top, separated by " / ".
    pub path: String,
}

#[derive(Debug, Serialize)]
pub struct Completion {
    pub course_id: String,
    pub module_id: String,
    pub course_version: String,
    /// How the module was completed, e.g. `read` or `quiz`.
    pub kind: String,
    pub completed_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Attempt {
    pub id: Uuid,
    pub course_id: String,
    pub module_id: String,
    pub course_version: String,
    pub started_at: DateTime<Utc>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub score_percent: Option<i32>,
    pub passed: Option<bool>,
    /// The answers as stored (which options were chosen per question), if submitted.
    pub answers: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Certificate {
    pub id: Uuid,
    pub serial: String,
    pub course_id: String,
    pub course_version: String,
    pub issued_at: DateTime<Utc>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// `valid`, `upcoming`, `expired` or `revoked`, at `generated_at`.
    pub status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct Acknowledgement {
    pub policy_version: String,
    pub acknowledged_at: DateTime<Utc>,
}

#[derive(Debug, Serialize)]
pub struct Assignment {
    pub id: Uuid,
    pub course_id: String,
    pub due_on: NaiveDate,
    /// `person` (assigned to this person) or `unit` (to their unit or one above it).
    pub scope: &'static str,
    /// The unit's path, for `unit`.
    pub unit_path: Option<String>,
    pub assigned_at: DateTime<Utc>,
    /// The name of the department head or HR person who assigned it.
    pub assigned_by: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct Mail {
    pub kind: String,
    pub subject: String,
    /// `queued`, `sending`, `failed`, `sent` or `gave_up`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub action: String,
    pub detail: String,
    /// Whether this person did it themselves.
    pub by_self: bool,
}

#[derive(Debug, Serialize)]
pub struct View {
    pub at: DateTime<Utc>,
    /// `manager`, `hr`, `admin` or `command_line`.
    pub role: String,
    /// Who it was; `None` at the command line.
    pub name: Option<String>,
    /// `team_report`, `hr_report`, `team_export`, `hr_export`, `command_line_export`,
    /// `certificate_revoked`, `people_imported`, `second_factor_reset` or
    /// `assignment_created`.
    pub kind: String,
    /// The file format of an export, the serial of a revoked certificate, the course of an
    /// assignment; else empty.
    pub detail: String,
    /// How many people it included, this person among them.
    pub people: i32,
}

/// Everything kiwi stores about `person`, and nothing about anyone else beyond the names of
/// those who assigned them a course or looked at their records.
pub async fn of(
    db: &impl ConnectionTrait,
    person: &user::Model,
    now: DateTime<Utc>,
) -> Result<MyData, DbErr> {
    let unit = db::org_units::by_id(db, person.org_unit_id).await?;
    // Their unit and every unit above it: the ids in its lineage.
    let units: Vec<Uuid> = unit
        .as_ref()
        .map(|u| {
            u.lineage
                .split('/')
                .filter_map(|id| Uuid::parse_str(id).ok())
                .collect()
        })
        .unwrap_or_default();
    let certificates = db::certificates::of_user(db, person.id).await?;
    let assignments = db::assignments::applying_to(db, person.id, units).await?;
    let names = names_of(
        db,
        assignments
            .iter()
            .map(|a| a.assigned_by)
            .collect::<Vec<_>>(),
    )
    .await?;
    let unit_paths = unit_paths_of(
        db,
        assignments.iter().filter_map(|a| a.org_unit_id).collect(),
    )
    .await?;
    let mut needles = vec![person.personnel_number.clone(), person.email.clone()];
    needles.extend(certificates.iter().map(|c| c.serial.clone()));
    let audit = db::audit::mentioning(db, person.id, &OWN_ACTIONS, &needles)
        .await?
        .into_iter()
        .filter(|entry| is_about(entry, person.id, &needles))
        .map(|entry| AuditEntry {
            by_self: entry.actor_id == Some(person.id),
            at: entry.at,
            action: entry.action,
            detail: entry.detail,
        })
        .collect();
    let roles = people::roles_of(person);
    let mut role_names = vec!["employee"];
    for (held, name) in [
        (roles.manager, "manager"),
        (roles.hr, "hr"),
        (roles.admin, "admin"),
    ] {
        if held {
            role_names.push(name);
        }
    }
    let mut progress = db::completions::of_user(db, person.id).await?;
    progress.sort_by_key(|c| c.completed_at);
    let mut acknowledgements = db::policy_acknowledgements::of_user(db, person.id).await?;
    acknowledgements.sort_by_key(|a| a.acknowledged_at);
    Ok(MyData {
        format: FORMAT,
        version: VERSION,
        generated_at: now,
        account: Account {
            id: person.id,
            name: person.name.clone(),
            email: person.email.clone(),
            personnel_number: person.personnel_number.clone(),
            language: person.language.clone(),
            status: person.status.clone(),
            has_password: person.password_hash.is_some(),
            created_at: person.created_at,
            updated_at: person.updated_at,
            left_at: person.left_at,
        },
        unit: unit.map(|u| Unit {
            id: u.id,
            name: u.name,
            path: u.path,
        }),
        roles: role_names,
        progress: progress
            .into_iter()
            .map(|c| Completion {
                course_id: c.course_id,
                module_id: c.module_id,
                course_version: c.course_version,
                kind: c.kind,
                completed_at: c.completed_at,
            })
            .collect(),
        quiz_attempts: db::attempts::of_user(db, person.id)
            .await?
            .into_iter()
            .map(|a| Attempt {
                id: a.id,
                course_id: a.course_id,
                module_id: a.module_id,
                course_version: a.course_version,
                started_at: a.started_at,
                submitted_at: a.submitted_at,
                score_percent: a.score_percent,
                passed: a.passed,
                answers: a.answers,
            })
            .collect(),
        certificates: certificates
            .into_iter()
            .map(|c| Certificate {
                status: certification::status_of(&c, now).as_str(),
                id: c.id,
                serial: c.serial,
                course_id: c.course_id,
                course_version: c.course_version,
                issued_at: c.issued_at,
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                revoked_at: c.revoked_at,
                revoke_reason: c.revoke_reason,
            })
            .collect(),
        policy_acknowledgements: acknowledgements
            .into_iter()
            .map(|a| Acknowledgement {
                policy_version: a.policy_version,
                acknowledged_at: a.acknowledged_at,
            })
            .collect(),
        assignments: assignments
            .into_iter()
            .map(|a| Assignment {
                id: a.id,
                course_id: a.course_id,
                due_on: a.due_on,
                scope: if a.user_id.is_some() {
                    "person"
                } else {
                    "unit"
                },
                unit_path: a
                    .org_unit_id
                    .and_then(|id| unit_paths.iter().find(|(u, _)| *u == id))
                    .map(|(_, path)| path.clone()),
                assigned_at: a.assigned_at,
                assigned_by: names
                    .iter()
                    .find(|(id, _)| *id == a.assigned_by)
                    .map(|(_, name)| name.clone()),
                withdrawn_at: a.withdrawn_at,
            })
            .collect(),
        mails: db::outbox::to_user(db, person.id)
            .await?
            .into_iter()
            .map(|m| Mail {
                kind: m.kind,
                subject: m.subject,
                status: m.status,
                created_at: m.created_at,
                sent_at: m.sent_at,
            })
            .collect(),
        audit,
        views: record_views::of_person(db, person.id)
            .await?
            .into_iter()
            .map(|v| View {
                at: v.at,
                name: v.actor_name,
                role: v.actor_role,
                kind: v.kind,
                detail: v.detail,
                people: v.people_count,
            })
            .collect(),
    })
}

/// An audit entry is about a person when they made it themselves about themselves (one of
/// `OWN_ACTIONS`), or when a word of its detail is their personnel number, email address or
/// one of their certificate serials ("1001:" names 1001).
fn is_about(entry: &audit_log::Model, person: Uuid, needles: &[String]) -> bool {
    if entry.actor_id == Some(person) && OWN_ACTIONS.contains(&entry.action.as_str()) {
        return true;
    }
    entry
        .detail
        .split_whitespace()
        .map(|word| word.trim_end_matches(':'))
        .any(|word| needles.iter().any(|n| !n.is_empty() && n == word))
}

async fn names_of(
    db: &impl ConnectionTrait,
    mut ids: Vec<Uuid>,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(db::users::by_ids(db, ids)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect())
}

async fn unit_paths_of(
    db: &impl ConnectionTrait,
    mut ids: Vec<Uuid>,
) -> Result<Vec<(Uuid, String)>, DbErr> {
    ids.sort_unstable();
    ids.dedup();
    let mut paths = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(unit) = db::org_units::by_id(db, id).await? {
            paths.push((unit.id, unit.path));
        }
    }
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(actor: Option<Uuid>, action: &str, detail: &str) -> audit_log::Model {
        audit_log::Model {
            id: Uuid::nil(),
            at: Utc::now(),
            actor_id: actor,
            action: action.to_owned(),
            detail: detail.to_owned(),
            dedupe_key: None,
        }
    }

    #[test]
    fn an_audit_entry_is_about_a_person_only_when_it_names_them_as_a_word() {
        let me = Uuid::now_v7();
        let needles = vec!["1001".to_owned(), "anna@stadt.example".to_owned()];
        assert!(is_about(
            &entry(None, "access.granted", "kreativbot 1001"),
            me,
            &needles
        ));
        assert!(is_about(
            &entry(None, "person.roles_changed", "1001: employee -> manager"),
            me,
            &needles
        ));
        assert!(!is_about(
            &entry(None, "access.granted", "kreativbot 10011"),
            me,
            &needles
        ));
        assert!(!is_about(
            &entry(None, "people.imported", "created 1001, updated 0"),
            me,
            &needles
        ));
        assert!(is_about(
            &entry(Some(me), "person.password_changed", ""),
            me,
            &needles
        ));
        assert!(!is_about(
            &entry(Some(me), "records.exported", "csv unit= course="),
            me,
            &needles
        ));
    }
}
