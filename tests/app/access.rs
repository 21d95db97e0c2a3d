//! Roles and org units decide what a person may see.

use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_employee_gets_403_on_admin_hr_and_team_pages() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    for path in ["/admin", "/hr", "/team"] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(response.text().await.unwrap().contains("Kein Zugriff"));
    }
    let upload = browser
        .upload_import_without_page("personnel_number,name,email,org_unit\n")
        .await;
    assert_eq!(upload, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn each_role_sees_its_own_navigation() {
    let app = spawn_app().await;
    let cases = [
        ("Anna Beck", "", vec![], vec!["/team", "/hr", "/admin"]),
        (
            "Maria Lang",
            "manager",
            vec!["/team"],
            vec!["/hr", "/admin"],
        ),
        ("Petra Hoff", "hr", vec!["/hr"], vec!["/team", "/admin"]),
        ("Jonas Beck", "admin", vec!["/admin"], vec!["/team", "/hr"]),
    ];
    for (name, roles, shown, hidden) in cases {
        let person = app.person(name, "Dezernat I", roles).await;
        let (_, html) = app.signed_in(&person).await.get_text("/").await;
        for link in shown {
            assert!(
                html.contains(&format!("<a href=\"{link}\"")),
                "{name} should see {link}"
            );
        }
        for link in hidden {
            assert!(
                !html.contains(&format!("<a href=\"{link}\"")),
                "{name} should not see {link}"
            );
        }
    }
}

#[tokio::test]
async fn a_department_head_sees_their_unit_and_below_but_never_another_unit() {
    let app = spawn_app().await;
    let head = app
        .person("Maria Lang", "Dezernat II / Fachbereich 32", "manager")
        .await;
    app.person(
        "Lukas Below",
        "Dezernat II / Fachbereich 32 / Abteilung 32.1",
        "",
    )
    .await;
    app.person("Sophie Beside", "Dezernat II / Fachbereich 20", "")
        .await;
    app.person("Georg Above", "Dezernat II", "").await;

    let (status, html) = app.signed_in(&head).await.get_text("/team").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Lukas Below"));
    // The unit below, named relative to the head's own unit.
    assert!(html.contains("Abteilung 32.1"));
    assert!(!html.contains("Sophie Beside"));
    assert!(!html.contains("Georg Above"));
    assert!(!html.contains("Fachbereich 20"));
}

#[tokio::test]
async fn the_admin_search_ignores_case() {
    let app = spawn_app().await;
    let admin = app.person("Jonas Beck", "IT", "admin").await;
    app.person("Anna Schmidt", "Dezernat I", "").await;
    let browser = app.signed_in(&admin).await;
    let (_, found) = browser.get_text("/admin?q=schMIDT").await;
    assert!(found.contains("Anna Schmidt"));
    let (_, none) = browser.get_text("/admin?q=niemand").await;
    assert!(none.contains("Niemand passt zu dieser Suche."));
}
