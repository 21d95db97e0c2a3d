//! The demo: a fictional city administration ("Stadt Musterstadt") to click through at once.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Set};
use uuid::Uuid;

use crate::content::Content;
use crate::entities::module_completion;
use crate::services::certification;

use crate::db;
use crate::domain::{Email, Language, NewPassword, Roles, SingleLine};
use crate::services::org_units::{self, UnitIndex};
use crate::services::passwords::{self, PasswordError};
use crate::services::people::{self, NewPerson};

/// Every demo person signs in with this password.
pub const PASSWORD: &str = "kiwi-demo-2026";

/// The sign-ins the README lists: (role, email).
pub const SIGN_INS: [(&str, &str); 4] = [
    ("admin", "jonas.becker@musterstadt.example"),
    ("hr", "petra.hoffmann@musterstadt.example"),
    ("manager", "sabine.wolf@musterstadt.example"),
    ("employee", "anna.schmidt@musterstadt.example"),
];

/// The demo's people were added this many days ago, before their oldest training record
/// (760 days), so the council report's trend has quarters to show.
const ADDED_DAYS_AGO: i64 = 800;

/// The unit tree: (path, head of unit).
const UNITS: [(&str, &str); 13] = [
    ("Dezernat I – Verwaltungsführung", "Friedrich Krüger"),
    (
        "Dezernat I – Verwaltungsführung / Fachbereich 10 – Personal und Organisation",
        "Claudia Neumann",
    ),
    (
        "Dezernat I – Verwaltungsführung / Fachbereich 10 – Personal und Organisation / Abteilung 10.1 – Personalservice",
        "Martina Schäfer",
    ),
    (
        "Dezernat I – Verwaltungsführung / Fachbereich 10 – Personal und Organisation / Abteilung 10.2 – Organisation und IT",
        "Thomas Brandt",
    ),
    (
        "Dezernat I – Verwaltungsführung / Fachbereich 11 – Kommunikation",
        "Julia Lehmann",
    ),
    ("Dezernat II – Finanzen und Bürgerdienste", "Georg Weiß"),
    (
        "Dezernat II – Finanzen und Bürgerdienste / Fachbereich 20 – Finanzen",
        "Heike Vogel",
    ),
    (
        "Dezernat II – Finanzen und Bürgerdienste / Fachbereich 32 – Bürgerservice und Ordnung",
        "Sabine Wolf",
    ),
    (
        "Dezernat II – Finanzen und Bürgerdienste / Fachbereich 32 – Bürgerservice und Ordnung / Abteilung 32.1 – Bürgerbüro",
        "Michael Groß",
    ),
    (
        "Dezernat II – Finanzen und Bürgerdienste / Fachbereich 32 – Bürgerservice und Ordnung / Abteilung 32.2 – Ordnungsangelegenheiten",
        "Stefanie Köhler",
    ),
    ("Dezernat III – Soziales und Jugend", "Andreas Hartmann"),
    (
        "Dezernat III – Soziales und Jugend / Fachbereich 50 – Soziales",
        "Özlem Yılmaz",
    ),
    (
        "Dezernat III – Soziales und Jugend / Fachbereich 51 – Kinder, Jugend und Familie",
        "Björn Schröder",
    ),
];

