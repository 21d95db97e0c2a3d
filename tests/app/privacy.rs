//! The data inventory and retention: the page, its check against the real schema, and the
//! removal of answers, people who left, mail and audit entries past their periods.

use chrono::{Duration, Utc};
use kiwi::db;
use kiwi::entities::{quiz_attempt, user};
use kiwi::services::inventory;
use kiwi::services::retention::{self, Periods};
use reqwest::StatusCode;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement};

use crate::helpers::{Person, TestApp, spawn_app};

const PERIODS: Periods = Periods {
    answers_days: 90,
    left_days: 1095,
    audit_days: 1095,
};

async fn record_of(app: &TestApp, person: &Person) -> user::Model {
    db::users::by_email(&app.db, &person.email.to_lowercase())
        .await
        .unwrap()
        .expect("the person exists")
}

async fn attempts_of(app: &TestApp, id: uuid::Uuid) -> Vec<quiz_attempt::Model> {
    quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(id))
        .all(&app.db)
        .await
        .unwrap()
}

/// The one element of `items`.
fn only<T>(mut items: Vec<T>) -> T {
    assert_eq!(items.len(), 1, "exactly one");
    items.remove(0)
}

/// Moves a person's quiz attempts `days` into the past.
async fn age_attempts(app: &TestApp, id: uuid::Uuid, days: i64) {
    let at = Utc::now() - Duration::days(days);
    quiz_attempt::Entity::update_many()
        .col_expr(quiz_attempt::Column::SubmittedAt, Expr::value(Some(at)))
        .col_expr(quiz_attempt::Column::StartedAt, Expr::value(at))
        .filter(quiz_attempt::Column::UserId.eq(id))
        .exec(&app.db)
        .await
        .unwrap();
}

/// Marks a person as left `days` ago, as an import would.
async fn left_days_ago(app: &TestApp, id: uuid::Uuid, days: i64) {
    db::users::mark_left(&app.db, id, Utc::now() - Duration::days(days))
        .await
        .unwrap();
    app.changed_in_database(id).await;
}

/// The serial of a person's first certificate.
async fn serial_of(app: &TestApp, id: uuid::Uuid) -> String {
    use kiwi::entities::certificate;
    certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a certificate")
        .serial
}

/// In how many cells of the whole database `needle` occurs (every column of every table,
/// read as text).
async fn occurrences(app: &TestApp, needle: &str) -> Vec<String> {
    let backend = app.db.get_database_backend();
    let mut found = Vec::new();
    for (table, column) in db::schema::columns(&app.db).await.unwrap() {
        let sql = format!(
            "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE {}",
            if app.is_postgres() { "$1" } else { "?" }
        );
        let row = app
            .db
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [sea_orm::Value::from(format!("%{needle}%"))],
            ))
            .await
            .unwrap()
            .unwrap();
        let count: i64 = row.try_get_by_index(0).unwrap();
        if count > 0 {
            found.push(format!("{table}.{column} ({count})"));
        }
    }
    found
}

