//! Importing people from the HR master data: a CSV file, all rows or none.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, IntoActiveModel, Set};

use crate::db;
use crate::db::access_changes::Change;
use crate::domain::{Actor, Email, Language, Roles, SingleLine, SingleLineError};
use crate::entities::user;
use crate::services::access;
use crate::services::mails::{Composer, MailError};
use crate::services::org_units::{self, UnitIndex};
use crate::services::password_links;
use crate::services::people::{self, NewPerson};
use crate::services::record_views::{self, Kind, Viewer};
use crate::services::sessions;

const REQUIRED_COLUMNS: [&str; 4] = ["personnel_number", "name", "email", "org_unit"];
const OPTIONAL_COLUMNS: [&str; 1] = ["roles"];

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// People not in the file are set to "left": they can no longer sign in, their records stay.
    pub mark_missing_as_left: bool,
}

/// What an import changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub marked_left: usize,
}

/// A problem with one row; `row` counts as a spreadsheet does (the header is row 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u64,
    pub problem: RowProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    Unreadable,
    EmptyPersonnelNumber,
    EmptyName,
    BadName(SingleLineError),
    BadPersonnelNumber,
    BadEmail(String),
    BadOrgUnit(String),
    UnknownRole(String),
    DuplicatePersonnelNumber {
        first_row: u64,
    },
    DuplicateEmail {
        first_row: u64,
    },
    EmailTakenBy(String),
    /// Only an administrator may grant the administrator role.
    MayNotGrantAdmin,
    /// Only an administrator may change an administrator.
    MayNotChangeAdmin,
}

