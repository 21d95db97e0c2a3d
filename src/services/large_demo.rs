//! `kiwi demo --people N`: a large fictional administration for benchmarks. A deep unit tree
//! (Dezernat / Fachbereich / Abteilung / Sachgebiet) with a head for every unit, and a
//! realistic mix of training states: valid, expiring, expired, in progress, not started,
//! and assignments of which some are overdue.
//!
//! Seeded in bulk (multi-row inserts in one transaction), deterministically from `N`.

use chrono::{Duration, Months, NaiveDate, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, Set};
use uuid::Uuid;

use crate::content::Content;
use crate::db;
use crate::entities::{assignment, certificate, module_completion, org_unit, user};

/// Units per level below the one above: 5 Dezernate, 10 Fachbereiche each, 4 Abteilungen
/// each, 5 Sachgebiete each. With 50,000 people a Fachbereich holds about 1,000.
const FAN_OUT: [usize; 4] = [5, 10, 4, 5];

/// Rows per INSERT: well below the bind-parameter limits of SQLite and PostgreSQL.
const ROWS_PER_INSERT: usize = 500;

const FIRST_NAMES: [&str; 24] = [
    "Jürgen",
    "Gülay",
    "Sören",
    "Anja",
    "Björn",
    "Käthe",
    "Lena",
    "Mehmet",
    "Özge",
    "Ralf",
    "Jörg",
    "Maren",
    "Timo",
    "Ute",
    "Hüseyin",
    "Greta",
    "Malte",
    "Zoë",
    "Dörte",
    "Niklas",
    "Agnieszka",
    "Frauke",
    "Ömer",
    "Ines",
];
const LAST_NAMES: [&str; 24] = [
    "Müller",
    "Schröder",
    "Weiß",
    "Köhler",
    "Groß",
    "Böhm",
    "Krämer",
    "Jäger",
    "Schäfer",
    "Özdemir",
    "Lorenz",
    "Vogt",
    "Kuhn",
    "Nowak",
    "Brandt",
    "Hahn",
    "Fuß",
    "Sommer",
    "Lührs",
    "Winter",
    "Pohl",
    "Günther",
    "Kaya",
    "Ebert",
];

