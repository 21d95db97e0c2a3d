//! Signing in and out, sessions, passwords and CSRF.

use reqwest::StatusCode;
use sea_orm::EntityTrait;

use crate::helpers::{Browser, PASSWORD, cookie_header, location, set_cookie_value, spawn_app};
use kiwi::entities::user;

#[tokio::test]
async fn a_person_signs_in_and_sees_their_start_page() {
    let app = spawn_app().await;
    let anna = app
        .person("Anna Beck", "Dezernat I / Fachbereich 10", "")
        .await;
    let browser = app.browser();

    let response = browser.sign_in(&anna.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    let (status, html) = browser.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Willkommen, Anna Beck!"));
    assert!(html.contains("Dezernat I / Fachbereich 10"));
}

#[tokio::test]
async fn pages_for_signed_in_people_send_strangers_to_the_sign_in_form() {
    let app = spawn_app().await;
    let response = app.browser().get("/profile").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?next=/profile");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.browser();

    let wrong_password = browser.sign_in(&anna.email, "not the password").await;
    let status_wrong = wrong_password.status();
    let text_wrong = wrong_password.text().await.unwrap();
    let unknown = browser
        .sign_in("nobody@stadt.example", "not the password")
        .await;
    let status_unknown = unknown.status();
    let text_unknown = unknown.text().await.unwrap();

    assert_eq!(status_wrong, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(status_unknown, status_wrong);
    assert!(text_wrong.contains("E-Mail-Adresse oder Passwort ist falsch."));
    assert!(text_unknown.contains("E-Mail-Adresse oder Passwort ist falsch."));
}

#[tokio::test]
async fn the_stored_password_is_an_argon2id_hash() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let stored = user::Entity::find().all(&app.db).await.unwrap();
    let hash = stored
        .iter()
        .find(|p| p.email == anna.email)
        .and_then(|p| p.password_hash.clone())
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
}

/// Signs in with `browser`; returns the session token and a client that sends it by hand
/// and does not follow redirects.
async fn session_and_replay(browser: &Browser, email: &str) -> (String, reqwest::Client) {
    let response = browser.sign_in(email, PASSWORD).await;
    let session = set_cookie_value(&response, "kiwi_session").expect("a session cookie");
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (session, replay)
}

#[tokio::test]
async fn signing_out_makes_the_old_session_cookie_useless() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.browser();
    let (session, replay) = session_and_replay(&browser, &anna.email).await;
    let before = replay
        .get(browser.url("/profile"))
        .headers(cookie_header("kiwi_session", &session))
        .send()
        .await
        .unwrap();
    assert_eq!(before.status(), StatusCode::OK);

    let signed_out = browser.submit("/", "/logout", &[]).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);

    let after = replay
        .get(browser.url("/profile"))
        .headers(cookie_header("kiwi_session", &session))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER);
    assert!(location(&after).starts_with("/login"));
}