impl RowProblem {
    /// The translation id and arguments that describe this problem.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            RowProblem::Unreadable => ("import-row-unreadable", vec![]),
            RowProblem::EmptyPersonnelNumber => ("import-row-empty-personnel-number", vec![]),
            RowProblem::EmptyName => ("import-row-empty-name", vec![]),
            RowProblem::BadName(SingleLineError::TooLong) => (
                "import-row-name-too-long",
                vec![("max", SingleLine::MAX_CHARS.to_string())],
            ),
            RowProblem::BadName(_) => ("import-row-name-control-characters", vec![]),
            RowProblem::BadPersonnelNumber => ("import-row-bad-personnel-number", vec![]),
            RowProblem::BadEmail(v) => ("import-row-bad-email", vec![("value", v.clone())]),
            RowProblem::BadOrgUnit(v) => ("import-row-bad-org-unit", vec![("value", v.clone())]),
            RowProblem::UnknownRole(v) => ("import-row-unknown-role", vec![("value", v.clone())]),
            RowProblem::DuplicatePersonnelNumber { first_row } => (
                "import-row-duplicate-personnel-number",
                vec![("first_row", first_row.to_string())],
            ),
            RowProblem::DuplicateEmail { first_row } => (
                "import-row-duplicate-email",
                vec![("first_row", first_row.to_string())],
            ),
            RowProblem::EmailTakenBy(v) => (
                "import-row-email-taken",
                vec![("personnel_number", v.clone())],
            ),
            RowProblem::MayNotGrantAdmin => ("import-row-may-not-grant-admin", vec![]),
            RowProblem::MayNotChangeAdmin => ("import-row-may-not-change-admin", vec![]),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is empty")]
    Empty,
    #[error("the header lacks the columns {0:?}")]
    MissingColumns(Vec<String>),
    #[error("the header has unknown columns {0:?}")]
    UnknownColumns(Vec<String>),
    #[error("{} rows are invalid", .0.len())]
    InvalidRows(Vec<RowError>),
    #[error("the import would leave no active administrator")]
    NoAdministratorLeft,
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl From<MailError> for ImportError {
    fn from(error: MailError) -> Self {
        ImportError::Database(error.into())
    }
}

struct Row {
    number: u64,
    person: NewPerson,
}

/// Imports a CSV file of people (UTF-8 with or without BOM, `,` or `;` separated).
/// Nothing is written unless every row is valid; re-importing the same file changes
/// nothing; a changed file updates people by personnel number. Everyone created is
/// invited by mail to set a password, in the same transaction. Only an administrator may
/// grant the administrator role or change an administrator; every change of roles or email
/// is audited with its before and after.
pub async fn import_csv(
    db: &DatabaseConnection,
    mail: &Composer,
    bytes: &[u8],
    options: ImportOptions,
    actor: Actor,
) -> Result<ImportReport, ImportError> {
    let rows = parse(bytes)?;
    let rules = crate::access::rule::Rules {
        tools: mail.tools(),
        policy: mail.policy_version(),
    };
    let txn = db::begin_write(db).await?;
    let existing = db::users::all(&txn).await?;
    check_emails_against_others(&rows, &existing)?;

    let admins_before = db::users::count_active_admins(&txn).await?;
    let mut units = UnitIndex::load(&txn).await?;
    let mut by_number: HashMap<String, user::Model> = existing
        .into_iter()
        .map(|person| (person.personnel_number.clone(), person))
        .collect();
    let mut report = ImportReport::default();
    // Everyone the import creates or changes, for their transparency log.
    let mut changed = Vec::new();
    let mut refused = Vec::new();
    let now = Utc::now();

    for row in &rows {
        let current = by_number.remove(&row.person.personnel_number);
        if let Some(problem) = refusal(actor, current.as_ref(), &row.person) {
            refused.push(RowError {
                row: row.number,
                problem,
            });
            continue;
        }
        let unit = units.find_or_create(&txn, &row.person.org_unit).await?;
        match current {
            None => {
                let created = people::insert(&txn, &row.person, unit.id).await?;
                password_links::invite(&txn, mail, &created, now).await?;
                people::audit_changes(&txn, actor.id(), None, &created).await?;
                changed.push(created.id);
                report.created += 1;
            }
            Some(current) => {
                let p = &row.person;
                let unchanged = current.name == p.name.as_str()
                    && current.email == p.email.as_str()
                    && current.org_unit_id == unit.id
                    && people::roles_of(&current) == p.roles
                    && current.status == user::STATUS_ACTIVE;
                if unchanged {
                    report.unchanged += 1;
                    continue;
                }
                let previous = current.clone();
                // Only coming back changes what the access rule decides.
                let before = match current.status == user::STATUS_ACTIVE {
                    true => None,
                    false => Some(access::before_change(&txn, current.id).await?),
                };
                let mut model = current.into_active_model();
                model.name = Set(p.name.as_str().to_owned());
                model.email = Set(p.email.to_string());
                model.email_normalized = Set(p.email.normalized());
                model.org_unit_id = Set(unit.id);
                model.is_manager = Set(p.roles.manager);
                model.is_hr = Set(p.roles.hr);
                model.is_admin = Set(p.roles.admin);
                // Someone who appears in the HR file again is back.
                model.status = Set(user::STATUS_ACTIVE.to_owned());
                model.left_at = Set(None);
                model.updated_at = Set(now);
                let updated = model.update(&txn).await?;
                if let Some(before) = before {
                    access::audit_change(&txn, rules, updated.id, before.as_ref()).await?;
                }
                db::access_changes::record(&txn, Change::Person(updated.id)).await?;
                people::audit_changes(&txn, actor.id(), Some(&previous), &updated).await?;
                changed.push(updated.id);
                report.updated += 1;
            }
        }
    }
    if !refused.is_empty() {
        // Dropping the transaction undoes the rows written so far.
        return Err(ImportError::InvalidRows(refused));
    }

    if options.mark_missing_as_left {
        // What is left in `by_number` is everyone the file did not mention.
        for person in by_number.values() {
            // Administrators are often not in HR's file at all (IT and break-glass
            // accounts); only an administrator's import may mark one as left.
            let may_end = !person.is_admin || actor.may_manage_administrators();
            if person.status == user::STATUS_ACTIVE && may_end {
                let before = access::before_change(&txn, person.id).await?;
                db::users::mark_left(&txn, person.id, now).await?;
                sessions::end_all(&txn, person.id).await?;
                access::audit_change(&txn, rules, person.id, before.as_ref()).await?;
                changed.push(person.id);
                report.marked_left += 1;
            }
        }
    }

    if admins_before > 0 && db::users::count_active_admins(&txn).await? == 0 {
        return Err(ImportError::NoAdministratorLeft);
    }
    db::audit::record(
        &txn,
        actor.id(),
        "people.imported",
        &format!(
            "created {}, updated {}, unchanged {}, marked left {}",
            report.created, report.updated, report.unchanged, report.marked_left
        ),
    )
    .await?;
    record_views::record_listed(
        &txn,
        Viewer::of_actor(actor),
        Kind::PeopleImported,
        "",
        &changed,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

/// Reads and validates a file as an import would, without a database: the number of people
/// in it, or every problem found. For checking a file before the import, and for fuzzing.
pub fn check_file(bytes: &[u8]) -> Result<usize, ImportError> {
    parse(bytes).map(|rows| rows.len())
}

/// Reads and validates every row; collects every problem, not just the first.
fn parse(bytes: &[u8]) -> Result<Vec<Row>, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let header_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if count(header_line, b';') > count(header_line, b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);

    let header: Vec<String> = match reader.headers() {
        Ok(h) if !h.iter().all(|c| c.trim().is_empty()) => {
            h.iter().map(|c| c.trim().to_lowercase()).collect()
        }
        _ => return Err(ImportError::Empty),
    };
    let missing: Vec<String> = REQUIRED_COLUMNS
        .iter()
        .filter(|c| !header.iter().any(|h| h == *c))
        .map(|c| c.to_string())
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::MissingColumns(missing));
    }
    let unknown: Vec<String> = header
        .iter()
        .filter(|h| {
            !REQUIRED_COLUMNS.contains(&h.as_str()) && !OPTIONAL_COLUMNS.contains(&h.as_str())
        })
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(ImportError::UnknownColumns(unknown));
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let (pn_col, name_col, email_col, unit_col) = (
        column("personnel_number").unwrap_or_default(),
        column("name").unwrap_or_default(),
        column("email").unwrap_or_default(),
        column("org_unit").unwrap_or_default(),
    );
    let roles_col = column("roles");

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen_numbers: HashMap<String, u64> = HashMap::new();
    let mut seen_emails: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let row = error.position().map(|p| p.line()).unwrap_or_default();
                errors.push(RowError {
                    row,
                    problem: RowProblem::Unreadable,
                });
                continue;
            }
        };
        let row = record.position().map(|p| p.line()).unwrap_or_default();
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default().trim();
        let mut problems = Vec::new();

        let personnel_number = field(pn_col).to_owned();
        if personnel_number.is_empty() {
            problems.push(RowProblem::EmptyPersonnelNumber);
        } else if SingleLine::parse(&personnel_number).is_err() || personnel_number.len() > 64 {
            problems.push(RowProblem::BadPersonnelNumber);
        } else if let Some(first_row) = seen_numbers.get(&personnel_number) {
            problems.push(RowProblem::DuplicatePersonnelNumber {
                first_row: *first_row,
            });
        } else {
            seen_numbers.insert(personnel_number.clone(), row);
        }
        let name = match SingleLine::parse(field(name_col)) {
            Ok(name) => Some(name),
            Err(SingleLineError::Empty) => {
                problems.push(RowProblem::EmptyName);
                None
            }
            Err(error) => {
                problems.push(RowProblem::BadName(error));
                None
            }
        };
        let email = Email::parse(field(email_col));
        match &email {
            None => problems.push(RowProblem::BadEmail(field(email_col).to_owned())),
            Some(email) => match seen_emails.get(&email.normalized()) {
                Some(first_row) => problems.push(RowProblem::DuplicateEmail {
                    first_row: *first_row,
                }),
                None => {
                    seen_emails.insert(email.normalized(), row);
                }
            },
        }
        let org_unit = org_units::parse_path(field(unit_col));
        if org_unit.is_none() {
            problems.push(RowProblem::BadOrgUnit(field(unit_col).to_owned()));
        }
        let roles = match Roles::parse_list(roles_col.map(field).unwrap_or_default()) {
            Ok(roles) => Some(roles),
            Err(unknown) => {
                problems.push(RowProblem::UnknownRole(unknown));
                None
            }
        };

        match (name, email, org_unit, roles) {
            (Some(name), Some(email), Some(org_unit), Some(roles)) if problems.is_empty() => rows
                .push(Row {
                    number: row,
                    person: NewPerson {
                        personnel_number,
                        name,
                        email,
                        org_unit,
                        roles,
                        language: Language::default(),
                    },
                }),
            _ => errors.extend(
                problems
                    .into_iter()
                    .map(|problem| RowError { row, problem }),
            ),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(ImportError::InvalidRows(errors))
    }
}

