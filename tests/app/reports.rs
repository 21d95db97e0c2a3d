//! Team reports, assignments, HR exports and the evidence report: who sees what, what the
//! numbers say around their boundaries, and what the files hold.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Duration, Months, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use uuid::Uuid;

use crate::helpers::{Browser, TestApp, fixture_courses, spawn_app};
use kiwi::entities::{assignment, certificate, org_unit, outbox_mail, quiz_attempt, user};

async fn unit_id(app: &TestApp, path: &str) -> Uuid {
    org_unit::Entity::find()
        .filter(org_unit::Column::Path.eq(path))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("unit {path} exists"))
        .id
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    user::Entity::find()
        .filter(user::Column::EmailNormalized.eq(email.to_lowercase()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("person exists")
        .id
}

/// A certificate of the fixture course ending `days` from now (negative: ended), recorded
/// in the change feed like every certificate kiwi issues, so that reports see it.
async fn certificate_ending_in(app: &TestApp, email: &str, days: i64) {
    let until = Utc::now() + Duration::days(days);
    let from = until - Months::new(12);
    let holder = user_id(app, email).await;
    certificate::ActiveModel {
        id: Set(Uuid::now_v7()),
        serial: Set(format!(
            "KIWI-2026-T{}",
            &Uuid::now_v7().simple().to_string()[24..]
        )),
        user_id: Set(holder),
        course_id: Set("grundlagen".into()),
        course_version: Set("1".into()),
        sequence: Set(1),
        issued_at: Set(from),
        valid_from: Set(from),
        valid_until: Set(until),
        renewal_of: Set(None),
        revoked_at: Set(None),
        revoked_by: Set(None),
        revoke_reason: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    kiwi::db::access_changes::record(&app.db, kiwi::db::access_changes::Change::Person(holder))
        .await
        .unwrap();
    app.wait_for_feed().await;
}

/// An assignment of the fixture course to a unit, due `days` from today.
async fn assign_unit(app: &TestApp, unit: Uuid, by: &str, days: i64) {
    assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set("grundlagen".into()),
        org_unit_id: Set(Some(unit)),
        user_id: Set(None),
        due_on: Set(app.today() + Duration::days(days)),
        assigned_by: Set(user_id(app, by).await),
        assigned_at: Set(Utc::now()),
        withdrawn_at: Set(None),
        withdrawn_by: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
}

/// The CSV export's rows (after the header) that mention `needle`.
fn csv_rows_with<'a>(csv: &'a str, needle: &str) -> Vec<Vec<&'a str>> {
    csv.lines()
        .skip(1)
        .filter(|line| line.contains(needle))
        .map(|line| line.split(',').collect())
        .collect()
}

/// Submits the assignment form: the fixture course for `target` ("unit" or "person", with
/// its value) due on `due`.
async fn assign(browser: &Browser, target: (&str, &str), due: &str) -> reqwest::Response {
    let (kind, value) = target;
    browser
        .submit(
            "/assignments",
            "/assignments",
            &[
                ("course", "grundlagen"),
                ("target", kind),
                (kind, value),
                ("due_on", due),
            ],
        )
        .await
}

