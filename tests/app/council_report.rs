//! The council report: who may see it, what its figures say for a small constructed
//! administration, how small groups are merged or left out, and that neither the page nor
//! its CSV names anybody.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use crate::helpers::{Browser, Person, TestApp, spawn_app};
use kiwi::entities::{assignment, certificate, org_unit, user};

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    user::Entity::find()
        .filter(user::Column::EmailNormalized.eq(email.to_lowercase()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("person exists")
        .id
}

/// A certificate of the fixture course issued `issued_days_ago`, ending `ends_in_days` from
/// now (negative: ended), revoked `revoked_days_ago` if given; announced in the change feed.
async fn certificate(
    app: &TestApp,
    person: &Person,
    issued_days_ago: i64,
    ends_in_days: i64,
    revoked_days_ago: Option<i64>,
) {
    let now = Utc::now();
    let holder = user_id(app, &person.email).await;
    let issued = now - Duration::days(issued_days_ago);
    certificate::ActiveModel {
        id: Set(Uuid::now_v7()),
        serial: Set(format!(
            "KIWI-2026-R{}",
            &Uuid::now_v7().simple().to_string()[20..]
        )),
        user_id: Set(holder),
        course_id: Set("grundlagen".into()),
        course_version: Set("1".into()),
        sequence: Set(1),
        issued_at: Set(issued),
        valid_from: Set(issued),
        valid_until: Set(now + Duration::days(ends_in_days)),
        renewal_of: Set(None),
        revoked_at: Set(revoked_days_ago.map(|d| now - Duration::days(d))),
        revoked_by: Set(None),
        revoke_reason: Set(revoked_days_ago.map(|_| "Test".to_owned())),
    }
    .insert(&app.db)
    .await
    .unwrap();
    app.changed_in_database(holder).await;
}

/// Records that `person` was added to kiwi `days` ago.
async fn added_days_ago(app: &TestApp, person: &Person, days: i64) {
    let id = user_id(app, &person.email).await;
    let mut model = user::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .into_active_model();
    model.created_at = Set(Utc::now() - Duration::days(days));
    model.update(&app.db).await.unwrap();
}

async fn people(app: &TestApp, names: &[&str], unit: &str) -> Vec<Person> {
    let mut people = Vec::new();
    for name in names {
        people.push(app.person(name, unit, "").await);
    }
    people
}

async fn csv_of(browser: &Browser, path: &str) -> String {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let bytes = response.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte order mark"
    );
    String::from_utf8(bytes[3..].to_vec()).unwrap()
}

/// The figures (people, count, percent) of the CSV rows of `section` and `level` for `group`.
fn figures(csv: &str, section: &str, level: &str, group: &str) -> Vec<[String; 3]> {
    csv::Reader::from_reader(csv.as_bytes())
        .records()
        .map(|record| record.expect("a well-formed CSV record"))
        .filter(|f| &f[0] == section && &f[3] == level && &f[5] == group)
        .map(|f| [f[8].to_owned(), f[9].to_owned(), f[10].to_owned()])
        .collect()
}