/// Seeds `people` generated people into a new unit tree; the heads of units sign in with
/// `password_hash` (the demo password), everyone else has none. Returns the unit paths
/// and head emails of the Fachbereiche, the units a benchmark of the team report uses.
pub async fn seed(
    db: &DatabaseConnection,
    content: &Content,
    people: usize,
    password_hash: &str,
) -> Result<Vec<(String, String)>, DbErr> {
    let txn = db::begin_write(db).await?;
    let now = Utc::now();
    let today = now.date_naive();

    // The unit tree, breadth first, with ids and lineages built here.
    let mut units: Vec<org_unit::ActiveModel> = Vec::new();
    let mut leaves: Vec<(Uuid, String)> = Vec::new();
    let mut heads: Vec<(Uuid, String, usize)> = Vec::new(); // unit, path, depth
    // (parent: id, path, lineage; number), one level at a time.
    type Parent = Option<(Uuid, String, String)>;
    let mut level: Vec<(Parent, String)> = vec![(None, String::new())];
    for (depth, fan_out) in FAN_OUT.iter().enumerate() {
        let mut next = Vec::new();
        for (parent, number) in &level {
            for i in 1..=*fan_out {
                let id = Uuid::now_v7();
                let number = if number.is_empty() {
                    i.to_string()
                } else {
                    format!("{number}.{i:02}")
                };
                let name = match depth {
                    0 => format!("Dezernat {number}"),
                    1 => format!("Fachbereich {number}"),
                    2 => format!("Abteilung {number}"),
                    _ => format!("Sachgebiet {number}"),
                };
                let (path, lineage) = match parent {
                    Some((_, path, lineage)) => {
                        (format!("{path} / {name}"), format!("{lineage}{id}/"))
                    }
                    None => (name.clone(), format!("/{id}/")),
                };
                units.push(org_unit::ActiveModel {
                    id: Set(id),
                    parent_id: Set(parent.as_ref().map(|p| p.0)),
                    name: Set(name),
                    path: Set(path.clone()),
                    lineage: Set(lineage.clone()),
                    created_at: Set(now),
                });
                heads.push((id, path.clone(), depth));
                if depth == FAN_OUT.len() - 1 {
                    leaves.push((id, path.clone()));
                }
                next.push((Some((id, path, lineage)), number));
            }
        }
        level = next;
    }
    for chunk in units.chunks(ROWS_PER_INSERT) {
        org_unit::Entity::insert_many(chunk.to_vec())
            .exec(&txn)
            .await?;
    }

    let courses = content.catalog.courses();
    let mut fachbereiche = Vec::new();
    let mut users = Vec::with_capacity(ROWS_PER_INSERT);
    let mut certificates = Vec::with_capacity(ROWS_PER_INSERT);
    let mut completions = Vec::with_capacity(ROWS_PER_INSERT);
    // Heads first, one per unit, then everyone else spread over the leaves.
    let total = people.max(heads.len());
    for n in 0..total {
        let (unit, is_head) = match heads.get(n) {
            Some((unit, path, depth)) => {
                if *depth == 1 {
                    fachbereiche.push((path.clone(), email(n)));
                }
                (*unit, true)
            }
            None => (leaves[n % leaves.len()].0, false),
        };
        let id = Uuid::now_v7();
        let random = splitmix(n as u64);
        users.push(user::ActiveModel {
            id: Set(id),
            personnel_number: Set(format!("{}", 500_000 + n)),
            name: Set(format!(
                "{} {}",
                FIRST_NAMES[(random % 24) as usize],
                LAST_NAMES[((random >> 8) % 24) as usize]
            )),
            email: Set(email(n)),
            email_normalized: Set(email(n)),
            org_unit_id: Set(unit),
            language: Set(if random.is_multiple_of(10) {
                "en"
            } else {
                "de"
            }
            .to_owned()),
            status: Set(user::STATUS_ACTIVE.to_owned()),
            password_hash: Set(is_head.then(|| password_hash.to_owned())),
            is_manager: Set(is_head),
            is_hr: Set(false),
            is_admin: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            left_at: Set(None),
            erased_at: Set(None),
        });
        for (c, course) in courses.iter().enumerate() {
            let roll = splitmix(random ^ (c as u64 + 1)) % 100;
            // (issued that many days ago) for certificates; None: no certificate.
            let issued_days_ago = match roll {
                0..45 => Some(30 + (random >> 16) % 560),   // valid
                45..53 => Some(675 + (random >> 16) % 50),  // expiring within 60 days
                53..60 => Some(740 + (random >> 16) % 160), // expired
                _ => None,
            };
            let started = roll < 75;
            if let Some(days) = issued_days_ago {
                let issued = now - Duration::days(days as i64);
                certificates.push(certificate::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    serial: Set(serial(certificates_seeded(n, c, courses.len()))),
                    user_id: Set(id),
                    course_id: Set(course.id.clone()),
                    course_version: Set(course.version.clone()),
                    sequence: Set(1),
                    issued_at: Set(issued),
                    valid_from: Set(issued),
                    valid_until: Set(issued + Months::new(course.validity_months)),
                    renewal_of: Set(None),
                    revoked_at: Set(None),
                    revoked_by: Set(None),
                    revoke_reason: Set(None),
                });
            }
            if started && let Some(module) = course.modules.first() {
                completions.push(module_completion::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(id),
                    course_id: Set(course.id.clone()),
                    module_id: Set(module.id.clone()),
                    course_version: Set(course.version.clone()),
                    kind: Set(module_completion::KIND_READ.to_owned()),
                    attempt_id: Set(None),
                    completed_at: Set(now - Duration::days(((random >> 24) % 900) as i64)),
                });
            }
        }
        if users.len() >= ROWS_PER_INSERT {
            flush(&txn, &mut users, &mut certificates, &mut completions).await?;
        }
    }
    flush(&txn, &mut users, &mut certificates, &mut completions).await?;

    // Every Dezernat has the first course assigned: the first one overdue, the others due
    // within the next months.
    let assigner = user::Entity::find().one(&txn).await?;
    if let (Some(course), Some(assigner)) = (courses.first(), assigner) {
        for (i, (unit, _, _)) in heads.iter().filter(|h| h.2 == 0).enumerate() {
            let due: NaiveDate = if i == 0 {
                today - Duration::days(30)
            } else {
                today + Duration::days(30 * i as i64)
            };
            db::assignments::insert(
                &txn,
                assignment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    course_id: Set(course.id.clone()),
                    org_unit_id: Set(Some(*unit)),
                    user_id: Set(None),
                    due_on: Set(due),
                    assigned_by: Set(assigner.id),
                    assigned_at: Set(now),
                    withdrawn_at: Set(None),
                    withdrawn_by: Set(None),
                },
            )
            .await?;
        }
    }
    db::audit::record(
        &txn,
        None,
        "demo.seeded",
        &format!("{total} generated people"),
    )
    .await?;
    txn.commit().await?;
    // Fresh statistics, so the query planner knows the tables are no longer small.
    db.execute_unprepared("ANALYZE").await?;
    Ok(fachbereiche)
}

async fn flush(
    txn: &sea_orm::DatabaseTransaction,
    users: &mut Vec<user::ActiveModel>,
    certificates: &mut Vec<certificate::ActiveModel>,
    completions: &mut Vec<module_completion::ActiveModel>,
) -> Result<(), DbErr> {
    if !users.is_empty() {
        user::Entity::insert_many(std::mem::take(users))
            .exec(txn)
            .await?;
    }
    for chunk in std::mem::take(certificates).chunks(ROWS_PER_INSERT) {
        certificate::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    for chunk in std::mem::take(completions).chunks(ROWS_PER_INSERT) {
        module_completion::Entity::insert_many(chunk.to_vec())
            .exec(txn)
            .await?;
    }
    Ok(())
}

fn email(n: usize) -> String {
    format!("person.{n}@musterstadt.example")
}

fn certificates_seeded(person: usize, course: usize, courses: usize) -> u64 {
    (person * courses + course) as u64
}

/// A serial in kiwi's format, distinct for every `n`: multiplying by an odd number is a
/// one-to-one mapping on 40 bits, so no two generated serials collide.
fn serial(n: u64) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bits = n.wrapping_mul(0x9E37_79B9_7F4B) & ((1 << 40) - 1);
    let mut chars = [0u8; 8];
    for c in chars.iter_mut().rev() {
        *c = ALPHABET[(bits & 31) as usize];
        bits >>= 5;
    }
    let chars = String::from_utf8_lossy(&chars).into_owned();
    format!("KIWI-DEMO-{}-{}", &chars[..4], &chars[4..])
}

/// A fixed pseudo-random number per input (SplitMix64), so the demo is the same every time.
fn splitmix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_serials_do_not_collide() {
        let serials: std::collections::HashSet<String> = (0..200_000).map(serial).collect();
        assert_eq!(serials.len(), 200_000);
    }
}