async fn download(browser: &Browser, path: &str) -> (StatusCode, Vec<u8>) {
    let response = browser.get(path).await;
    let status = response.status();
    (status, response.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_manager_sees_their_subtree_and_never_another_unit_by_link_parameter_or_export() {
    let app = spawn_app().await;
    let head = app.person("Hanna Haupt", "Amt A", "manager").await;
    app.person("Ali Unten", "Amt A / Sachgebiet 1", "").await;
    app.person("Bea Nebenan", "Amt B", "").await;
    let employee = app.person("Emil Einfach", "Amt A", "").await;
    let other_unit = unit_id(&app, "Amt B").await;
    let sub_unit = unit_id(&app, "Amt A / Sachgebiet 1").await;
    let manager = app.signed_in(&head).await;

    let (status, page) = manager.get_text("/team").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ali Unten"));
    assert!(page.contains("Emil Einfach"));
    assert!(!page.contains("Bea Nebenan"));
    assert!(
        page.contains("Sachgebiet 1"),
        "the unit below is listed to drill into"
    );

    let (status, page) = manager.get_text(&format!("/team?unit={sub_unit}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ali Unten"));
    assert!(!page.contains("Emil Einfach"));

    for path in [
        format!("/team?unit={other_unit}"),
        format!("/team/export.csv?unit={other_unit}"),
        "/team?unit=not-a-unit".to_owned(),
    ] {
        assert_eq!(
            manager.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for path in [
        "/hr/report",
        "/hr/export.csv",
        "/hr/export.xlsx",
        "/hr/evidence",
    ] {
        assert_eq!(
            manager.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let (status, csv) = download(&manager, "/team/export.csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Ali Unten"));
    assert!(!csv.contains("Bea Nebenan"));

    let employee = app.signed_in(&employee).await;
    assert_eq!(employee.get("/team").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        employee.get("/team/export.csv").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        employee.get("/assignments").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn hr_sees_every_unit_and_filters_by_unit_course_and_status() {
    let app = spawn_app().await;
    let hr = app.person("Petra Personal", "Personalamt", "hr").await;
    app.person("Ali Unten", "Amt A / Sachgebiet 1", "").await;
    let bea = app.person("Bea Nebenan", "Amt B", "").await;
    certificate_ending_in(&app, &bea.email, 300).await;
    let hr = app.signed_in(&hr).await;

    let (status, page) = hr.get_text("/hr/report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ali Unten") && page.contains("Bea Nebenan"));

    let amt_b = unit_id(&app, "Amt B").await;
    let (_, page) = hr.get_text(&format!("/hr/report?unit={amt_b}")).await;
    assert!(page.contains("Bea Nebenan") && !page.contains("Ali Unten"));

    let (_, page) = hr
        .get_text("/hr/report?course=grundlagen&status=done")
        .await;
    assert!(page.contains("Bea Nebenan") && !page.contains("Ali Unten"));
    let (_, csv) = download(&hr, "/hr/export.csv?status=not_started").await;
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("Ali Unten") && !csv.contains("Bea Nebenan"));

    assert_eq!(
        hr.get("/hr/report?status=excellent").await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_new_hire_inherits_the_units_open_assignment_until_it_is_withdrawn() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    app.person("Erste Kraft", "Amt A", "").await;
    let hr = app.signed_in(&hr_person).await;
    let amt_a = unit_id(&app, "Amt A").await.to_string();
    let due = (app.today() + Duration::days(30)).to_string();
    let response = assign(&hr, ("unit", &amt_a), &due).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // The person already in the unit is told by mail, queued with the assignment.
    let queued = outbox_mail::Entity::find().all(&app.db).await.unwrap();
    assert!(
        queued
            .iter()
            .any(|m| m.recipient.starts_with("erste.kraft") && m.text_body.contains("Grundlagen")),
        "an assignment mail to the person in the unit"
    );

    // Joins a unit below after the assignment was made.
    let newcomer = app.person("Neu Hinzu", "Amt A / Sachgebiet 2", "").await;
    let browser = app.signed_in(&newcomer).await;
    let (_, home) = browser.get_text("/").await;
    let due_de = (app.today() + Duration::days(30))
        .format("%d.%m.%Y")
        .to_string();
    assert!(home.contains(&format!("Fällig am {due_de}")), "{home}");
    let (_, csv) = download(&hr, "/hr/export.csv").await;
    let csv = String::from_utf8(csv).unwrap();
    let rows = csv_rows_with(&csv, "Neu Hinzu");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][11], due, "assigned_due_at");
    assert_eq!(rows[0][7], "not_started");

    // Withdrawn: gone from the start page and the export.
    let (_, page) = hr.get_text("/assignments").await;
    let id = assignment::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    assert!(page.contains(&format!("/assignments/{id}/withdraw")));
    let response = hr
        .submit("/assignments", &format!("/assignments/{id}/withdraw"), &[])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, home) = browser.get_text("/").await;
    assert!(!home.contains("Fällig am"));
}

#[tokio::test]
async fn a_manager_assigns_within_their_subtree_only_and_errors_stand_next_to_the_field() {
    let app = spawn_app().await;
    let head = app.person("Hanna Haupt", "Amt A", "manager").await;
    app.person("Ali Unten", "Amt A / Sachgebiet 1", "").await;
    let outsider = app.person("Bea Nebenan", "Amt B", "").await;
    let manager = app.signed_in(&head).await;
    let (_, form) = manager.get_text("/assignments").await;
    assert!(
        !form.contains("Amt B"),
        "only the manager's units are offered"
    );

    let due = (app.today() + Duration::days(10)).to_string();
    let amt_b = unit_id(&app, "Amt B").await.to_string();
    let response = assign(&manager, ("unit", &amt_b), &due).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"unit-error\""));
    assert!(page.contains("gehört nicht zu Ihrem Bereich"));

    let response = assign(&manager, ("person", &outsider.email), &due).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"person-error\"")
    );

    let yesterday = (app.today() - Duration::days(1)).to_string();
    let sub = unit_id(&app, "Amt A / Sachgebiet 1").await.to_string();
    let response = assign(&manager, ("unit", &sub), &yesterday).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("id=\"due_on-error\"")
    );
    assert_eq!(
        assignment::Entity::find().all(&app.db).await.unwrap().len(),
        0
    );

    let response = assign(&manager, ("unit", &sub), &due).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        assignment::Entity::find().all(&app.db).await.unwrap().len(),
        1
    );
}

