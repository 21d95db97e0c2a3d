//! Running kiwi: liveness and readiness, backups.

use std::time::Duration;

use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DbBackend, TransactionTrait};

use crate::helpers::{TestApp, spawn_app};

async fn readiness(app: &TestApp) -> (StatusCode, serde_json::Value) {
    let response = app.browser().get("/readyz").await;
    let status = response.status();
    (status, response.json().await.unwrap())
}

fn check<'a>(answer: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    answer["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {answer}"))
}

#[tokio::test]
async fn readiness_fails_while_the_database_cannot_be_written_and_recovers() {
    let app = spawn_app().await;
    let (status, answer) = readiness(&app).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["ready"], true);
    for name in ["database_writable", "migrations_current", "catalog_loaded"] {
        assert_eq!(check(&answer, name)["ok"], true, "{answer}");
    }

    // Someone else holds the database's write lock (a stuck migration, a long batch job).
    let other = Database::connect(&app.database_url).await.unwrap();
    let blocking = other.begin().await.unwrap();
    let hold = match blocking.get_database_backend() {
        DbBackend::Postgres => "LOCK TABLE readiness_probes IN EXCLUSIVE MODE",
        _ => "INSERT INTO readiness_probes (instance, checked_at) VALUES ('blocker', '2026-12-02')",
    };
    blocking.execute_unprepared(hold).await.unwrap();
    let (status, answer) = readiness(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert_eq!(answer["ready"], false);
    assert_eq!(check(&answer, "database_writable")["ok"], false);
    // The process itself lives on.
    assert_eq!(app.browser().get("/healthz").await.status(), StatusCode::OK);

    blocking.rollback().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, answer) = readiness(&app).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

fn kiwi(args: &[&str], database_url: &str) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kiwi"))
        .args(args)
        .env("KIWI_DATABASE_URL", database_url)
        .env("KIWI_LOG", "warn")
        .output()
        .expect("kiwi runs")
}

#[tokio::test]
async fn a_backup_taken_under_quiz_load_holds_every_submission_acknowledged_before_it() {
    let app = spawn_app().await;
    if !app.database_url.starts_with("sqlite") {
        // PostgreSQL is backed up with its own tools (pg_dump), not with `kiwi backup`.
        let output = kiwi(&["backup", "/nonexistent/kiwi.backup"], &app.database_url);
        assert!(!output.status.success());
        assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
        return;
    }
    let mut people = Vec::new();
    for n in 0..24 {
        let person = app.person(&format!("Person {n}"), "Dezernat I", "").await;
        people.push(app.signed_in(&person).await);
    }
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let load = people.into_iter().map(|browser| {
        let app = &app;
        let acknowledged = acknowledged.clone();
        async move {
            let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
            let answers = app.answers(&attempt, true).await;
            let response = browser.answer(&attempt, &answers).await;
            if response.status() == StatusCode::SEE_OTHER {
                let id = uuid::Uuid::parse_str(&attempt).unwrap();
                acknowledged
                    .lock()
                    .unwrap()
                    .push((id, std::time::Instant::now()));
            }
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let backup_file = dir.path().join("kiwi.backup");
    let backup = async {
        // Let some submissions through first, then back up while the rest go on.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let started = std::time::Instant::now();
        let file = backup_file.display().to_string();
        let url = app.database_url.clone();
        let output = tokio::task::spawn_blocking(move || kiwi(&["backup", &file], &url))
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        started
    };
    let (_, backup_started) = tokio::join!(futures_util::future::join_all(load), backup);
    let acknowledged = acknowledged.lock().unwrap().clone();
    let before: Vec<uuid::Uuid> = acknowledged
        .iter()
        .filter(|(_, at)| *at < backup_started)
        .map(|(id, _)| *id)
        .collect();
    assert!(!before.is_empty(), "no submission came before the backup");

    // Restore into a new data directory and start kiwi on it.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored_url = format!(
        "sqlite://{}?mode=rwc",
        restored_dir.path().join("kiwi.sqlite").display()
    );
    let output = kiwi(
        &["restore", &backup_file.display().to_string()],
        &restored_url,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // A second restore over the now existing database is refused without --force.
    let again = kiwi(
        &["restore", &backup_file.display().to_string()],
        &restored_url,
    );
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));

    let restored = crate::helpers::spawn_app_with(crate::helpers::TestConfig {
        database_url: Some(restored_url),
        ..Default::default()
    })
    .await;
    use kiwi::entities::quiz_attempt;
    use sea_orm::EntityTrait;
    for id in &before {
        let attempt = quiz_attempt::Entity::find_by_id(*id)
            .one(&restored.db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("attempt {id} acknowledged before the backup is missing"));
        assert!(
            attempt.submitted_at.is_some(),
            "attempt {id} lost its submission"
        );
    }
    let (status, _) = readiness(&restored).await;
    assert_eq!(status, StatusCode::OK);
}
