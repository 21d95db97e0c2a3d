//! Importing staff from the HR master data: all or nothing, idempotent.

use reqwest::StatusCode;
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{PASSWORD, spawn_app};
use kiwi::entities::{org_unit, user};

const STAFF: &str = "personnel_number,name,email,org_unit,roles\n\
    1001,Anna Beck,anna.beck@stadt.example,Dezernat I / Fachbereich 10,\n\
    1002,Jürgen Groß,juergen.gross@stadt.example,Dezernat I / Fachbereich 10 / Abteilung 10.1,manager\n\
    1003,Özlem Yılmaz,oezlem.yilmaz@stadt.example,Dezernat II,hr\n";

#[tokio::test]
async fn hr_imports_staff_and_missing_units_are_created() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    let (status, html) = browser.upload_import(STAFF, false).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Neu angelegt: 3"));

    let people = user::Entity::find().all(&app.db).await.unwrap();
    let jurgen = people
        .iter()
        .find(|p| p.personnel_number == "1002")
        .unwrap();
    assert_eq!(jurgen.name, "Jürgen Groß");
    assert!(jurgen.is_manager && !jurgen.is_hr);
    let units: Vec<String> = org_unit::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.path)
        .collect();
    for path in [
        "Dezernat I",
        "Dezernat I / Fachbereich 10",
        "Dezernat I / Fachbereich 10 / Abteilung 10.1",
        "Dezernat II",
    ] {
        assert!(
            units.contains(&path.to_owned()),
            "{path} missing from {units:?}"
        );
    }
}

#[tokio::test]
async fn an_import_with_one_bad_row_writes_nothing_and_names_the_row() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    let people_before = user::Entity::find().count(&app.db).await.unwrap();
    let units_before = org_unit::Entity::find().count(&app.db).await.unwrap();
    let file = format!("{STAFF}1004,Bernd Cho,not-an-address,Dezernat III / Neu,\n");

    let (status, html) = browser.upload_import(&file, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Nichts wurde importiert"));
    assert!(
        html.contains("Zeile 5: „not-an-address“ ist keine gültige E-Mail-Adresse."),
        "{html}"
    );
    assert_eq!(
        user::Entity::find().count(&app.db).await.unwrap(),
        people_before
    );
    assert_eq!(
        org_unit::Entity::find().count(&app.db).await.unwrap(),
        units_before
    );
}

#[tokio::test]
async fn every_bad_row_is_reported_not_just_the_first() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let file = "personnel_number;name;email;org_unit;roles\n\
        2001;;a@stadt.example;Dezernat I;\n\
        2002;Bea Ost;b@stadt.example;Dezernat I;chef\n\
        2001;Carl Dorn;A@stadt.example;Dezernat I;\n";
    let (status, html) = app.signed_in(&hr).await.upload_import(file, false).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Zeile 2: Der Name fehlt."), "{html}");
    assert!(html.contains("Zeile 3: Unbekannte Rolle „chef“"), "{html}");
    assert!(
        html.contains("Zeile 4: Die Personalnummer steht schon in Zeile 2."),
        "{html}"
    );
    assert!(
        html.contains("Zeile 4: Die E-Mail-Adresse steht schon in Zeile 2."),
        "{html}"
    );
}

#[tokio::test]
async fn re_importing_the_same_file_changes_nothing() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    browser.upload_import(STAFF, false).await;
    let before = user::Entity::find().all(&app.db).await.unwrap();

    let with_bom_and_semicolons = format!("\u{feff}{}", STAFF.replace(',', ";"));
    let (status, html) = browser.upload_import(&with_bom_and_semicolons, false).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Neu angelegt: 0"));
    assert!(html.contains("Geändert: 0"));
    assert!(html.contains("Unverändert: 3"));
    assert_eq!(user::Entity::find().all(&app.db).await.unwrap(), before);
}

#[tokio::test]
async fn a_changed_file_updates_people_by_personnel_number() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let browser = app.signed_in(&hr).await;
    browser.upload_import(STAFF, false).await;
    let changed = STAFF.replace(
        "1001,Anna Beck,anna.beck@stadt.example",
        "1001,Anna Beck-Ohm,anna.ohm@stadt.example",
    );
    let (_, html) = browser.upload_import(&changed, false).await;
    assert!(html.contains("Geändert: 1"));
    let anna = user::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.personnel_number == "1001")
        .unwrap();
    assert_eq!(anna.name, "Anna Beck-Ohm");
    assert_eq!(anna.email_normalized, "anna.ohm@stadt.example");
}

#[tokio::test]
async fn a_person_who_left_cannot_sign_in_and_their_sessions_end() {
    let app = spawn_app().await;
    let hr = app.person("Petra Hoff", "Personal", "hr").await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let annas_browser = app.signed_in(&anna).await;
    assert_eq!(annas_browser.get("/").await.status(), StatusCode::OK);

    // The HR file lists only Petra: everyone else has left.
    let hr_row = user::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.email == hr.email)
        .unwrap();
    let file = format!(
        "personnel_number,name,email,org_unit,roles\n{},Petra Hoff,{},Personal,hr\n",
        hr_row.personnel_number, hr.email
    );
    let (status, html) = app.signed_in(&hr).await.upload_import(&file, true).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("Als ausgeschieden markiert: 1"));

    assert_eq!(annas_browser.get("/").await.status(), StatusCode::SEE_OTHER);
    let response = app.browser().sign_in(&anna.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Their record stays.
    let annas_record = user::Entity::find()
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.email == anna.email)
        .unwrap();
    assert_eq!(annas_record.status, "left");
}

#[tokio::test]
async fn an_import_that_would_remove_the_last_administrator_is_refused() {
    let app = spawn_app().await;
    // The importer is an administrator too: only an administrator's import may mark an
    // administrator as left.
    let hr = app.person("Petra Hoff", "Personal", "hr;admin").await;
    app.person("Jonas Beck", "IT", "admin").await;
    let (status, html) = app.signed_in(&hr).await.upload_import(STAFF, true).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("keine aktive Administration"), "{html}");
    assert_eq!(user::Entity::find().count(&app.db).await.unwrap(), 2);
}