/// Pages resolve sessions from memory; a sign-out elsewhere must still end them everywhere.
#[tokio::test]
async fn a_sign_out_ends_the_session_on_every_instance_within_a_second() {
    let app = spawn_app().await;
    let second = app.second_instance().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.browser();
    let (session, replay) = session_and_replay(&browser, &anna.email).await;
    let profile_on_second = || {
        replay
            .get(format!("{}/profile", second.address))
            .headers(cookie_header("kiwi_session", &session))
            .send()
    };
    // Twice: the second answer comes from the other instance's memory.
    for _ in 0..2 {
        assert_eq!(profile_on_second().await.unwrap().status(), StatusCode::OK);
    }

    let signed_out = browser.submit("/", "/logout", &[]).await;
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);

    let started = std::time::Instant::now();
    loop {
        let after = profile_on_second().await.unwrap();
        if after.status() == StatusCode::SEE_OTHER {
            assert!(location(&after).starts_with("/login"));
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(1),
            "the other instance still knew the session after 1 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id_each_time() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let first = app.browser().sign_in(&anna.email, PASSWORD).await;
    let second = app.browser().sign_in(&anna.email, PASSWORD).await;
    let first = set_cookie_value(&first, "kiwi_session").unwrap();
    let second = set_cookie_value(&second, "kiwi_session").unwrap();
    assert_ne!(first, second);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let response = app.browser().sign_in(&anna.email, PASSWORD).await;
    let cookie = response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kiwi_session="))
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn sign_in_is_throttled_after_repeated_failures_even_with_the_right_password() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.browser();
    for _ in 0..5 {
        let response = browser.sign_in(&anna.email, "wrong password").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = browser.sign_in(&anna.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Zu viele fehlgeschlagene Anmeldeversuche")
    );
    // Throttling an address does not lock out other people.
    let bernd = app.person("Bernd Cho", "Dezernat I", "").await;
    let response = app.browser().sign_in(&bernd.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_post_without_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;

    let response = browser
        .client
        .post(browser.url("/profile/password"))
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", "an entirely new password"),
            ("new_password_repeat", "an entirely new password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    let forged = browser
        .client
        .post(browser.url("/language"))
        .form(&[("csrf_token", "0".repeat(64).as_str()), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    // The old password still works and the language is still German.
    assert_eq!(
        app.browser().sign_in(&anna.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, html) = browser.get_text("/profile").await;
    assert!(html.contains("<html lang=\"de\">"));
}

#[tokio::test]
async fn a_form_posted_from_another_site_is_refused() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let token = browser.csrf_token("/profile").await;
    let response = browser
        .client
        .post(browser.url("/language"))
        .header("Origin", "https://evil.example")
        .form(&[("csrf_token", token.as_str()), ("language", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let laptop = app.signed_in(&anna).await;
    let phone = app.signed_in(&anna).await;

    let response = laptop
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "an entirely new password"),
                ("new_password_repeat", "an entirely new password"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    assert_eq!(laptop.get("/profile").await.status(), StatusCode::OK);
    assert_eq!(phone.get("/profile").await.status(), StatusCode::SEE_OTHER);
    let fresh = app.browser();
    assert_eq!(
        fresh.sign_in(&anna.email, PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        fresh
            .sign_in(&anna.email, "an entirely new password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn a_bad_password_change_shows_the_error_next_to_the_field() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let response = browser
        .submit(
            "/profile",
            "/profile/password",
            &[
                ("current_password", "wrong"),
                ("new_password", "short"),
                ("new_password_repeat", "short"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"new_password-error\""));
    assert!(html.contains("Das Passwort muss mindestens 12 Zeichen lang sein."));
    assert!(html.contains("aria-describedby=\"new_password-hint new_password-error\""));
}

#[tokio::test]
async fn a_person_switches_to_english_and_kiwi_remembers_it() {
    let app = spawn_app().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let response = browser
        .submit(
            "/profile",
            "/language",
            &[("language", "en"), ("next", "/profile")],
        )
        .await;
    assert_eq!(location(&response), "/profile");

    let elsewhere = app.signed_in(&anna).await;
    let (_, html) = elsewhere.get_text("/").await;
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("Welcome, Anna Beck!"));
}

#[tokio::test]
async fn the_first_administrator_is_created_through_the_one_time_setup_link() {
    let app = spawn_app().await;
    let token = kiwi::services::setup::token_if_needed(&app.db)
        .await
        .unwrap()
        .expect("a setup token");
    let browser = app.browser();
    let page = format!("/setup/{token}");
    let response = browser
        .submit(
            &page,
            &page,
            &[
                ("name", "Ada Admin"),
                ("email", "ada@stadt.example"),
                ("password", "the first admin password"),
                ("password_repeat", "the first admin password"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/admin");
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);

    // The link is used up, and no new one is made while an administrator exists.
    assert_eq!(
        app.browser().get(&page).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        kiwi::services::setup::token_if_needed(&app.db)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_guessed_setup_link_leads_nowhere() {
    let app = spawn_app().await;
    kiwi::services::setup::token_if_needed(&app.db)
        .await
        .unwrap();
    let response = app
        .browser()
        .get(&format!("/setup/{}", "a".repeat(64)))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}
