//! The second factor (TOTP) of privileged password accounts: setting it up, the second step
//! at sign-in, replayed and wrong codes, recovery codes, throttling and an administrator's
//! reset.

use kiwi::entities::{audit_log, second_factor};
use kiwi::services::second_factor::MfaMode;
use kiwi::services::totp::{TotpSecret, step_of};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::helpers::{
    Browser, PASSWORD, Person, TestApp, TestConfig, location, set_cookie_value, spawn_app_with,
};

async fn app_with(mfa: MfaMode) -> TestApp {
    spawn_app_with(TestConfig {
        mfa,
        ..Default::default()
    })
    .await
}

/// The code of the app `steps` steps from now.
fn code(secret: &TotpSecret, steps: i64) -> String {
    secret.code_at(step_of(chrono::Utc::now().timestamp()) + steps)
}

/// The text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).expect("the marker is on the page") + start.len();
    let to = html[from..].find(end).expect("the end marker follows") + from;
    &html[from..to]
}

fn secret_on(html: &str) -> TotpSecret {
    let text = between(
        html,
        "class=\"secret\" aria-labelledby=\"secret-label\" translate=\"no\">",
        "<",
    );
    TotpSecret::from_base32(text).expect("the page shows the secret in base32")
}

fn recovery_codes_on(html: &str) -> Vec<String> {
    html.split("<li><code>")
        .skip(1)
        .map(|rest| rest.split('<').next().unwrap_or_default().to_owned())
        .collect()
}