#[tokio::test]
async fn overdue_and_expiring_are_computed_around_their_boundaries() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    let late = app.person("Spät Dran", "Amt Gestern", "").await;
    let on_time = app.person("Heute Fällig", "Amt Heute", "").await;
    let soon = app.person("Bald Ab", "Amt Zert", "").await;
    let later = app.person("Noch Lang", "Amt Zert", "").await;
    let ended = app.person("Schon Ab", "Amt Zert", "").await;
    let _ = (&late, &on_time);
    assign_unit(
        &app,
        unit_id(&app, "Amt Gestern").await,
        &hr_person.email,
        -1,
    )
    .await;
    assign_unit(&app, unit_id(&app, "Amt Heute").await, &hr_person.email, 0).await;
    certificate_ending_in(&app, &soon.email, 59).await;
    certificate_ending_in(&app, &later.email, 61).await;
    certificate_ending_in(&app, &ended.email, -1).await;
    let hr = app.signed_in(&hr_person).await;

    let (_, csv) = download(&hr, "/hr/export.csv").await;
    let csv = String::from_utf8(csv).unwrap();
    let status_of = |name: &str| csv_rows_with(&csv, name)[0][7].to_owned();
    assert_eq!(status_of("Spät Dran"), "overdue");
    assert_eq!(status_of("Heute Fällig"), "not_started");
    assert_eq!(status_of("Bald Ab"), "expiring");
    assert_eq!(status_of("Noch Lang"), "valid");
    assert_eq!(status_of("Schon Ab"), "expired");

    let (_, page) = hr.get_text("/hr/report?status=overdue").await;
    assert!(page.contains("Spät Dran") && !page.contains("Heute Fällig"));
    let (_, page) = hr.get_text("/hr/report?status=expiring").await;
    assert!(page.contains("Bald Ab") && !page.contains("Noch Lang"));
}

#[tokio::test]
async fn csv_exports_have_the_exact_header_a_bom_and_no_executable_formulas() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    app.person("=HYPERLINK(\"http://evil.example\";\"klick\")", "Amt A", "")
        .await;
    app.person("@SUM(1+1)", "Amt A", "").await;
    let hr = app.signed_in(&hr_person).await;

    let response = hr.get("/hr/export.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "UTF-8 byte order mark"
    );
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "personnel_number,name,email,org_unit,course_id,course_title,course_version,status,\
         completed_at,certificate_serial,valid_until,assigned_due_at"
    );
    assert!(text.contains("\r\n"), "RFC 4180 line ends");
    assert!(text.contains(",\"'=HYPERLINK(\"\"http://evil.example\"\";\"\"klick\"\")\","));
    assert!(text.contains(",'@SUM(1+1),"));
    assert!(!text.contains(",=") && !text.contains(",@"));

    let (_, semicolon) = download(&hr, "/hr/export.csv?delimiter=semicolon").await;
    let semicolon = String::from_utf8(semicolon[3..].to_vec()).unwrap();
    assert!(semicolon.starts_with("personnel_number;name;email;org_unit;course_id;"));
}

#[tokio::test]
async fn the_xlsx_export_opens_with_a_translated_header_dates_and_text_that_is_no_formula() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    let holder = app.person("Jürgen Größe", "Amt A", "").await;
    app.person("=1+2", "Amt A", "").await;
    certificate_ending_in(&app, &holder.email, 200).await;
    let hr = app.signed_in(&hr_person).await;

    let (status, bytes) = download(&hr, "/hr/export.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("the XLSX opens");
    let sheet = workbook.sheet_names()[0].clone();
    assert_eq!(sheet, "Schulungsnachweise");
    let range = workbook.worksheet_range(&sheet).unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows[0][0], Data::String("Personalnummer".into()));
    assert_eq!(rows[0][10], Data::String("Gültig bis".into()));
    assert_eq!(rows.len(), 4, "header and one row per person and course");
    let holder_row = rows
        .iter()
        .find(|r| r[1] == Data::String("Jürgen Größe".into()))
        .expect("the holder's row");
    assert!(
        matches!(holder_row[10], Data::DateTime(_)),
        "valid_until is a date cell"
    );
    assert_eq!(holder_row[7], Data::String("Gültig".into()));
    let formula_row = rows.iter().find(|r| r[1] == Data::String("=1+2".into()));
    assert!(formula_row.is_some(), "the name is kept as text");
    let formulas = workbook.worksheet_formula(&sheet).unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas"
    );
}

