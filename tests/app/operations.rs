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
    for name in [
        "database_writable",
        "migrations_current",
        "feed_synced",
        "catalog_loaded",
    ] {
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
    let watched = acknowledged.clone();
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
        // Let some submissions through first (however slow the machine), then back up
        // while the rest go on.
        while watched.lock().unwrap().len() < 4 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
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

/// The value of the sample `name{labels}` in a Prometheus text, 0 when it is not there.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

fn promtool_check(text: &str) {
    use std::io::Write;
    let mut child = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect(
            "the metrics test needs Prometheus' promtool: apt-get install prometheus \
             (./test does it)",
        );
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Lint remarks (naming advice) are fine; a parse error is not.
    assert!(
        output.status.success() || !said.contains("error"),
        "promtool: {said}"
    );
}

#[tokio::test]
async fn metrics_are_only_for_the_token_parse_in_promtool_and_move_with_traffic() {
    const TOKEN: &str = "metrics-token-for-the-test";
    let app = crate::helpers::spawn_app_with(crate::helpers::TestConfig {
        metrics_token: Some(TOKEN),
        ..Default::default()
    })
    .await;
    let scrape = || async {
        let response = app
            .browser()
            .client
            .get(format!("{}/metrics", app.address))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    };
    let stranger = app.browser().get("/metrics").await;
    assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);

    let before = scrape().await;
    promtool_check(&before);
    assert!(before.contains("kiwi_build_info"), "{before}");

    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    app.browser().sign_in(&anna.email, "not her password").await;
    let key = app.api_key("testbot").await;
    app.ask(&key, "testbot", &anna.email).await;
    app.browser().get("/courses").await;

    let after = scrape().await;
    promtool_check(&after);
    let refused = "kiwi_sign_ins_total{outcome=\"refused\"}";
    assert!(
        sample(&after, refused) >= sample(&before, refused) + 1.0,
        "{after}"
    );
    let denied = "kiwi_access_checks_total{tool=\"testbot\",result=\"denied\"}";
    assert!(
        sample(&after, denied) >= sample(&before, denied) + 1.0,
        "{after}"
    );
    assert!(
        after.contains("kiwi_http_request_duration_seconds_bucket"),
        "{after}"
    );
    assert!(after.contains("kiwi_feed_lag_seconds"), "{after}");
    assert!(after.contains("kiwi_db_pool_connections"), "{after}");
    assert!(
        !after.contains(&anna.email),
        "no names or addresses in metrics"
    );
}

#[tokio::test]
async fn readiness_fails_while_the_feed_cannot_be_read_and_recovers_by_itself() {
    let app = spawn_app().await;
    if !app.is_postgres() {
        // Cutting a database connection needs a network path (a TCP proxy): PostgreSQL only.
        return;
    }
    let (cut_off, proxy) = app.instance_behind_proxy().await;
    assert_eq!(readiness(&cut_off).await.0, StatusCode::OK);
    proxy.cut();
    let started = std::time::Instant::now();
    loop {
        let (status, answer) = readiness(&cut_off).await;
        if status == StatusCode::SERVICE_UNAVAILABLE && check(&answer, "feed_synced")["ok"] == false
        {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(12),
            "still ready: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    proxy.restore();
    let started = std::time::Instant::now();
    while readiness(&cut_off).await.0 != StatusCode::OK {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "never ready again"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