/// What the actor may not do to this person: grant the administrator role, or change an
/// administrator (an unchanged row is fine).
fn refusal(actor: Actor, current: Option<&user::Model>, row: &NewPerson) -> Option<RowProblem> {
    if actor.may_manage_administrators() {
        return None;
    }
    match current {
        Some(current) if current.is_admin => {
            let unchanged = current.name == row.name.as_str()
                && current.email == row.email.as_str()
                && people::roles_of(current) == row.roles
                && current.status == user::STATUS_ACTIVE;
            (!unchanged).then_some(RowProblem::MayNotChangeAdmin)
        }
        _ => row.roles.admin.then_some(RowProblem::MayNotGrantAdmin),
    }
}

/// An email in the file may not belong to someone else already in kiwi who keeps it.
fn check_emails_against_others(rows: &[Row], existing: &[user::Model]) -> Result<(), ImportError> {
    let in_file: HashSet<&str> = rows
        .iter()
        .map(|r| r.person.personnel_number.as_str())
        .collect();
    let kept: HashMap<&str, &str> = existing
        .iter()
        .filter(|p| !in_file.contains(p.personnel_number.as_str()))
        .map(|p| (p.email_normalized.as_str(), p.personnel_number.as_str()))
        .collect();
    let errors: Vec<RowError> = rows
        .iter()
        .filter_map(|row| {
            kept.get(row.person.email.normalized().as_str())
                .map(|owner| RowError {
                    row: row.number,
                    problem: RowProblem::EmailTakenBy(owner.to_string()),
                })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ImportError::InvalidRows(errors))
    }
}