#[tokio::test]
async fn a_unit_of_four_is_merged_and_a_unit_of_five_is_shown_with_its_share() {
    let app = spawn_app().await;
    let hr = app.person("Petra Personal", "Personalamt", "hr").await;
    let five = people(
        &app,
        &[
            "Anton Eins",
            "Berta Zwei",
            "Carla Drei",
            "Dora Vier",
            "Emil Fünf",
        ],
        "Dezernat A",
    )
    .await;
    let four = people(
        &app,
        &["Fritz Sechs", "Gerda Sieben", "Hugo Acht", "Ida Neun"],
        "Dezernat B",
    )
    .await;
    certificate(&app, &five[0], 10, 300, None).await;
    certificate(&app, &five[1], 10, 300, None).await;
    certificate(&app, &four[0], 10, 300, None).await;
    let hr = app.signed_in(&hr).await;

    let (status, page) = hr.get_text("/hr/council-report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<th scope=\"row\">Dezernat A</th>"), "{page}");
    assert!(page.contains("40 % (2 von 5)"), "Dezernat A with its share");
    // The four of Dezernat B and the one of the Personalamt: five together.
    assert!(page.contains("<th scope=\"row\">weitere Bereiche</th>"));
    assert!(page.contains("20 % (1 von 5)"));
    assert!(
        !page.contains("Dezernat B"),
        "the unit of four is not named"
    );
    assert!(!page.contains("von 4)") && !page.contains("von 1)"));
    assert!(page.contains("30 % (3 von 10)"), "the whole administration");

    let csv = csv_of(&hr, "/hr/council-report.csv").await;
    assert_eq!(
        csv.lines().next().unwrap(),
        "section,period,date,level,parent,group,subject_id,subject,people,count,percent"
    );
    assert_eq!(
        figures(&csv, "coverage", "dezernat", "Dezernat A"),
        vec![["5", "2", "40"]]
    );
    assert_eq!(
        figures(&csv, "coverage", "dezernat", "weitere Bereiche"),
        vec![["5", "1", "20"]]
    );
    assert_eq!(
        figures(&csv, "coverage", "administration", "Stadt Musterstadt"),
        vec![["10", "3", "30"]]
    );
    assert!(!csv.contains("Dezernat B"));
    assert!(csv.contains("\r\n"), "RFC 4180 line ends");
    let semicolon = csv_of(&hr, "/hr/council-report.csv?delimiter=semicolon").await;
    assert!(semicolon.starts_with("section;period;date;level;"));
    assert_eq!(
        hr.get("/hr/council-report.csv?delimiter=tab")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn a_small_remainder_takes_the_smallest_shown_unit_along_so_it_cannot_be_subtracted() {
    let app = spawn_app().await;
    let hr = app.person("Petra Personal", "Personalamt", "hr").await;
    people(
        &app,
        &[
            "Anton Eins",
            "Berta Zwei",
            "Carla Drei",
            "Dora Vier",
            "Emil Fünf",
        ],
        "Dezernat A",
    )
    .await;
    let six = people(
        &app,
        &[
            "Fritz Sechs",
            "Gerda Sieben",
            "Hugo Acht",
            "Ida Neun",
            "Jan Zehn",
            "Kai Elf",
        ],
        "=SUMME(B1)",
    )
    .await;
    certificate(&app, &six[0], 10, 300, None).await;
    let hr = app.signed_in(&hr).await;

    // The Personalamt (1) alone would be the total (12) less the two units shown: the
    // smaller of them, Dezernat A (5), is merged with it.
    let (_, page) = hr.get_text("/hr/council-report").await;
    assert!(page.contains("16 % (1 von 6)"), "{page}");
    assert!(page.contains("0 % (0 von 6)"), "the merged group of 6");
    assert!(!page.contains("Dezernat A"));
    let csv = csv_of(&hr, "/hr/council-report.csv").await;
    assert_eq!(
        figures(&csv, "coverage", "dezernat", "weitere Bereiche"),
        vec![["6", "0", "0"]]
    );
    assert_eq!(
        figures(&csv, "coverage", "dezernat", "'=SUMME(B1)"),
        vec![["6", "1", "16"]],
        "a unit name that looks like a formula is neutralised"
    );
    assert!(!csv.contains("Dezernat A"));
    assert!(!csv.contains(",=") && !csv.contains(",+") && !csv.contains(",@"));
}

#[tokio::test]
async fn an_administration_below_the_minimum_shows_no_figure() {
    let app = spawn_app().await;
    let hr = app.person("Petra Personal", "Personalamt", "hr").await;
    let few = people(&app, &["Anton Eins", "Berta Zwei"], "Dezernat A").await;
    certificate(&app, &few[0], 10, 300, None).await;
    let hr = app.signed_in(&hr).await;

    let (status, page) = hr.get_text("/hr/council-report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("weniger als 5"));
    assert!(!page.contains(" von 3)") && !page.contains(" von 2)"));
    let csv = csv_of(&hr, "/hr/council-report.csv").await;
    assert_eq!(
        figures(&csv, "coverage", "administration", "Stadt Musterstadt"),
        vec![["<5", "", ""]]
    );
    assert!(
        csv.lines()
            .skip(1)
            .all(|line| line.ends_with(",<5,,") || line.ends_with(",0,,")),
        "no figure at all: {csv}"
    );
}

#[tokio::test]
async fn only_hr_and_administrators_may_see_the_council_report() {
    let app = spawn_app().await;
    let employee = app.person("Emma Angestellt", "Amt A", "").await;
    let head = app.person("Hanna Haupt", "Amt A", "manager").await;
    let hr = app.person("Petra Personal", "Personalamt", "hr").await;
    let admin = app.person("Adam Admin", "IT", "admin").await;
    for person in [&employee, &head] {
        let browser = app.signed_in(person).await;
        for path in ["/hr/council-report", "/hr/council-report.csv"] {
            assert_eq!(
                browser.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{} {path}",
                person.email
            );
        }
    }
    for person in [&hr, &admin] {
        let browser = app.signed_in(person).await;
        let (status, page) = browser.get_text("/hr/council-report").await;
        assert_eq!(status, StatusCode::OK, "{}", person.email);
        assert!(page.contains("Sachstandsbericht KI-Kompetenz"));
        csv_of(&browser, "/hr/council-report.csv").await;
    }
    let (_, start) = app.signed_in(&hr).await.get_text("/hr").await;
    assert!(
        start.contains("href=\"/hr/council-report\""),
        "linked from HR"
    );
    assert_eq!(
        app.browser().get("/hr/council-report").await.status(),
        StatusCode::SEE_OTHER,
        "signed out: to the sign-in"
    );
}

#[tokio::test]
async fn the_figures_count_valid_certificates_of_active_staff_now_and_at_the_end_of_past_quarters()
{
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    let valid = app.person("Vera Gültig", "Amt X", "").await;
    let expired = app.person("Erik Abgelaufen", "Amt X", "").await;
    let revoked = app.person("Rita Widerrufen", "Amt X", "").await;
    let left = app.person("Lars Gegangen", "Amt X", "").await;
    let none = app.person("Nina Ohne", "Amt X", "").await;
    let expiring = app.person("Olaf Bald", "Amt X", "").await;
    let newcomer = app.person("Nora Neu", "Amt X", "").await;
    let everyone = [
        &hr_person, &valid, &expired, &revoked, &left, &none, &expiring, &newcomer,
    ];
    // Everyone but the newcomer was added long before the oldest quarter shown.
    for person in &everyone[..7] {
        added_days_ago(&app, person, 400).await;
    }
    certificate(&app, &valid, 500, 300, None).await;
    certificate(&app, &expired, 500, -30, None).await;
    certificate(&app, &revoked, 500, 300, Some(30)).await;
    certificate(&app, &left, 500, 300, None).await;
    certificate(&app, &expiring, 500, 30, None).await;
    certificate(&app, &newcomer, 0, 365, None).await;
    let left_id = user_id(&app, &left.email).await;
    kiwi::db::users::mark_left(&app.db, left_id, Utc::now() - Duration::days(30))
        .await
        .unwrap();
    app.changed_in_database(left_id).await;
    let unit = org_unit::Entity::find()
        .filter(org_unit::Column::Path.eq("Amt X"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    assignment::ActiveModel {
        id: Set(Uuid::now_v7()),
        course_id: Set("grundlagen".into()),
        org_unit_id: Set(Some(unit.id)),
        user_id: Set(None),
        due_on: Set(app.today() - Duration::days(2)),
        assigned_by: Set(user_id(&app, &hr_person.email).await),
        assigned_at: Set(Utc::now() - Duration::days(20)),
        withdrawn_at: Set(None),
        withdrawn_by: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();
    let version = app.state.policy.as_ref().unwrap().version.clone();
    kiwi::db::policy_acknowledgements::insert_once(
        &app.db,
        user_id(&app, &valid.email).await,
        &version,
    )
    .await
    .unwrap();
    app.wait_for_feed().await;
    let hr = app.signed_in(&hr_person).await;

    let csv = csv_of(&hr, "/hr/council-report.csv").await;
    let organisation = "Stadt Musterstadt";
    // Now: seven active people (not the one who left); valid, expiring and the newcomer's.
    assert_eq!(
        figures(&csv, "coverage", "administration", organisation),
        vec![["7", "3", "42"]]
    );
    let trend = figures(&csv, "trend", "administration", organisation);
    assert_eq!(trend.len(), 5, "four quarters and the current one");
    // At the end of the oldest quarter: the one who left was still there, the newcomer not
    // yet; the expired and the revoked certificate were still valid.
    assert_eq!(trend[0], ["7", "5", "71"]);
    assert_eq!(
        trend[4],
        ["7", "3", "42"],
        "the current quarter is today's figure"
    );
    // The expired, the revoked and the one without: their unit's due date has passed.
    assert_eq!(
        figures(&csv, "overdue", "administration", organisation),
        vec![["7", "3", "42"]]
    );
    assert_eq!(
        figures(&csv, "policy", "administration", organisation),
        vec![["7", "1", "14"]]
    );

    let (status, page) = hr.get_text("/hr/council-report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("42 % (3 von 7)"));
    assert!(page.contains("71 % (5 von 7)"));
    assert!(page.contains("14 % (1 von 7)"), "the policy");
    assert!(page.contains("Testbot"), "the tools and what they require");
    assert!(
        page.contains("Datenschutzbeauftragte"),
        "the central contacts"
    );
    assert!(page.contains("test-1"), "the policy's version");

    // Nobody is named: not in the page, not in the file.
    let main = page.split("<main").nth(1).unwrap();
    for person in everyone {
        let name = user::Entity::find_by_id(user_id(&app, &person.email).await)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .name;
        for text in [name.as_str(), person.email.as_str()] {
            assert!(!main.contains(text), "the page names {text}");
            assert!(!csv.contains(text), "the CSV names {text}");
        }
    }
}

#[tokio::test]
async fn the_council_report_reads_in_german_with_umlauts_and_in_english() {
    let app = spawn_app().await;
    let hr_person = app.person("Petra Personal", "Personalamt", "hr").await;
    let hr = app.signed_in(&hr_person).await;

    let (_, german) = hr.get_text("/hr/council-report").await;
    assert!(german.contains("<html lang=\"de\">"));
    for text in [
        "Sachstandsbericht KI-Kompetenz",
        "Beschäftigte mit gültigem Zertifikat",
        "Überschrittene Fristen",
        "Zuständige Stellen",
        "Grundlagen (Testkurs)",
    ] {
        assert!(german.contains(text), "{text}");
    }
    assert!(!german.contains(">council-"), "no untranslated id");

    hr.submit(
        "/hr/council-report",
        "/language",
        &[("language", "en"), ("next", "/hr/council-report")],
    )
    .await;
    let (_, english) = hr.get_text("/hr/council-report").await;
    assert!(english.contains("<html lang=\"en\">"));
    for text in [
        "Status report: AI literacy",
        "Staff with a valid certificate",
        "Missed due dates",
        "Who is responsible",
        "Basics (test course)",
        "Data protection officer",
    ] {
        assert!(english.contains(text), "{text}");
    }
    assert!(!english.contains("Beschäftigte"));
    let csv = csv_of(&hr, "/hr/council-report.csv").await;
    assert!(csv.contains("Basics (test course)"));
}