#[tokio::test]
async fn no_manager_or_hr_page_or_export_shows_a_quiz_score() {
    let app = spawn_app().await;
    let head = app.person("Hanna Haupt", "Amt A", "manager;hr").await;
    let learner = app.person("Lea Lernend", "Amt A", "").await;
    let learner_browser = app.signed_in(&learner).await;
    let attempt = learner_browser
        .start_quiz("grundlagen", "erste-schritte")
        .await;
    learner_browser
        .answer(&attempt, &app.answers(&attempt, false).await)
        .await;
    // Seeded, distinctive scores that no count or share in these small reports can equal.
    let mut seeded: quiz_attempt::ActiveModel = quiz_attempt::Entity::find()
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into();
    seeded.score_percent = Set(Some(37));
    seeded.update(&app.db).await.unwrap();
    let (_, own) = learner_browser
        .get_text(&format!("/attempts/{attempt}"))
        .await;
    assert!(
        own.contains("37 Prozent"),
        "the person sees their own score"
    );

    let manager = app.signed_in(&head).await;
    let amt_a = unit_id(&app, "Amt A").await;
    for path in [
        "/team".to_owned(),
        format!("/team?unit={amt_a}&status=in_progress"),
        "/hr/report".to_owned(),
        "/hr/evidence".to_owned(),
        "/assignments".to_owned(),
        "/hr".to_owned(),
    ] {
        let (status, page) = manager.get_text(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            page.contains("Lea Lernend") || !path.contains("team"),
            "{path}"
        );
        for leak in ["37 %", "37 Prozent", "37%", "Prozent erreicht"] {
            assert!(!page.contains(leak), "{path} shows {leak:?}");
        }
    }
    for path in ["/team/export.csv", "/hr/export.csv"] {
        let (_, csv) = download(&manager, path).await;
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.contains("Lea Lernend"));
        assert!(
            csv.split([',', '\r', '\n']).all(|field| field != "37"),
            "{path}"
        );
        assert!(!csv.to_lowercase().contains("score") && !csv.contains("attempt"));
    }
    let (_, bytes) = download(&manager, "/hr/export.xlsx").await;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    assert!(range.used_cells().all(|(_, _, cell)| {
        let text = cell.to_string();
        !matches!(cell, Data::Int(37)) && *cell != Data::Float(37.0) && text != "37"
    }));
}

#[tokio::test]
async fn exports_of_many_rows_stream_in_chunks_and_count_every_row_once() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    let content = kiwi::content::Content {
        catalog: kiwi::courses::load::load_catalog(&fixture_courses()).unwrap(),
        policy: None,
        tools: Vec::new(),
    };
    kiwi::services::large_demo::seed(&app.db, &content, 6000, "no sign-in")
        .await
        .unwrap();
    let hr = app.signed_in(&hr_person).await;

    let mut response = hr.get("/hr/export.csv").await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut chunks = 0;
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        chunks += 1;
        body.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(body).unwrap();
    // 6000 generated people and the HR person, one course: one row each, plus the header.
    assert_eq!(text.lines().count(), 6002);
    assert!(chunks > 3, "sent in {chunks} chunks");

    // A client that goes away mid-download leaves the server serving.
    let mut aborted = hr.get("/hr/export.xlsx").await;
    assert!(aborted.chunk().await.unwrap().is_some());
    drop(aborted);
    let (status, _) = hr.get_text("/hr/report").await;
    assert_eq!(status, StatusCode::OK);

    let (_, xlsx) = download(&hr, "/hr/export.xlsx?status=done").await;
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let rows = workbook.worksheet_range(&sheet).unwrap().rows().count();
    let done = text
        .lines()
        .filter(|l| l.contains(",valid,") || l.contains(",expiring,"))
        .count();
    assert_eq!(rows, done + 1);
}