/// Staff without a management role: (name, index into UNITS, extra role).
const STAFF: [(&str, usize, &str); 27] = [
    ("Jonas Becker", 3, "admin"),
    ("Petra Hoffmann", 2, "hr"),
    ("Anna Schmidt", 8, ""),
    ("Lukas Müller", 8, ""),
    ("Sophie Wagner", 8, ""),
    ("Jürgen Fischer", 9, ""),
    ("Leonie Bauer", 9, ""),
    ("Mehmet Demir", 9, ""),
    ("Katharina Richter", 7, ""),
    ("Felix Zimmermann", 6, ""),
    ("Marie Krause", 6, ""),
    ("Paul König", 6, ""),
    ("Lena Schulz", 4, ""),
    ("Tobias Huber", 4, ""),
    ("Hannah Maier", 2, ""),
    ("Niklas Koch", 3, ""),
    ("Emily Schwarz", 3, ""),
    ("Daniel Lange", 1, ""),
    ("Sarah Jäger", 11, ""),
    ("Maximilian Peters", 11, ""),
    ("Laura Scholz", 11, ""),
    ("Ayşe Kaya", 12, ""),
    ("David Möller", 12, ""),
    ("Johanna Ludwig", 12, ""),
    ("Elias Böhm", 0, ""),
    ("Clara Fuchs", 5, ""),
    ("Moritz Dietrich", 10, ""),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Seeds the demo city into an empty database; a database with people in it is left
/// alone. Returns whether it seeded.
pub async fn seed_if_empty(db: &DatabaseConnection, content: &Content) -> Result<bool, DemoError> {
    if db::users::count(db).await? > 0 {
        return Ok(false);
    }
    let password = NewPassword::parse(PASSWORD).ok_or_else(|| {
        PasswordError::Hash("the demo password is shorter than the minimum".into())
    })?;
    // One hash for everyone: they share the password, and hashing 40 times costs seconds.
    let hash = passwords::hash(password).await?;
    let txn = db::begin_write(db).await?;
    let mut units = UnitIndex::load(&txn).await?;
    let mut number = 1000;
    let heads = UNITS.iter().map(|(path, name)| (*name, *path, "manager"));
    let staff = STAFF
        .iter()
        .map(|(name, unit, role)| (*name, UNITS[*unit].0, *role));
    for (n, (name, path, role)) in heads.chain(staff).enumerate() {
        number += 1;
        let levels = org_units::parse_path(path).unwrap_or_default();
        let unit = units.find_or_create(&txn, &levels).await?;
        // The demo's own names are single lines; one that were not would be left out.
        let Ok(single_line) = SingleLine::parse(name) else {
            continue;
        };
        let person = NewPerson {
            personnel_number: number.to_string(),
            name: single_line,
            email: demo_email(name),
            org_unit: levels,
            roles: Roles::parse_list(role).unwrap_or_default(),
            language: Language::De,
        };
        let created = people::insert(&txn, &person, unit.id).await?;
        db::users::set_added_at(
            &txn,
            created.id,
            Utc::now() - Duration::days(ADDED_DAYS_AGO),
        )
        .await?;
        db::users::set_password_hash(&txn, created.id, hash.clone()).await?;
        seed_training(&txn, content, created.id, &created.email, n).await?;
    }
    db::audit::record(&txn, None, "demo.seeded", "Stadt Musterstadt").await?;
    txn.commit().await?;
    Ok(true)
}

/// Adds `people` generated people in a deep unit tree (see `large_demo`), once: a database
/// that has them already is left alone. Returns the Fachbereiche (about 1,000 people each
/// at 50,000) with the email of their head, who signs in with the demo password.
pub async fn seed_generated(
    db: &DatabaseConnection,
    content: &Content,
    people: usize,
) -> Result<Option<Vec<(String, String)>>, DemoError> {
    if db::org_units::by_path(db, "Dezernat 1").await?.is_some() {
        return Ok(None);
    }
    let password = NewPassword::parse(PASSWORD).ok_or_else(|| {
        PasswordError::Hash("the demo password is shorter than the minimum".into())
    })?;
    let hash = passwords::hash(password).await?;
    Ok(Some(
        crate::services::large_demo::seed(db, content, people, &hash).await?,
    ))
}

/// Gives the demo a realistic mix: some people certified (a few about to expire, a few
/// expired), some with the usage policy acknowledged, some who have not started.
async fn seed_training(
    txn: &impl ConnectionTrait,
    content: &Content,
    user: Uuid,
    email: &str,
    n: usize,
) -> Result<(), DbErr> {
    let now = Utc::now();
    let days = |d: i64| now - Duration::days(d);
    // (course, issued that many days ago)
    let history: Vec<(&str, i64)> = match email {
        "anna.schmidt@musterstadt.example" => vec![("prompting", 40)],
        "sabine.wolf@musterstadt.example" => vec![("prompting", 300), ("datenschutz", 290)],
        "petra.hoffmann@musterstadt.example" => vec![
            ("prompting", 200),
            ("datenschutz", 190),
            ("ki-governance", 180),
        ],
        "jonas.becker@musterstadt.example" => vec![],
        _ => match n % 5 {
            0 => vec![("prompting", 100)],
            1 => vec![("prompting", 400), ("datenschutz", 380)],
            // About to expire (24-month courses): a renewal reminder is due.
            2 => vec![("prompting", 700), ("datenschutz", 690)],
            3 => vec![("prompting", 760)],
            _ => vec![],
        },
    };
    for (course_id, ago) in &history {
        let Some(course) = content.catalog.get(course_id) else {
            continue;
        };
        for module in &course.modules {
            db::completions::insert_once(
                txn,
                module_completion::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(user),
                    course_id: Set(course.id.clone()),
                    module_id: Set(module.id.clone()),
                    course_version: Set(course.version.clone()),
                    kind: Set(if module.has_quiz() {
                        module_completion::KIND_PASSED
                    } else {
                        module_completion::KIND_READ
                    }
                    .to_owned()),
                    attempt_id: Set(None),
                    completed_at: Set(days(*ago)),
                },
            )
            .await?;
        }
        certification::record_earlier(txn, course, user, days(*ago)).await?;
    }
    if let Some(policy) = &content.policy
        && history.len() >= 2
    {
        db::policy_acknowledgements::insert_once(txn, user, &policy.version).await?;
    }
    Ok(())
}

/// "Özlem Yılmaz" → "oezlem.yilmaz@musterstadt.example".
fn demo_email(name: &str) -> Email {
    let mut local = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'ä' => local.push_str("ae"),
            'ö' => local.push_str("oe"),
            'ü' => local.push_str("ue"),
            'ß' => local.push_str("ss"),
            'ş' => local.push('s'),
            'ı' => local.push('i'),
            ' ' => local.push('.'),
            c if c.is_ascii_alphanumeric() || c == '-' => local.push(c),
            _ => {}
        }
    }
    Email::parse(&format!("{local}@musterstadt.example")).unwrap_or_else(|| {
        Email::parse("demo@musterstadt.example").expect("a literal valid address")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_addresses_transliterate_umlauts() {
        assert_eq!(
            demo_email("Özlem Yılmaz").as_str(),
            "oezlem.yilmaz@musterstadt.example"
        );
        assert_eq!(
            demo_email("Georg Weiß").as_str(),
            "georg.weiss@musterstadt.example"
        );
    }

    #[test]
    fn the_listed_sign_ins_exist_in_the_demo() {
        let names: Vec<String> = UNITS
            .iter()
            .map(|(_, n)| *n)
            .chain(STAFF.iter().map(|(n, _, _)| *n))
            .map(|n| demo_email(n).to_string())
            .collect();
        for (_, email) in SIGN_INS {
            assert!(names.iter().any(|n| n == email), "{email} is not seeded");
        }
    }
}
