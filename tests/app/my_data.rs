//! "Meine Daten": a person's own data, only theirs, and the transparency log of who looked
//! at their records (one row per view, however many people it included).

use reqwest::StatusCode;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{Browser, Person, TestApp, spawn_app};
use kiwi::domain::{Email, Language, Roles, SingleLine};
use kiwi::entities::{certificate, org_unit, outbox_mail, quiz_attempt, record_view, user};
use kiwi::services::people::{self, NewPerson};

async fn person_row(app: &TestApp, person: &Person) -> user::Model {
    user::Entity::find()
        .filter(user::Column::EmailNormalized.eq(person.email.to_lowercase()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the person exists")
}

async fn unit_id(app: &TestApp, path: &str) -> Uuid {
    org_unit::Entity::find()
        .filter(org_unit::Column::Path.eq(path))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("unit {path} exists"))
        .id
}

async fn log_rows(app: &TestApp) -> u64 {
    record_view::Entity::find().count(&app.db).await.unwrap()
}

/// Adds people who never sign in (no password), quickly: the people of a large unit.
async fn add_people(app: &TestApp, unit: &str, count: usize) {
    for n in 0..count {
        let suffix = Uuid::now_v7().simple().to_string();
        people::add(
            &app.db,
            NewPerson {
                personnel_number: format!("N-{suffix}"),
                name: SingleLine::parse(&format!("Kollegin {n}")).unwrap(),
                email: Email::parse(&format!("kollegin.{suffix}@stadt.example")).unwrap(),
                org_unit: unit.split(" / ").map(str::to_owned).collect(),
                roles: Roles::parse_list("").unwrap(),
                language: Language::De,
            },
            None,
        )
        .await
        .expect("person added");
    }
    app.wait_for_feed().await;
}

/// A person who failed the quiz once, then completed the course and acknowledged the policy:
/// progress, two attempts with scores, a certificate and an acknowledgement.
async fn learner_with_a_failed_attempt(app: &TestApp, name: &str) -> (Person, Browser) {
    let person = app.person(name, "Dezernat I", "").await;
    let browser = app.signed_in(&person).await;
    let attempt = browser.start_quiz("grundlagen", "erste-schritte").await;
    let wrong = app.answers(&attempt, false).await;
    browser.answer(&attempt, &wrong).await;
    app.complete_course(&browser).await;
    browser.acknowledge_policy().await;
    app.wait_for_feed().await;
    (person, browser)
}

/// The person's own data, as the JSON download.
async fn my_data(browser: &Browser) -> Value {
    let response = browser.get("/profile/data.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The kinds of the entries of a person's transparency log.
async fn views_of(browser: &Browser) -> Vec<String> {
    my_data(browser).await["views"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_persons_json_export_holds_exactly_their_data_and_nothing_of_anyone_else() {
    let app = spawn_app().await;
    let (anna, anna_browser) = learner_with_a_failed_attempt(&app, "Anna Jürgens").await;
    let (other, _) = learner_with_a_failed_attempt(&app, "Otto Übermann").await;
    let anna_row = person_row(&app, &anna).await;
    let other_row = person_row(&app, &other).await;

    let response = anna_browser.get("/profile/data.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get("content-disposition")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let text = response.text().await.unwrap();
    let data: Value = serde_json::from_str(&text).unwrap();

    assert_eq!(data["format"], "kiwi-my-data");
    assert_eq!(data["version"], 1);
    assert_eq!(data["account"]["id"], anna_row.id.to_string());
    assert_eq!(data["account"]["email"], anna.email.as_str());
    assert_eq!(data["account"]["name"], "Anna Jürgens");
    assert_eq!(
        data["account"]["personnel_number"],
        anna_row.personnel_number
    );
    assert!(!data["progress"].as_array().unwrap().is_empty());
    assert!(
        !data["policy_acknowledgements"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    let attempts = data["quiz_attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "her passing attempt and her failed one");
    assert!(attempts.iter().all(|a| a["score_percent"].is_number()));
    for attempt in attempts {
        let id = Uuid::parse_str(attempt["id"].as_str().unwrap()).unwrap();
        let stored = quiz_attempt::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.user_id, anna_row.id);
    }
    let certificates = data["certificates"].as_array().unwrap();
    assert_eq!(certificates.len(), 1);
    for c in certificates {
        let id = Uuid::parse_str(c["id"].as_str().unwrap()).unwrap();
        let stored = certificate::Entity::find_by_id(id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.user_id, anna_row.id);
    }
    // Every mail addressed to her, and only those.
    let her_mails = outbox_mail::Entity::find()
        .filter(outbox_mail::Column::UserId.eq(anna_row.id))
        .count(&app.db)
        .await
        .unwrap();
    assert_eq!(data["mails"].as_array().unwrap().len() as u64, her_mails);

    // Nothing of the other person, anywhere in the file.
    let theirs_attempts = quiz_attempt::Entity::find()
        .filter(quiz_attempt::Column::UserId.eq(other_row.id))
        .all(&app.db)
        .await
        .unwrap();
    let theirs_certificates = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(other_row.id))
        .all(&app.db)
        .await
        .unwrap();
    let mut foreign = vec![
        other.email.clone(),
        other_row.name.clone(),
        other_row.personnel_number.clone(),
        other_row.id.to_string(),
        other_row.id.simple().to_string(),
    ];
    foreign.extend(theirs_attempts.iter().map(|a| a.id.to_string()));
    foreign.extend(theirs_certificates.iter().map(|c| c.serial.clone()));
    foreign.extend(theirs_certificates.iter().map(|c| c.id.to_string()));
    for needle in &foreign {
        assert!(
            !text.contains(needle.as_str()),
            "{needle} is in Anna's data"
        );
    }
    // And her own identifiers are in it.
    assert!(text.contains(&anna_row.personnel_number));
}

#[tokio::test]
async fn a_team_report_and_an_hr_export_appear_in_the_log_of_everyone_included_and_no_one_else() {
    let app = spawn_app().await;
    let head = app.person("Hanna Haupt", "Amt A", "manager").await;
    let ali = app.person("Ali Unten", "Amt A / Sachgebiet 1", "").await;
    let bea = app.person("Bea Nebenan", "Amt B", "").await;
    let petra = app.person("Petra Personal", "Personal", "hr").await;
    let manager = app.signed_in(&head).await;
    let hr = app.signed_in(&petra).await;
    let ali_browser = app.signed_in(&ali).await;
    let bea_browser = app.signed_in(&bea).await;

    let (status, _) = manager.get_text("/team").await;
    assert_eq!(status, StatusCode::OK);
    let amt_b = unit_id(&app, "Amt B").await;
    let response = hr.get(&format!("/hr/export.csv?unit={amt_b}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.text().await.unwrap();
    assert!(csv.contains("Bea Nebenan"));

    assert_eq!(views_of(&ali_browser).await, ["team_report"]);
    assert_eq!(views_of(&manager).await, ["team_report"], "her own team");
    assert_eq!(views_of(&bea_browser).await, ["hr_export"]);
    assert!(views_of(&hr).await.is_empty());

    // Who and what, as the page shows it.
    let ali_data = my_data(&ali_browser).await;
    let entry = &ali_data["views"][0];
    assert_eq!(entry["role"], "manager");
    assert_eq!(entry["name"], "Hanna Haupt");
    let bea_data = my_data(&bea_browser).await;
    let entry = &bea_data["views"][0];
    assert_eq!(entry["role"], "hr");
    assert_eq!(entry["name"], "Petra Personal");
    assert_eq!(entry["detail"], "csv");
    let (_, page) = bea_browser.get_text("/profile/data").await;
    assert!(page.contains("Export der Schulungsnachweise"), "{page}");
    assert!(page.contains("Petra Personal"));
    assert!(page.contains("technische Zugriff"));
}

#[tokio::test]
async fn the_log_gets_one_row_per_view_whether_it_includes_one_person_or_thirty() {
    let app = spawn_app().await;
    let alone = app.person("Alma Allein", "Amt Klein", "manager").await;
    let head = app.person("Gerd Groß", "Amt Groß", "manager").await;
    add_people(&app, "Amt Groß", 29).await;
    let small = app.signed_in(&alone).await;
    let large = app.signed_in(&head).await;

    let before = log_rows(&app).await;
    assert_eq!(small.get("/team").await.status(), StatusCode::OK);
    assert_eq!(log_rows(&app).await, before + 1);
    assert_eq!(large.get("/team").await.status(), StatusCode::OK);
    assert_eq!(log_rows(&app).await, before + 2);
    let response = large.get("/team/export.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    let csv = response.text().await.unwrap();
    assert!(csv.lines().count() > 30);
    assert_eq!(log_rows(&app).await, before + 3);

    let rows = record_view::Entity::find().all(&app.db).await.unwrap();
    let counts: Vec<(String, i32)> = rows
        .iter()
        .map(|r| (r.kind.clone(), r.people_count))
        .collect();
    assert!(
        counts.contains(&("team_report".to_owned(), 1)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&("team_report".to_owned(), 30)),
        "{counts:?}"
    );
    assert!(
        counts.contains(&("team_export".to_owned(), 30)),
        "{counts:?}"
    );
    // Whom it included is a few bitmaps, not a row per person: 30 people who joined one
    // after another fill at most two blocks of 512.
    let export = rows.iter().find(|r| r.kind == "team_export").unwrap();
    let blocks = app
        .db
        .query_one_raw(kiwi::db::statement(
            app.db.get_database_backend(),
            "SELECT count(*) AS n FROM record_view_people WHERE view_id = ?",
            vec![export.id.into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert!((1..=2).contains(&blocks), "{blocks} blocks");
}

#[tokio::test]
async fn a_revocation_and_a_command_line_export_are_in_the_holders_log() {
    let app = spawn_app().await;
    let (anna, browser) = app.certified_person("Anna Widerruf").await;
    app.revoke_certificate_of(&anna).await;
    let data = my_data(&browser).await;
    let revoked = &data["views"][0];
    assert_eq!(revoked["kind"], "certificate_revoked");
    assert_eq!(revoked["role"], "hr");
    assert_eq!(revoked["detail"], data["certificates"][0]["serial"]);

    // The command line's export, as `kiwi export` makes it.
    let units = kiwi::db::org_units::all(&app.db).await.unwrap();
    let everything = kiwi::services::reports::Visible { top: None, units };
    let request = kiwi::services::exports::Request {
        viewer: kiwi::services::record_views::Viewer::command_line(),
        visible: &everything,
        unit: None,
        course: None,
        status: None,
        from: None,
        to: None,
        format: kiwi::services::exports::Format::Csv { delimiter: b',' },
        language: Language::De,
        local: app.state.settings.local_time(),
        index: None,
    };
    let translations = kiwi::i18n::Translations::load().unwrap();
    kiwi::services::exports::prepare(&app.db, &app.state.catalog, &translations, request)
        .await
        .unwrap();
    let data = my_data(&browser).await;
    let newest = &data["views"][0];
    assert_eq!(newest["kind"], "command_line_export");
    assert_eq!(newest["role"], "command_line");
    assert!(newest["name"].is_null());
}

#[tokio::test]
async fn my_data_reads_in_german_with_umlauts_and_in_english_and_downloads_as_html() {
    let app = spawn_app().await;
    let (_, browser) = app.certified_person("Jürgen Größe").await;
    let (status, german) = browser.get_text("/profile/data").await;
    assert_eq!(status, StatusCode::OK);
    assert!(german.contains("<html lang=\"de\">"));
    assert!(german.contains("<h1>Meine Daten</h1>"));
    assert!(german.contains("Wer hat hingesehen?"));
    assert!(german.contains("Führungskräfte"));
    assert!(german.contains("Jürgen Größe"));
    assert!(german.contains("Bestätigte Nutzungsregeln"));
    let (_, profile) = browser.get_text("/profile").await;
    assert!(profile.contains("href=\"/profile/data\""));

    let response = browser.get("/profile/data.html").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment;") && v.contains(".html"))
    );
    let file = response.text().await.unwrap();
    assert!(file.contains("<h1>Meine Daten</h1>"));
    assert!(file.contains("Jürgen Größe"));
    assert!(
        !file.contains("/static/kiwi.css"),
        "the file stands on its own"
    );

    browser
        .submit("/profile/data", "/language", &[("language", "en")])
        .await;
    let (_, english) = browser.get_text("/profile/data").await;
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("<h1>My data</h1>"));
    assert!(english.contains("Who looked?"));
    assert!(english.contains("Usage policy acknowledged"));
}

#[tokio::test]
async fn nobody_reaches_anyone_elses_data() {
    let app = spawn_app().await;
    let (anna, anna_browser) = app.certified_person("Anna Eigen").await;
    let (other, _) = app.certified_person("Otto Fremd").await;
    let other_row = person_row(&app, &other).await;

    // A parameter naming someone else is ignored: it is still her own data.
    for path in [
        format!("/profile/data.json?user={}", other_row.id),
        format!("/profile/data.json?email={}", other.email),
    ] {
        let response = anna_browser.get(&path).await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        assert!(text.contains(&anna.email));
        assert!(!text.contains(&other.email), "{path}");
    }
    for path in [
        format!("/profile/data/{}", other_row.id),
        format!("/profile/{}/data.json", other_row.id),
    ] {
        assert_eq!(
            anna_browser.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Signed out: sent to the sign-in, no data.
    for path in ["/profile/data", "/profile/data.json", "/profile/data.html"] {
        let response = app.browser().get(path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let body = response.text().await.unwrap();
        assert!(!body.contains(&anna.email));
    }
}

#[tokio::test]
async fn an_export_of_certificates_issued_on_some_days_names_only_the_people_it_selects() {
    let app = spawn_app().await;
    let (_, cora) = app.certified_person("Cora Zertifikat").await;
    let dora = app.person("Dora Ohne", "Dezernat I", "").await;
    let dora = app.signed_in(&dora).await;
    let hr = app
        .signed_in(&app.person("Paula Personal", "Personal", "hr").await)
        .await;
    let today = app.state.settings.local_time().today();
    let response = hr
        .get(&format!("/hr/export.xlsx?from={today}&to={today}"))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    response.bytes().await.unwrap();

    assert_eq!(views_of(&cora).await, ["hr_export"]);
    assert!(views_of(&dora).await.is_empty());
    let entry = &my_data(&cora).await["views"][0];
    assert_eq!(entry["detail"], "xlsx");
    assert_eq!(entry["people"], 1);
}

#[tokio::test]
async fn a_course_assigned_by_name_is_in_the_log_of_that_person_only() {
    let app = spawn_app().await;
    let head = app.person("Hanna Haupt", "Amt A", "manager").await;
    let emil = app.person("Emil Einzeln", "Amt A", "").await;
    let ali = app.person("Ali Anders", "Amt A", "").await;
    let manager = app.signed_in(&head).await;
    let due = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .to_string();
    let response = manager
        .submit(
            "/assignments",
            "/assignments",
            &[
                ("course", "grundlagen"),
                ("target", "person"),
                ("person", emil.email.as_str()),
                ("due_on", due.as_str()),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    let emil = app.signed_in(&emil).await;
    let data = my_data(&emil).await;
    assert_eq!(data["views"][0]["kind"], "assignment_created");
    assert_eq!(data["views"][0]["role"], "manager");
    assert_eq!(data["views"][0]["name"], "Hanna Haupt");
    assert_eq!(data["assignments"][0]["scope"], "person");
    assert_eq!(data["assignments"][0]["assigned_by"], "Hanna Haupt");
    let ali = app.signed_in(&ali).await;
    assert!(views_of(&ali).await.is_empty());
}

/// How many migrations come before the one whose name starts with `name`.
fn migrations_before(name: &str) -> u32 {
    use migration::MigratorTrait;
    let names: Vec<String> = migration::Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    let position = names.iter().position(|n| n.starts_with(name));
    u32::try_from(position.unwrap_or_else(|| panic!("a migration {name} in {names:?}"))).unwrap()
}

/// A database as a release before kept it, migrated up to (not including) migration `name`,
/// with `count` people in one unit.
async fn database_before(
    dir: &std::path::Path,
    name: &str,
    count: usize,
) -> (sea_orm::DatabaseConnection, Vec<Uuid>) {
    use migration::MigratorTrait;
    use sea_orm::{ActiveModelTrait, Set};

    let url = crate::helpers::empty_database(dir).await;
    let db = kiwi::db::connect(&url).await.unwrap();
    migration::Migrator::up(&db, Some(migrations_before(name)))
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let unit = org_unit::ActiveModel {
        id: Set(Uuid::now_v7()),
        parent_id: Set(None),
        name: Set("Amt Alt".into()),
        path: Set("Amt Alt".into()),
        lineage: Set("/".into()),
        created_at: Set(now),
    }
    .insert(&db)
    .await
    .unwrap();
    let mut people = Vec::new();
    for n in 0..count {
        let person = user::ActiveModel {
            id: Set(Uuid::now_v7()),
            personnel_number: Set(format!("A{n}")),
            name: Set(format!("Person {n}")),
            email: Set(format!("person{n}@example.org")),
            email_normalized: Set(format!("person{n}@example.org")),
            org_unit_id: Set(unit.id),
            language: Set("de".into()),
            status: Set(user::STATUS_ACTIVE.into()),
            password_hash: Set(None),
            is_manager: Set(false),
            is_hr: Set(false),
            is_admin: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
            left_at: Set(None),
            erased_at: Set(None),
        }
        .insert(&db)
        .await
        .unwrap();
        people.push(person.id);
    }
    (db, people)
}

/// The kinds of `person`'s entries, newest first.
async fn kinds_of(db: &sea_orm::DatabaseConnection, person: Uuid) -> Vec<String> {
    kiwi::db::record_views::of_person(db, person)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect()
}

#[tokio::test]
async fn entries_written_before_the_log_kept_bitmaps_stay_in_the_log_of_the_same_people() {
    // The people of a view as a JSON list, as the log kept them first.
    let dir = tempfile::tempdir().unwrap();
    let (db, people) = database_before(dir.path(), "m20261212_000025", 3).await;
    let backend = db.get_database_backend();
    let listed = serde_json::json!([
        people[0].simple().to_string(),
        people[2].simple().to_string()
    ]);
    db.execute_raw(kiwi::db::statement(
        backend,
        &format!(
            "INSERT INTO record_views (id, at, actor_id, actor_role, kind, detail, people, people_count) \
             VALUES (?, ?, NULL, 'hr', 'hr_export', 'csv', {}, 2)",
            match backend {
                sea_orm::DatabaseBackend::Postgres => "CAST(? AS jsonb)",
                _ => "?",
            }
        ),
        vec![
            Uuid::now_v7().into(),
            chrono::Utc::now().into(),
            listed.to_string().into(),
        ],
    ))
    .await
    .unwrap();

    // Upgraded, the first and the third person still find it; the second never did.
    kiwi::db::migrate(&db).await.unwrap();
    assert_eq!(kinds_of(&db, people[0]).await, ["hr_export"]);
    assert!(kinds_of(&db, people[1]).await.is_empty());
    assert_eq!(kinds_of(&db, people[2]).await, ["hr_export"]);
}

#[tokio::test]
async fn entries_kept_in_blocks_of_64_stay_in_the_log_of_the_same_people_in_blocks_of_512() {
    let dir = tempfile::tempdir().unwrap();
    let (db, people) = database_before(dir.path(), "m20261213_000026", 4).await;
    let backend = db.get_database_backend();
    let run = |sql: String, values: Vec<sea_orm::Value>| {
        let db = &db;
        async move {
            db.execute_raw(kiwi::db::statement(backend, &sql, values))
                .await
                .unwrap();
        }
    };
    // Numbers in the first, the second and the tenth old block; the fourth person (6) sits
    // beside the first (5) and was not included.
    let numbers = [5i64, 70, 600, 6];
    for (person, n) in people.iter().zip(numbers) {
        run(
            "UPDATE users SET record_no = ? WHERE id = ?".into(),
            vec![n.into(), (*person).into()],
        )
        .await;
    }
    let view = Uuid::now_v7();
    run(
        "INSERT INTO record_views (id, at, actor_id, actor_role, kind, detail, people_count) \
         VALUES (?, ?, NULL, 'hr', 'hr_export', 'csv', 3)"
            .into(),
        vec![view.into(), chrono::Utc::now().into()],
    )
    .await;
    for (block, bit) in [(0i64, 5i64), (1, 6), (9, 24)] {
        run(
            "INSERT INTO record_view_people (view_id, block, bits) VALUES (?, ?, ?)".into(),
            vec![view.into(), block.into(), (1i64 << bit).into()],
        )
        .await;
    }

    kiwi::db::migrate(&db).await.unwrap();
    for person in &people[..3] {
        assert_eq!(kinds_of(&db, *person).await, ["hr_export"]);
    }
    assert!(kinds_of(&db, people[3]).await.is_empty());
    // The first and the second old block are words of one new block; the tenth is another.
    let rows = db
        .query_one_raw(kiwi::db::statement(
            backend,
            "SELECT count(*) AS n FROM record_view_people WHERE view_id = ?",
            vec![view.into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(rows, 2);
}

#[tokio::test]
async fn someone_added_on_another_instance_just_before_an_export_is_in_its_log() {
    let app = spawn_app().await;
    let petra = app.person("Petra Personal", "Personal", "hr").await;
    app.person("Bea Bisher", "Amt Neu", "").await;
    let hr = app.signed_in(&petra).await;
    app.wait_for_feed().await;
    // Added through another instance: this one learns of it from the feed, and the export
    // follows the feed up to now before it names whom it includes.
    let other = app.second_instance().await;
    let added = people::add(
        &other.db,
        NewPerson {
            personnel_number: "N-4711".into(),
            name: SingleLine::parse("Nina Neu").unwrap(),
            email: Email::parse("nina.neu@stadt.example").unwrap(),
            org_unit: vec!["Amt Neu".into()],
            roles: Roles::parse_list("").unwrap(),
            language: Language::De,
        },
        None,
    )
    .await
    .expect("person added");
    let amt_neu = unit_id(&app, "Amt Neu").await;
    let response = hr.get(&format!("/hr/export.csv?unit={amt_neu}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.text().await.unwrap().contains("Nina Neu"));
    let kinds: Vec<String> = kiwi::db::record_views::of_person(&app.db, added.id)
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(kinds, ["hr_export"]);
}