/// The evidence page's figures: its main part without the time it was made.
fn figures(html: &str) -> String {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("a main element");
    html[start..end]
        .lines()
        .filter(|line| !line.contains("Erstellt am"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_inventory_names_every_column_of_the_schema() {
    let app = spawn_app().await;
    let columns = db::schema::columns(&app.db).await.unwrap();
    assert!(columns.len() > 100, "{columns:?}");
    assert!(
        !columns
            .iter()
            .any(|(t, _)| t == db::schema::MIGRATIONS_TABLE)
    );
    let coverage = inventory::coverage(&columns, app.is_postgres());
    assert!(
        coverage.undeclared.is_empty(),
        "columns without an entry in src/services/inventory.rs: {:?}",
        coverage.undeclared
    );
    assert!(
        coverage.missing.is_empty(),
        "entries in src/services/inventory.rs for columns that do not exist: {:?}",
        coverage.missing
    );
}

#[tokio::test]
async fn a_column_added_without_an_entry_is_named_by_the_check() {
    let app = spawn_app().await;
    app.db
        .execute_unprepared("ALTER TABLE users ADD COLUMN shoe_size INTEGER")
        .await
        .unwrap();
    let columns = db::schema::columns(&app.db).await.unwrap();
    let coverage = inventory::coverage(&columns, app.is_postgres());
    assert_eq!(coverage.undeclared, vec!["users.shoe_size".to_owned()]);
    assert!(coverage.missing.is_empty(), "{:?}", coverage.missing);
}

#[tokio::test]
async fn an_employee_reads_the_inventory_in_german_and_in_english() {
    let app = spawn_app().await;
    let anna = app.person("Anna Schmidt", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (status, profile) = browser.get_text("/profile").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        profile.contains("href=\"/privacy\""),
        "linked from the profile"
    );

    let (status, html) = browser.get_text("/privacy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Verzeichnis der gespeicherten Daten</h1>"));
    assert!(html.contains("Abteilungsleitungen und das Personal sehen nie Punkte"));
    assert!(html.contains("90 Tage nach der Abgabe gelöscht"));
    assert!(html.contains("außerhalb dessen, was kiwi anzeigen"));
    assert!(html.contains("<code>users.email</code>"));
    assert!(html.contains("<code>quiz_attempts.answers</code>"));
    assert!(html.contains("<caption id=\"caption-users\">"));
    assert!(html.contains("<th scope=\"row\">"));

    let response = browser
        .submit(
            "/privacy",
            "/language",
            &[("language", "en"), ("next", "/privacy")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, html) = browser.get_text("/privacy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Inventory of stored data</h1>"));
    assert!(html.contains("Department heads and HR never see individual scores"));
    assert!(html.contains("Deleted 90 days after submission."));
}

#[tokio::test]
async fn the_inventory_is_for_signed_in_people() {
    let app = spawn_app().await;
    let response = app.browser().get("/privacy").await;
    assert_ne!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn answers_past_the_period_are_removed_and_newer_ones_and_scores_stay() {
    let app = spawn_app().await;
    let (old, old_browser) = app.certified_person("Olga Alt").await;
    let (new, _) = app.certified_person("Nina Neu").await;
    let old = record_of(&app, &old).await;
    let new = record_of(&app, &new).await;
    age_attempts(&app, old.id, 91).await;
    age_attempts(&app, new.id, 89).await;

    let removed = retention::run(&app.db, &PERIODS, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(removed.answers, 1);
    let old_attempt = only(attempts_of(&app, old.id).await);
    assert_eq!(old_attempt.answers, None);
    assert_eq!(old_attempt.score_percent, Some(100));
    assert_eq!(old_attempt.passed, Some(true));
    let new_attempt = only(attempts_of(&app, new.id).await);
    assert!(new_attempt.answers.is_some());

    // The result page still shows the score, and says why the answers are gone.
    let (status, page) = old_browser
        .get_text(&format!("/attempts/{}", old_attempt.id))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("nach Ablauf der Aufbewahrungsfrist gelöscht"),
        "{page}"
    );
}

#[tokio::test]
async fn people_who_left_long_ago_are_erased_and_their_records_still_count() {
    let app = spawn_app().await;
    let hr = app.person("Petra Personal", "Personalamt", "hr").await;
    let (gone, _) = app.certified_person("Jürgen Weggegangen").await;
    let (recent, _) = app.certified_person("Lena Kürzlich").await;
    let gone = record_of(&app, &gone).await;
    let recent = record_of(&app, &recent).await;
    let gone_serial = serial_of(&app, gone.id).await;
    let recent_serial = serial_of(&app, recent.id).await;
    left_days_ago(&app, gone.id, 1096).await;
    left_days_ago(&app, recent.id, 10).await;
    assert!(!occurrences(&app, &gone.email).await.is_empty());

    let hr = app.signed_in(&hr).await;
    let (status, before) = hr.get_text("/hr/evidence").await;
    assert_eq!(status, StatusCode::OK);
    let removed = retention::run(&app.db, &PERIODS, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(removed.people, 1);
    app.wait_for_feed().await;
    let (_, after) = hr.get_text("/hr/evidence").await;
    assert_eq!(figures(&before), figures(&after));

    let erased = db::users::by_id(&app.db, gone.id).await.unwrap().unwrap();
    let pseudonym = retention::pseudonym(gone.id);
    assert_eq!(erased.name, pseudonym);
    assert_eq!(erased.personnel_number, pseudonym);
    assert!(erased.email.ends_with("@erased.invalid"));
    assert!(erased.password_hash.is_none());
    assert!(erased.erased_at.is_some());
    assert_eq!(erased.status, user::STATUS_LEFT);
    for needle in [&gone.name, &gone.email, &gone.personnel_number] {
        let found = occurrences(&app, needle).await;
        assert!(found.is_empty(), "{needle} is still in {found:?}");
    }
    // The certificate stays (it counts), linked to the pseudonym, and is not found in public.
    assert_eq!(serial_of(&app, gone.id).await, gone_serial);
    let (status, _) = app
        .browser()
        .get_text(&format!("/verify/{gone_serial}"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let kept = db::users::by_id(&app.db, recent.id).await.unwrap().unwrap();
    assert_eq!(kept.name, "Lena Kürzlich");
    assert!(kept.erased_at.is_none());
    let (status, page) = app
        .browser()
        .get_text(&format!("/verify/{recent_serial}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Lena Kürzlich"));

    // The erasure is audited under the pseudonym alone.
    use kiwi::entities::audit_log;
    let entry = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("person.erased"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("an audit entry");
    assert_eq!(entry.detail, pseudonym);

    // A second run finds nobody more to erase.
    let again = retention::run(&app.db, &PERIODS, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(again.people, 0);
}

#[tokio::test]
async fn a_dry_run_prints_what_it_would_remove_and_changes_nothing() {
    let app = spawn_app().await;
    let (gone, _) = app.certified_person("Gustav Gegangen").await;
    let id = record_of(&app, &gone).await.id;
    age_attempts(&app, id, 100).await;
    left_days_ago(&app, id, 2000).await;
    let gone = record_of(&app, &gone).await;

    let data_dir = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kiwi"))
        .args(["retention", "run", "--dry-run"])
        .env("KIWI_DATABASE_URL", &app.database_url)
        .env("KIWI_DATA_DIR", data_dir.path())
        .env("KIWI_LOG", "warn")
        .output()
        .expect("kiwi runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{printed} {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        printed.contains("submitted more than 90 days ago: 1 attempts to remove"),
        "{printed}"
    );
    assert!(
        printed.contains("left more than 1095 days ago: 1 to erase"),
        "{printed}"
    );
    assert!(printed.contains("dry run, nothing changed"), "{printed}");

    let still = db::users::by_id(&app.db, gone.id).await.unwrap().unwrap();
    assert_eq!(still, gone);
    let attempt = only(attempts_of(&app, gone.id).await);
    assert!(attempt.answers.is_some());

    // The same run for real removes what the dry run named.
    let removed = retention::run(&app.db, &PERIODS, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!((removed.answers, removed.people), (1, 1));
}

#[tokio::test]
async fn old_mail_and_audit_entries_go_and_recent_ones_stay() {
    use kiwi::entities::{audit_log, outbox_mail};
    let app = spawn_app().await;
    let (person, _) = app.certified_person("Maria Post").await;
    let person = record_of(&app, &person).await;
    // The certificate mail, sent long ago; the audit entries of then.
    let long_ago = Utc::now() - Duration::days(1200);
    outbox_mail::Entity::update_many()
        .col_expr(
            outbox_mail::Column::Status,
            Expr::value(outbox_mail::STATUS_SENT),
        )
        .col_expr(outbox_mail::Column::CreatedAt, Expr::value(long_ago))
        .filter(outbox_mail::Column::UserId.eq(person.id))
        .exec(&app.db)
        .await
        .unwrap();
    let mails = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::UserId.eq(person.id))
        .all(&app.db)
        .await
        .unwrap()
        .len() as u64;
    assert!(mails > 0);
    let entries = audit_log::Entity::update_many()
        .col_expr(audit_log::Column::At, Expr::value(long_ago))
        .filter(audit_log::Column::ActorId.eq(person.id))
        .exec(&app.db)
        .await
        .unwrap()
        .rows_affected;
    assert!(entries > 0);
    db::audit::record(&app.db, None, "test.recent", "stays")
        .await
        .unwrap();

    let dry = retention::run(&app.db, &PERIODS, Utc::now(), true)
        .await
        .unwrap();
    assert_eq!((dry.mails, dry.audit_entries), (mails, entries));
    let removed = retention::run(&app.db, &PERIODS, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(removed, dry);
    assert!(
        audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("test.recent"))
            .one(&app.db)
            .await
            .unwrap()
            .is_some()
    );
    let left = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::UserId.eq(person.id))
        .all(&app.db)
        .await
        .unwrap();
    assert!(left.is_empty());
}

#[tokio::test]
async fn old_entries_of_who_looked_go_with_whom_they_included_and_recent_ones_stay() {
    use kiwi::entities::record_view;
    let app = spawn_app().await;
    let head = app.person("Hilde Haupt", "Amt Alt", "manager").await;
    let member = app.person("Mia Mitglied", "Amt Alt", "").await;
    let head_browser = app.signed_in(&head).await;
    assert_eq!(head_browser.get("/team").await.status(), StatusCode::OK);
    // That view was long ago; a second one is today.
    record_view::Entity::update_many()
        .col_expr(
            record_view::Column::At,
            Expr::value(Utc::now() - Duration::days(1200)),
        )
        .exec(&app.db)
        .await
        .unwrap();
    assert_eq!(head_browser.get("/team").await.status(), StatusCode::OK);
    let member = record_of(&app, &member).await;
    assert_eq!(
        kiwi::db::record_views::of_person(&app.db, member.id)
            .await
            .unwrap()
            .len(),
        2
    );

    let removed = retention::run(&app.db, &PERIODS, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(removed.record_views, 1);
    let entries = kiwi::db::record_views::of_person(&app.db, member.id)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(entries[0].at > Utc::now() - Duration::days(1));
    // Nothing of the old view is left: the blocks that remain belong to the recent one.
    let blocks = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT count(*) AS n FROM record_view_people \
             WHERE view_id NOT IN (SELECT id FROM record_views)",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(blocks, 0);
}
