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