fn count(line: &[u8], byte: u8) -> usize {
    line.iter().filter(|b| **b == byte).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semicolons_and_a_bom_are_understood() {
        let file = "\u{feff}personnel_number;name;email;org_unit;roles\n\
                    1001;Anna Beck;anna@stadt.example;Dezernat I / FB 10;manager\n";
        let rows = parse(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].person.org_unit, vec!["Dezernat I", "FB 10"]);
        assert!(rows[0].person.roles.manager);
    }

    #[test]
    fn every_bad_row_is_reported_with_its_spreadsheet_row_number() {
        let file = "personnel_number,name,email,org_unit,roles\n\
                    1001,Anna Beck,anna@stadt.example,Dezernat I,\n\
                    1002,,nobody,Dezernat I,boss\n\
                    1001,Bernd Cho,ANNA@stadt.example,Dezernat I,\n";
        let Err(ImportError::InvalidRows(errors)) = parse(file.as_bytes()) else {
            panic!("the file should be rejected");
        };
        let found: Vec<(u64, RowProblem)> =
            errors.into_iter().map(|e| (e.row, e.problem)).collect();
        assert_eq!(
            found,
            vec![
                (3, RowProblem::EmptyName),
                (3, RowProblem::BadEmail("nobody".into())),
                (3, RowProblem::UnknownRole("boss".into())),
                (4, RowProblem::DuplicatePersonnelNumber { first_row: 2 }),
                (4, RowProblem::DuplicateEmail { first_row: 2 }),
            ]
        );
    }

    #[test]
    fn a_header_without_required_columns_is_rejected() {
        let Err(ImportError::MissingColumns(missing)) = parse(b"name,email\nA,a@b.example\n")
        else {
            panic!("the file should be rejected");
        };
        assert_eq!(missing, vec!["personnel_number", "org_unit"]);
    }
}
