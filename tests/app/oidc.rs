//! Single sign-on against a real OpenID provider (tests/oidc): the sign-in, every way a token
//! or callback can be wrong, a key rotation, unknown people with creation off and on, role
//! mapping, and signing out: at kiwi (and on at the provider), and the provider's
//! back-channel logout ending the sessions on two instances within a second.

use std::time::{Duration, Instant};

use kiwi::config::Settings;
use kiwi::entities::{audit_log, user};
use kiwi::services::second_factor::MfaMode;
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;

use crate::helpers::{
    Browser, PASSWORD, TestApp, TestConfig, cookie_header, location, set_cookie_value,
    spawn_app_with,
};
use crate::oidc_provider::{TestProvider, through_provider};

/// kiwi with single sign-on at `provider`, and `more` settings.
async fn app_at(provider: &TestProvider, more: impl FnOnce(&mut Settings) + 'static) -> TestApp {
    spawn_app_with(TestConfig {
        configure: Some(provider.settings(more)),
        ..Default::default()
    })
    .await
}

/// The provider's account for a kiwi person: same address, a name.
fn account(email: &str, name: &str) -> serde_json::Value {
    json!({ "email": email, "email_verified": true, "name": name })
}

async fn person_by_email(app: &TestApp, email: &str) -> Option<user::Model> {
    user::Entity::find()
        .filter(user::Column::EmailNormalized.eq(email.to_lowercase()))
        .one(&app.db)
        .await
        .unwrap()
}

async fn audited(app: &TestApp, action: &str) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(&app.db)
        .await
        .unwrap()
}

/// kiwi's sign-in button, the provider, back at kiwi: the callback's answer.
async fn sign_in(browser: &Browser, login: &str, next: &str) -> reqwest::Response {
    let (_, page) = browser
        .get_text(&format!(
            "/login?next={}",
            kiwi::error::percent_encode(next)
        ))
        .await;
    let marker = "class=\"button sso-button\" href=\"";
    let start = page.find(marker).expect("the sign-in page has the button") + marker.len();
    let href = page[start..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    let callback = through_provider(browser, &href, login).await;
    browser.client.get(callback).send().await.unwrap()
}

/// A failed sign-in: the page, and no session.
async fn refused(response: reqwest::Response, status: StatusCode, text: &str) {
    assert_eq!(response.status(), status);
    assert!(set_cookie_value(&response, "kiwi_session").is_none());
    let html = response.text().await.unwrap();
    assert!(html.contains(text), "{text} not in {html}");
}

#[tokio::test]
async fn a_person_signs_in_with_the_provider_and_is_matched_by_email() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |s| {
        s.oidc_label = Some("Mit Stadt-Konto anmelden".into());
    })
    .await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(
            &app,
            json!({ "anna": account(&anna.email.to_uppercase(), "Anna Beck") }),
        )
        .await;
    let browser = app.browser();

    let (_, page) = browser.get_text("/login").await;
    let button = page
        .find("Mit Stadt-Konto anmelden")
        .expect("the configured label");
    assert!(
        button < page.find("name=\"password\"").unwrap(),
        "the button comes first"
    );

    let response = sign_in(&browser, "anna", "/courses").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/courses");
    assert!(set_cookie_value(&response, "kiwi_session").is_some());
    let (status, html) = browser.get_text("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Willkommen, Anna Beck!"));

    // Her password works as before.
    assert_eq!(
        app.browser().sign_in(&anna.email, PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_journey_into_a_tool_goes_on_after_the_provider() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;
    let browser = app.browser();
    // A tool sends people to kiwi's sign-in with the way into it as `next`.
    let response = browser.get("/tools/testbot/open?next=/chat").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to_sign_in = location(&response);
    let next = to_sign_in
        .strip_prefix("/login?next=")
        .expect("to the sign-in page");
    let next = url::form_urlencoded::parse(format!("n={next}").as_bytes())
        .next()
        .unwrap()
        .1
        .into_owned();
    assert!(next.starts_with("/tools/testbot/open"), "{next}");

    let response = sign_in(&browser, "anna", &next).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), next);
}