/// Signs in with the password; answers the response of the password step.
async fn password_step(browser: &Browser, person: &Person) -> reqwest::Response {
    let response = browser.sign_in(&person.email, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response
}

async fn answer(browser: &Browser, code: &str) -> reqwest::Response {
    browser
        .submit(
            "/login/second-factor",
            "/login/second-factor",
            &[("code", code)],
        )
        .await
}

/// A person who set up their factor at their first sign-in: the browser (signed in), the
/// secret, the recovery codes, and the step of the confirming code.
async fn enrolled_at(app: &TestApp, person: &Person) -> (Browser, TotpSecret, Vec<String>, i64) {
    let browser = app.browser();
    let response = password_step(&browser, person).await;
    assert_eq!(location(&response), "/login/second-factor");
    let (status, html) = browser.get_text("/login/second-factor").await;
    assert_eq!(status, StatusCode::OK);
    let secret = secret_on(&html);
    let step = step_of(chrono::Utc::now().timestamp());
    let response = answer(&browser, &secret.code_at(step)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let codes = recovery_codes_on(&response.text().await.unwrap());
    (browser, secret, codes, step)
}

async fn enrolled(app: &TestApp, person: &Person) -> (Browser, TotpSecret, Vec<String>) {
    let (browser, secret, codes, _) = enrolled_at(app, person).await;
    (browser, secret, codes)
}

async fn audit_actions(app: &TestApp, action: &str) -> usize {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_administrator_sets_up_the_second_factor_at_the_first_sign_in() {
    let app = app_with(MfaMode::Privileged).await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;
    let browser = app.browser();

    let response = browser
        .submit(
            "/login",
            "/login",
            &[
                ("email", ada.email.as_str()),
                ("password", PASSWORD),
                ("next", "/admin"),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login/second-factor");
    assert!(set_cookie_value(&response, "kiwi_session").is_none());
    // The right password alone opens nothing.
    assert_eq!(browser.get("/admin").await.status(), StatusCode::SEE_OTHER);

    let (status, html) = browser.get_text("/login/second-factor").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Zweiten Faktor einrichten"));
    assert!(html.contains("<svg"), "a QR code");
    let secret = secret_on(&html);
    // Reloading shows the same secret: the app scanned first still fits.
    let (_, again) = browser.get_text("/login/second-factor").await;
    assert_eq!(secret_on(&again), secret);
    // Stored encrypted: the database does not hold the secret.
    let stored = second_factor::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].secret.contains(&secret.base32()));
    assert!(!format!("{:?}", stored[0]).contains(&stored[0].secret));

    let wrong = answer(&browser, "000000").await;
    let wrong = if code(&secret, 0) == "000000" {
        answer(&browser, "111111").await
    } else {
        wrong
    };
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("Dieser Code ist falsch oder wurde schon benutzt."));
    assert!(html.contains("class=\"error-summary\""));
    assert!(html.contains("href=\"#code\""));

    let response = answer(&browser, &code(&secret, 0)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(set_cookie_value(&response, "kiwi_session").is_some());
    let html = response.text().await.unwrap();
    assert!(html.contains("Ihre Wiederherstellungscodes"));
    assert!(
        html.contains("href=\"/admin\""),
        "continues to where she was going"
    );
    let codes = recovery_codes_on(&html);
    assert_eq!(codes.len(), 10);
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
    assert_eq!(
        audit_actions(&app, "person.second_factor_enrolled").await,
        1
    );

    // The profile says so.
    let (_, profile) = browser.get_text("/profile").await;
    assert!(profile.contains("Sie haben noch 10 Wiederherstellungscodes."));
}

#[tokio::test]
async fn each_code_works_once_within_one_step_either_side() {
    let app = app_with(MfaMode::Privileged).await;
    let petra = app.person("Petra Hoff", "Personal", "hr").await;
    let (_, secret, _, step) = enrolled_at(&app, &petra).await;

    // The code that confirmed the setup cannot sign in again.
    let browser = app.browser();
    let response = password_step(&browser, &petra).await;
    assert_eq!(location(&response), "/login/second-factor");
    let (_, html) = browser.get_text("/login/second-factor").await;
    assert!(html.contains("Anmeldung bestätigen"));
    assert!(
        !html.contains("<svg"),
        "no new setup once there is a factor"
    );
    let replayed = answer(&browser, &secret.code_at(step)).await;
    assert_eq!(replayed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Nor can an older one.
    let older = answer(&browser, &secret.code_at(step - 1)).await;
    assert_eq!(older.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Two steps ahead is too far.
    let far = code(&secret, 2);
    if far != secret.code_at(step + 1) {
        let response = answer(&browser, &far).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // The next step's code (a clock slightly ahead) is accepted, once.
    let next = secret.code_at(step + 1);
    let response = answer(&browser, &next).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");
    assert!(set_cookie_value(&response, "kiwi_session").is_some());
    assert_eq!(browser.get("/hr").await.status(), StatusCode::OK);

    let other = app.browser();
    password_step(&other, &petra).await;
    let response = answer(&other, &next).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(other.get("/hr").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_recovery_code_works_once() {
    let app = app_with(MfaMode::Privileged).await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;
    let (_, _, codes) = enrolled(&app, &ada).await;

    let browser = app.browser();
    password_step(&browser, &ada).await;
    // As typed from paper: upper case, with spaces.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let response = answer(&browser, &typed).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
    assert_eq!(audit_actions(&app, "person.recovery_code_used").await, 1);
    let (_, profile) = browser.get_text("/profile").await;
    assert!(profile.contains("Sie haben noch 9 Wiederherstellungscodes."));

    let again = app.browser();
    password_step(&again, &ada).await;
    let response = answer(&again, &codes[3]).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another of her codes still works.
    let response = answer(&again, &codes[4]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_second_step_is_throttled_even_for_the_right_code() {
    let app = app_with(MfaMode::Privileged).await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;
    let (_, secret, _) = enrolled(&app, &ada).await;

    let browser = app.browser();
    password_step(&browser, &ada).await;
    let right = code(&secret, 1);
    let wrong = if right == "123456" {
        "654321"
    } else {
        "123456"
    };
    for _ in 0..5 {
        let response = answer(&browser, wrong).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = answer(&browser, &right).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Zu viele falsche Codes.")
    );
    // A new sign-in with the password does not start the count again.
    let fresh = app.browser();
    password_step(&fresh, &ada).await;
    let response = answer(&fresh, &right).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn an_administrator_resets_a_lost_second_factor_and_it_is_audited() {
    let app = app_with(MfaMode::Privileged).await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;
    let petra = app.person("Petra Hoff", "Personal", "hr").await;
    let (admin, _, _) = enrolled(&app, &ada).await;
    let (petra_browser, _, _) = enrolled(&app, &petra).await;
    assert_eq!(petra_browser.get("/hr").await.status(), StatusCode::OK);

    // HR may not reset anyone's factor.
    assert_eq!(
        petra_browser.get("/admin/second-factor").await.status(),
        StatusCode::FORBIDDEN
    );
    let token = petra_browser.csrf_token("/profile").await;
    let refused = petra_browser
        .client
        .post(petra_browser.url("/admin/second-factor"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("person", ada.email.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    let unknown = admin
        .submit(
            "/admin/second-factor",
            "/admin/second-factor",
            &[("person", "nobody@stadt.example")],
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().await.unwrap().contains("Niemand hat diese"));

    let response = admin
        .submit(
            "/admin/second-factor",
            "/admin/second-factor",
            &[("person", petra.email.as_str())],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Der zweite Faktor von Petra Hoff ist zurückgesetzt.")
    );
    let audited = audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq("person.second_factor_reset"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the reset is audited");
    assert!(audited.actor_id.is_some());
    // Her sessions ended; her next sign-in sets up a new factor.
    assert_eq!(
        petra_browser.get("/hr").await.status(),
        StatusCode::SEE_OTHER
    );
    let fresh = app.browser();
    password_step(&fresh, &petra).await;
    let (_, html) = fresh.get_text("/login/second-factor").await;
    assert!(html.contains("Zweiten Faktor einrichten"));

    // A second reset finds nothing to reset.
    let again = admin
        .submit(
            "/admin/second-factor",
            "/admin/second-factor",
            &[("person", petra.email.as_str())],
        )
        .await;
    assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn who_is_asked_follows_the_mode() {
    let app = app_with(MfaMode::Privileged).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let sabine = app.person("Sabine Wolf", "Dezernat I", "manager").await;
    for person in [&anna, &sabine] {
        let response = app.browser().sign_in(&person.email, PASSWORD).await;
        assert_eq!(
            location(&response),
            "/",
            "{} signs in at once",
            person.email
        );
    }
    let managers = app_with(MfaMode::Managers).await;
    let sabine = managers
        .person("Sabine Wolf", "Dezernat I", "manager")
        .await;
    let response = managers.browser().sign_in(&sabine.email, PASSWORD).await;
    assert_eq!(location(&response), "/login/second-factor");

    let all = app_with(MfaMode::All).await;
    let anna = all.person("Anna Beck", "Dezernat I", "").await;
    let response = all.browser().sign_in(&anna.email, PASSWORD).await;
    assert_eq!(location(&response), "/login/second-factor");

    let off = app_with(MfaMode::Off).await;
    let ada = off.person("Ada Admin", "Verwaltung", "admin").await;
    let browser = off.browser();
    let response = browser.sign_in(&ada.email, PASSWORD).await;
    assert_eq!(location(&response), "/");
    let (_, profile) = browser.get_text("/profile").await;
    assert!(!profile.contains("Zweiter Faktor"));
    assert_eq!(
        browser.get("/profile/second-factor").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_employee_may_set_up_a_second_factor_on_the_profile_with_the_password() {
    let app = app_with(MfaMode::Privileged).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let browser = app.signed_in(&anna).await;
    let (_, profile) = browser.get_text("/profile").await;
    assert!(profile.contains("href=\"/profile/second-factor\""));
    let (status, html) = browser.get_text("/profile/second-factor").await;
    assert_eq!(status, StatusCode::OK);
    let secret = secret_on(&html);

    let response = browser
        .submit(
            "/profile/second-factor",
            "/profile/second-factor",
            &[
                ("current_password", "not my password"),
                ("code", &code(&secret, 0)),
            ],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Das aktuelle Passwort ist nicht richtig.")
    );
    let response = browser
        .submit(
            "/profile/second-factor",
            "/profile/second-factor",
            &[("current_password", PASSWORD), ("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(recovery_codes_on(&response.text().await.unwrap()).len(), 10);

    // From now on her sign-in asks for a code.
    let fresh = app.browser();
    let response = password_step(&fresh, &anna).await;
    assert_eq!(location(&response), "/login/second-factor");
    let response = answer(&fresh, &code(&secret, 1)).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn without_a_waiting_sign_in_the_second_step_sends_back_to_the_password() {
    let app = app_with(MfaMode::Privileged).await;
    let browser = app.browser();
    let response = browser.get("/login/second-factor").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/login?step_expired=1");
    let (_, html) = browser.get_text("/login?step_expired=1").await;
    assert!(html.contains("Die Anmeldung ist abgelaufen."));
    let token = browser.csrf_token("/login").await;
    let response = browser
        .client
        .post(browser.url("/login/second-factor"))
        .form(&[("csrf_token", token.as_str()), ("code", "123456")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/login?step_expired=1");

    // A forged cookie leads nowhere either.
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(browser.url("/login/second-factor"))
        .header("cookie", format!("kiwi_second_step={}", "a".repeat(64)))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&forged), "/login?step_expired=1");
}
