//! `KIWI_PASSWORD_SIGN_IN`: passwords for everyone, for nobody, or for administrators only.

use kiwi::services::sign_in::PasswordSignIn;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp, TestConfig, location, set_cookie_value, spawn_app_with};

async fn app_with(passwords: PasswordSignIn) -> TestApp {
    spawn_app_with(TestConfig {
        password_sign_in: passwords,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn with_passwords_off_nobody_signs_in_with_one() {
    let app = app_with(PasswordSignIn::Nobody).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;
    let browser = app.browser();

    let (status, html) = browser.get_text("/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("name=\"password\""), "no password form");
    assert!(html.contains("Die Anmeldung mit Passwort ist abgeschaltet."));

    for person in [&anna, &ada] {
        let response = browser.sign_in(&person.email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{}", person.email);
        assert!(set_cookie_value(&response, "kiwi_session").is_none());
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Die Anmeldung mit Passwort ist abgeschaltet.")
        );
    }
    assert_eq!(
        browser.get("/profile").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn with_passwords_for_administrators_only_everyone_else_is_refused() {
    let app = app_with(PasswordSignIn::Admins).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let petra = app.person("Petra Hoff", "Personal", "hr").await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;

    let (_, html) = app.browser().get_text("/login").await;
    assert!(html.contains("<details class=\"password-sign-in\">"));
    assert!(html.contains("Anmeldung mit Passwort (nur Administration)"));

    for person in [&anna, &petra] {
        let browser = app.browser();
        let response = browser.sign_in(&person.email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{}", person.email);
        assert!(set_cookie_value(&response, "kiwi_session").is_none());
        let html = response.text().await.unwrap();
        assert!(html.contains("nur Administratorinnen und Administratoren"));
        assert!(html.contains("<details class=\"password-sign-in\" open>"));
        assert_eq!(
            browser.get("/profile").await.status(),
            StatusCode::SEE_OTHER
        );
        // A wrong password says no more than ever: whether the account is an
        // administrator's is not told to someone who does not know its password.
        let wrong = browser.sign_in(&person.email, "not the password").await;
        assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("E-Mail-Adresse oder Passwort ist falsch.")
        );
    }

    let admin = app.browser();
    let response = admin.sign_in(&ada.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert_eq!(admin.get("/admin").await.status(), StatusCode::OK);
    let (_, profile) = admin.get_text("/profile").await;
    assert!(profile.contains("action=\"/profile/password\""));
}