#[tokio::test]
async fn privileged_people_signing_in_with_the_provider_are_not_asked_for_a_code() {
    let provider = TestProvider::start();
    let app = spawn_app_with(TestConfig {
        mfa: MfaMode::Privileged,
        configure: Some(provider.settings(|_| {})),
        ..Default::default()
    })
    .await;
    let ada = app.person("Ada Admin", "Verwaltung", "admin").await;
    provider
        .register(&app, json!({ "ada": account(&ada.email, "Ada Admin") }))
        .await;
    let browser = app.browser();
    let response = sign_in(&browser, "ada", "/admin").await;
    assert_eq!(location(&response), "/admin");
    assert_eq!(browser.get("/admin").await.status(), StatusCode::OK);
    // With her password, she is.
    let response = app.browser().sign_in(&ada.email, PASSWORD).await;
    assert_eq!(location(&response), "/login/second-factor");
}

#[tokio::test]
async fn a_callback_works_once_and_only_in_the_browser_that_began() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;

    // Sent to someone else's browser (login CSRF), the callback signs nobody in…
    let browser = app.browser();
    let callback = through_provider(&browser, "/login/oidc?next=/", "anna").await;
    let stranger = app.browser();
    let response = stranger.client.get(&callback).send().await.unwrap();
    refused(response, StatusCode::BAD_REQUEST, "ist fehlgeschlagen").await;
    // …and it is used up: the right browser cannot replay it either.
    let response = browser.client.get(&callback).send().await.unwrap();
    refused(
        response,
        StatusCode::BAD_REQUEST,
        "abgelaufen oder wurde schon verwendet",
    )
    .await;

    // A callback that worked cannot be replayed.
    let callback = through_provider(&browser, "/login/oidc?next=/", "anna").await;
    let first = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let replayed = browser.client.get(&callback).send().await.unwrap();
    assert_eq!(replayed.status(), StatusCode::BAD_REQUEST);
    // A made-up state is refused too.
    let made_up = browser
        .get(&format!(
            "/login/oidc/callback?state={}&code=x",
            "b".repeat(64)
        ))
        .await;
    refused(
        made_up,
        StatusCode::BAD_REQUEST,
        "abgelaufen oder wurde schon verwendet",
    )
    .await;
}

#[tokio::test]
async fn tokens_with_another_issuer_audience_signature_expiry_or_nonce_are_refused() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;
    for mode in ["issuer", "audience", "signature", "expired", "nonce"] {
        let browser = app.browser();
        let callback = through_provider(&browser, "/login/oidc?next=/", "anna").await;
        provider.tamper_next_id_token(mode).await;
        let response = browser.client.get(&callback).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{mode}");
        assert!(
            set_cookie_value(&response, "kiwi_session").is_none(),
            "{mode}"
        );
        assert!(
            response
                .text()
                .await
                .unwrap()
                .contains("Die Anmeldung über das Dienstkonto ist fehlgeschlagen."),
            "{mode}"
        );
        assert_eq!(
            browser.get("/profile").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    // Untampered, the same person signs in.
    let response = sign_in(&app.browser(), "anna", "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_key_rotation_at_the_provider_needs_no_restart() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;
    let response = sign_in(&app.browser(), "anna", "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);

    provider.rotate_keys().await;
    // kiwi fetches the keys again for a new key id at most every 2 s.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let response = sign_in(&app.browser(), "anna", "/").await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "signed with the new key"
    );
}

#[tokio::test]
async fn someone_not_in_kiwi_gets_a_clear_page_when_creation_is_off() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    provider
        .register(
            &app,
            json!({ "neu": account("neu.person@stadt.example", "Nele Neu") }),
        )
        .await;
    let browser = app.browser();
    let response = sign_in(&browser, "neu", "/").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = response.text().await.unwrap();
    assert!(html.contains("Ihr Konto ist in kiwi noch nicht angelegt."));
    // With whom to ask: the HR contact of the contacts file.
    assert!(html.contains("mailto:"), "{html}");
    assert!(
        person_by_email(&app, "neu.person@stadt.example")
            .await
            .is_none()
    );

    // Someone who left is not let in either.
    let left = app.person("Lea Weg", "Dezernat I", "").await;
    let person = person_by_email(&app, &left.email).await.unwrap();
    let mut gone: user::ActiveModel = person.into();
    gone.status = Set(user::STATUS_LEFT.to_owned());
    gone.update(&app.db).await.unwrap();
    provider
        .register(&app, json!({ "lea": account(&left.email, "Lea Weg") }))
        .await;
    let response = sign_in(&app.browser(), "lea", "/").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn with_creation_on_a_new_person_is_created_from_the_claims() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |s| {
        s.oidc_create_people = true;
        s.oidc_unit_claim = Some("org_unit".into());
    })
    .await;
    provider
        .register(
            &app,
            json!({ "neu": {
                "email": "nele.neu@stadt.example",
                "email_verified": true,
                "name": "Nele Neu",
                "personnel_number": "4711",
                "org_unit": "Dezernat II / Fachbereich 20",
            }}),
        )
        .await;
    let browser = app.browser();
    let response = sign_in(&browser, "neu", "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_text("/").await;
    assert!(html.contains("Willkommen, Nele Neu!"));
    assert!(html.contains("Dezernat II / Fachbereich 20"));
    let created = person_by_email(&app, "nele.neu@stadt.example")
        .await
        .expect("created");
    assert_eq!(created.personnel_number, "4711");
    assert!(created.password_hash.is_none());
    assert!(!created.is_admin && !created.is_hr && !created.is_manager);
    assert_eq!(audited(&app, "person.created_at_sign_in").await.len(), 1);

    // The second sign-in finds her, creates nobody.
    let response = sign_in(&app.browser(), "neu", "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "person.created_at_sign_in").await.len(), 1);
}

#[tokio::test]
async fn people_are_matched_by_personnel_number_when_configured() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |s| {
        s.oidc_user_claim = "personnel_number".into();
    })
    .await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let number = person_by_email(&app, &anna.email)
        .await
        .unwrap()
        .personnel_number;
    // The provider knows her under another address: the number decides.
    provider
        .register(
            &app,
            json!({ "anna": {
                "email": "a.beck@ad.stadt.example",
                "name": "Anna Beck",
                "personnel_number": number,
            }}),
        )
        .await;
    let browser = app.browser();
    let response = sign_in(&browser, "anna", "/").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, html) = browser.get_text("/").await;
    assert!(html.contains("Willkommen, Anna Beck!"));
}