#[tokio::test]
async fn the_evidence_report_states_versions_policy_tools_and_who_made_it() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    let (_, _) = app.certified_person("Zora Zertifiziert").await;
    let hr = app.signed_in(&hr_person).await;
    let (status, page) = hr.get_text("/hr/evidence").await;
    assert_eq!(status, StatusCode::OK);
    let catalog = kiwi::courses::load::load_catalog(&fixture_courses()).unwrap();
    let course = catalog.get("grundlagen").unwrap();
    assert!(page.contains(&course.content_hash));
    assert!(
        page.contains("Version 1: 1"),
        "one valid certificate of version 1"
    );
    assert!(page.contains("Erstellt von"));
    assert!(page.contains("Petra Personal"));
    assert!(page.contains("bestätigt von 1 von 2 Personen"));
    assert!(page.contains("Testbot"), "the tools and what they require");
}

/// Reports read the training records from memory, exports from the database: after every
/// kind of change both must hold the same rows.
#[tokio::test]
async fn reports_from_memory_hold_the_same_records_as_the_database() {
    let app = spawn_app().await;
    let certified = app.person("Cora Zertifiziert", "Amt A", "").await;
    let started = app.person("Stefan Begonnen", "Amt A", "").await;
    let reader = app.person("Rita Gelesen", "Amt B", "").await;
    let _idle = app.person("Ida Nochnicht", "Amt B", "").await;
    let revoked = app.person("Rolf Widerrufen", "Amt B", "").await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;

    app.complete_course(&app.signed_in(&certified).await).await;
    app.signed_in(&started)
        .await
        .start_quiz("grundlagen", "erste-schritte")
        .await;
    app.signed_in(&reader)
        .await
        .submit(
            "/courses/grundlagen/modules/lesen",
            "/courses/grundlagen/modules/lesen/read",
            &[],
        )
        .await;
    app.complete_course(&app.signed_in(&revoked).await).await;
    let serial = certificate::Entity::find()
        .filter(certificate::Column::UserId.eq(user_id(&app, &revoked.email).await))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .serial;
    let hr_browser = app.signed_in(&hr).await;
    hr_browser
        .submit(
            "/hr/certificates/revoke",
            "/hr/certificates/revoke",
            &[("serial", &serial), ("reason", "Test")],
        )
        .await;
    // Rita moves from Amt B to Amt A.
    let rita = user::Entity::find_by_id(user_id(&app, &reader.email).await)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let file = format!(
        "personnel_number,name,email,org_unit,roles\n{},Rita Gelesen,{},Amt A,\n",
        rita.personnel_number, rita.email
    );
    let (status, html) = hr_browser.upload_import(&file, false).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    app.wait_for_feed().await;

    let amt_b = unit_id(&app, "Amt B").await;
    for query in [
        kiwi::db::records::RecordQuery {
            courses: vec!["grundlagen".into()],
            ..Default::default()
        },
        kiwi::db::records::RecordQuery {
            units: Some(vec![amt_b]),
            courses: vec!["grundlagen".into()],
            ..Default::default()
        },
        kiwi::db::records::RecordQuery {
            courses: vec!["grundlagen".into()],
            completed_from: Some(Utc::now() - Duration::hours(1)),
            ..Default::default()
        },
    ] {
        let sorted = |mut rows: Vec<kiwi::db::records::RecordRow>| {
            rows.sort_by_key(|r| (r.user_id, r.course_id.clone()));
            rows
        };
        // What the reports read (the index, as it is loaded) and the database's own answer.
        let from_memory = sorted(records_of_reports(&app, query.clone()).await);
        let from_database = sorted(kiwi::db::records::all(&app.db, &query).await.unwrap());
        assert_eq!(from_memory, from_database);
        assert!(!from_memory.is_empty());
    }
    let everyone = records_of_reports(
        &app,
        kiwi::db::records::RecordQuery {
            courses: vec!["grundlagen".into()],
            ..Default::default()
        },
    )
    .await;
    let of = |name: &str| everyone.iter().find(|r| r.name == name).unwrap();
    assert!(of("Cora Zertifiziert").certificate_serial.is_some());
    assert!(of("Stefan Begonnen").started);
    assert!(of("Rita Gelesen").started);
    assert!(!of("Ida Nochnicht").started);
    assert!(of("Rolf Widerrufen").certificate_serial.is_none());
    assert_eq!(of("Rita Gelesen").org_unit_id, unit_id(&app, "Amt A").await);
}

/// The records a report reads for `query`, through the reports service.
async fn records_of_reports(
    app: &TestApp,
    query: kiwi::db::records::RecordQuery,
) -> Vec<kiwi::db::records::RecordRow> {
    kiwi::services::reports::with_records(&app.db, &app.access, query, |rows| rows)
        .await
        .unwrap()
}