#[tokio::test]
async fn groups_give_roles_only_with_a_mapping_and_each_change_is_audited() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |s| {
        s.oidc_role_claim = Some("groups".into());
        s.oidc_role_map = vec!["kiwi-hr=hr".into(), "kiwi-heads=manager".into()];
    })
    .await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    let mut claims = account(&anna.email, "Anna Beck");
    claims["groups"] = json!(["kiwi-hr", "unrelated"]);
    provider.register(&app, json!({ "anna": claims })).await;
    let browser = app.browser();
    sign_in(&browser, "anna", "/").await;
    assert_eq!(browser.get("/hr").await.status(), StatusCode::OK);
    let changes = audited(&app, "person.roles_changed").await;
    let last = changes.last().expect("audited");
    assert!(
        last.detail
            .ends_with("employee -> hr (groups at the identity provider)"),
        "{}",
        last.detail
    );

    // Out of the group at the provider, out of the role at the next sign-in.
    let mut claims = account(&anna.email, "Anna Beck");
    claims["groups"] = json!([]);
    provider.register(&app, json!({ "anna": claims })).await;
    let browser = app.browser();
    sign_in(&browser, "anna", "/").await;
    assert_eq!(browser.get("/hr").await.status(), StatusCode::FORBIDDEN);
    let changes = audited(&app, "person.roles_changed").await;
    assert!(changes.last().unwrap().detail.contains("hr -> employee"));

    // Without a mapping, the same groups give nothing.
    let plain = app_at(&provider, |_| {}).await;
    let bernd = plain.person("Bernd Cho", "Dezernat I", "").await;
    let mut claims = account(&bernd.email, "Bernd Cho");
    claims["groups"] = json!(["kiwi-hr"]);
    provider.register(&plain, json!({ "bernd": claims })).await;
    let browser = plain.browser();
    sign_in(&browser, "bernd", "/").await;
    assert_eq!(browser.get("/hr").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_out_of_kiwi_goes_on_to_sign_out_at_the_provider() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;
    let browser = app.browser();
    let response = sign_in(&browser, "anna", "/").await;
    let session = set_cookie_value(&response, "kiwi_session").unwrap();

    let response = browser.submit("/", "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = url::Url::parse(&location(&response)).unwrap();
    assert_eq!(
        to.as_str().split('?').next().unwrap(),
        format!("{}/session/end", provider.issuer)
    );
    let query: std::collections::HashMap<_, _> = to.query_pairs().into_owned().collect();
    assert_eq!(query["client_id"], "kiwi");
    assert_eq!(
        query["post_logout_redirect_uri"],
        format!("{}/login?signed_out=1", app.address)
    );
    // The kiwi session is over already.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(browser.url("/profile"))
        .headers(cookie_header("kiwi_session", &session))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::SEE_OTHER);
    // The form may lead there: the page allows the provider as a form target.
    let csp = response_csp(&browser).await;
    assert!(csp.contains(&provider.issuer), "{csp}");

    // A password session signs out at kiwi only.
    let password = app.signed_in(&anna).await;
    let response = password.submit("/", "/logout", &[]).await;
    assert_eq!(location(&response), "/login?signed_out=1");
}

async fn response_csp(browser: &Browser) -> String {
    browser
        .get("/login")
        .await
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_providers_back_channel_logout_ends_the_session_on_every_instance_within_a_second() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let second = app.second_instance().await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;
    let browser = app.browser();
    let response = sign_in(&browser, "anna", "/").await;
    let session = set_cookie_value(&response, "kiwi_session").expect("signed in");
    // A password session of hers elsewhere is not the provider's to end.
    let password = app.signed_in(&anna).await;

    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let profile_on = |address: String| {
        replay
            .get(format!("{address}/profile"))
            .headers(cookie_header("kiwi_session", &session))
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            profile_on(app.address.clone()).await.unwrap().status(),
            StatusCode::OK
        );
        assert_eq!(
            profile_on(second.address.clone()).await.unwrap().status(),
            StatusCode::OK
        );
    }

    provider.sign_out_there(&browser).await;
    let started = Instant::now();
    for address in [second.address.clone(), app.address.clone()] {
        loop {
            let answer = profile_on(address.clone()).await.unwrap();
            if answer.status() == StatusCode::SEE_OTHER {
                assert!(location(&answer).starts_with("/login"));
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{address} still knew the session a second after the provider's logout"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(password.get("/profile").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_forged_or_malformed_logout_token_ends_nothing() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    let anna = app.person("Anna Beck", "Dezernat I", "").await;
    provider
        .register(&app, json!({ "anna": account(&anna.email, "Anna Beck") }))
        .await;
    let browser = app.browser();
    sign_in(&browser, "anna", "/").await;

    // Unsigned ("alg": "none") with the right claims, and plain garbage.
    let b64 = |v: serde_json::Value| kiwi::oidc::jwt::b64_encode(v.to_string().as_bytes());
    let now = chrono::Utc::now().timestamp();
    let unsigned = format!(
        "{}.{}.",
        b64(json!({ "alg": "none" })),
        b64(json!({
            "iss": provider.issuer, "aud": "kiwi", "iat": now, "jti": "x", "sub": "anna",
            "events": { "http://schemas.openid.net/event/backchannel-logout": {} },
        }))
    );
    for token in [unsigned.as_str(), "garbage", ""] {
        let response = reqwest::Client::new()
            .post(browser.url("/login/oidc/backchannel-logout"))
            .form(&[("logout_token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{token}");
        assert_eq!(response.headers()["cache-control"], "no-store");
    }
    assert_eq!(browser.get("/profile").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_provider_the_single_sign_on_paths_do_not_exist() {
    let app = spawn_app_with(TestConfig::default()).await;
    let browser = app.browser();
    let (_, page) = browser.get_text("/login").await;
    assert!(!page.contains("sso-button"));
    for path in ["/login/oidc", "/login/oidc/callback?state=x"] {
        assert_eq!(
            browser.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
}

#[tokio::test]
async fn one_client_starts_a_bounded_number_of_sign_ins() {
    let provider = TestProvider::start();
    let app = app_at(&provider, |_| {}).await;
    provider.register(&app, json!({})).await;
    let browser = app.browser();
    for _ in 0..30 {
        let response = browser.get("/login/oidc?next=/").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).starts_with(&provider.issuer));
    }
    let response = browser.get("/login/oidc?next=/").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}
